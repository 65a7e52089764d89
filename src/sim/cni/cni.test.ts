import { describe, expect, it } from 'vitest';
import { buildCluster } from '../cluster';
import { inject } from '../forward';
import { formatIp, ip, parseIp } from '../ipv4';
import { setDown } from '../linux/link';
import { deviceByName, lookupRoute, neighboursOf, routesOf } from '../netns';
import { deriveRng } from '../rng';
import { icmp, ipv4, type Ipv4Packet } from '../packet';
import type { SimState } from '../state';
import { calicoIface } from '../policy/calico';
import { agentFailure, CNI_PLUGINS, cniOf, detachPod, nodeNsId, podNetns, podStarted } from './index';
import { readNetConf } from './flannel';

const T0 = Date.UTC(2025, 2, 14, 9, 0, 0);

function cluster(cni: SimState['config']['cni']): SimState {
  return buildCluster(
    {
      cni,
      workloads: {
        pods: [
          { name: 'a', image: 'busybox:1.36', node: 'node-1', command: ['sleep', '3600'] },
          { name: 'b', image: 'busybox:1.36', node: 'node-1', command: ['sleep', '3600'] },
          { name: 'c', image: 'busybox:1.36', node: 'node-2', command: ['sleep', '3600'] },
        ],
      },
    },
    7,
    T0,
  );
}

const pod = (state: SimState, name: string) => state.k8s.pods[`default/${name}`]!;
const podIp = (state: SimState, name: string) => ip(pod(state, name).status.podIP!);
const nsOf = (state: SimState, name: string) => podNetns(state, pod(state, name))!;

function ping(state: SimState, from: string, to: number, t = T0 + 600_000): { reply: boolean; packets: Ipv4Packet[] } {
  const ns = nsOf(state, from);
  const src = podIp(state, from);
  const r = inject(state, ns.id, ipv4({ src, dst: to, id: 1, payload: icmp(8, 0, 0x1230001, new Uint8Array(8)) }), t);
  const reply = r.deliveries.some((d) => d.ns === ns.id && d.packet.payload.kind === 'icmp' && d.packet.payload.type === 0);
  return { reply, packets: r.deliveries.map((d) => d.packet) };
}

describe('every network plugin gives pods the same connectivity', () => {
  for (const name of Object.keys(CNI_PLUGINS) as SimState['config']['cni'][]) {
    it(`${name}: pod to pod on one node and across nodes, node to pod, pod to its node`, () => {
      const state = cluster(name);
      expect(cniOf(state).name).toBe(name);
      expect(ping(state, 'a', podIp(state, 'b')).reply).toBe(true);
      expect(ping(state, 'a', podIp(state, 'c')).reply).toBe(true);
      expect(ping(state, 'c', podIp(state, 'a')).reply).toBe(true);
      const node1 = ip(state.k8s.nodes['node-1']!.status.addresses[0]!.address);
      expect(ping(state, 'a', node1).reply).toBe(true);
      const fromNode = inject(state, nodeNsId('node-2'), ipv4({ src: ip('192.168.49.4'), dst: podIp(state, 'a'), id: 9, payload: icmp(8, 0, 0x1230001, new Uint8Array(8)) }), T0 + 600_000);
      expect(fromNode.deliveries.some((d) => d.ns === nodeNsId('node-2') && d.packet.payload.kind === 'icmp' && d.packet.payload.type === 0)).toBe(true);
    });

    it(`${name}: addresses come from the node's podCIDR by host-local (.2 first)`, () => {
      const state = cluster(name);
      expect(formatIp(podIp(state, 'c'))).toMatch(/^10\.244\.2\.\d+$/);
      const ipam = state.k8s.alloc.podIpam['node-2']!;
      expect(ipam.used).toContain(podIp(state, 'c') - ip('10.244.2.0'));
      detachPod(state, pod(state, 'c'));
      expect(state.k8s.alloc.podIpam['node-2']!.used).not.toContain(podIp(state, 'c') - ip('10.244.2.0'));
    });
  }
});

