import { beforeAll, describe, expect, it } from 'vitest';
import type { TraceView } from './contract';
import { OBSERVABLES } from './observables';
import { networkGraph, pathOf, podVertexId } from '../sim/graph';
import type { LabSession } from './session';
import { openSession, type RunResult } from '../../tests/support/session';
import { task, webLab, WEB_BINDINGS } from '../../tests/fixtures/labs/small';
import { defineLab } from './schema';

/**
 * Every observable, read the way a lab reads it: an `answer` with `observed` collects the
 * values from the learner's traffic, and `{{expected.TASK}}` shows the latest one. Each is
 * compared with what the sandbox's own tools print for the same traffic (ping's ttl=,
 * traceroute's hops, conntrack -L, tcpdump -e), or with the hops of the packet's trace.
 */
const observed = (value: string, more: Record<string, string> = {}) => ({ answer: { observed: { value, from: '@client', ...more } } });

const lab = webLab(
  'observables',
  [
    task('echo-id', observed('echo-request-id', { to: '@target' })),
    task('echo-checksum', observed('echo-request-checksum', { to: '@target' })),
    task('echo-checksum-there', observed('echo-request-checksum', { to: '@target', at: '@targetNode', dev: 'cni0' })),
    task('echo-ttl', observed('echo-request-ttl', { to: '@target', at: '@targetNode', dev: 'cni0' })),
    task('echo-ttl-in', observed('echo-request-ttl', { to: '@target', at: '@targetNode', dev: 'flannel.1' })),
    task('echo-ttl-arrived', observed('echo-request-ttl', { to: '@target', at: '@target' })),
    task('reply-ttl', observed('reply-ttl', { to: '@target' })),
    task('outcome', observed('ping-outcome', { to: '@target' })),
    task('outcome-clusterip', observed('ping-outcome', { to: '{{web.ip}}' })),
    task('outcome-lan', { answer: { observed: { value: 'ping-outcome', from: 'workstation', to: '192.168.49.77' } } }),
    task('hops', observed('routed-hops', { to: '@target' })),
    task('tcp', observed('tcp-outcome', { to: '{{web.ip}}' })),
    task('tcp-pod', observed('tcp-outcome', { to: '@target' })),
    task('snat', observed('snat-port', { to: '192.168.49.1' })),
    task('dnat', observed('dnat-destination', { to: '{{web.ip}}' })),
    task('seen-outside', observed('seen-source', { to: '192.168.49.1' })),
    task('seen-pod', observed('seen-source', { to: '@target' })),
    task('seen-pod-node', observed('seen-source', { to: '@target', at: '@targetNode' })),
    task('seen-service', observed('seen-source', { to: '{{web.ip}}' })),
    task('dnat-from-node', { answer: { observed: { value: 'dnat-destination', from: '@clientNode', to: '{{web.ip}}' } } }),
    task('seen-service-from-node', { answer: { observed: { value: 'seen-source', from: '@clientNode', to: '{{web.ip}}' } } }),
    task('seen-node-port', { answer: { observed: { value: 'seen-source', from: 'workstation', to: '{{client.nodeIp}}' } } }),
    task('seen-node-port-pod', { answer: { observed: { value: 'seen-source', from: 'workstation', to: '@target' } } }),
    task('seen-node-port-node', { answer: { observed: { value: 'seen-source', from: 'workstation', to: 'node:{{client.node}}' } } }),
    task('frame-src', observed('frame-mac', { to: '@target', at: 'node:{{client.node}}', dev: 'flannel.1' })),
    task('frame-dst', observed('frame-dst-mac', { to: '@target', at: 'node:{{client.node}}', dev: 'flannel.1' })),
    task('fragment', observed('fragment-offset', { to: '@target', at: 'node:{{client.node}}', dev: 'flannel.1' })),
    task('arps', observed('arp-requests', { to: '@peer' })),
    task('dns-name', observed('dns-question', { to: '10.96.0.10' })),
    task('http-status', observed('http-status', { to: '{{web.ip}}' })),
    task('path', observed('packet-path', { to: '@target' })),
    task('path-wrong', observed('packet-path', { to: '@target' })),
    task('path-from-node', { answer: { observed: { value: 'packet-path', from: '@targetNode', to: '@target' } } }),
  ],
  { bindings: { ...WEB_BINDINGS, targetNode: { node: { nodeOf: 'target' } }, clientNode: { node: { nodeOf: 'client' } }, peer: { pod: { labels: { app: 'web' }, onNodeOf: 'client' } } } },
);

