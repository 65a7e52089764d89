import { beforeAll, describe, expect, it } from 'vitest';
import { defineLab, type LabInput } from '../schema';
import { LabSetupError, type LabSession } from '../session';
import { BINDING_KINDS } from './index';
import { openSession, type RunResult } from '../../../tests/support/session';
import { WEB_BINDINGS } from '../../../tests/fixtures/labs/small';

/**
 * Every binding kind's fields, read back from the sandbox through the commands a learner
 * would type (kubectl -o jsonpath, ip link, ip addr, iptables-save, docker), never from the
 * code that resolved them.
 */

interface Link {
  ifindex: string;
  name: string;
  peerIfindex: string;
  mtu: string;
  master: string;
  mac: string;
}

/** `ip link` output, one entry per device. */
function links(text: string): Link[] {
  const out: Link[] = [];
  for (const m of text.matchAll(/^(\d+): ([^:@\s]+)(?:@if(\d+))?: <[^>]*> mtu (\d+)(?: .*? master (\S+))?.*\n\s+link\/\S+ (\S+)/gm)) {
    out.push({ ifindex: m[1]!, name: m[2]!, peerIfindex: m[3] ?? '', mtu: m[4]!, master: m[5] ?? '', mac: m[6]! });
  }
  return out;
}

/** The first `inet a.b.c.d/n` of `ip addr show DEV`. */
const inet = (text: string) => /inet (\S+)/.exec(text)?.[1] ?? '';

function lab(id: string, more: Partial<LabInput>) {
  return defineLab({ id: `fixture-bindings-${id}`, title: 'Fixture: bindings', summary: 'Every binding kind.', ...more });
}

const web = lab('web', {
  topology: { name: 'preset', preset: 'kubernetes-web' },
  setup: ['kubectl expose deployment web --name=web-np --type=NodePort --port=8080 --target-port=80'],
  bindings: {
    ...WEB_BINDINGS,
    neighbour: { pod: { labels: { app: 'web' }, onNodeOf: 'client' } },
    second: { pod: { labels: { app: 'web' }, skip: 1 } },
    dns: { pod: { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } } },
    kubeDns: { service: { namespace: 'kube-system', name: 'kube-dns', port: 'dns-tcp' } },
    nodePort: { service: { name: 'web-np' } },
    targetNode: { node: { nodeOf: 'target' } },
    controlPlane: { node: { index: 0 } },
    node2: { node: { name: 'node-2' } },
    clientEth0: { interface: { on: '@client', dev: 'eth0' } },
    clientVeth: { interface: { on: 'node:{{client.node}}', dev: '{{client.veth}}' } },
    tunnel: { interface: { on: '@targetNode', dev: 'flannel.1' } },
    workstation: { host: { name: 'workstation' } },
    deploy: { deployment: { name: 'web' } },
  },
});

let session: LabSession;
let run: (line: string) => Promise<RunResult>;
let b: LabSession['bindings'];
const out = async (line: string) => {
  const r = await run(line);
  expect(r.stderr, line).toBe('');
  return r.stdout;
};
/** Runs `lines` on a node (ssh there, then back). */
async function onNode(node: string, ...lines: string[]): Promise<string[]> {
  await run(`ssh ${node}`);
  const outs: string[] = [];
  for (const l of lines) outs.push(await out(l));
  await run('exit');
  return outs;
}

beforeAll(async () => {
  ({ session, run } = await openSession({ lab: web }));
  b = session.bindings;
});

