import { describe, expect, it } from 'vitest';
import type { HeaderView, HopView, SessionEvent, TraceView } from './contract';
import { ip } from '../sim/ipv4';
import { openSession } from '../../tests/support/session';

/** Every trace event the session sends while `fn` runs. */
async function tracesOf(session: { subscribe(l: (e: SessionEvent) => void): () => void }, fn: () => Promise<unknown>): Promise<TraceView[]> {
  const out: TraceView[] = [];
  const stop = session.subscribe((e) => void (e.type === 'trace' && out.push(e.trace)));
  await fn();
  stop();
  return out;
}

const layer = (h: HopView, name: string, role?: 'outer' | 'inner'): HeaderView => {
  const l = h.headers.find((x) => x.name === name && x.role === role);
  if (!l) throw new Error(`no ${role ?? ''} ${name} at ${h.action}: ${h.headers.map((x) => `${x.role ?? ''} ${x.name}`).join(', ')}`);
  return l;
};
const value = (l: HeaderView, name: string): string => l.fields.find((f) => f.name === name)?.value ?? `(no ${name})`;

describe('the trace events the packet path view draws', () => {
  it('a cross-node ping: one trace per echo request, each with its reply, and VXLAN with the outer and inner headers', async () => {
    const { session, run } = await openSession();
    const b = session.bindings;
    const line = `kubectl exec client -- ping -c 3 ${b.target!.ip}`;
    const traces = await tracesOf(session, () => run(line));
    expect(traces).toHaveLength(3);
    for (const [i, t] of traces.entries()) {
      expect(t.command).toEqual({ id: 1, terminal: 1, line });
      expect(t.packets.map((p) => [p.label, p.host, p.cause])).toEqual([
        [`ICMP echo request ${b.client!.ip} > ${b.target!.ip}, seq ${i}`, 'client', undefined],
        [`ICMP echo reply ${b.target!.ip} > ${b.client!.ip}, seq ${i}`, b.target!.name, 0],
      ]);
      // The request's steps first, the reply's after.
      const firstReply = t.hops.findIndex((h) => h.packet === 1);
      expect(t.hops[firstReply]).toMatchObject({ host: b.target!.name, action: 'reply' });
      expect(t.hops.slice(0, firstReply).every((h) => h.packet === 0)).toBe(true);
      expect(t.hops.slice(firstReply).every((h) => h.packet === 1)).toBe(true);
    }
    const encap = traces[2]!.hops.find((h) => h.action === 'vxlan-encap' && h.packet === 0)!;
    expect(encap).toMatchObject({ host: b.client!.node, dev: 'flannel.1', text: `ICMP echo request ${b.client!.ip} > ${b.target!.ip} ttl 63` });
    expect(encap.headers.map((l) => `${l.role} ${l.name}`)).toEqual(['outer IPv4', 'outer UDP', 'outer VXLAN', 'inner Ethernet II', 'inner IPv4', 'inner ICMP', 'inner Data']);
    const nodeIp = (node: string): string => session.topology().machines.find((m) => m.name === node)!.devices.find((d) => d.name === 'eth0')!.addrs[0]!.split('/')[0]!;
    const outer = layer(encap, 'IPv4', 'outer');
    expect([value(outer, 'Source address'), value(outer, 'Destination address'), value(outer, 'Time to live')]).toEqual([nodeIp(b.client!.node!), nodeIp(b.target!.node!), '64']);
    expect(value(layer(encap, 'UDP', 'outer'), 'Destination port')).toBe('8472');
    expect(value(layer(encap, 'VXLAN', 'outer'), 'VXLAN network identifier (VNI)')).toBe('1');
    const inner = layer(encap, 'IPv4', 'inner');
    expect([value(inner, 'Source address'), value(inner, 'Destination address'), value(inner, 'Time to live')]).toEqual([b.client!.ip, b.target!.ip, '63']);
    expect(value(layer(encap, 'ICMP', 'inner'), 'Sequence number')).toBe('2');
    // The bytes are the tunnel packet's: the inner TTL sits where the inner IPv4 header says.
    const ttl = inner.fields.find((f) => f.name === 'Time to live')!;
    expect(encap.bytes![ttl.offset]).toBe(63);
    expect(encap.bytes!.length).toBe(20 + 8 + 8 + 14 + 84);
    // A step that moves a frame shows its Ethernet header: the veth out of client.
    const veth = traces[2]!.hops.find((h) => h.action === 'veth')!;
    expect(veth.headers.map((l) => l.name)).toEqual(['Ethernet II', 'IPv4', 'ICMP', 'Data']);
    expect(value(layer(veth, 'Ethernet II'), 'Type')).toBe('0x0800 (IPv4)');
    expect(veth.bytes!.length).toBe(98);
    // A route step names the route it matched.
    expect(traces[2]!.hops[0]).toMatchObject({ action: 'route', route: expect.stringMatching(/^10\.244\.0\.0\/16 via 10\.244\.\d+\.1 dev eth0$/) });
    // The whole event survives a structured clone (a worker's postMessage) unchanged.
    expect(structuredClone(traces[2])).toEqual(traces[2]);
  });

  it('a curl to a ClusterIP: the DNAT step with the addresses before and after, and the rule that fired', async () => {
    const { session, run } = await openSession();
    const web = session.bindings.web!;
    const pod = (await run('kubectl get pods -l app=web -o name')).stdout.split('\n')[0]!.replace('pod/', '');
    const traces = await tracesOf(session, () => run(`kubectl exec ${pod} -- curl -s -o /dev/null http://${web.ip}/`));
    const syn = traces.find((t) => t.packets[0]!.label.startsWith('TCP SYN '))!;
    expect(syn.packets[0]!.label).toMatch(new RegExp(`^TCP SYN 10\\.244\\.\\d+\\.\\d+:\\d+ > ${web.ip!.replace(/\./g, '\\.')}:80$`));
    expect(syn.packets[1]!.label).toMatch(/^TCP SYN-ACK /);
    const dnat = syn.hops.find((h) => h.action === 'dnat')!;
    expect(dnat.nat!.before).toMatchObject({ dst: web.ip, dport: 80 });
    expect(web.endpointIps!.split(',')).toContain(dnat.nat!.after.dst);
    expect(dnat.nat!.after).toMatchObject({ src: dnat.nat!.before.src, sport: dnat.nat!.before.sport, dport: 80 });
    expect(dnat.rules!.some((r) => /-j DNAT --to-destination /.test(r))).toBe(true);
    expect(value(layer(dnat, 'IPv4'), 'Destination address')).toBe(dnat.nat!.after.dst);
    expect(value(layer(dnat, 'TCP'), 'Flags')).toBe('0x02 (SYN)');
    // The reply gets the Service's address back as its source.
    const undnat = syn.hops.find((h) => h.action === 'un-dnat')!;
    expect(undnat.nat).toEqual({ before: { src: dnat.nat!.after.dst, dst: dnat.nat!.before.src, sport: 80, dport: dnat.nat!.before.sport }, after: { src: web.ip, dst: dnat.nat!.before.src, sport: 80, dport: dnat.nat!.before.sport } });
    expect(undnat.packet).toBe(1);
    // The request's data segment carries the HTTP request line.
    const data = traces.find((t) => t.packets[0]!.label.startsWith('TCP PSH-ACK'))!;
    expect(layer(data.hops[0]!, 'Data').summary).toBe('GET / HTTP/1.1');
  });

  it('a drop and its reason: a filter rule that drops pings on the way', async () => {
    const { session, run } = await openSession();
    const b = session.bindings;
    await run(`ssh ${b.client!.node} iptables -I FORWARD -p icmp -j DROP`);
    const traces = await tracesOf(session, () => run(`kubectl exec client -- ping -c 1 -W 1 ${b.target!.ip}`));
    expect(traces).toHaveLength(1);
    const t = traces[0]!;
    expect(t.packets).toHaveLength(1);
    const last = t.hops.at(-1)!;
    expect(last).toMatchObject({ host: b.client!.node, action: 'filter', detail: 'filter FORWARD: DROP', rules: ['-A FORWARD -p icmp -j DROP'], packet: 0 });
    expect(last.headers.map((l) => l.name)).toEqual(['IPv4', 'ICMP', 'Data']);
  });

  it('names the terminal a command ran in; a packet the sandbox sends for no command names none', async () => {
    const { session, run } = await openSession();
    const b = session.bindings;
    const second = session.openTerminal();
    const out = { write: () => {} };
    const inSecond = await tracesOf(session, () => second.run(`kubectl exec client -- ping -c 1 ${b.target!.ip}`, out, out));
    expect(inSecond[0]!.command).toEqual({ id: 1, terminal: 2, line: `kubectl exec client -- ping -c 1 ${b.target!.ip}` });
    const inFirst = await tracesOf(session, () => run(`kubectl exec client -- ping -c 1 ${b.target!.ip}`));
    expect(inFirst[0]!.command).toMatchObject({ id: 2, terminal: 1 });
    const ns = 'pod/default/client';
    const bySandbox = await tracesOf(session, async () => session.sim.ping(ns, ip(b.target!.ip!), { id: 1, seq: 1 }));
    expect(bySandbox).toHaveLength(1);
    expect(bySandbox[0]!.command).toBeUndefined();
  });
});
