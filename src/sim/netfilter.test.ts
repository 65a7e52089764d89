import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
// Packets reach the apps listening in the pods (the registry apps.ts fills).
import './apps';
import { buildCluster } from './cluster';
import { inject } from './forward';
import { ip as parseIp } from './ipv4';
import { emptyNetfilter, evaluate, formatRule, host, type Netfilter, type PacketView, type Rule } from './netfilter';
import { ipv4, udp } from './packet';
import { rngOver, seedState } from './rng';
import { podNetns } from './cni';

const env = (seed = 1) => ({ rng: rngOver(seedState(seed)), isLocal: (a: number) => a === parseIp('192.168.49.2') });
const pkt = (over: Partial<PacketView> = {}): PacketView => ({ src: parseIp('10.244.1.5'), dst: parseIp('10.96.0.10'), proto: 17, sport: 40000, dport: 53, mark: 0, ctstate: 'NEW', ...over });

describe('rule evaluation', () => {
  it('follows jumps, returns to the caller and applies the built-in policy at the end', () => {
    const nf = emptyNetfilter();
    nf.filter.chains.FORWARD!.policy = 'DROP';
    nf.filter.chains.A = { rules: [{ matches: [], target: { t: 'RETURN' } }, { matches: [], target: { t: 'ACCEPT' } }] };
    nf.filter.chains.FORWARD!.rules.push({ matches: [], target: { t: 'jump', chain: 'A' } });
    expect(evaluate(nf, 'filter', 'FORWARD', pkt(), env()).verdict).toBe('DROP');
    nf.filter.chains.FORWARD!.rules.push({ dst: host(parseIp('10.96.0.10')), matches: [], target: { t: 'ACCEPT' } });
    expect(evaluate(nf, 'filter', 'FORWARD', pkt(), env()).verdict).toBe('ACCEPT');
  });

  it('sets marks with --set-xmark semantics and matches them', () => {
    const nf = emptyNetfilter();
    nf.nat.chains.PREROUTING!.rules.push(
      { matches: [], target: { t: 'MARK', value: 0x4000, mask: 0x4000 } },
      { matches: [{ m: 'mark', mark: 0x4000, mask: 0x4000, neg: true }], target: { t: 'RETURN' } },
      { matches: [], target: { t: 'MARK', value: 0x4000, mask: 0 } },
    );
    const v = evaluate(nf, 'nat', 'PREROUTING', pkt({ mark: 0x1 }), env());
    expect(v.mark).toBe(0x1); // set 0x4000, then XOR clears it again
  });

  it('honours negated addresses, protocols, ports and addrtype', () => {
    const nf = emptyNetfilter();
    nf.nat.chains.PREROUTING!.rules.push(
      { src: { cidr: { addr: parseIp('10.244.0.0'), len: 16 }, neg: true }, matches: [], target: { t: 'DROP' } },
      { proto: 'tcp', matches: [{ m: 'tcp', dport: 53 }], target: { t: 'DROP' } },
      { matches: [{ m: 'addrtype', dstType: 'LOCAL' }], target: { t: 'DNAT', to: { ip: 1 } } },
    );
    expect(evaluate(nf, 'nat', 'PREROUTING', pkt(), env()).verdict).toBe('ACCEPT');
    expect(evaluate(nf, 'nat', 'PREROUTING', pkt({ src: parseIp('192.168.49.9') }), env()).verdict).toBe('DROP');
    expect(evaluate(nf, 'nat', 'PREROUTING', pkt({ proto: 6 }), env()).verdict).toBe('DROP');
    expect(evaluate(nf, 'nat', 'PREROUTING', pkt({ dst: parseIp('192.168.49.2') }), env()).dnat).toEqual({ ip: 1 });
  });

  it('matches -m multiport --dports and prints it as iptables-save does', () => {
    const nf = emptyNetfilter();
    const rule: Rule = { proto: 'tcp', matches: [{ m: 'multiport', dports: [80, 443] }], target: { t: 'DNAT', to: { ip: 7 } } };
    nf.nat.chains.PREROUTING!.rules.push(rule);
    expect(evaluate(nf, 'nat', 'PREROUTING', pkt({ proto: 6, dport: 443 }), env()).dnat).toEqual({ ip: 7 });
    expect(evaluate(nf, 'nat', 'PREROUTING', pkt({ proto: 6, dport: 8080 }), env()).dnat).toBeUndefined();
    expect(formatRule('CNI-HOSTPORT-DNAT', rule)).toBe('-A CNI-HOSTPORT-DNAT -p tcp -m multiport --dports 80,443 -j DNAT --to-destination 0.0.0.7');
  });

  it('spreads new connections over endpoints with the statistic probabilities', () => {
    const nf = emptyNetfilter();
    const targets = [1, 2, 3];
    nf.nat.chains.PREROUTING!.rules = targets.map((t, i) => ({
      matches: i < 2 ? [{ m: 'statistic', mode: 'random', probability: (1 / (3 - i)).toFixed(10) } as const] : [],
      target: { t: 'DNAT', to: { ip: t } },
    }));
    const e = env(7);
    const counts = new Map<number, number>();
    for (let i = 0; i < 3000; i++) {
      const d = evaluate(nf, 'nat', 'PREROUTING', pkt(), e).dnat!.ip;
      counts.set(d, (counts.get(d) ?? 0) + 1);
    }
    for (const t of targets) expect(Math.abs(counts.get(t)! - 1000)).toBeLessThan(120);
  });

  it('finds the same rule through the index as a plain top-to-bottom scan', () => {
    const arbRule = fc.record({
      d: fc.integer({ min: 0, max: 7 }),
      port: fc.constantFrom(53, 80, 443),
      proto: fc.constantFrom('tcp' as const, 'udp' as const),
      generic: fc.boolean(),
      s: fc.integer({ min: 0, max: 3 }),
    });
    fc.assert(
      fc.property(fc.array(arbRule, { minLength: 40, maxLength: 120 }), fc.integer({ min: 0, max: 7 }), fc.constantFrom(53, 80, 443), fc.constantFrom(6, 17), fc.integer({ min: 0, max: 3 }), (specs, d, port, proto, s) => {
        const rules: Rule[] = specs.map((r, i) =>
          r.generic
            ? { src: host(0x0a000000 + r.s), matches: [], target: { t: 'DNAT', to: { ip: 1000 + i } } }
            : { dst: host(0x0a600000 + r.d), proto: r.proto, matches: [{ m: r.proto, dport: r.port }], target: { t: 'DNAT', to: { ip: 1000 + i } } },
        );
        const nf: Netfilter = emptyNetfilter();
        nf.nat.chains.PREROUTING!.rules = rules;
        const p = pkt({ src: 0x0a000000 + s, dst: 0x0a600000 + d, dport: port, proto });
        const expected = specs.findIndex((r) => (r.generic ? r.s === s : r.d === d && r.port === port && (r.proto === 'tcp' ? 6 : 17) === proto));
        const got = evaluate(nf, 'nat', 'PREROUTING', p, env()).dnat?.ip;
        expect(got).toBe(expected < 0 ? undefined : 1000 + expected);
      }),
      { numRuns: 200 },
    );
  });

  it('prints rules in iptables-save token order with quoting', () => {
    expect(formatRule('X', { src: host(1, true), dst: host(2), in: 'eth0', proto: 'udp', matches: [{ m: 'comment', text: 'a b' }, { m: 'udp', dport: 53 }], target: { t: 'DNAT', to: { ip: parseIp('10.244.0.2'), port: 53 } } })).toBe(
      '-A X ! -s 0.0.0.1/32 -d 0.0.0.2/32 -i eth0 -p udp -m comment --comment "a b" -m udp --dport 53 -j DNAT --to-destination 10.244.0.2:53',
    );
    expect(formatRule('Y', { matches: [{ m: 'comment', text: 'plain-word_1' }], target: { t: 'ACCEPT' } })).toBe('-A Y -m comment --comment plain-word_1 -j ACCEPT');
  });
});

