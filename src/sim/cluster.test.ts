import { describe, it, expect } from 'vitest';
import { Sim } from './sim';
import { VirtualClock } from './clock';
import { applyWorkloads, type ClusterSpec } from './cluster';
import { allocatePodIp, nodeNsId, podNsId } from './cni';
import { cidr, contains, formatIp, ip, nth, parseCidr } from './ipv4';
import { deviceByIndex, deviceByName, neighboursOf, routesOf, vxlanFdbOf, type Device, type Netns } from './netns';
import type { Pod } from './k8s/types';

const T0 = Date.UTC(2025, 2, 14, 9, 30, 0);

/** The three-pools lab's cluster: 3 nodes, 3 nginx replicas, a busybox client, a Service. */
const LAB_SPEC: ClusterSpec = {
  nodes: 3,
  workloads: {
    deployments: [{ name: 'web', replicas: 3, image: 'nginx:1.27', ports: [80] }],
    pods: [{ name: 'client', image: 'busybox:1.36', command: ['sleep', '3600'] }],
    services: [{ name: 'web', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 80 }] }],
  },
};

const build = (spec: ClusterSpec = LAB_SPEC, seed = 1): Sim => Sim.create(spec, seed, new VirtualClock(T0));

const nodeNs = (sim: Sim, node: string): Netns => sim.state.netns[nodeNsId(node)]!;
const dev = (ns: Netns, name: string): Device => {
  const d = deviceByName(ns, name);
  if (!d) throw new Error(`${ns.id} has no ${name}`);
  return d;
};
const pods = (sim: Sim): Pod[] => Object.values(sim.state.k8s.pods);
const podNetworkPods = (sim: Sim): Pod[] => pods(sim).filter((p) => !p.spec.hostNetwork && p.status.podIP);
const nodeNames = (sim: Sim): string[] => Object.keys(sim.state.k8s.nodes);

// Name alphabets from docs/reference/fidelity.md 1.6.
const RAND = '[bcdfghjklmnpqrstvwxz2456789]';
const HASH = '[4-9bcdf]';
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/** Locally administered (bit 1 of the first octet) unicast (bit 0 clear), as eth_random_addr() makes. */
const isRandomMac = (m: string): boolean => MAC.test(m) && (parseInt(m.slice(0, 2), 16) & 0x03) === 0x02;

