import { describe, expect, it } from 'vitest';
import { Sim } from '../sim';
import { VirtualClock } from '../clock';
import { TOPOLOGIES } from '../topologies';
import { text } from '../apps';
import { tlsClientRead, tlsClientStream } from '../tls';
import { forbidden } from '../apps/apiserver';
import { goFloat, goTimeString } from '../apps/kube-proxy';
import { nextNodeHealthDue, NODE_MONITOR_GRACE_MS } from './node-health';
import { socketsIn } from './sockets';
import { machineProcesses } from './processes';
import { unitJournal, timespan, bytesText } from './journal';
import { setUnitActive, unitPid } from './units';
import { withoutTrace } from './probe';

const T0 = Date.UTC(2025, 2, 14, 9, 30);

function sandbox(topology = 'kubernetes-netshoot'): { sim: Sim; clock: VirtualClock } {
  const clock = new VirtualClock(T0);
  return { sim: Sim.fromState(TOPOLOGIES[topology]!.build(1, T0 - 600_000), clock), clock };
}

const ip = (s: string): number => s.split('.').reduce((a, b) => ((a << 8) | Number(b)) >>> 0, 0);
const bytes = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const get = (path: string, agent = 'curl/8.5.0'): Uint8Array => bytes(`GET ${path} HTTP/1.1\r\nHost: x\r\nUser-Agent: ${agent}\r\nAccept: */*\r\n\r\n`);

/** The HTTP response of an HTTPS request from `ns` (the certificate not checked, as curl -k). */
function https(sim: Sim, ns: string, dst: string, port: number, path: string): string {
  const r = sim.tcpRequest(ns, ip(dst), port, tlsClientStream(dst, get(path)));
  if (r.kind !== 'response') return r.kind;
  return text(tlsClientRead(r.data)!.response);
}