describe('Service traffic through conntrack', () => {
  const T0 = Date.UTC(2025, 2, 14, 9, 0, 0);
  const state = buildCluster({ workloads: { pods: [{ name: 'client', image: 'busybox:1.36' }] } }, 5, T0);
  const client = state.k8s.pods['default/client']!;
  const cns = podNetns(state, client)!.id;
  const cip = parseIp(client.status.podIP!);
  const dns = parseIp('10.96.0.10');
  const query = (sport: number) => ipv4({ src: cip, dst: dns, id: 9, payload: udp(cip, dns, sport, 53, new Uint8Array([0xab, 0xcd])) });
  const endpoints = Object.values(state.k8s.pods).filter((p) => p.metadata.labels?.['k8s-app'] === 'kube-dns').map((p) => p.status.podIP!);

  it('DNATs a UDP packet to the ClusterIP to one ready endpoint, and keeps it there for the connection', () => {
    const first = inject(state, cns, query(41000), T0 + 1000);
    const delivered = first.deliveries.find((d) => d.packet.payload.kind === 'udp')!;
    expect(endpoints).toContain(`${(delivered.packet.dst >>> 24) & 255}.${(delivered.packet.dst >>> 16) & 255}.${(delivered.packet.dst >>> 8) & 255}.${delivered.packet.dst & 255}`);
    expect(delivered.packet.src).toBe(cip); // pod-to-Service keeps the client's address
    expect(first.hops.some((h) => h.action === 'dnat' && h.rules?.some((r) => r.includes('-j DNAT --to-destination')))).toBe(true);
    for (let i = 0; i < 5; i++) {
      const again = inject(state, cns, query(41000), T0 + 2000 + i);
      expect(again.deliveries.find((d) => d.packet.payload.kind === 'udp')!.packet.dst).toBe(delivered.packet.dst);
    }
    // The endpoint's answer comes back to the client from the ClusterIP it asked.
    const ep = delivered.packet.dst;
    const epPod = Object.values(state.k8s.pods).find((p) => p.status.podIP && parseIp(p.status.podIP) === ep)!;
    const reply = ipv4({ src: ep, dst: cip, id: 3, payload: udp(ep, cip, 53, 41000, new Uint8Array([1])) });
    const back = inject(state, podNetns(state, epPod)!.id, reply, T0 + 3000);
    const got = back.deliveries.find((d) => d.ns === cns)!;
    expect(got.packet.src).toBe(dns);
    expect((got.packet.payload as { srcPort: number }).srcPort).toBe(53);
    expect(back.hops.some((h) => h.action === 'un-dnat')).toBe(true);
  });

  it('spreads new connections over both CoreDNS pods', () => {
    const seen = new Set<number>();
    for (let sport = 42000; sport < 42040; sport++) {
      const t = inject(state, cns, query(sport), T0 + 5000);
      seen.add(t.deliveries.find((d) => d.packet.payload.kind === 'udp')!.packet.dst);
    }
    expect(seen.size).toBe(2);
  });
});