describe('cluster defaults (docs/reference/fidelity.md 2)', () => {
  const sim = build();
  const k8s = sim.state.k8s;

  it('names nodes control-plane, node-1, node-2 and numbers them from 192.168.49.2', () => {
    expect(nodeNames(sim)).toEqual(['control-plane', 'node-1', 'node-2']);
    const want = ['192.168.49.2', '192.168.49.3', '192.168.49.4'];
    nodeNames(sim).forEach((n, i) => {
      const node = k8s.nodes[n]!;
      expect(node.status.addresses.find((a) => a.type === 'InternalIP')?.address).toBe(want[i]);
      const eth0 = dev(nodeNs(sim, n), 'eth0');
      expect(eth0.addrs).toEqual([{ ip: ip(want[i]!), len: 24, brd: ip('192.168.49.255') }]);
      expect(eth0.mtu).toBe(1500);
      // default via the node network's gateway .1
      const def = nodeNs(sim, n).routes.find((r) => r.dst.len === 0);
      expect(def && formatIp(def.via!)).toBe('192.168.49.1');
      expect(def?.dev).toBe('eth0');
    });
  });

  it('gives node pod CIDRs 10.244.N.0/24 in node order', () => {
    nodeNames(sim).forEach((n, i) => {
      expect(k8s.nodes[n]!.spec.podCIDR).toBe(`10.244.${i}.0/24`);
      expect(k8s.nodes[n]!.spec.podCIDRs).toEqual([`10.244.${i}.0/24`]);
    });
  });

  it('only the control plane has the control-plane role and NoSchedule taint', () => {
    const cp = k8s.nodes['control-plane']!;
    expect(cp.metadata.labels?.['node-role.kubernetes.io/control-plane']).toBe('');
    expect(cp.spec.taints).toEqual([{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }]);
    for (const n of ['node-1', 'node-2']) {
      expect(Object.keys(k8s.nodes[n]!.metadata.labels ?? {}).filter((l) => l.startsWith('node-role.kubernetes.io/'))).toEqual([]);
      expect(k8s.nodes[n]!.spec.taints).toBeUndefined();
    }
  });

  it('puts cni0 at .1/24 (brd .255, mtu 1450) on every node that has pods, with its kernel route', () => {
    nodeNames(sim).forEach((n, i) => {
      expect(podNetworkPods(sim).some((p) => p.spec.nodeName === n)).toBe(true);
      const ns = nodeNs(sim, n);
      const br = dev(ns, 'cni0');
      expect(br.kind).toBe('bridge');
      expect(br.mtu).toBe(1450);
      expect(br.up).toBe(true);
      expect(br.addrs).toEqual([{ ip: ip(`10.244.${i}.1`), len: 24, brd: ip(`10.244.${i}.255`) }]);
      expect(isRandomMac(br.mac)).toBe(true);
      const routes = ns.routes.filter((r) => r.dev === 'cni0');
      expect(routes).toEqual([{ dst: cidr(`10.244.${i}.0/24`), dev: 'cni0', proto: 'kernel', scope: 'link', src: ip(`10.244.${i}.1`) }]);
    });
  });

  it('creates no cni0 on a node without pods (the bridge plugin makes it with the first pod)', () => {
    const bare = build({ nodes: 3 });
    // CoreDNS is on the control plane; the workers have only host-network pods.
    expect(deviceByName(nodeNs(bare, 'control-plane'), 'cni0')).toBeDefined();
    for (const n of ['node-1', 'node-2']) {
      expect(deviceByName(nodeNs(bare, n), 'cni0')).toBeUndefined();
      expect(nodeNs(bare, n).routes.some((r) => r.dev === 'cni0')).toBe(false);
      expect(nodeNs(bare, n).devices.some((d) => d.kind === 'veth')).toBe(false);
    }
  });

  it('puts flannel.1 (VXLAN, VNI 1, UDP 8472, learning off, mtu 1450) at the node subnet .0/32', () => {
    nodeNames(sim).forEach((n, i) => {
      const vx = dev(nodeNs(sim, n), 'flannel.1');
      expect(vx.kind).toBe('vxlan');
      expect(vx.mtu).toBe(1500 - 50);
      expect(vx.addrs).toEqual([{ ip: ip(`10.244.${i}.0`), len: 32 }]);
      expect(vx.vxlan).toMatchObject({ vni: 1, port: 8472, learning: false, local: ip(`192.168.49.${i + 2}`), dev: 'eth0' });
      expect(isRandomMac(vx.mac)).toBe(true);
    });
  });

  it('derives every overlay MTU from the uplink MTU minus 50', () => {
    const jumbo = build({ ...LAB_SPEC, mtu: 9000 });
    for (const n of nodeNames(jumbo)) {
      expect(dev(nodeNs(jumbo, n), 'eth0').mtu).toBe(9000);
      expect(dev(nodeNs(jumbo, n), 'flannel.1').mtu).toBe(8950);
      expect(dev(nodeNs(jumbo, n), 'cni0').mtu).toBe(8950);
    }
    for (const p of podNetworkPods(jumbo)) expect(dev(jumbo.podNetns(p)!, 'eth0').mtu).toBe(8950);
  });

  it('programs exactly one route, one neighbour and one FDB entry per remote node (docs/reference/fidelity.md 6)', () => {
    for (const n of nodeNames(sim)) {
      const ns = nodeNs(sim, n);
      const vx = dev(ns, 'flannel.1');
      const others = nodeNames(sim).filter((o) => o !== n);
      const routes = routesOf(ns, sim.state).filter((r) => r.dev === 'flannel.1');
      const neigh = neighboursOf(ns, sim.state).filter((x) => x.dev === 'flannel.1');
      const fdb = vxlanFdbOf(ns, vx, sim.state);
      expect(routes).toHaveLength(others.length);
      expect(neigh).toHaveLength(others.length);
      expect(Object.keys(fdb)).toHaveLength(others.length);
      for (const o of others) {
        const rsub = cidr(sim.state.k8s.nodes[o]!.spec.podCIDR);
        const rvx = dev(nodeNs(sim, o), 'flannel.1');
        const rip = ip(sim.state.k8s.nodes[o]!.status.addresses.find((a) => a.type === 'InternalIP')!.address);
        // <remote subnet> via <remote subnet .0> dev flannel.1 onlink
        expect(routes.filter((r) => r.dst.addr === rsub.addr && r.dst.len === 24 && r.via === rsub.addr && r.onlink === true)).toHaveLength(1);
        // <remote .0> lladdr <remote VTEP MAC> PERMANENT
        expect(neigh.filter((x) => x.ip === rsub.addr && x.mac === rvx.mac && x.state === 'PERMANENT')).toHaveLength(1);
        // <remote VTEP MAC> dst <remote node IP>
        expect(fdb[rvx.mac]).toBe(rip);
      }
    }
  });

  it('has the kubernetes Service on 10.96.0.1 and kube-dns on 10.96.0.10 (docs/reference/fidelity.md 2, 7)', () => {
    const kube = sim.state.k8s.services['default/kubernetes']!;
    expect(kube.spec.clusterIP).toBe('10.96.0.1');
    expect(kube.spec.clusterIPs).toEqual(['10.96.0.1']);
    expect(kube.spec.ports).toEqual([{ name: 'https', protocol: 'TCP', port: 443, targetPort: 6443 }]);
    const dns = sim.state.k8s.services['kube-system/kube-dns']!;
    expect(dns.spec.clusterIP).toBe('10.96.0.10');
    expect(dns.spec.selector).toEqual({ 'k8s-app': 'kube-dns' });
    expect(dns.spec.ports?.map((p) => `${p.name} ${p.port}/${p.protocol}`)).toEqual(['dns 53/UDP', 'dns-tcp 53/TCP', 'metrics 9153/TCP']);
    // The DNS pods carry the selector's label.
    const dnsPods = pods(sim).filter((p) => p.metadata.labels?.['k8s-app'] === 'kube-dns');
    expect(dnsPods).toHaveLength(2);
    for (const p of dnsPods) expect(p.metadata.namespace).toBe('kube-system');
  });

  it('gives the first pod on each node .2 and later pods the following addresses', () => {
    for (const n of nodeNames(sim)) {
      const onNode = podNetworkPods(sim)
        .filter((p) => p.spec.nodeName === n)
        .sort((a, b) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion));
      const sub = cidr(sim.state.k8s.nodes[n]!.spec.podCIDR);
      onNode.forEach((p, i) => expect(p.status.podIP).toBe(formatIp(nth(sub, 2 + i))));
    }
  });

  it('wires each pod through a veth pair into cni0, with matching ifindexes (docs/reference/fidelity.md 5.1)', () => {
    for (const p of podNetworkPods(sim)) {
      const ns = sim.podNetns(p)!;
      expect(ns.id).toBe(podNsId(p.metadata.namespace!, p.metadata.name));
      expect(ns.name).toMatch(/^cni-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(ns.hostname).toBe(p.metadata.name);
      expect(ns.devices.map((d) => `${d.ifindex}:${d.name}`)).toEqual(['1:lo', '2:eth0']);
      const eth0 = dev(ns, 'eth0');
      expect(eth0.kind).toBe('veth');
      expect(eth0.mtu).toBe(1450);
      expect(isRandomMac(eth0.mac)).toBe(true);
      const sub = cidr(sim.state.k8s.nodes[p.spec.nodeName!]!.spec.podCIDR);
      expect(eth0.addrs).toEqual([{ ip: ip(p.status.podIP!), len: 24, brd: nth(sub, 255) }]);
      // eth0@if<host veth index> in the pod; veth...@if2 on the node.
      expect(eth0.peer?.ns).toBe(nodeNsId(p.spec.nodeName!));
      const host = nodeNs(sim, p.spec.nodeName!);
      const hv = deviceByIndex(host, eth0.peer!.ifindex)!;
      expect(hv).toBeDefined();
      expect(hv.name).toMatch(/^veth[0-9a-f]{8}$/);
      expect(hv.kind).toBe('veth');
      expect(hv.master).toBe('cni0');
      expect(hv.addrs).toEqual([]);
      expect(hv.mtu).toBe(1450);
      expect(hv.peer).toEqual({ ns: ns.id, ifindex: 2 });
      expect(isRandomMac(hv.mac)).toBe(true);
    }
  });

  it('numbers a node\'s interfaces uniquely and names its veths uniquely', () => {
    for (const n of nodeNames(sim)) {
      const ns = nodeNs(sim, n);
      const idx = ns.devices.map((d) => d.ifindex);
      expect(new Set(idx).size).toBe(idx.length);
      expect(ns.devices.slice(0, 3).map((d) => `${d.ifindex}:${d.name}`)).toEqual(['1:lo', '2:eth0', '3:flannel.1']);
      const names = ns.devices.map((d) => d.name);
      expect(new Set(names).size).toBe(names.length);
      // Exactly one host veth per pod on the node.
      const vethCount = ns.devices.filter((d) => d.kind === 'veth').length;
      expect(vethCount).toBe(podNetworkPods(sim).filter((p) => p.spec.nodeName === n).length);
    }
  });

  it('routes inside a pod as flannel\'s bridge plugin sets them up (docs/reference/fidelity.md 5.2)', () => {
    for (const p of podNetworkPods(sim)) {
      const ns = sim.podNetns(p)!;
      const sub = cidr(sim.state.k8s.nodes[p.spec.nodeName!]!.spec.podCIDR);
      const gw = nth(sub, 1);
      expect(ns.routes).toEqual([
        { dst: { addr: 0, len: 0 }, via: gw, dev: 'eth0' },
        { dst: sub, dev: 'eth0', proto: 'kernel', scope: 'link', src: ip(p.status.podIP!) },
        { dst: cidr('10.244.0.0/16'), via: gw, dev: 'eth0' },
      ]);
    }
  });

  it('runs control-plane components as host-network static pods named <component>-<node>', () => {
    for (const c of ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler']) {
      const p = sim.state.k8s.pods[`kube-system/${c}-control-plane`]!;
      expect(p.spec.hostNetwork).toBe(true);
      expect(p.spec.nodeName).toBe('control-plane');
      expect(p.status.podIP).toBe('192.168.49.2');
    }
    // kube-proxy and flannel: one host-network pod per node, with the node's IP.
    for (const ds of ['kube-system/kube-proxy', 'kube-flannel/kube-flannel-ds']) {
      const [ns, name] = ds.split('/') as [string, string];
      const dsPods = pods(sim).filter((p) => p.metadata.namespace === ns && p.metadata.name.startsWith(`${name}-`));
      expect(dsPods.map((p) => p.spec.nodeName).sort()).toEqual(nodeNames(sim));
      for (const p of dsPods) {
        expect(p.spec.hostNetwork).toBe(true);
        expect(p.metadata.name).toMatch(new RegExp(`^${name}-${RAND}{5}$`));
        expect(p.status.podIP).toBe(p.status.hostIP);
      }
    }
  });

  it('spreads the web replicas over the workers, never onto the tainted control plane', () => {
    const web = pods(sim).filter((p) => p.metadata.labels?.app === 'web');
    expect(web).toHaveLength(3);
    for (const p of web) expect(p.spec.nodeName).not.toBe('control-plane');
    const perNode = new Map<string, number>();
    for (const p of web) perNode.set(p.spec.nodeName!, (perNode.get(p.spec.nodeName!) ?? 0) + 1);
    expect([...perNode.values()].sort()).toEqual([1, 2]);
  });
});