describe('flannel', () => {
  it('VXLAN: the pod sits on cni0 through a veth, routes its subnet directly and the rest via .1', () => {
    const state = cluster('flannel-vxlan');
    const node = state.netns[nodeNsId('node-1')]!;
    const hostEnd = node.devices.find((d) => d.peer?.ns === nsOf(state, 'a').id)!;
    expect(hostEnd.name).toMatch(/^veth[0-9a-f]{8}$/);
    expect(hostEnd.master).toBe('cni0');
    expect(nsOf(state, 'a').routes.map((r) => [r.dst.len, r.via === undefined ? '' : formatIp(r.via)])).toEqual([
      [0, '10.244.1.1'],
      [24, ''],
      [16, '10.244.1.1'],
    ]);
    expect(deviceByName(nsOf(state, 'a'), 'eth0')!.mtu).toBe(1450);
    expect(cniOf(state).nodeFiles(state, 'node-1')['/run/flannel/subnet.env']).toBe('FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.1.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n');
  });

  it('host-gw: no tunnel, the route to a peer subnet goes via its node address', () => {
    const state = cluster('flannel-host-gw');
    const node = state.netns[nodeNsId('node-1')]!;
    expect(deviceByName(node, 'flannel.1')).toBeUndefined();
    expect(lookupRoute(node, ip('10.244.2.5'), state)).toMatchObject({ via: ip('192.168.49.4'), dev: 'eth0' });
    expect(deviceByName(nsOf(state, 'a'), 'eth0')!.mtu).toBe(1500);
  });

  it('keeps its rules in its own chains: FLANNEL-POSTRTG and FLANNEL-FWD after kube-proxy', () => {
    const state = cluster('flannel-vxlan');
    const nf = state.netns[nodeNsId('node-1')]!.nf!;
    const fwd = nf.filter.chains.FORWARD!.rules.map((r) => (r.target.t === 'jump' ? r.target.chain : ''));
    expect(fwd[fwd.length - 1]).toBe('FLANNEL-FWD');
    expect(fwd.indexOf('KUBE-FORWARD')).toBeLessThan(fwd.indexOf('FLANNEL-FWD'));
    expect(nf.nat.chains['FLANNEL-POSTRTG']!.rules).toHaveLength(6);
    expect(Object.keys(nf.filter.chains).some((c) => c.startsWith('cali-'))).toBe(false);
  });
});

