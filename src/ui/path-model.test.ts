import { describe, expect, it } from 'vitest';
import type { HopView, TraceView } from '../labs/contract';
import { MAX_COMMANDS, MAX_TRACES, PathLog, actionBadge, defaultChoice, hexDump, hopSummary, hostVisits, packetChoices, packetHops } from './path-model';
import { openSession } from '../../tests/support/session';

const hop = (ns: string, action: string, more: Partial<HopView> = {}): HopView => ({ ns, host: ns.split('/').at(-1)!, action, detail: `${action} at ${ns}`, packet: 0, headers: [], ...more });
const trace = (id: number, labels: string[], hops: HopView[] = [], line = `cmd ${id}`): TraceView => ({
  time: 0,
  summary: labels[0] ?? '',
  hops,
  frames: [],
  packets: labels.map((label) => ({ label, host: 'h', ns: 'h' })),
  command: { id, terminal: 1, line },
});

describe('the log of packets by command', () => {
  it('groups traces by the command that sent them and follows the one that sent last', () => {
    const log = new PathLog();
    let heard = 0;
    log.subscribe(() => heard++);
    log.add(trace(1, ['echo request seq 1', 'echo reply seq 1']));
    log.add(trace(1, ['echo request seq 2', 'echo reply seq 2']));
    log.add(trace(2, ['SYN', 'SYN-ACK']));
    log.add({ ...trace(3, ['a probe']), command: undefined } as unknown as TraceView);
    expect(heard).toBe(3);
    expect(log.commands().map((c) => [c.command.id, c.traces.length])).toEqual([
      [1, 2],
      [2, 1],
    ]);
    expect(log.latest()!.command.id).toBe(2);
    // Two terminals at once: the ping still running sends again and is the latest.
    log.add(trace(1, ['echo request seq 3', 'echo reply seq 3']));
    expect(log.latest()!.command.id).toBe(1);
    const ping = log.command(1)!;
    expect(packetChoices(ping).map((c) => [c.trace, c.packet, c.label])).toEqual([
      [0, 0, 'echo request seq 1'],
      [0, 1, 'echo reply seq 1'],
      [1, 0, 'echo request seq 2'],
      [1, 1, 'echo reply seq 2'],
      [2, 0, 'echo request seq 3'],
      [2, 1, 'echo reply seq 3'],
    ]);
    expect(defaultChoice(ping)).toEqual({ trace: 2, packet: 0, label: 'echo request seq 3' });
    log.clear();
    expect(log.commands()).toEqual([]);
    expect(log.latest()).toBeUndefined();
  });

  it('keeps the last commands and the last traces of each, counting what it let go', () => {
    const log = new PathLog();
    for (let i = 1; i <= MAX_COMMANDS + 2; i++) log.add(trace(i, ['p']));
    expect(log.commands().map((c) => c.command.id)).toEqual(Array.from({ length: MAX_COMMANDS }, (_, i) => i + 3));
    for (let i = 0; i < MAX_TRACES + 5; i++) log.add(trace(99, [`seq ${i}`]));
    const e = log.command(99)!;
    expect(e.traces).toHaveLength(MAX_TRACES);
    expect(e.dropped).toBe(5);
    expect(e.traces[0]!.packets[0]!.label).toBe('seq 5');
  });
});