describe('host-local IPAM (docs/reference/fidelity.md 2)', () => {
  it('continues after the last reserved address, does not reuse a freed one at once, wraps after .254 to .2', () => {
    const sim = build({ nodes: 2 }); // node-1 has no pods yet
    const next = (): string => formatIp(allocatePodIp(sim.state, 'node-1')!);
    expect([next(), next(), next()]).toEqual(['10.244.1.2', '10.244.1.3', '10.244.1.4']);
    // Free .2 and .3 (as if their pods were deleted): the next address is still .5.
    const ipam = sim.state.k8s.alloc.podIpam['node-1']!;
    ipam.used = ipam.used.filter((o) => o !== 2 && o !== 3);
    expect(next()).toBe('10.244.1.5');
    // Jump to the end of the range: .254 is the last address handed out (.255 is broadcast).
    ipam.last = 253;
    expect(next()).toBe('10.244.1.254');
    // Then it wraps to the start of the range (.2; .1 is the gateway), skipping addresses in use.
    expect(next()).toBe('10.244.1.2');
    expect(next()).toBe('10.244.1.3');
    expect(next()).toBe('10.244.1.6');
  });

  it('fails when the range is exhausted', () => {
    const sim = build({ nodes: 2 });
    for (let i = 2; i <= 254; i++) expect(formatIp(allocatePodIp(sim.state, 'node-1')!)).toBe(`10.244.1.${i}`);
    expect(allocatePodIp(sim.state, 'node-1')).toBeUndefined();
  });
});