describe('Canal', () => {
  it('names the host side cali + sha1(namespace.pod)[:11], as libcalico-go does', () => {
    // libcalico-go's own test vector (conversion_test.go) with its prefix replaced.
    expect(calicoIface('namespace', 'podname')).toBe('cali82111e10a96');
  });

  it('wires a pod as the Calico CNI plugin does: /32 address, 169.254.1.1 routes, ee:ee:ee:ee:ee:ee with proxy ARP, a /32 route on the node', () => {
    const state = cluster('canal');
    const ns = nsOf(state, 'a');
    const eth0 = deviceByName(ns, 'eth0')!;
    expect(eth0.addrs).toEqual([{ ip: podIp(state, 'a'), len: 32 }]);
    expect(eth0.mtu).toBe(1500);
    expect(ns.routes).toEqual([
      { dst: { addr: 0, len: 0 }, via: ip('169.254.1.1'), dev: 'eth0' },
      { dst: { addr: ip('169.254.1.1'), len: 32 }, dev: 'eth0', scope: 'link' },
    ]);
    const node = state.netns[nodeNsId('node-1')]!;
    const host = deviceByName(node, calicoIface('default', 'a'))!;
    expect(host).toMatchObject({ kind: 'veth', mac: 'ee:ee:ee:ee:ee:ee', proxyArp: true, addrs: [] });
    expect(host.master).toBeUndefined();
    expect(deviceByName(node, 'cni0')).toBeUndefined();
    expect(node.routes).toContainEqual({ dst: { addr: podIp(state, 'a'), len: 32 }, dev: host.name, scope: 'link' });
    expect(deviceByName(node, 'flannel.1')!.mtu).toBe(1450);
  });

  it('answers the pod\'s ARP for 169.254.1.1 with the cali device\'s MAC (proxy ARP)', () => {
    const state = cluster('canal');
    const t = inject(state, nsOf(state, 'a').id, ipv4({ src: podIp(state, 'a'), dst: podIp(state, 'c'), id: 1, payload: icmp(8, 0, 1, new Uint8Array(8)) }), T0 + 600_000);
    expect(t.hops.some((h) => h.action === 'arp-reply' && h.detail.startsWith('169.254.1.1 is-at ee:ee:ee:ee:ee:ee (proxy ARP'))).toBe(true);
    expect(nsOf(state, 'a').neigh).toContainEqual(expect.objectContaining({ ip: ip('169.254.1.1'), mac: 'ee:ee:ee:ee:ee:ee' }));
  });

  it('DEL removes the cali device and, with it, the node\'s /32 route and neighbour entry', () => {
    const state = cluster('canal');
    ping(state, 'a', podIp(state, 'b'));
    const node = state.netns[nodeNsId('node-1')]!;
    const iface = calicoIface('default', 'b');
    expect(node.neigh.some((n) => n.dev === iface)).toBe(true);
    detachPod(state, pod(state, 'b'));
    expect(deviceByName(node, iface)).toBeUndefined();
    expect(node.routes.some((r) => r.dev === iface)).toBe(false);
    expect(node.neigh.some((n) => n.dev === iface)).toBe(false);
  });

  it('runs canal (calico-node + kube-flannel) per node and calico-kube-controllers in kube-system, with canal-config', () => {
    const state = cluster('canal');
    const canal = Object.values(state.k8s.pods).filter((p) => p.metadata.name.startsWith('canal-'));
    expect(canal.map((p) => p.spec.nodeName).sort()).toEqual(['control-plane', 'node-1', 'node-2']);
    for (const p of canal) {
      expect(p.metadata.namespace).toBe('kube-system');
      expect(p.spec.hostNetwork).toBe(true);
      expect(p.spec.containers.map((c) => [c.name, c.image])).toEqual([
        ['calico-node', 'docker.io/calico/node:v3.29.3'],
        ['kube-flannel', 'docker.io/flannel/flannel:v0.24.4'],
      ]);
    }
    expect(state.k8s.namespaces['kube-flannel']).toBeUndefined();
    expect(state.k8s.deployments['kube-system/calico-kube-controllers']).toBeDefined();
    expect(state.k8s.objects?.configmaps?.['kube-system/canal-config']?.data).toMatchObject({ veth_mtu: '0', masquerade: 'true' });
    expect(cniOf(state).nodeFiles(state, 'node-1')['/etc/cni/net.d/10-canal.conflist']).toContain('"nodename": "node-1"');
  });

  it('reports a full range with the calico plugin\'s host-local error', () => {
    const state = cluster('canal');
    expect(cniOf(state).ipamExhausted('10.244.1.1-10.244.1.254')).toBe('plugin type="calico" failed (add): failed to allocate for range 0: no IP addresses available in range set: 10.244.1.1-10.244.1.254');
    expect(parseIp('169.254.1.1')).toBe(0xa9fe0101);
  });
});

describe('the plugin agent starting again', () => {
  it('puts back what `ip link set flannel.1 down` took from a node, as a restarted flanneld does', () => {
    const state = buildCluster({}, 1, 1_700_000_000_000);
    const ns = state.netns['node/node-1']!;
    const before = { routes: routesOf(ns, state).map((r) => `${r.dst.addr}/${r.dst.len} ${r.dev}`), neigh: neighboursOf(ns, state).map((n) => `${n.ip} ${n.dev} ${n.state}`) };
    setDown({ nets: state.netns, rng: deriveRng(1, 't'), now: 0, shared: state }, ns, deviceByName(ns, 'flannel.1')!);
    expect(routesOf(ns, state).some((r) => r.dev === 'flannel.1')).toBe(false);
    expect(state.netns['node/node-2']!.mesh).toBeDefined();
    const pod = Object.values(state.k8s.pods).find((p) => p.spec.nodeName === 'node-1' && p.metadata.labels?.app === 'flannel')!;
    podStarted(state, pod);
    expect(deviceByName(ns, 'flannel.1')!.up).toBe(true);
    expect(routesOf(ns, state).map((r) => `${r.dst.addr}/${r.dst.len} ${r.dev}`).sort()).toEqual(before.routes.sort());
    expect(neighboursOf(ns, state).map((n) => `${n.ip} ${n.dev} ${n.state}`).sort()).toEqual(before.neigh.sort());
  });
});