describe('rules written on a node', () => {
  const T0 = Date.UTC(2025, 2, 14, 9, 0, 0);
  it('a LOG rule shows in the trace, a raw PREROUTING DROP ends the packet before conntrack, and counters count', () => {
    const state = buildCluster({ workloads: { pods: [{ name: 'client', image: 'busybox:1.36' }] } }, 5, T0);
    const client = state.k8s.pods['default/client']!;
    const cns = podNetns(state, client)!.id;
    const cip = parseIp(client.status.podIP!);
    const node = state.netns[`node/${client.spec.nodeName}`]!;
    const dns = parseIp('10.96.0.10');
    const query = (sport: number) => ipv4({ src: cip, dst: dns, id: 9, payload: udp(cip, dns, sport, 53, new Uint8Array([0xab, 0xcd])) });
    node.nf!.filter.chains.FORWARD!.rules.unshift({ proto: 'udp', matches: [{ m: 'udp', dport: 53 }], target: { t: 'LOG', prefix: 'dns: ' } });
    const t = inject(state, cns, query(41001), T0 + 1000);
    expect(t.hops.some((h) => h.rules?.includes('-A FORWARD -p udp -m udp --dport 53 -j LOG --log-prefix "dns: "'))).toBe(true);
    expect(node.nf!.filter.chains.FORWARD!.rules[0]).toMatchObject({ pkts: 1, bytes: 30 });
    node.nf!.raw = { chains: { PREROUTING: { policy: 'ACCEPT', rules: [{ src: host(cip), matches: [], target: { t: 'DROP' } }] }, OUTPUT: { policy: 'ACCEPT', rules: [] } } };
    const before = node.conntrack!.length;
    const dropped = inject(state, cns, query(41002), T0 + 2000);
    expect(dropped.deliveries.some((d) => d.packet.payload.kind === 'udp')).toBe(false);
    expect(dropped.hops.some((h) => h.action === 'filter' && h.detail === 'raw PREROUTING: DROP')).toBe(true);
    expect(node.conntrack!.length).toBe(before);
  });
});

describe('REDIRECT and TCP flags', () => {
  const T0 = Date.UTC(2025, 2, 14, 9, 0, 0);
  it('REDIRECT sends a packet to the incoming interface address of the host, at the given port', () => {
    const state = buildCluster({ workloads: { pods: [{ name: 'client', image: 'busybox:1.36' }] } }, 5, T0);
    const client = state.k8s.pods['default/client']!;
    const cns = podNetns(state, client)!.id;
    const cip = parseIp(client.status.podIP!);
    const node = state.netns[`node/${client.spec.nodeName}`]!;
    const far = parseIp('203.0.113.7');
    node.nf!.nat.chains.PREROUTING!.rules.unshift({ proto: 'udp', matches: [{ m: 'udp', dport: 53 }], target: { t: 'REDIRECT', ports: [5353, 5353] } });
    const t = inject(state, cns, ipv4({ src: cip, dst: far, id: 1, payload: udp(cip, far, 40000, 53, new Uint8Array([1])) }), T0 + 1000);
    const d = t.deliveries.find((x) => x.ns === node.id && x.packet.payload.kind === 'udp')!;
    const cni0 = node.devices.find((x) => x.name === 'cni0')!.addrs[0]!.ip;
    expect(d.packet.dst).toBe(cni0);
    expect((d.packet.payload as { dstPort: number }).dstPort).toBe(5353);
  });

  it('--syn matches a SYN and not an ACK', () => {
    const nf = emptyNetfilter();
    nf.filter.chains.INPUT!.rules.push({ proto: 'tcp', matches: [{ m: 'tcp', flags: { mask: 0x17, comp: 0x02 } }], target: { t: 'DROP' } });
    expect(evaluate(nf, 'filter', 'INPUT', pkt({ proto: 6, tcpFlags: 0x02 }), env()).verdict).toBe('DROP');
    expect(evaluate(nf, 'filter', 'INPUT', pkt({ proto: 6, tcpFlags: 0x10 }), env()).verdict).toBe('ACCEPT');
    expect(formatRule('INPUT', nf.filter.chains.INPUT!.rules[0]!)).toBe('-A INPUT -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j DROP');
  });
});