describe('ClusterIP allocation (docs/reference/fidelity.md 2)', () => {
  it('draws dynamic ClusterIPs from 10.96.0.0/12 above the static band (> 10.96.1.0), all different', () => {
    const services = Array.from({ length: 60 }, (_, i) => ({ name: `s${i}`, selector: { app: 'x' }, ports: [{ port: 80 }] }));
    for (const seed of [1, 2, 3]) {
      const sim = build({ nodes: 2, workloads: { services } }, seed);
      const range = cidr('10.96.0.0/12');
      const dynamic = Object.values(sim.state.k8s.services)
        .filter((s) => s.metadata.name.startsWith('s'))
        .map((s) => s.spec.clusterIP!);
      expect(dynamic).toHaveLength(60);
      expect(new Set(dynamic).size).toBe(60);
      for (const a of dynamic) {
        const n = ip(a);
        expect(contains(range, n), a).toBe(true);
        expect(n - range.addr, a).toBeGreaterThan(256); // 10.96.1.0 is the top of the static band
        expect(n, a).not.toBe(ip('10.111.255.255')); // the broadcast address of the range
      }
      // Random, not sequential: they are spread across the range.
      const sorted = dynamic.map(ip).sort((a, b) => a - b);
      expect(sorted[sorted.length - 1]! - sorted[0]!).toBeGreaterThan(2 ** 16);
    }
  });
});