let session: LabSession;
let run: (line: string) => Promise<RunResult>;
const traces: TraceView[] = [];
beforeAll(async () => {
  ({ session, run } = await openSession({ lab }));
  session.subscribe((e) => void (e.type === 'trace' && traces.push(e.trace)));
});
const seen = (id: string) => session.renderStep(`{{expected.${id}}}`);
const b = () => session.bindings;
/** What `capture` (a tcpdump) on `node` prints while `traffic` runs in a second terminal. */
async function captureOn(node: string, capture: string, traffic: string): Promise<string> {
  await run(`ssh ${node}`);
  let out = '';
  const running = session.run(capture, { write: (t) => void (out += t) }, { write: () => {} });
  const other = session.openTerminal();
  await other.run(traffic, { write: () => {} }, { write: () => {} });
  session.interrupt();
  await running;
  await run('exit');
  return out;
}
/** Runs `lines` on the client's node. */
async function onClientNode(...lines: string[]): Promise<string[]> {
  await run(`ssh ${b().client!.node}`);
  const outs: string[] = [];
  for (const l of lines) outs.push((await run(l)).stdout);
  await run('exit');
  return outs;
}

describe('before any traffic', () => {
  it('nothing has been seen', () => {
    for (const t of lab.tasks) expect(seen(t.id), t.id).toBe('');
  });
});