describe('pod', () => {
  it("has the pod's fields as kubectl shows them", async () => {
    for (const name of ['client', 'target', 'neighbour', 'second', 'dns'] as const) {
      const p = b[name]!;
      const ns = p.namespace!;
      const json = async (path: string) => out(`kubectl get pod ${p.name} -n ${ns} -o jsonpath='{${path}}'`);
      expect(await json('.status.podIP'), name).toBe(p.ip);
      expect(await json('.spec.nodeName'), name).toBe(p.node);
      expect(await json('.spec.containers[0].image'), name).toBe(p.image);
      expect(await json('.spec.containers[0].name'), name).toBe(p.container);
      expect(await json('.metadata.uid'), name).toBe(p.uid);
      expect(await out(`kubectl get node ${p.node} -o jsonpath='{.status.addresses[?(@.type=="InternalIP")].address}'`), name).toBe(p.nodeIp);
      expect(p.place).toBe(`pod:${ns}/${p.name}`);
    }
    expect(b.client!.name).toBe('client');
    expect(b.dns!.namespace).toBe('kube-system');
  });

  it("names the pod's network namespace on its node and the pause process that holds it", async () => {
    const c = b.client!;
    const [pids, ps, netns] = await onNode(c.node!, `ip netns pids ${c.netns}`, 'ps -ef | cat', 'ip netns');
    expect(netns).toContain(`${c.netns} (id: `);
    expect(pids!.trim().split('\n')[0]).toBe(c.pausePid);
    const line = ps!.split('\n').find((l) => l.split(/\s+/)[1] === c.pausePid)!;
    expect(line).toMatch(/^65535 .* \/pause$/);
  });

  it('picks by labels in name order, on or off the node of another pod, skipping as asked', async () => {
    const web = (await out('kubectl get pods -l app=web -o wide --no-headers')).trim().split('\n').map((l) => l.split(/\s+/));
    const names = web.map((r) => r[0]!).sort();
    const nodeOf = Object.fromEntries(web.map((r) => [r[0]!, r[6]!]));
    expect(b.target!.name).toBe(names.find((n) => nodeOf[n] !== b.client!.node));
    expect(b.neighbour!.name).toBe(names.find((n) => nodeOf[n] === b.client!.node));
    expect(b.second!.name).toBe(names[1]);
  });

  it("has its eth0 and the veth on its node as ip link shows them", async () => {
    const inPod = links(await out('kubectl exec client -- ip link show eth0'))[0]!;
    expect({ dev: 'eth0', ifindex: inPod.ifindex, peerIfindex: inPod.peerIfindex, mac: inPod.mac, mtu: inPod.mtu }).toEqual({ dev: 'eth0', ifindex: b.client!.ifindex, peerIfindex: b.client!.peerIfindex, mac: b.client!.mac, mtu: b.client!.mtu });
    const [nodeLinks] = await onNode(b.client!.node!, 'ip link');
    const veth = links(nodeLinks!).find((l) => l.ifindex === b.client!.peerIfindex)!;
    expect(veth.name).toBe(b.client!.veth);
    expect(veth.peerIfindex).toBe(b.client!.ifindex);
  });

  it('names its network namespace as ip netns list and the veth\'s link-netns on its node show it', async () => {
    const [list, veth] = await onNode(b.client!.node!, 'ip netns list', `ip link show ${b.client!.veth}`);
    expect(b.client!.netns).toMatch(/^cni-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(list!.split('\n').map((l) => l.split(' ')[0])).toContain(b.client!.netns);
    expect(veth).toContain(` link-netns ${b.client!.netns}\n`);
  });
});

describe('service', () => {
  it("has the Service's fields as kubectl shows them", async () => {
    const s = b.web!;
    const json = async (path: string) => out(`kubectl get svc web -o jsonpath='{${path}}'`);
    expect(await json('.spec.clusterIP')).toBe(s.ip);
    expect(await json('.spec.type')).toBe(s.type);
    expect(await json('.spec.ports[0].port')).toBe(s.port);
    expect(await json('.spec.ports[0].protocol')).toBe(s.protocol);
    expect(await json('.spec.ports[0].targetPort')).toBe(s.targetPort);
    expect(s.nodePort).toBe('');
    expect(s.lbIp).toBe('');
    expect(s.extChain).toBe('');
    const row = (await out('kubectl get svc web --no-headers')).trim().split(/\s+/);
    expect(row[4]).toBe(s.ports);
    expect(s.selector).toBe(`app=${await json('.spec.selector.app')}`);
    const eps = (await out("kubectl get endpoints web -o jsonpath='{range .subsets[0].addresses[*]}{.ip}{\" \"}{end}'")).trim().split(' ');
    expect(s.endpointIps!.split(',')).toEqual(eps);
    expect(s.endpoints!.split(',')).toEqual(eps.map((ip) => `${ip}:80`));
    expect(s.endpointCount).toBe(String(eps.length));
  });

  it("names kube-proxy's chains as iptables-save shows them", async () => {
    const [rules] = await onNode(b.client!.node!, 'iptables-save -t nat');
    const s = b.web!;
    expect(rules).toContain(`-A KUBE-SERVICES -d ${s.ip}/32 -p tcp -m comment --comment "${s.portName} cluster IP" -m tcp --dport 80 -j ${s.chain}`);
    for (const [i, sep] of s.sepChains!.split(',').entries()) {
      expect(rules).toContain(`-A ${sep} -p tcp -m comment --comment "${s.portName}" -m tcp -j DNAT --to-destination ${s.endpoints!.split(',')[i]}`);
    }
    const np = b.nodePort!;
    expect(np.type).toBe('NodePort');
    expect(np.ports).toBe(`8080:${np.nodePort}/TCP`);
    expect(rules).toContain(`-A KUBE-NODEPORTS -p tcp -m comment --comment "${np.portName}" -m tcp --dport ${np.nodePort} -j ${np.extChain}`);
  });

  it('describes the port it is asked for', async () => {
    const d = b.kubeDns!;
    expect(d.port).toBe('53');
    expect(d.protocol).toBe('TCP');
    expect(d.portName).toBe('kube-system/kube-dns:dns-tcp');
    expect(await out("kubectl get svc kube-dns -n kube-system -o jsonpath='{.spec.ports[?(@.name==\"dns-tcp\")].protocol}'")).toBe('TCP');
  });
});

describe('node', () => {
  it("has the node's addresses, its bridge's and its tunnel's, as ip shows them", async () => {
    for (const name of ['targetNode', 'controlPlane', 'node2'] as const) {
      const n = b[name]!;
      expect(await out(`kubectl get node ${n.name} -o jsonpath='{.spec.podCIDR}'`), name).toBe(n.podCidr);
      expect(await out(`kubectl get node ${n.name} -o jsonpath='{.status.addresses[?(@.type=="InternalIP")].address}'`), name).toBe(n.ip);
      const [linkOut, cni, vx] = await onNode(n.name!, 'ip link', 'ip addr show cni0', 'ip addr show flannel.1');
      const byName = Object.fromEntries(links(linkOut!).map((l) => [l.name, l]));
      expect(byName.eth0!.mac, name).toBe(n.mac);
      expect(byName.eth0!.mtu, name).toBe(n.mtu);
      expect(byName['flannel.1']!.mac, name).toBe(n.tunnelMac);
      expect(inet(vx!).split('/')[0], name).toBe(n.tunnelIp);
      if (n.bridgeIp) {
        expect(byName.cni0!.mac, name).toBe(n.bridgeMac);
        expect(inet(cni!).split('/')[0], name).toBe(n.bridgeIp);
      }
      expect(n.place).toBe(`node:${n.name}`);
    }
    expect(b.targetNode!.name).toBe(b.target!.node);
    expect(b.controlPlane!.name).toBe('control-plane');
  });
});

describe('interface', () => {
  it('has what ip link and ip addr show of it, and its veth peer', async () => {
    const eth0 = b.clientEth0!;
    const inPod = links(await out('kubectl exec client -- ip link show eth0'))[0]!;
    expect([eth0.ifindex, eth0.peerIfindex, eth0.mac, eth0.mtu]).toEqual([inPod.ifindex, inPod.peerIfindex, inPod.mac, inPod.mtu]);
    expect(eth0.cidr).toBe(inet(await out('kubectl exec client -- ip addr show eth0')));
    expect(eth0.ip).toBe(b.client!.ip);
    expect(eth0.peer).toBe(b.client!.veth);
    expect(eth0.place).toBe('pod:default/client');
    const veth = b.clientVeth!;
    const [nodeLinks] = await onNode(b.client!.node!, 'ip link');
    const onNodeLink = links(nodeLinks!).find((l) => l.name === veth.dev)!;
    expect([veth.ifindex, veth.peerIfindex, veth.mac, veth.mtu, veth.master]).toEqual([onNodeLink.ifindex, onNodeLink.peerIfindex, onNodeLink.mac, onNodeLink.mtu, onNodeLink.master]);
    expect(veth.master).toBe('cni0');
    expect(veth.peer).toBe('eth0');
    expect(veth.ip).toBe('');
    const tunnel = b.tunnel!;
    expect([tunnel.mac, tunnel.cidr!.split('/')[0]]).toEqual([b.targetNode!.tunnelMac, b.targetNode!.tunnelIp]);
    expect(tunnel.ns).toBe(`node/${b.target!.node}`);
  });
});

describe('host', () => {
  it('has the workstation of a cluster as ip shows it', async () => {
    const w = b.workstation!;
    const link = links(await out('ip link show eth0'))[0]!;
    expect([w.mac, w.eth0Mac, w.eth0Mtu]).toEqual([link.mac, link.mac, link.mtu]);
    expect(w.eth0Cidr).toBe(inet(await out('ip addr show eth0')));
    expect(w.ip).toBe(w.eth0Ip);
    expect(await out('ip route')).toMatch(new RegExp(`^default via ${w.gateway!.replace(/\./g, '\\.')} dev eth0`, 'm'));
    expect([w.eth1Ip, w.eth1Mac]).toEqual(['', '']);
    expect(w.place).toBe('workstation');
  });

  it('has a router of the routed topology with both its interfaces', async () => {
    const { session: s, run: r } = await openSession({ lab: lab('routed', { topology: { name: 'routed' }, bindings: { r1: { host: { name: 'router-1' } } } }) });
    const r1 = s.bindings.r1!;
    await r('ssh router-1');
    const addr = (await r('ip addr')).stdout;
    const byName = Object.fromEntries(links(addr).map((l) => [l.name, l]));
    expect([r1.eth0Mac, r1.eth1Mac, r1.eth1Mtu]).toEqual([byName.eth0!.mac, byName.eth1!.mac, byName.eth1!.mtu]);
    expect(addr).toContain(`inet ${r1.eth0Cidr} `);
    expect(addr).toContain(`inet ${r1.eth1Cidr} `);
    expect((await r('ip route')).stdout).not.toContain('default');
    expect(r1.gateway).toBe('');
    expect(r1.place).toBe('host:router-1');
  });
});

describe('container', () => {
  it('has a container a setup command started, as docker and ip show it', async () => {
    const dockerLab = lab('docker', {
      topology: { name: 'docker' },
      setup: ['ssh host-1', 'docker run -d --name web nginx', 'exit'],
      bindings: { host1: { host: { name: 'host-1' } }, web: { container: { host: 'host-1', name: 'web' } } },
    });
    const { session: s, run: r } = await openSession({ lab: dockerLab });
    const c = s.bindings.web!;
    await r('ssh host-1');
    expect((await r('docker ps')).stdout.split('\n')[1]).toMatch(new RegExp(`^${c.id} +${c.image} +.* web$`));
    expect((await r("docker inspect -f '{{.NetworkSettings.IPAddress}} {{.NetworkSettings.MacAddress}}' web")).stdout).toBe(`${c.ip} ${c.mac}\n`);
    const veth = links((await r('ip link')).stdout).find((l) => l.name === c.veth)!;
    expect([veth.ifindex, veth.peerIfindex, veth.master]).toEqual([c.vethIfindex, c.ifindex, 'docker0']);
    expect(c.peerIfindex).toBe(c.vethIfindex);
    expect(c.hostIp).toBe(inet((await r('ip addr show eth0')).stdout).split('/')[0]);
    expect(c.hostIp).toBe(s.bindings.host1!.ip);
    expect(c.place).toBe('container:host-1/web');
  });
});

describe('deployment', () => {
  it("has its ReplicaSet's hash and its pods as kubectl shows them", async () => {
    const d = b.deploy!;
    expect(await out("kubectl get deploy web -o jsonpath='{.spec.replicas}'")).toBe(d.replicas);
    const rs = (await out('kubectl get rs --no-headers')).trim().split(/\s+/)[0]!;
    expect(d.replicaSet).toBe(rs);
    expect(await out(`kubectl get rs ${rs} -o jsonpath='{.metadata.labels.pod-template-hash}'`)).toBe(d.hash);
    const pods = (await out("kubectl get pods -l app=web -o jsonpath='{range .items[*]}{.metadata.name} {.status.podIP}{\"\\n\"}{end}'")).trim().split('\n').map((l) => l.split(' '));
    pods.sort((x, y) => x[0]!.localeCompare(y[0]!));
    expect(d.pods).toBe(pods.map((p) => p[0]).join(','));
    expect(d.podIps).toBe(pods.map((p) => p[1]).join(','));
  });
});

describe('every binding kind', () => {
  it('is covered here, and resolves to exactly the fields it documents', () => {
    const used = new Set(Object.values(web.bindings).map((x) => x.key));
    expect([...used, 'container'].sort()).toEqual(BINDING_KINDS.map((k) => k.name).sort());
    for (const [name, x] of Object.entries(web.bindings)) {
      const kind = BINDING_KINDS.find((k) => k.name === x.key)!;
      expect(Object.keys(b[name]!).sort(), name).toEqual(Object.keys(kind.fields).sort());
    }
  });
});

describe('a binding that matches nothing', () => {
  const refused = async (bindings: LabInput['bindings'], more: Partial<LabInput> = {}) => {
    const l = lab('refused', { topology: { name: 'preset', preset: 'kubernetes-web' }, bindings, ...more });
    const e = await openSession({ lab: l }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(LabSetupError);
    const message = (e as Error).message;
    expect(message.startsWith('lab fixture-bindings-refused: ')).toBe(true);
    return message.slice('lab fixture-bindings-refused: '.length);
  };
  it('refuses the session, saying which binding and why', async () => {
    expect(await refused({ db: { pod: { labels: { app: 'db' } } } })).toBe('binding db matches no pod');
    expect(await refused({ third: { pod: { labels: { app: 'web' }, skip: 3 } } })).toBe('binding third matches no pod (only 3 match, skip is 3)');
    expect(await refused({ api: { service: { name: 'api' } } })).toBe('binding api names Service default/api, which does not exist');
    expect(await refused({ web: { service: { name: 'web', port: 'https' } } })).toBe('binding web: Service web has no port https');
    expect(await refused({ n: { node: { name: 'node-9' } } })).toBe('binding n names no node of this cluster (control-plane, node-1, node-2)');
    expect(await refused({ n: { node: { index: 3 } } })).toBe('binding n names no node of this cluster (control-plane, node-1, node-2)');
    expect(await refused({ i: { interface: { on: 'node:node-1', dev: 'eth9' } } })).toBe('binding i: node node-1 has no interface eth9');
    expect(await refused({ i: { interface: { on: 'pod:nosuch', dev: 'eth0' } } })).toBe('binding i: no pod "nosuch" in namespace "default"');
    expect(await refused({ h: { host: { name: 'host-1' } } })).toBe('binding h names host host-1, which this sandbox does not have');
    expect(await refused({ c: { container: { host: 'host-1', name: 'web' } } })).toBe('binding c names Docker host host-1, which does not exist');
    expect(await refused({ d: { deployment: { name: 'api' } } })).toBe('binding d names Deployment default/api, which does not exist');
  });
});