describe('generated names (docs/reference/fidelity.md 1.6)', () => {
  const sim = build();
  const k8s = sim.state.k8s;

  it('names ReplicaSets <deployment>-<hash from 4-9,b,c,d,f, up to 10 chars>', () => {
    for (const [dep, ns] of [
      ['web', 'default'],
      ['coredns', 'kube-system'],
    ] as const) {
      const rs = Object.values(k8s.replicasets).filter((r) => r.metadata.namespace === ns && r.metadata.ownerReferences?.[0]?.name === dep);
      expect(rs).toHaveLength(1);
      const name = rs[0]!.metadata.name;
      expect(name).toMatch(new RegExp(`^${dep}-${HASH}{1,10}$`));
      const hash = name.slice(dep.length + 1);
      expect(rs[0]!.metadata.labels?.['pod-template-hash']).toBe(hash);
      expect(rs[0]!.spec.selector.matchLabels['pod-template-hash']).toBe(hash);
      expect(rs[0]!.metadata.ownerReferences?.[0]?.kind).toBe('Deployment');
      // Its pods: <rs-name>-<5 random chars>, owned by the ReplicaSet.
      const owned = pods(sim).filter((p) => p.metadata.ownerReferences?.[0]?.name === name);
      expect(owned.length).toBe(k8s.deployments[`${ns}/${dep}`]!.spec.replicas);
      for (const p of owned) {
        expect(p.metadata.name).toMatch(new RegExp(`^${name}-${RAND}{5}$`));
        expect(p.metadata.generateName).toBe(`${name}-`);
        expect(p.metadata.labels?.['pod-template-hash']).toBe(hash);
        expect(p.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'ReplicaSet', controller: true, uid: rs[0]!.metadata.uid });
      }
    }
  });

  it('the pod template hash is stable for the same template and differs for another', () => {
    const a = build(LAB_SPEC, 1);
    const b = build(LAB_SPEC, 99);
    const rsName = (s: Sim): string => Object.values(s.state.k8s.replicasets).find((r) => r.metadata.namespace === 'default')!.metadata.name;
    expect(rsName(a)).toBe(rsName(b)); // a hash of the template, not random
    const c = build({ ...LAB_SPEC, workloads: { deployments: [{ name: 'web', replicas: 3, image: 'nginx:1.28' }] } }, 1);
    expect(rsName(c)).not.toBe(rsName(a));
  });

  it('uses only the random alphabet across many seeds', () => {
    const suffix = new RegExp(`^${RAND}{5}$`);
    const seen = new Set<string>();
    for (let seed = 0; seed < 40; seed++) {
      const s = build({ nodes: 2, workloads: { deployments: [{ name: 'w', replicas: 4, image: 'nginx' }] } }, seed);
      for (const p of pods(s)) {
        const m = /-([^-]+)$/.exec(p.metadata.name)!;
        if (p.metadata.generateName) {
          expect(m[1]).toMatch(suffix);
          for (const ch of m[1]!) seen.add(ch);
        }
      }
    }
    // Over ~400 suffixes every one of the 27 characters turns up, and nothing else.
    expect([...seen].sort().join('')).toBe([...'bcdfghjklmnpqrstvwxz2456789'].sort().join(''));
  });
});

