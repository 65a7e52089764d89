import { describe, expect, it } from 'vitest';
import { text } from '../apps';
import { applyFault } from '../faults';
import { VirtualClock } from '../clock';
import { formatIp, ip, parseIp } from '../ipv4';
import { createService } from '../k8s/api';
import { WORKSTATION_NS } from '../k8s/cloud';
import { rngOver } from '../rng';
import { Sim } from '../sim';
import type { ClusterSpec } from '../cluster';
import { syncServiceProxy } from './index';
import { DUMMY_DEVICE, IPSETS } from './ipvs';
import { formatRule } from '../netfilter';

const T0 = Date.UTC(2025, 2, 14, 9, 0, 0);
const get = Uint8Array.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n', (c) => c.charCodeAt(0));

function cluster(proxyMode: 'iptables' | 'ipvs' = 'ipvs', replicas = 3): { sim: Sim; clock: VirtualClock; vip: number } {
  const spec: ClusterSpec = {
    proxyMode,
    workloads: {
      deployments: [{ name: 'web', replicas, image: 'registry.k8s.io/serve_hostname', ports: [9376] }],
      pods: [{ name: 'client', image: 'busybox:1.36', command: ['sleep', '3600'], node: 'node-2' }],
      services: [{ name: 'web', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 9376 }] }],
    },
  };
  const clock = new VirtualClock(T0 + 600_000);
  const sim = Sim.create(spec, 4, clock, T0);
  sim.advance();
  return { sim, clock, vip: parseIp(sim.state.k8s.services['default/web']!.spec.clusterIP!)! };
}

const clientNs = (sim: Sim) => sim.podNetns(sim.pod('default', 'client')!)!.id;

function fetch(sim: Sim, ns: string, dst: number, port = 80): string {
  const r = sim.tcpRequest(ns, dst, port, get);
  return r.kind === 'response' ? text(r.data).split('\r\n\r\n')[1]! : r.kind;
}