describe('a packet\'s hops', () => {
  it('groups consecutive hops on one host and names the link between them', () => {
    const hops = [hop('pod/default/client', 'route'), hop('pod/default/client', 'arp-request'), hop('node/node-2', 'arp-reply'), hop('pod/default/client', 'veth', { dev: 'eth0' }), hop('node/node-2', 'forward'), hop('node/node-2', 'switch'), hop('workstation', 'deliver')];
    expect(hostVisits(hops).map((v) => [v.host, v.kind, v.hops, v.link])).toEqual([
      ['client', 'pod', [0, 1], 'ARP broadcast'],
      ['node-2', 'node', [2], 'ARP reply'],
      ['client', 'pod', [3], 'veth pair (eth0)'],
      ['node-2', 'node', [4, 5], 'LAN switch'],
      ['workstation', '', [6], ''],
    ]);
  });

  it('says what a hop did: the route, the NAT change, or the engine\'s words', () => {
    expect(hopSummary(hop('n', 'route', { route: '10.244.1.0/24 via 10.244.1.0 dev flannel.1' }))).toBe('10.244.1.0/24 via 10.244.1.0 dev flannel.1');
    expect(hopSummary(hop('n', 'dnat', { nat: { before: { src: '10.244.2.3', dst: '10.96.0.10', sport: 5000, dport: 53 }, after: { src: '10.244.2.3', dst: '10.244.0.3', sport: 5000, dport: 53 } } }))).toBe('destination 10.96.0.10:53 → 10.244.0.3:53');
    expect(hopSummary(hop('n', 'snat', { nat: { before: { src: '10.244.2.3', dst: '1.1.1.1' }, after: { src: '192.168.49.4', dst: '1.1.1.1' } } }))).toBe('source 10.244.2.3 → 192.168.49.4');
    expect(hopSummary(hop('n', 'drop', { detail: 'TTL expired in transit' }))).toBe('TTL expired in transit');
    expect(actionBadge('vxlan-encap')).toEqual({ label: 'VXLAN encap', kind: 'tunnel' });
    expect(actionBadge('filter')).toEqual({ label: 'Filter', kind: 'drop' });
    expect(actionBadge('something-new')).toEqual({ label: 'something-new', kind: 'other' });
  });

  it('prints bytes as a hex dump with offsets and the printable characters', () => {
    const bytes = Uint8Array.from([...'GET / HTTP/1.1\r\n'].map((c) => c.charCodeAt(0)).concat([0, 1, 0xff]));
    expect(hexDump(bytes)).toBe(['0000  47 45 54 20 2f 20 48 54  54 50 2f 31 2e 31 0d 0a  GET / HTTP/1.1..', '0010  00 01 ff                                          ...'].join('\n'));
  });

  it('on a real ping: the default packet is the last echo request, its hops its own with the ARP it waited for', async () => {
    const { session, run } = await openSession();
    const log = new PathLog();
    session.subscribe((e) => e.type === 'trace' && log.add(e.trace));
    await run(`kubectl exec client -- ping -c 2 ${session.bindings.target!.ip}`);
    const e = log.latest()!;
    expect(e.traces).toHaveLength(2);
    const first = packetHops(e.traces[0]!, 0).map((x) => x.hop.action);
    expect(first.slice(0, 6)).toEqual(['route', 'arp-request', 'bridge-flood', 'arp-reply', 'bridge-forward', 'veth']);
    // It ends where the target's kernel answers it; the answer's own way starts there.
    expect(first.at(-1)).toBe('reply');
    expect(first.filter((a) => a === 'reply')).toHaveLength(1);
    const answer = packetHops(e.traces[0]!, 1).map((x) => x.hop);
    expect(answer[0]).toMatchObject({ action: 'reply', host: session.bindings.target!.name });
    expect(answer.at(-1)).toMatchObject({ action: 'deliver', host: 'client' });
    const choice = defaultChoice(e)!;
    expect(choice.label).toBe(`ICMP echo request ${session.bindings.client!.ip} > ${session.bindings.target!.ip}, seq 1`);
    const hops = packetHops(e.traces[choice.trace]!, choice.packet).map((x) => x.hop);
    expect(hostVisits(hops).map((v) => v.host)).toEqual(['client', session.bindings.client!.node, session.bindings.target!.node, session.bindings.target!.name]);
    expect(hostVisits(hops).map((v) => v.link)).toEqual(['veth pair (eth0)', 'LAN switch, VXLAN inside', `veth pair (${hops.find((h) => h.action === 'veth' && h.host === session.bindings.target!.node)!.dev})`, '']);
  });
});