describe('determinism and snapshots', () => {
  const actions = (sim: Sim): unknown[] => {
    const out: unknown[] = [];
    const client = sim.pod('default', 'client')!;
    for (const p of podNetworkPods(sim)) out.push(sim.ping(podNsId('default', 'client'), ip(p.status.podIP!), { id: 7, seq: out.length }).outcome);
    applyWorkloads({ state: sim.state, rng: sim.rng, now: sim.clock.now() }, { deployments: [{ name: 'api', replicas: 2, image: 'nginx:1.27' }], services: [{ name: 'api', selector: { app: 'api' }, ports: [{ port: 8080 }] }] });
    out.push(client.status.podIP);
    return out;
  };

  it('the same seed and the same actions give identical state', () => {
    const a = build(LAB_SPEC, 42);
    const b = build(LAB_SPEC, 42);
    expect(JSON.stringify(a.state)).toBe(JSON.stringify(b.state));
    expect(actions(a)).toEqual(actions(b));
    expect(JSON.stringify(a.state)).toBe(JSON.stringify(b.state));
  });

  it('different seeds give different names and MACs (but the same addresses)', () => {
    const a = build(LAB_SPEC, 1);
    const b = build(LAB_SPEC, 2);
    const names = (s: Sim): string[] => pods(s).map((p) => p.metadata.name).sort();
    const macs = (s: Sim): string[] => Object.values(s.state.netns).flatMap((n) => n.devices.filter((d) => d.kind !== 'loopback').map((d) => d.mac));
    expect(names(a)).not.toEqual(names(b));
    const ma = new Set(macs(a));
    expect(macs(b).filter((m) => ma.has(m))).toEqual([]);
    // Addresses come from the pools in order, not from the seed.
    const nodeIps = (s: Sim): string[] => Object.values(s.state.k8s.nodes).map((n) => n.status.addresses[0]!.address);
    expect(nodeIps(a)).toEqual(nodeIps(b));
    expect(sorted(podNetworkPods(a).map((p) => p.status.podIP!))).toEqual(sorted(podNetworkPods(b).map((p) => p.status.podIP!)));
  });

  it('the state is plain JSON (a JSON round trip is an exact copy)', () => {
    const s = build();
    actions(s);
    expect(JSON.parse(JSON.stringify(s.state))).toEqual(s.state);
  });

  it('restoring a JSON snapshot continues exactly where the original would', () => {
    const a = build(LAB_SPEC, 7);
    // Do something first so the snapshot is not a fresh cluster.
    a.ping(podNsId('default', 'client'), ip('10.244.1.2'), { id: 1, seq: 0 });
    const snap = JSON.parse(JSON.stringify(a.state)) as typeof a.state;
    const b = Sim.restore(snap, new VirtualClock(a.clock.now()));
    expect(actions(b)).toEqual(actions(a));
    expect(JSON.stringify(b.state)).toBe(JSON.stringify(a.state));
    // The new objects got the same random names on both.
    const newPods = (s: Sim): string[] => pods(s).filter((p) => p.metadata.name.startsWith('api-')).map((p) => p.metadata.name).sort();
    expect(newPods(b)).toEqual(newPods(a));
    expect(newPods(a)).toHaveLength(2);
    expect(b.state.k8s.services['default/api']!.spec.clusterIP).toBe(a.state.k8s.services['default/api']!.spec.clusterIP);
  });

  it('restore leaves the snapshot untouched and refuses another format', () => {
    const a = build();
    const snap = a.snapshot();
    const text = JSON.stringify(snap);
    const b = Sim.restore(snap, new VirtualClock(T0));
    b.ping(podNsId('default', 'client'), ip('10.244.1.2'), { id: 1, seq: 0 });
    expect(JSON.stringify(snap)).toBe(text);
    expect(() => Sim.restore({ ...snap, format: 999 }, new VirtualClock(T0))).toThrow(/format/);
  });
});