describe('flannel: the backend named in kube-flannel-cfg, read when flanneld starts', () => {
  const netConf = (state: SimState, type: string): void => {
    const cm = state.k8s.objects!.configmaps!['kube-flannel/kube-flannel-cfg'] as unknown as { data: Record<string, string> };
    cm.data['net-conf.json'] = cm.data['net-conf.json']!.replace(/"Type": "[^"]*"/, `"Type": "${type}"`);
  };
  const restart = (state: SimState, node: string): void => {
    podStarted(state, Object.values(state.k8s.pods).find((p) => p.spec.nodeName === node && p.metadata.labels?.app === 'flannel')!);
  };
  const route = (state: SimState, node: string, dst: string): string => {
    const r = routesOf(state.netns[nodeNsId(node)]!, state).find((x) => formatIp(x.dst.addr) === dst)!;
    return `${r.via === undefined ? '' : formatIp(r.via)} ${r.dev}`;
  };
  const crossesVxlan = (state: SimState): boolean => {
    const r = inject(state, nsOf(state, 'a').id, ipv4({ src: podIp(state, 'a'), dst: podIp(state, 'c'), id: 1, payload: icmp(8, 0, 0x1230001, new Uint8Array(8)) }), T0 + 600_000);
    expect(r.deliveries.some((d) => d.ns === nsOf(state, 'a').id && d.packet.payload.kind === 'icmp' && d.packet.payload.type === 0 && d.packet.ttl === 62)).toBe(true);
    return r.hops.some((h) => h.action === 'vxlan-encap');
  };

  it('vxlan to host-gw, node by node: a flanneld ignores leases of the other type, then routes via the node addresses; flannel.1 stays', () => {
    const state = cluster('flannel-vxlan');
    netConf(state, 'host-gw');
    restart(state, 'node-1');
    // node-1 runs host-gw but node-2 and the control plane still run vxlan: nobody changes a route yet.
    expect(route(state, 'node-1', '10.244.2.0')).toBe('10.244.2.0 flannel.1');
    expect(route(state, 'node-2', '10.244.1.0')).toBe('10.244.1.0 flannel.1');
    expect(crossesVxlan(state)).toBe(true);
    restart(state, 'node-2');
    // Both run host-gw now: each replaced its route to the other; the control plane's stay.
    expect(route(state, 'node-1', '10.244.2.0')).toBe('192.168.49.4 eth0');
    expect(route(state, 'node-2', '10.244.1.0')).toBe('192.168.49.3 eth0');
    expect(route(state, 'node-1', '10.244.0.0')).toBe('10.244.0.0 flannel.1');
    restart(state, 'control-plane');
    expect(route(state, 'control-plane', '10.244.1.0')).toBe('192.168.49.3 eth0');
    expect(route(state, 'node-1', '10.244.0.0')).toBe('192.168.49.2 eth0');
    expect(crossesVxlan(state)).toBe(false);
    const n1 = state.netns[nodeNsId('node-1')]!;
    const vx = deviceByName(n1, 'flannel.1')!;
    expect(vx.up).toBe(true);
    expect(neighboursOf(n1, state).filter((n) => n.dev === 'flannel.1' && n.state === 'PERMANENT')).toHaveLength(2);
    expect(cniOf(state).nodeFiles(state, 'node-1')['/run/flannel/subnet.env']).toContain('FLANNEL_MTU=1500\n');
    expect(cniOf(state).nodeAnnotations(state, 'node-1')).toMatchObject({ 'flannel.alpha.coreos.com/backend-type': 'host-gw', 'flannel.alpha.coreos.com/backend-data': 'null' });
    // Running pods keep the MTU the CNI gave them; state stays plain data.
    expect(deviceByName(nsOf(state, 'a'), 'eth0')!.mtu).toBe(1450);
    expect(JSON.parse(JSON.stringify(state.flannel))).toEqual({ 'node-1': { backend: 'host-gw', mtu: 1500 }, 'node-2': { backend: 'host-gw', mtu: 1500 }, 'control-plane': { backend: 'host-gw', mtu: 1500 } });
  });

  it('back to vxlan: the routes go through flannel.1 again and every node holds the shared entries again', () => {
    const state = cluster('flannel-vxlan');
    netConf(state, 'host-gw');
    for (const n of ['control-plane', 'node-1', 'node-2']) restart(state, n);
    netConf(state, 'vxlan');
    for (const n of ['control-plane', 'node-1', 'node-2']) restart(state, n);
    for (const n of ['control-plane', 'node-1', 'node-2']) {
      const ns = state.netns[nodeNsId(n)]!;
      expect(ns.mesh).toBe('flannel');
      expect(ns.routes.some((r) => r.dev === 'flannel.1' || (r.dev === 'eth0' && r.dst.len === 24 && formatIp(r.dst.addr).startsWith('10.244.')))).toBe(false);
    }
    expect(route(state, 'node-1', '10.244.2.0')).toBe('10.244.2.0 flannel.1');
    expect(crossesVxlan(state)).toBe(true);
  });

  it('a net-conf.json flanneld cannot use: it exits (the kubelet restarts it) and the node keeps its network', () => {
    const state = cluster('flannel-vxlan');
    const cm = state.k8s.objects!.configmaps!['kube-flannel/kube-flannel-cfg'] as unknown as { data: Record<string, string> };
    const pod1 = Object.values(state.k8s.pods).find((p) => p.spec.nodeName === 'node-1' && p.metadata.labels?.app === 'flannel')!;
    netConf(state, 'VXLAN');
    expect(readNetConf(state)).toEqual({ backend: 'vxlan' });
    netConf(state, 'host_gw');
    expect(readNetConf(state)).toEqual({ error: 'Error fetching backend: unknown backend type: host_gw' });
    expect(agentFailure(state, pod1)).toEqual({ exitsAfter: 1020, exitCode: 1 });
    restart(state, 'node-1');
    expect(route(state, 'node-1', '10.244.2.0')).toBe('10.244.2.0 flannel.1');
    expect(state.flannel?.['node-1']).toEqual({ backend: 'vxlan', mtu: 1450, error: 'Error fetching backend: unknown backend type: host_gw' });
    cm.data['net-conf.json'] = '{"Network": "10.244.0.0/16", "Backend": {"Type": "vxlan"}';
    expect(readNetConf(state)).toMatchObject({ error: expect.stringMatching(/^Failed to create SubnetManager: error parsing subnet config: /) });
    // A backend flannel has but the sandbox does not model: flanneld runs and changes nothing.
    cm.data['net-conf.json'] = '{"Network": "10.244.0.0/16"}';
    expect(readNetConf(state)).toMatchObject({ error: expect.stringContaining('"udp" is not modelled') });
    expect(agentFailure(state, pod1)).toBeUndefined();
  });

  it('host-local\'s store on the node: one file per address with the sandbox id and eth0, the last address reserved', () => {
    const state = cluster('flannel-vxlan');
    const files = cniOf(state).nodeFiles(state, 'node-1');
    const store = Object.keys(files).filter((f) => f.startsWith('/var/lib/cni/networks/cbr0/')).sort();
    expect(store).toEqual(['/var/lib/cni/networks/cbr0/10.244.1.2', '/var/lib/cni/networks/cbr0/10.244.1.3', '/var/lib/cni/networks/cbr0/last_reserved_ip.0', '/var/lib/cni/networks/cbr0/lock']);
    expect(files['/var/lib/cni/networks/cbr0/10.244.1.2']).toMatch(/^[0-9a-f]{64}\r\neth0$/);
    expect(files['/var/lib/cni/networks/cbr0/last_reserved_ip.0']).toBe('10.244.1.3');
  });
});