describe("a node's daemons answer on the sockets ss lists", () => {
  it('the kubelet refuses anonymous requests on 10250 and says ok on 127.0.0.1:10248/healthz', () => {
    const { sim } = sandbox();
    expect(https(sim, 'workstation', '192.168.49.3', 10250, '/pods')).toBe('HTTP/1.1 401 Unauthorized\r\nDate: Fri, 14 Mar 2025 09:30:00 GMT\r\nContent-Length: 12\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nUnauthorized');
    const r = sim.tcpRequest('node/node-1', ip('127.0.0.1'), 10248, get('/healthz'));
    expect(r.kind === 'response' && text(r.data)).toMatch(/^HTTP\/1\.1 200 OK\r\nContent-Type: text\/plain; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\nDate: .*\r\nContent-Length: 2\r\n\r\nok$/);
    // Bound to loopback: the node's own address is refused.
    expect(sim.tcpRequest('node/node-1', ip('192.168.49.3'), 10248, get('/healthz')).kind).toBe('refused');
  });

  it('the API server answers an anonymous client as v1.32 does, on 6443 and through 10.96.0.1:443 from a pod', () => {
    const { sim } = sandbox();
    const root = https(sim, 'pod/default/netshoot', '10.96.0.1', 443, '/');
    expect(root).toMatch(/^HTTP\/1\.1 403 Forbidden\r\nAudit-Id: [0-9a-f-]{36}\r\nCache-Control: no-cache, private\r\nContent-Type: application\/json\r\nX-Content-Type-Options: nosniff\r\nX-Kubernetes-Pf-Flowschema-Uid: [0-9a-f-]{36}\r\nX-Kubernetes-Pf-Prioritylevel-Uid: [0-9a-f-]{36}\r\nDate: [^\r]+\r\nContent-Length: 217\r\n\r\n\{\n {2}"kind": "Status",/);
    expect(root).toContain('"message": "forbidden: User \\"system:anonymous\\" cannot get path \\"/\\""');
    for (const path of ['/healthz', '/livez', '/readyz']) expect(https(sim, 'node/node-2', '192.168.49.2', 6443, path)).toMatch(/\r\n\r\nok$/);
    expect(https(sim, 'node/node-2', '192.168.49.2', 6443, '/version')).toContain('"gitVersion": "v1.32.2"');
    expect(forbidden('/api/v1/namespaces/default/pods/web/log', 'GET')).toEqual({ message: 'pods "web" is forbidden: User "system:anonymous" cannot get resource "pods/log" in API group "" in the namespace "default"', details: [['name', 'web'], ['kind', 'pods']] });
    expect(forbidden('/apis/apps/v1/deployments', 'GET').message).toBe('deployments is forbidden: User "system:anonymous" cannot list resource "deployments" in API group "apps" at the cluster scope');
    // A TLS port spoken to in plain HTTP: Go's answer.
    const plain = sim.tcpRequest('workstation', ip('192.168.49.2'), 6443, get('/'));
    expect(plain.kind === 'response' && text(plain.data)).toBe('HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n');
  });

  it("kube-proxy's healthz JSON, metrics and Go's number and time formats", () => {
    const { sim } = sandbox();
    const r = sim.tcpRequest('node/node-1', ip('127.0.0.1'), 10256, get('/healthz'));
    expect(r.kind === 'response' && text(r.data)).toMatch(/\r\n\r\n\{"lastUpdated": "2025-03-14 09:30:00\.\d+ \+0000 UTC m=\+\d+\.\d{9}","currentTime": "[^"]+", "nodeEligible": true\}$/);
    const m = sim.tcpRequest('node/node-1', ip('127.0.0.1'), 10249, get('/metrics'));
    expect(m.kind === 'response' && text(m.data)).toMatch(/Content-Type: text\/plain; version=0\.0\.4; charset=utf-8\r\n[\s\S]*kubeproxy_sync_proxy_rules_iptables_total\{table="nat"\} \d+\n/);
    expect([goFloat(34), goFloat(123456), goFloat(1234567), goFloat(1741944579), goFloat(0.0001), goFloat(0.00001)]).toEqual(['34', '123456', '1.234567e+06', '1.741944579e+09', '0.0001', '1e-05']);
    expect(goTimeString(T0 + 1_250, T0 - 60_000, 5)).toBe('2025-03-14 09:30:01.250000005 +0000 UTC m=+61.250000005');
  });

  it('sshd speaks first; a port nobody listens on refuses at once; loopback works everywhere', () => {
    const { sim } = sandbox();
    const banner = sim.tcpRequest('workstation', ip('192.168.49.3'), 22, new Uint8Array(0));
    expect(banner.kind === 'response' && text(banner.data)).toBe('SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13.8\r\n');
    const http = sim.tcpRequest('workstation', ip('192.168.49.3'), 22, get('/'));
    expect(http.kind === 'response' && text(http.data)).toBe('SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13.8\r\nInvalid SSH identification string.\r\n');
    expect(sim.tcpRequest('node/node-1', ip('127.0.0.1'), 10251, get('/')).kind).toBe('refused');
    expect(sim.ping('node/node-1', ip('127.0.0.1'), { id: 1, seq: 1 }).outcome.kind).toBe('reply');
    // No connection is left behind on the servers.
    expect(Object.keys(sim.state.netns['node/node-1']!.tcpSockets ?? {})).toEqual([]);
  });

  it('every listening socket ss shows accepts a connection over IPv4', () => {
    const { sim } = sandbox();
    for (const node of ['control-plane', 'node-1']) {
      const addr = sim.state.netns[`node/${node}`]!.devices.find((d) => d.name === 'eth0')!.addrs[0]!.ip;
      for (const s of socketsIn(sim.state, `node/${node}`, true)) {
        if (s.proto !== 'tcp' || s.v6only) continue;
        const dst = s.local || (s.v6 ? addr : addr);
        expect(sim.tcpRequest(`node/${node}`, dst, s.lport, new Uint8Array(0)).kind, `${node} ${s.lport}`).toBe('response');
      }
    }
  });
});

describe('units: stopping and starting changes what listens, what runs and what the node reports', () => {
  it('a stopped kubelet: ports refuse, ps loses it, NotReady after the grace period, pods not Ready; started again, all comes back', () => {
    const { sim, clock } = sandbox();
    const st = sim.state;
    const pid = unitPid(st, 'node-1', 'kubelet.service');
    setUnitActive(st, 'node-1', 'kubelet.service', false, clock.now());
    expect(sim.tcpRequest('workstation', ip('192.168.49.3'), 10250, new Uint8Array(0)).kind).toBe('refused');
    expect(machineProcesses(st, 'node-1', clock.now()).some((p) => p.pid === pid)).toBe(false);
    const due = nextNodeHealthDue(st);
    expect(due - clock.now()).toBeGreaterThan(NODE_MONITOR_GRACE_MS - 10_000);
    expect(due - clock.now()).toBeLessThanOrEqual(NODE_MONITOR_GRACE_MS + 5_000);
    clock.set(due - 1);
    sim.advance();
    expect(st.k8s.nodes['node-1']!.status.conditions.find((c) => c.type === 'Ready')!.status).toBe('True');
    clock.set(due);
    sim.advance();
    const ready = st.k8s.nodes['node-1']!.status.conditions.find((c) => c.type === 'Ready')!;
    expect([ready.status, ready.reason, ready.message]).toEqual(['Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.']);
    expect(st.k8s.nodes['node-1']!.spec.taints).toEqual([{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }, { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }]);
    const onNode = Object.values(st.k8s.pods).filter((p) => p.spec.nodeName === 'node-1' && !p.spec.hostNetwork);
    expect(onNode.length).toBeGreaterThan(0);
    for (const p of onNode) {
      expect(p.status.conditions!.find((c) => c.type === 'Ready')!.status).toBe('False');
      // Still running: its program answers when asked directly.
      expect(p.status.phase).toBe('Running');
    }
    expect(nextNodeHealthDue(st)).toBe(Infinity);
    clock.set(due + 10_000);
    setUnitActive(st, 'node-1', 'kubelet.service', true, clock.now());
    sim.advance();
    expect(st.k8s.nodes['node-1']!.status.conditions.every((c) => c.status === (c.type === 'Ready' ? 'True' : 'False'))).toBe(true);
    expect(st.k8s.nodes['node-1']!.spec.taints).toBeUndefined();
    for (const p of onNode) expect(p.status.conditions!.find((c) => c.type === 'Ready')!.status).toBe('True');
    expect(unitPid(st, 'node-1', 'kubelet.service')).toBeGreaterThan(pid);
    expect(sim.tcpRequest('workstation', ip('192.168.49.3'), 10250, new Uint8Array(0)).kind).toBe('response');
  });

  it('a stopped containerd: the containers still answer, the node turns NotReady 30 s later, the shims stay in the journal', () => {
    const { sim, clock } = sandbox();
    const st = sim.state;
    setUnitActive(st, 'node-1', 'containerd.service', false, clock.now());
    const web = Object.values(st.k8s.pods).find((p) => p.metadata.name.startsWith('web-') && p.spec.nodeName === 'node-1')!;
    const served = sim.tcpRequest('node/node-2', ip(web.status.podIP!), 80, get('/'));
    expect(served.kind === 'response' && text(served.data)).toMatch(/^HTTP\/1\.1 200 OK/);
    const due = nextNodeHealthDue(st);
    expect(due - clock.now()).toBeGreaterThanOrEqual(30_000);
    expect(due - clock.now()).toBeLessThan(41_000);
    clock.set(due);
    sim.advance();
    const ready = st.k8s.nodes['node-1']!.status.conditions.find((c) => c.type === 'Ready')!;
    expect([ready.status, ready.reason, ready.message]).toEqual(['False', 'KubeletNotReady', 'container runtime is down']);
    expect(st.k8s.nodes['node-1']!.spec.taints?.map((t) => t.key)).toEqual(['node.kubernetes.io/not-ready', 'node.kubernetes.io/not-ready']);
    const journal = unitJournal(st, 'node-1', 'containerd.service', clock.now()).map((e) => e.text);
    expect(journal).toContain('containerd.service: Deactivated successfully.');
    expect(journal.some((t) => /^containerd\.service: Unit process \d+ \(containerd-shim\) remains running after unit stopped\.$/.test(t))).toBe(true);
  });

  it('ssh: stopping the service leaves the socket, which starts sshd again; stopping both refuses', () => {
    const { sim, clock } = sandbox();
    const st = sim.state;
    setUnitActive(st, 'node-1', 'ssh.service', false, clock.now());
    expect(sim.tcpRequest('workstation', ip('192.168.49.3'), 22, new Uint8Array(0)).kind).toBe('response');
    expect(machineProcesses(st, 'node-1', clock.now()).some((p) => p.cmd.startsWith('sshd: /usr/sbin/sshd'))).toBe(true);
    setUnitActive(st, 'node-1', 'ssh.service', false, clock.now());
    setUnitActive(st, 'node-1', 'ssh.socket', false, clock.now());
    expect(sim.tcpRequest('workstation', ip('192.168.49.3'), 22, new Uint8Array(0)).kind).toBe('refused');
  });

  it('a probe connection leaves the RNG, counters and tables as they were', () => {
    const { sim } = sandbox();
    // The cluster first catches up with the clock (kube-proxy's rules), as any packet makes it.
    sim.advance();
    sim.tcpRequest('workstation', ip('192.168.49.2'), 6443, new Uint8Array(0));
    const before = JSON.stringify(sim.state.netns) + JSON.stringify(sim.state.rng);
    const r = withoutTrace(sim.state, () => sim.tcpRequest('workstation', ip('192.168.49.3'), 22, new Uint8Array(0)));
    expect(r.kind).toBe('response');
    expect(JSON.stringify(sim.state.netns) + JSON.stringify(sim.state.rng)).toBe(before);
  });

  it("systemd's number formats", () => {
    expect([timespan(13_960), timespan(537), timespan(123_004), timespan(3_600_000 + 60_000), timespan(2_000)]).toEqual(['13.960s', '537ms', '2min 3.004s', '1h 1min', '2s']);
    expect([bytesText(512), bytesText(77_824 * 1024), bytesText(1536)]).toEqual(['512B', '76.0M', '1.5K']);
  });
});