describe('address pools never collide', () => {
  it('pods, nodes, the gateway and Services have distinct addresses inside their own pools', () => {
    for (const nodes of [1, 2, 4, 6]) {
      const s = build({ nodes, workloads: { deployments: [{ name: 'web', replicas: 8, image: 'nginx' }], services: [{ name: 'web', selector: { app: 'web' }, ports: [{ port: 80 }] }] } }, nodes);
      const all: string[] = [];
      for (const p of podNetworkPods(s)) {
        const sub = cidr(s.state.k8s.nodes[p.spec.nodeName!]!.spec.podCIDR);
        expect(contains(sub, ip(p.status.podIP!))).toBe(true);
        all.push(p.status.podIP!);
      }
      for (const n of Object.values(s.state.k8s.nodes)) {
        const a = n.status.addresses.find((x) => x.type === 'InternalIP')!.address;
        expect(contains(cidr('192.168.49.0/24'), ip(a))).toBe(true);
        all.push(a);
      }
      all.push('192.168.49.1');
      for (const sv of Object.values(s.state.k8s.services)) {
        expect(contains(cidr('10.96.0.0/12'), ip(sv.spec.clusterIP!))).toBe(true);
        all.push(sv.spec.clusterIP!);
      }
      expect(new Set(all).size).toBe(all.length);
      // Each node's subnet is distinct and inside 10.244.0.0/16.
      const subs = Object.values(s.state.k8s.nodes).map((n) => n.spec.podCIDR);
      expect(new Set(subs).size).toBe(subs.length);
      for (const c of subs) expect(contains(cidr('10.244.0.0/16'), parseCidr(c)!.addr)).toBe(true);
    }
  });
});

function sorted(xs: string[]): string[] {
  return [...xs].sort();
}

describe('flannel host-gw backend', () => {
  it('routes pod subnets via node addresses: no flannel.1, pod MTU 1500, TTL 62 across nodes, no encapsulation', async () => {
    const { Sim } = await import('./sim');
    const { VirtualClock } = await import('./clock');
    const { ip, formatIp } = await import('./ipv4');
    const sim = Sim.create({ cni: 'flannel-host-gw', workloads: { deployments: [{ name: 'web', replicas: 2, image: 'nginx:1.27' }], pods: [{ name: 'client', image: 'busybox:1.36' }] } }, 5, new VirtualClock(Date.UTC(2025, 0, 1, 1)), Date.UTC(2025, 0, 1));
    const node1 = sim.state.netns['node/node-1']!;
    expect(node1.devices.some((d) => d.name === 'flannel.1')).toBe(false);
    const r = routesOf(node1, sim.state).find((x) => formatIp(x.dst.addr) === '10.244.2.0')!;
    expect([formatIp(r.via!), r.dev, r.onlink ?? false]).toEqual(['192.168.49.4', 'eth0', false]);
    const client = sim.pod('default', 'client')!;
    expect(sim.podNetns(client)!.devices.find((d) => d.name === 'eth0')!.mtu).toBe(1500);
    const remote = Object.values(sim.state.k8s.pods).find((p) => p.metadata.labels?.app === 'web' && p.spec.nodeName !== client.spec.nodeName)!;
    const res = sim.ping(sim.podNetns(client)!.id, ip(remote.status.podIP!), { id: 1, seq: 0 });
    expect(res.outcome.kind === 'reply' && res.outcome.ttl).toBe(62);
    expect(res.trace.hops.some((h) => h.action === 'vxlan-encap')).toBe(false);
    // On the LAN the packet carries the pod addresses themselves.
    const onLan = res.trace.captures.find((c) => c.dev === 'eth0' && c.ns.startsWith('node/') && c.frame.payload.kind === 'ipv4' && c.frame.payload.payload.kind === 'icmp')!;
    expect(onLan.frame.payload.kind === 'ipv4' && formatIp(onLan.frame.payload.dst)).toBe(remote.status.podIP);
  });
});