describe('echo requests and replies', () => {
  it('reads the TTL of a request that has not left the client, the outcome, and no reply TTL, from a ping the node drops', async () => {
    expect((await run(`kubectl exec client -- ping -c 1 -t 1 ${b().target!.ip}`)).stdout).toContain('0 packets received');
    expect(seen('outcome')).toBe('ttl exceeded');
    expect(seen('reply-ttl')).toBe('');
    expect(seen('hops')).toBe('');
  });

  it('reads the IP id and checksum as sent, and as the request crossed the target node', async () => {
    traces.length = 0;
    const ping = await run(`kubectl exec client -- ping -c 1 ${b().target!.ip}`);
    expect(ping.stdout).toContain('ttl=62');
    const request = traces.find((t) => t.hops[0]?.ip?.src === b().client!.ip && t.hops[0]!.ip!.dst === b().target!.ip)!;
    const sent = request.hops[0]!.ip!;
    expect(seen('echo-id')).toBe(String(sent.id));
    expect(seen('echo-checksum')).toBe(`0x${sent.checksum.toString(16).padStart(4, '0')}`);
    const there = request.hops.find((h) => h.host === b().target!.node && h.dev === 'cni0' && h.ip?.dst === b().target!.ip)!.ip!;
    expect(there.ttl).toBe(62);
    expect(seen('echo-ttl')).toBe('62');
    // Two routers each took one off the TTL, and rewrote the checksum each time.
    expect(there.checksum).not.toBe(sent.checksum);
    expect(seen('echo-checksum-there')).toBe(`0x${there.checksum.toString(16).padStart(4, '0')}`);
  });

  it('reads the TTL a capture shows: before the node routes it on the device it came in by, and as it arrived', async () => {
    const out = await captureOn(b().target!.node!, 'tcpdump -v -n -i flannel.1 icmp', `kubectl exec client -- ping -c 1 ${b().target!.ip}`);
    const m = /IP \(tos 0x0, ttl (\d+), .*\n\s+(\S+) > (\S+): ICMP echo request/.exec(out);
    expect(m, out).not.toBeNull();
    expect(m![2]).toBe(b().client!.ip);
    // tcpdump on the target node's flannel.1 sees the request before that node's decrement.
    expect(seen('echo-ttl-in')).toBe(m![1]);
    expect(seen('echo-ttl-in')).toBe('63');
    expect(seen('echo-ttl')).toBe('62');
    // The target pod keeps the packet: it arrives with the TTL it left cni0 with.
    expect(seen('echo-ttl-arrived')).toBe('62');
  });

  it('reads the TTL ping prints for the reply, the outcome, and the routed hops traceroute counts', async () => {
    const ping = await run(`kubectl exec client -- ping -c 1 ${b().target!.ip}`);
    expect(seen('reply-ttl')).toBe(/ttl=(\d+)/.exec(ping.stdout)![1]);
    expect(seen('outcome')).toBe('reply');
    const trace = (await run(`kubectl exec client -- traceroute -n ${b().target!.ip}`)).stdout;
    const lines = trace.trim().split('\n').slice(1);
    // traceroute lists every router and then the target itself.
    expect(seen('hops')).toBe(String(lines.length - 1));
    expect(seen('hops')).toBe('2');
  });

  it('reads no reply for a ClusterIP, and unreachable for an address nobody has', async () => {
    await run(`kubectl exec client -- ping -c 1 -W 1 ${b().web!.ip}`);
    expect(seen('outcome-clusterip')).toBe('no reply');
    expect((await run('ping -c 1 192.168.49.77')).stdout).toContain('Destination Host Unreachable');
    expect(seen('outcome-lan')).toBe('unreachable');
  });
});

describe('NAT', () => {
  it('reads the port SNAT chose, as conntrack shows it', async () => {
    expect((await run('kubectl exec client -- nslookup example.com 192.168.49.1')).status).toBe(0);
    const [entries] = await onClientNode('conntrack -L');
    const m = new RegExp(`udp +17 \\d+ src=${b().client!.ip} dst=192\\.168\\.49\\.1 sport=\\d+ dport=53 src=192\\.168\\.49\\.1 dst=${b().client!.nodeIp} sport=53 dport=(\\d+)`).exec(entries!);
    expect(m, entries).not.toBeNull();
    expect(seen('snat')).toBe(m![1]);
  });

  it('reads the source address the receiver sees: the node\'s after masquerade, the pod\'s own between pods', async () => {
    expect((await run('kubectl exec client -- ping -c 1 192.168.49.1')).status).toBe(0);
    const [entries] = await onClientNode('conntrack -L -p icmp');
    const m = new RegExp(`icmp +1 \\d+ src=${b().client!.ip} dst=192\\.168\\.49\\.1 type=8 code=0 id=\\d+ src=192\\.168\\.49\\.1 dst=(\\S+) `).exec(entries!);
    expect(m, entries).not.toBeNull();
    expect(seen('seen-outside')).toBe(m![1]);
    expect(seen('seen-outside')).toBe(b().client!.nodeIp);
    // Earlier pings crossed from pod to pod: no NAT, so the target saw the client's own address.
    expect(seen('seen-pod')).toBe(b().client!.ip);
    expect(seen('seen-pod-node')).toBe(b().client!.ip);
  });

  it('reads the source the pod behind a ClusterIP sees: the client pod\'s own, as conntrack\'s reply tuple shows it', async () => {
    expect((await run('kubectl exec client -- wget -qO- http://web/')).status).toBe(0);
    const [entries] = await onClientNode(`conntrack -L -d ${b().web!.ip}`);
    const m = new RegExp(`src=${b().client!.ip} dst=${b().web!.ip} sport=\\d+ dport=80 src=(\\S+) dst=(\\S+) sport=80`).exec(entries!);
    expect(m, entries).not.toBeNull();
    // The reply tuple's destination is where the pod answers: the source it saw.
    expect(seen('seen-service')).toBe(m![2]);
    expect(seen('seen-service')).toBe(b().client!.ip);
  });

  it('reads the source a node port\'s pod sees from outside: an address of the node that masqueraded it', async () => {
    const target = b().target!;
    // A node port whose only endpoint is the target pod, on the other node from client's.
    expect((await run(`kubectl label pod ${target.name} only=target`)).status).toBe(0);
    const svc = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: only\nspec:\n  type: NodePort\n  selector:\n    only: target\n  ports:\n  - port: 80\n';
    expect((await run(`printf '${svc}' | kubectl apply -f -`)).stdout).toContain('service/only created');
    const port = (await run("kubectl get svc only -o jsonpath='{.spec.ports[0].nodePort}'")).stdout;
    const page = await run(`curl -s http://${b().client!.nodeIp}:${port}/`);
    expect(page.stdout).toContain('Welcome to nginx');
    const [viaNode, viaPod] = [seen('seen-node-port'), seen('seen-node-port-pod')];
    const [entries, link] = await onClientNode('conntrack -L -s 192.168.49.100', 'ip -4 addr show flannel.1');
    const m = new RegExp(`src=192\\.168\\.49\\.100 dst=${b().client!.nodeIp} sport=\\d+ dport=${port} src=${target.ip} dst=(\\S+) sport=80`).exec(entries!);
    expect(m, entries).not.toBeNull();
    // Sent to client's node, received by the target pod on the other node: the source it saw is
    // the one the entry node's MASQUERADE gave it, flannel.1's address there.
    expect(viaNode).toBe(m![1]);
    expect(viaPod).toBe(m![1]);
    expect(link).toContain(`inet ${m![1]}/32`);
    // The ssh to that node that read conntrack was received by the node itself, unchanged.
    expect(seen('seen-node-port')).toBe('192.168.49.100');
    // Named as a place, the node is only the receiver of what it received itself (the ssh): the
    // node port connection it passed on to the pod does not count for it.
    expect(seen('seen-node-port-node')).toBe('192.168.49.100');
    expect(session.answer('seen-node-port-node', m![1]!).status).toBe('failed');
    expect(session.answer('seen-node-port', m![1]!).status).toBe('passed');
    expect(seen('seen-node-port-pod')).toBe(m![1]);
    // The ClusterIP tasks saw nothing of it: this traffic went to neither.
    expect(seen('seen-service')).toBe(b().client!.ip);
  });

  it('reads the endpoint DNAT chose for a Service, as conntrack shows it', async () => {
    expect((await run('kubectl exec client -- wget -qO- http://web/')).status).toBe(0);
    const [entries] = await onClientNode('conntrack -L');
    const m = new RegExp(`tcp +6 \\d+ \\w+ src=${b().client!.ip} dst=${b().web!.ip} sport=\\d+ dport=80 src=(\\S+) dst=${b().client!.ip}`).exec(entries!);
    expect(m, entries).not.toBeNull();
    expect(seen('dnat')).toBe(m![1]);
    expect(b().web!.endpointIps!.split(',')).toContain(seen('dnat'));
  });

  it('reads a node\'s own connection to a ClusterIP, rewritten in its nat OUTPUT before the first hop', async () => {
    const node = b().clientNode!;
    expect((await run(`ssh ${node.name} curl -s http://${b().web!.ip}/`)).stdout).toContain('Welcome to nginx');
    const endpoint = seen('dnat-from-node');
    expect(b().web!.endpointIps!.split(',')).toContain(endpoint);
    // Marked for masquerade (its source is outside the pod network), then masqueraded to the
    // address of the interface it leaves by: cni0 for a pod on the node, flannel.1 otherwise.
    const local = endpoint.startsWith(node.podCidr!.split('.').slice(0, 3).join('.') + '.');
    expect(seen('seen-service-from-node')).toBe(local ? node.bridgeIp : node.tunnelIp);
  });
});

describe('TCP connection attempts', () => {
  it('reads connected, refused and no answer as wget meets them', async () => {
    expect((await run('kubectl exec client -- wget -q -T 1 -O /dev/null http://web/')).status).toBe(0);
    expect(seen('tcp')).toBe('connected');
    // Nothing listens on port 81: the pod's kernel answers with a reset.
    expect((await run(`kubectl exec client -- wget -q -T 1 -O /dev/null http://${b().target!.ip}:81/`)).stderr).toContain('Connection refused');
    expect(seen('tcp-pod')).toBe('refused');
    // A DROP on the target's node: nothing comes back, and wget times out.
    await run(`ssh ${b().target!.node}`);
    await run(`iptables -I FORWARD -d ${b().target!.ip} -p tcp -j DROP`);
    await run('exit');
    expect((await run(`kubectl exec client -- wget -q -T 1 -O /dev/null http://${b().target!.ip}/`)).stderr).toContain('download timed out');
    expect(seen('tcp-pod')).toBe('no answer');
    await run(`ssh ${b().target!.node}`);
    await run(`iptables -D FORWARD -d ${b().target!.ip} -p tcp -j DROP`);
    await run('exit');
    expect(seen('tcp')).toBe('connected');
  });
});

describe('DNS questions', () => {
  it('reads each name the resolver asked about, as tcpdump on the node prints the queries', async () => {
    const names = (out: string) => [...out.matchAll(/ A\? (\S+)\. /g)].map((m) => m[1]);
    const out = await captureOn(b().client!.node!, 'tcpdump -ni cni0 udp port 53', 'kubectl exec client -- ping -c 1 -W 1 example.com');
    const tried = names(out).filter((_, i, all) => all.indexOf(all[i]!) === i);
    expect(tried).toEqual(['example.com.default.svc.cluster.local', 'example.com.svc.cluster.local', 'example.com.cluster.local', 'example.com']);
    // Each query is a value (the latest is the name itself); a name never asked about is not one.
    expect(seen('dns-name')).toBe('example.com');
    expect(session.answer('dns-name', 'example.org.cluster.local').status).toBe('failed');
    expect(session.answer('dns-name', 'Example.com.svc.cluster.local').status).toBe('passed');
  });
});

describe('HTTP status', () => {
  it('reads the status line of each response that came back, as wget reports it', async () => {
    const ok = await run('kubectl exec client -- wget -qO- http://web/');
    expect(ok.status).toBe(0);
    expect(seen('http-status')).toBe('200');
    const missing = await run('kubectl exec client -- wget -qO- http://web/nope');
    expect(missing.stderr).toContain('404 Not Found');
    expect(seen('http-status')).toBe('404');
    expect(session.answer('http-status', '500').status).toBe('failed');
    expect(session.answer('http-status', '200').status).toBe('passed');
  });
});

describe('frames', () => {
  it('reads the MACs of the frame that left a device, as tcpdump -e shows them', async () => {
    await run(`ssh ${b().client!.node}`);
    let out = '';
    const capture = session.run('tcpdump -e -n -i flannel.1 icmp', { write: (t) => void (out += t) }, { write: () => {} });
    const other = session.openTerminal();
    await other.run(`kubectl exec client -- ping -c 1 ${b().target!.ip}`, { write: () => {} }, { write: () => {} });
    session.interrupt();
    await capture;
    await run('exit');
    const esc = (ip: string) => ip.replace(/\./g, '\\.');
    const m = new RegExp(`^\\S+ ([0-9a-f:]{17}) > ([0-9a-f:]{17}), ethertype IPv4 \\(0x0800\\), length \\d+: ${esc(b().client!.ip!)} > ${esc(b().target!.ip!)}: ICMP echo request`, 'm').exec(out);
    expect(m, out).not.toBeNull();
    expect(seen('frame-src')).toBe(m![1]);
    expect(seen('frame-dst')).toBe(m![2]);
    // The frame goes from this node's VTEP to the target node's.
    expect(seen('frame-dst')).toBe(b().targetNode!.tunnelMac);
  });
});

describe('fragments', () => {
  it('reads the offset field of the last fragment in 8-byte units, where tcpdump -v prints bytes', async () => {
    const out = await captureOn(b().client!.node!, 'tcpdump -v -n -i flannel.1 icmp', `kubectl exec client -- ping -c 1 -s 2000 ${b().target!.ip}`);
    const esc = (ip: string) => ip.replace(/\./g, '\\.');
    const frags = [...out.matchAll(new RegExp(`id (\\d+), offset (\\d+), flags \\[(\\+|none)\\], proto ICMP \\(1\\), length \\d+\\)\\n\\s+${esc(b().client!.ip!)} > ${esc(b().target!.ip!)}:`, 'g'))];
    expect(frags.length, out).toBe(2);
    // One datagram: the same id, MF on the first, the offset of the last a multiple of 8 bytes.
    expect(frags[0]![1]).toBe(frags[1]![1]);
    expect(frags.map((f) => f[3])).toEqual(['+', 'none']);
    expect(Number(frags[1]![2]) % 8).toBe(0);
    expect(seen('fragment')).toBe(String(Number(frags[1]![2]) / 8));
  });
});

describe('ARP', () => {
  it('counts the ARP requests the sender broadcast before its packet left, as a capture on cni0 shows them', async () => {
    const peer = b().peer!;
    const client = b().client!;
    // Whatever client knew of its neighbours, it forgets (from the node: the pod may not).
    const [link] = await onClientNode(`ip link show ${client.veth}`);
    const netns = /link-netns (\S+)/.exec(link!)![1]!;
    await onClientNode(`ip -n ${netns} neigh flush all`);
    const out = await captureOn(client.node!, 'tcpdump -e -n -i cni0 arp', `kubectl exec client -- ping -c 1 ${peer.ip}`);
    const asked = out.split('\n').filter((l) => l.includes(`ethertype ARP (0x0806), length 42: Request who-has ${peer.ip} tell ${client.ip}, length 28`));
    expect(asked, out).toHaveLength(1);
    expect(asked[0]).toContain(`${client.mac} > ff:ff:ff:ff:ff:ff`);
    expect(seen('arps')).toBe('1');
    // The next packet finds the MAC in client's table: nothing to ask.
    await run(`kubectl exec client -- ping -c 1 ${peer.ip}`);
    expect(seen('arps')).toBe('0');
  });
});

describe('paths through the network graph', () => {
  it('reads the vertices a ping crossed, as the forwarding tables predict them', async () => {
    const { client, target } = b();
    const g = networkGraph(session.sim.state);
    const planned = pathOf(g, podVertexId('default', 'client'), target!.ip!);
    expect(planned.outcome).toBe('delivered');
    await run(`kubectl exec client -- ping -c 1 ${target!.ip}`);
    const [c, t] = [client!.node, target!.node];
    expect(seen('path')).toBe(`K8s-Pod(default/client) → ${c}/cni0 → ${c}/router → lan → ${t}/router → ${t}/cni0 → K8s-Pod(default/${target!.name})`);
    // Answered as typed, in any of the accepted spellings.
    expect(session.answer('path', `K8s-Pod(client), ${c}/cni0, ${c}/router, lan, ${t}/router, ${t}/cni0, K8s-Pod(${target!.name})`).status).toBe('passed');
  });

  it('explains a wrong path from the table entry where it leaves the real one', async () => {
    const { client, target } = b();
    const [c, t] = [client!.node, target!.node];
    await run(`kubectl exec client -- ping -c 1 ${target!.ip}`);
    const targetCidr = target!.ip!.replace(/\.\d+$/, '.0/24');
    const skipLan = session.answer('path-wrong', `K8s-Pod(client) ${c}/cni0 ${c}/router ${t}/router ${t}/cni0 K8s-Pod(${target!.name})`);
    expect(skipLan.feedback).toContain(`After ${c}/router the paths part: the message goes to lan, not to ${t}/router, because ${c}/router's entry \`${targetCidr}\` sends it there (flannel.1: VXLAN to ${target!.nodeIp} (${t})), and the outer packet crosses lan.`);
    // (A ping that died at the router, with TTL 1, passed before: the path it took is an accepted answer, so this one ends at the bridge.)
    const stopsShort = session.answer('path-wrong', `K8s-Pod(client) ${c}/cni0 discard`);
    expect(stopsShort.feedback).toContain(`The message is not discarded at ${c}/cni0: it goes on to ${c}/router, because ${c}/cni0's entry \`${b().clientNode!.bridgeMac}\` sends it there (cni0's own MAC: up to ${c}'s stack).`);
    const wrongStart = session.answer('path-wrong', `K8s-Node(${c}) ${c}/router`);
    expect(wrongStart.feedback).toContain('A path starts where the message is sent: K8s-Pod(default/client).');
  });

  it('starts a node\'s own traffic at K8s-Node, through the node\'s router', async () => {
    const { target } = b();
    const t = target!.node!;
    await run(`ssh ${t} ping -c 1 ${target!.ip}`);
    expect(seen('path-from-node')).toBe(`K8s-Node(${t}) → ${t}/router → ${t}/cni0 → K8s-Pod(default/${target!.name})`);
    const skipped = session.answer('path-from-node', `K8s-Node(${t}) ${t}/cni0 K8s-Pod(${target!.name})`);
    expect(skipped.feedback).toContain(`After K8s-Node(${t}) the paths part: the message goes to ${t}/router, not to ${t}/cni0, because K8s-Node(${t})'s table sends everything there (sent through ${t}'s own stack).`);
  });
});

describe('the table of observables', () => {
  it('has each one tested here', () => {
    const tested = new Set(lab.tasks.map((t) => (t.check.value as { observed: { value: string } }).observed.value));
    expect(tested.has('packet-path')).toBe(true);
    expect([...tested].sort()).toEqual(Object.keys(OBSERVABLES).sort());
  });

  it('says what to do to see each one', async () => {
    const { session: s } = await openSession({ lab });
    const c = `pod client (${s.bindings.client!.ip})`;
    const t = `pod ${s.bindings.target!.name} (${s.bindings.target!.ip})`;
    const says = (id: string) => s.answer(id, id === 'dnat' ? '10.0.0.1' : '1').feedback;
    expect(says('echo-id')).toBe(`There is nothing to compare with yet: ping ${t} from ${c} while capturing with tcpdump -v, then read the value.`);
    expect(says('echo-ttl')).toBe(`There is nothing to compare with yet: ping ${t} from ${c} while capturing at node ${s.bindings.target!.node} (${s.bindings.target!.nodeIp}), then read the value.`);
    expect(says('reply-ttl')).toBe(`There is nothing to compare with yet: ping ${t} from ${c}, then read the value.`);
    expect(says('snat')).toBe(`There is nothing to compare with yet: connect from ${c} to something outside its network (curl, wget, nslookup), then read the value.`);
    expect(says('dnat')).toBe(`There is nothing to compare with yet: connect from ${c} to ${s.bindings.web!.ip}, then read the value.`);
    expect(says('outcome-lan')).toBe('There is nothing to compare with yet: ping 192.168.49.77 from the workstation (192.168.49.100), then read the value.');
  });

  it('names a place that is gone by what it was', async () => {
    const { session: s, run: r } = await openSession({ lab });
    await r('kubectl delete pod client');
    expect(s.answer('reply-ttl', '62').feedback).toBe(`There is nothing to compare with yet: ping pod ${s.bindings.target!.name} (${s.bindings.target!.ip}) from pod client (which no longer exists), then read the value.`);
    expect(s.tasks().find((t) => t.id === 'reply-ttl')!.labError).toBeUndefined();
  });
});

describe('seen-source through an ingress controller', () => {
  const ingressLab = defineLab({
    id: 'fixture-seen-through-ingress',
    title: 'Fixture: seen through an ingress',
    summary: 'An echo server behind ingress-nginx.',
    topology: { name: 'kubernetes', ingress: true },
    manifests: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: echo}
spec:
  replicas: 1
  selector: {matchLabels: {app: echo}}
  template:
    metadata: {labels: {app: echo}}
    spec:
      containers: [{name: echoserver, image: "registry.k8s.io/echoserver:1.10"}]
---
apiVersion: v1
kind: Service
metadata: {name: echo}
spec:
  selector: {app: echo}
  ports: [{port: 80, targetPort: 8080}]
`,
    setup: ["kubectl create ingress echo --class=nginx --rule='echo.example.com/*=echo:80'"],
    bindings: { echo: { pod: { labels: { app: 'echo' } } }, controller: { pod: { namespace: 'ingress-nginx', labels: { 'app.kubernetes.io/component': 'controller' } } }, lb: { service: { namespace: 'ingress-nginx', name: 'ingress-nginx-controller' } } },
    tasks: [
      task('backend-sees', { answer: { observed: { value: 'seen-source', from: 'workstation', to: '@echo' } } }),
      task('controller-sees', { answer: { observed: { value: 'seen-source', from: 'workstation', to: '@controller' } } }),
      task('status', { answer: { observed: { value: 'http-status', from: 'workstation', to: '{{lb.lbIp}}' } } }),
    ],
  });

  it('gives the proxy\'s address for the pod the controller connected to, as the echo server reports it', async () => {
    const { session: s, run: r } = await openSession({ lab: ingressLab });
    const out = (await r(`curl -s -H 'Host: echo.example.com' http://${s.bindings.lb!.lbIp}/`)).stdout;
    const client = /client_address=(\S+)/.exec(out)![1]!;
    const xff = /x-forwarded-for=(\S+)/.exec(out)![1]!;
    expect(client).toBe(s.bindings.controller!.ip);
    expect(s.renderStep('{{expected.backend-sees}}')).toBe(client);
    // The controller itself saw the load balancer's address, which it passed on in X-Forwarded-For.
    expect(s.renderStep('{{expected.controller-sees}}')).toBe(xff);
    expect(xff).toBe('192.168.49.250');
    expect(s.renderStep('{{expected.status}}')).toBe('200');
    // Without the Host header no rule matches: the controller answers 404 itself.
    await r(`curl -s http://${s.bindings.lb!.lbIp}/`);
    expect(s.renderStep('{{expected.status}}')).toBe('404');
  });
});