describe('kube-proxy in IPVS mode', () => {
  it('puts every ClusterIP on the kube-ipvs0 dummy device, down, as a /32', () => {
    const { sim, vip } = cluster();
    syncServiceProxy(sim.state, T0 + 600_000);
    for (const node of ['control-plane', 'node-1', 'node-2']) {
      const dev = sim.state.netns[`node/${node}`]!.devices.find((d) => d.name === DUMMY_DEVICE)!;
      expect(dev.kind).toBe('dummy');
      expect(dev.up).toBe(false);
      expect(dev.addrs.map((a) => `${formatIp(a.ip)}/${a.len}`)).toEqual(['10.96.0.1/32', `${formatIp(vip)}/32`, '10.96.0.10/32']);
    }
    expect(Object.keys(sim.state.netns['node/node-1']!.ipsets!)).toEqual(IPSETS.map((s) => s.name));
  });

  it('balances a ClusterIP round robin over the ready pods, as the real servers are listed', () => {
    const { sim, vip } = cluster();
    const answers = Array.from({ length: 6 }, () => fetch(sim, clientNs(sim), vip));
    const pods = Object.values(sim.state.k8s.pods).filter((p) => p.metadata.labels?.app === 'web').map((p) => p.metadata.name);
    expect(new Set(answers)).toEqual(new Set(pods));
    expect(answers.slice(3)).toEqual(answers.slice(0, 3));
    // node-2's table: one virtual server for the port, three real servers, six connections.
    const t = sim.state.netns['node/node-2']!.ipvs!;
    const svc = t.services.find((s) => s.addr === vip)!;
    expect(svc.dests.map((d) => `${formatIp(d.addr)}:${d.port}`).sort()).toEqual(Object.values(sim.state.k8s.pods).filter((p) => p.metadata.labels?.app === 'web').map((p) => `${p.status.podIP}:9376`).sort());
    expect(t.conns.filter((c) => c.vaddr === vip).map((c) => c.state)).toEqual(Array(6).fill('TIME_WAIT'));
    // net.ipv4.vs.conntrack=1: conntrack lists the connection with the real server in its reply tuple.
    const ct = sim.state.netns['node/node-2']!.conntrack!.filter((e) => e.orig.dst === vip);
    expect(ct).toHaveLength(6);
    expect(ct.every((e) => e.ipvs && e.reply.src !== vip && e.reply.sport === 9376)).toBe(true);
  });

  it('answers a ping to a ClusterIP with port unreachable from the VIP (KUBE-IPVS-FILTER); iptables mode loses it', () => {
    const ipvs = cluster();
    const r = ipvs.sim.ping(clientNs(ipvs.sim), ipvs.vip, { id: 7, seq: 1 });
    expect(r.outcome).toMatchObject({ kind: 'icmp-error', from: ipvs.vip, type: 3, code: 3 });
    const ipt = cluster('iptables');
    expect(ipt.sim.ping(clientNs(ipt.sim), ipt.vip, { id: 7, seq: 1 }).outcome.kind).toBe('lost');
  });

  it('answers the ping itself once the REJECT rule is gone: the VIP is a local address', () => {
    const { sim, vip } = cluster();
    syncServiceProxy(sim.state, T0 + 600_000);
    const filter = sim.state.kubeProxy!.filter.chains['KUBE-IPVS-FILTER']!;
    filter.rules = filter.rules.filter((r) => r.target.t !== 'REJECT');
    const r = sim.ping(clientNs(sim), vip, { id: 7, seq: 1 });
    expect(r.outcome).toMatchObject({ kind: 'reply', from: vip });
  });

  it('refuses a connection to a VIP port that is no Service port', () => {
    const { sim, vip } = cluster();
    // ICMP port unreachable from the VIP: the connection is refused.
    expect(fetch(sim, clientNs(sim), vip, 22)).toBe('icmp-error');
  });

  it('masquerades a pod that reaches itself through its Service (KUBE-LOOP-BACK)', () => {
    const { sim, vip } = cluster('ipvs', 1);
    const pod = Object.values(sim.state.k8s.pods).find((p) => p.metadata.labels?.app === 'web')!;
    const ns = sim.podNetns(pod)!.id;
    expect(fetch(sim, ns, vip)).toBe(pod.metadata.name);
    const node = sim.state.netns[`node/${pod.spec.nodeName}`]!;
    expect(node.ipsets!['KUBE-LOOP-BACK']!.members).toEqual([`${pod.status.podIP},tcp:9376,${pod.status.podIP}`]);
    const e = node.conntrack!.find((c) => c.orig.dst === vip)!;
    // The reply goes to the node's cni0 address, not to the pod itself.
    expect(formatIp(e.reply.dst)).toBe(pod.status.podIP!.replace(/\.\d+$/, '.1'));
  });

  it('a node reaches a ClusterIP from the VIP itself, masqueraded on the way out', () => {
    const { sim, vip } = cluster();
    expect(sim.state.k8s.pods).toBeTruthy();
    fetch(sim, 'node/node-1', vip);
    const c = sim.state.netns['node/node-1']!.ipvs!.conns.find((x) => x.vaddr === vip)!;
    expect(c.caddr).toBe(vip);
    const e = sim.state.netns['node/node-1']!.conntrack!.find((x) => x.orig.dst === vip)!;
    expect(e.orig.src).toBe(vip);
    expect(e.reply.dst).not.toBe(vip);
  });

  it('drains a removed pod: weight 0 while its connections last, deleted at the next minute check after', () => {
    const { sim, clock, vip } = cluster();
    for (let i = 0; i < 3; i++) fetch(sim, clientNs(sim), vip);
    const ctx = { state: sim.state, rng: rngOver(sim.state.rng), now: clock.now() };
    const gone = Object.values(sim.state.k8s.pods).find((p) => p.metadata.labels?.app === 'web')!;
    delete sim.state.k8s.pods[`default/${gone.metadata.name}`];
    sim.state.proxyDirty = true;
    void ctx;
    syncServiceProxy(sim.state, clock.now());
    const svc = () => sim.state.netns['node/node-2']!.ipvs!.services.find((s) => s.addr === vip)!;
    const dest = () => svc().dests.find((d) => formatIp(d.addr) === gone.status.podIP);
    expect(dest()?.weight).toBe(0);
    // No new connection goes to it.
    for (let i = 0; i < 4; i++) expect(fetch(sim, clientNs(sim), vip)).not.toBe(gone.metadata.name);
    clock.advance(130_000);
    syncServiceProxy(sim.state, clock.now());
    expect(dest()).toBeUndefined();
    expect(svc().dests).toHaveLength(2);
  });

  it('keeps a stopped kube-proxy\'s table: a new Service never reaches that node', () => {
    const { sim, clock } = cluster();
    applyFault(sim.state, { kind: 'kube-proxy-stopped', node: 'node-1' }, clock.now());
    const svc = createService({ state: sim.state, rng: rngOver(sim.state.rng), now: clock.now() }, { name: 'late', namespace: 'default', selector: { app: 'web' }, ports: [{ protocol: 'TCP', port: 8080, targetPort: 9376 }] });
    const vip = parseIp(svc.spec.clusterIP!)!;
    syncServiceProxy(sim.state, clock.now());
    expect(sim.state.netns['node/node-1']!.ipvs!.services.some((s) => s.addr === vip)).toBe(false);
    expect(sim.state.netns['node/node-2']!.ipvs!.services.some((s) => s.addr === vip)).toBe(true);
  });

  it('serves NodePorts on every node address, masqueraded towards the pod', () => {
    const { sim, clock } = cluster();
    const svc = createService({ state: sim.state, rng: rngOver(sim.state.rng), now: clock.now() }, { name: 'np', namespace: 'default', type: 'NodePort', selector: { app: 'web' }, ports: [{ protocol: 'TCP', port: 80, targetPort: 9376 }] });
    const np = svc.spec.ports![0]!.nodePort!;
    expect(fetch(sim, WORKSTATION_NS, ip('192.168.49.3'), np)).toMatch(/^web-/);
    const t = sim.state.netns['node/node-1']!.ipvs!;
    expect(t.services.filter((s) => s.port === np).map((s) => formatIp(s.addr)).sort()).toEqual(['10.244.1.0', '10.244.1.1', '192.168.49.3']);
    expect(sim.state.netns['node/node-1']!.ipsets!['KUBE-NODE-PORT-TCP']!.members).toEqual([String(np)]);
    const e = sim.state.netns['node/node-1']!.conntrack!.find((x) => x.orig.dport === np)!;
    expect(e.reply.dst).not.toBe(ip('192.168.49.100'));
  });

  it('survives a JSON round trip with its round-robin pointer', () => {
    const { sim, clock, vip } = cluster();
    fetch(sim, clientNs(sim), vip);
    const copy = Sim.restore(JSON.parse(JSON.stringify(sim.snapshot())), clock);
    expect(fetch(copy, clientNs(copy), vip)).toBe(fetch(sim, clientNs(sim), vip));
  });

  it('answers /proxyMode with ipvs (iptables in the default cluster)', () => {
    const req = Uint8Array.from('GET /proxyMode HTTP/1.1\r\nHost: x\r\n\r\n', (c) => c.charCodeAt(0));
    for (const mode of ['ipvs', 'iptables'] as const) {
      const { sim } = cluster(mode);
      const r = sim.tcpRequest('node/node-1', ip('127.0.0.1'), 10249, req);
      expect(r.kind === 'response' && text(r.data).endsWith(`\r\n\r\n${mode}`)).toBe(true);
    }
  });

  it('serves an external IP: on kube-ipvs0, in KUBE-EXTERNAL-IP, accepted only from off the node\'s bridges', () => {
    const { sim, clock } = cluster();
    createService({ state: sim.state, rng: rngOver(sim.state.rng), now: clock.now() }, { name: 'ext', namespace: 'default', selector: { app: 'web' }, externalIPs: ['192.168.49.200'], ports: [{ protocol: 'TCP', port: 8080, targetPort: 9376 }] });
    syncServiceProxy(sim.state, clock.now());
    const ns = sim.state.netns['node/node-1']!;
    expect(ns.devices.find((d) => d.name === DUMMY_DEVICE)!.addrs.some((a) => formatIp(a.ip) === '192.168.49.200')).toBe(true);
    expect(ns.ipsets!['KUBE-EXTERNAL-IP']!.members).toEqual(['192.168.49.200,tcp:8080']);
    const rules = sim.state.kubeProxy!.nat.chains['KUBE-SERVICES']!.rules.map((r) => formatRule('KUBE-SERVICES', r));
    expect(rules).toContain('-A KUBE-SERVICES -m comment --comment "Kubernetes service external ip + port for masquerade and filter purpose" -m set --match-set KUBE-EXTERNAL-IP dst,dst -m physdev ! --physdev-is-in -m addrtype ! --src-type LOCAL -j ACCEPT');
    expect(fetch(sim, clientNs(sim), ip('192.168.49.200'), 8080)).toMatch(/^web-/);
  });
});
