import { describe, expect, it } from 'vitest';
import { formatTable, layered, emptyNetfilter, evaluate, type Netfilter, type PacketView } from '../netfilter';
import { ip } from '../ipv4';
import { rngOver, seedState } from '../rng';
import { applyIptables, danglingJumps, IptablesError, parseIptables, viewOf, type NetfilterPlace, type ParsedCommand } from './iptables';

const DATE = 'Fri Mar 14 09:30:00 2025';

function run(place: NetfilterPlace, line: string): { status: number; text?: string } {
  try {
    const cmd = parseIptables(splitWords(line).slice(1));
    if ('help' in cmd || 'version' in cmd) return { status: 0 };
    applyIptables(place, cmd);
    return { status: 0 };
  } catch (e) {
    if (e instanceof IptablesError) return { status: e.status, text: e.text };
    throw e;
  }
}

function rules(nf: Netfilter, table: 'filter' | 'nat' | 'mangle' | 'raw' = 'filter'): string[] {
  return formatTable(nf, table, DATE)
    .split('\n')
    .filter((l) => l.startsWith('-A'));
}

const pkt = (over: Partial<PacketView> = {}): PacketView => ({ src: ip('10.0.0.5'), dst: ip('192.168.49.3'), proto: 6, sport: 40000, dport: 80, mark: 0, ctstate: 'NEW', ...over });
const env = { rng: rngOver(seedState(1)), isLocal: (a: number) => a === ip('192.168.49.3') };

describe('iptables command line (iptables v1.8.10 xshared.c)', () => {
  it('canonicalises rules as the kernel stores them', () => {
    const place = { own: emptyNetfilter() };
    expect(run(place, 'iptables -A INPUT -s 10.0.0.5 -p tcp --dport 80 -j DROP').status).toBe(0);
    expect(run(place, 'iptables -A INPUT -s 10.1.2.3/255.255.0.0 -m comment --comment c2 -p tcp --dport http -j ACCEPT').status).toBe(0);
    expect(run(place, 'iptables -I INPUT -s 10.0.0.1,10.0.0.2 -j DROP').status).toBe(0);
    expect(rules(place.own)).toEqual([
      '-A INPUT -s 10.0.0.2/32 -j DROP',
      '-A INPUT -s 10.0.0.1/32 -j DROP',
      '-A INPUT -s 10.0.0.5/32 -p tcp -m tcp --dport 80 -j DROP',
      '-A INPUT -s 10.1.0.0/16 -p tcp -m comment --comment c2 -m tcp --dport 80 -j ACCEPT',
    ]);
  });

  it('gives the real errors, texts and statuses', () => {
    const place = { own: emptyNetfilter() };
    expect(run(place, 'iptables -D INPUT -s 1.2.3.4 -j DROP')).toEqual({ status: 1, text: 'iptables: Bad rule (does a matching rule exist in that chain?).' });
    expect(run(place, 'iptables -D INPUT 2')).toEqual({ status: 1, text: 'iptables: Index of deletion too big.' });
    expect(run(place, 'iptables -I INPUT 3 -j ACCEPT')).toEqual({ status: 1, text: 'iptables: Index of insertion too big.' });
    expect(run(place, 'iptables -A INPUT -j FOO').text).toBe("iptables v1.8.10 (nf_tables): Chain 'FOO' does not exist\nTry `iptables -h' or 'iptables --help' for more information.");
    expect(run(place, 'iptables -N FOO').status).toBe(0);
    expect(run(place, 'iptables -N FOO')).toEqual({ status: 1, text: 'iptables: Chain already exists.' });
    expect(run(place, 'iptables -A INPUT -j FOO').status).toBe(0);
    expect(run(place, 'iptables -X FOO')).toEqual({ status: 4, text: 'iptables v1.8.10 (nf_tables):  CHAIN_DEL failed (Device or resource busy): chain FOO' });
    expect(run(place, 'iptables -P INPUT RETURN')).toEqual({ status: 1, text: "iptables: Bad policy name. Run `dmesg' for more information." });
    expect(run(place, 'iptables -P FOO DROP')).toEqual({ status: 1, text: 'iptables: Bad built-in chain name.' });
    expect(run(place, 'iptables -t nat -A POSTROUTING -j DROP').text).toBe(
      'iptables v1.8.10 (nf_tables): \nThe "nat" table is not intended for filtering, the use of DROP is therefore inhibited.\n\n\nTry `iptables -h\' or \'iptables --help\' for more information.',
    );
    expect(run(place, 'iptables -A INPUT -j MASQUERADE')).toEqual({ status: 4, text: 'iptables v1.8.10 (nf_tables):  RULE_APPEND failed (Invalid argument): rule in chain INPUT' });
    expect(run(place, 'iptables -A OUTPUT -i eth0 -j DROP').text).toBe("iptables v1.8.10 (nf_tables): Can't use -i with OUTPUT\n\nTry `iptables -h' or 'iptables --help' for more information.");
    expect(run(place, 'iptables -A INPUT -p tcp --dport 99999 -j DROP').text).toContain("invalid port/service `99999' specified");
    expect(run(place, 'iptables -A INPUT -m foo -j DROP').text).toContain("Couldn't load match `foo':No such file or directory\n\nTry");
    expect(run(place, 'iptables -S -n').text).toContain("Illegal option `-n' with this command");
    expect(run(place, 'iptables -A INPUT 1').text).toBe("Bad argument `1'\nTry `iptables -h' or 'iptables --help' for more information.");
  });

  it('refuses a DNAT reached from a hook the kernel refuses it in, through a user chain too, and changes nothing', () => {
    const place = { own: emptyNetfilter() };
    expect(run(place, 'iptables -t nat -N X').status).toBe(0);
    expect(run(place, 'iptables -t nat -A X -j DNAT --to-destination 1.2.3.4').status).toBe(0);
    expect(run(place, 'iptables -t nat -A PREROUTING -j X').status).toBe(0);
    expect(run(place, 'iptables -t nat -A POSTROUTING -j X')).toEqual({ status: 4, text: 'iptables v1.8.10 (nf_tables):  RULE_APPEND failed (Invalid argument): rule in chain POSTROUTING' });
    expect(rules(place.own, 'nat')).toEqual(['-A PREROUTING -j X', '-A X -j DNAT --to-destination 1.2.3.4']);
  });

  it('deletes, replaces, flushes, renames (moving references) and deletes chains', () => {
    const place = { own: emptyNetfilter() };
    for (const l of ['iptables -N A', 'iptables -A A -j ACCEPT', 'iptables -A FORWARD -j A', 'iptables -A FORWARD -g A', 'iptables -E A B', 'iptables -R FORWARD 1 -d 9.9.9.9 -j B']) expect(run(place, l).status, l).toBe(0);
    expect(rules(place.own)).toEqual(['-A FORWARD -d 9.9.9.9/32 -j B', '-A FORWARD -g B', '-A B -j ACCEPT']);
    expect(run(place, 'iptables -X B').status).toBe(4);
    expect(run(place, 'iptables -F').status).toBe(0);
    expect(run(place, 'iptables -X').status).toBe(0);
    expect(formatTable(place.own, 'filter', DATE)).not.toContain(':B');
  });

  it('writes mangle and raw, whose tables exist from then on', () => {
    const place = { own: emptyNetfilter() };
    expect(place.own.mangle).toBeUndefined();
    expect(run(place, 'iptables -t mangle -A PREROUTING -p tcp --dport 30080 -j MARK --set-mark 0x1').status).toBe(0);
    expect(rules(place.own, 'mangle')).toEqual(['-A PREROUTING -p tcp -m tcp --dport 30080 -j MARK --set-xmark 0x1/0xffffffff']);
  });
});

describe('evaluation of written rules', () => {
  it('counts matched packets and the policy, and goto returns past the chain that jumped', () => {
    const place = { own: emptyNetfilter() };
    for (const l of ['iptables -N G', 'iptables -N J', 'iptables -A G -j RETURN', 'iptables -A J -g G', 'iptables -A J -j ACCEPT', 'iptables -A INPUT -j J', 'iptables -A INPUT -p tcp --dport 80 -j DROP']) run(place, l);
    const v = evaluate(place.own, 'filter', 'INPUT', pkt(), { ...env, bytes: 60 });
    // RETURN in G goes back to INPUT (J was left by the goto), where the DROP rule decides.
    expect(v.verdict).toBe('DROP');
    const input = place.own.filter.chains.INPUT!;
    expect(input.rules.map((r) => [r.pkts, r.bytes])).toEqual([
      [1, 60],
      [1, 60],
    ]);
    evaluate(place.own, 'filter', 'INPUT', pkt({ dport: 443 }), { ...env, bytes: 52 });
    expect([input.pkts, input.bytes]).toEqual([1, 52]);
    expect(run(place, 'iptables -Z INPUT').status).toBe(0);
    expect(input.rules.every((r) => r.pkts === undefined)).toBe(true);
  });

  it('matches port ranges, negations, icmp types, states and interface wildcards', () => {
    const place = { own: emptyNetfilter() };
    for (const l of ['iptables -A INPUT -p tcp ! --dport 1000:2000 -j ACCEPT', 'iptables -A INPUT -p icmp --icmp-type echo-request -j DROP', 'iptables -A INPUT -i veth+ -m state --state NEW -j REJECT']) run(place, l);
    expect(evaluate(place.own, 'filter', 'INPUT', pkt({ dport: 80 }), env).verdict).toBe('ACCEPT');
    expect(evaluate(place.own, 'filter', 'INPUT', pkt({ proto: 1, dport: undefined, sport: undefined, icmpType: 8, icmpCode: 0 }), env).verdict).toBe('DROP');
    expect(evaluate(place.own, 'filter', 'INPUT', pkt({ dport: 1500, in: 'veth12ab' }), env).verdict).toBe('REJECT');
    expect(evaluate(place.own, 'filter', 'INPUT', pkt({ dport: 1500, in: 'eth0' }), env).verdict).toBe('ACCEPT');
  });
});

describe('copy-on-write of a shared layer (kube-proxy on a node)', () => {
  function shared(): Netfilter {
    const nf: Netfilter = { nat: { chains: { 'KUBE-SERVICES': { rules: [] }, 'KUBE-SVC-X': { rules: [] } } }, filter: { chains: {} } };
    nf.nat.chains['KUBE-SERVICES']!.rules.push({ dst: { cidr: { addr: ip('10.96.0.10'), len: 32 } }, matches: [], target: { t: 'jump', chain: 'KUBE-SVC-X' } });
    return nf;
  }

  it('copies the written chain into the node, leaving the shared copy as it was', () => {
    const s = shared();
    const a: NetfilterPlace = { own: emptyNetfilter(), shared: s };
    const b: NetfilterPlace = { own: emptyNetfilter(), shared: s };
    expect(run(a, 'iptables -t nat -I KUBE-SERVICES 1 -d 10.96.0.10 -j RETURN').status).toBe(0);
    expect(rules(viewOf(a), 'nat')).toEqual(['-A KUBE-SERVICES -d 10.96.0.10/32 -j RETURN', '-A KUBE-SERVICES -d 10.96.0.10/32 -j KUBE-SVC-X']);
    expect(rules(viewOf(b), 'nat')).toEqual(['-A KUBE-SERVICES -d 10.96.0.10/32 -j KUBE-SVC-X']);
    expect(s.nat.chains['KUBE-SERVICES']!.rules).toHaveLength(1);
  });

  it('hides a deleted shared chain on that node only', () => {
    const s = shared();
    const a: NetfilterPlace = { own: emptyNetfilter(), shared: s };
    expect(run(a, 'iptables -t nat -F KUBE-SERVICES').status).toBe(0);
    expect(run(a, 'iptables -t nat -X KUBE-SVC-X').status).toBe(0);
    expect(formatTable(viewOf(a), 'nat', DATE)).not.toContain('KUBE-SVC-X');
    expect(formatTable(layered(emptyNetfilter(), s), 'nat', DATE)).toContain(':KUBE-SVC-X - [0:0]');
    expect(danglingJumps(viewOf(a))).toEqual([]);
  });

  it('counts packets through shared chains per node, and a copied chain keeps them', () => {
    const s = shared();
    const a: NetfilterPlace = { own: emptyNetfilter(), shared: s };
    evaluate(viewOf(a), 'nat', 'KUBE-SERVICES', pkt({ dst: ip('10.96.0.10') }), { ...env, bytes: 60, own: a.own });
    expect(a.own.shared).toEqual({ 'nat KUBE-SERVICES': { 0: [1, 60] } });
    expect(s.nat.chains['KUBE-SERVICES']!.rules[0]!.pkts).toBeUndefined();
    run(a, 'iptables -t nat -A KUBE-SERVICES -j RETURN');
    expect(a.own.nat.chains['KUBE-SERVICES']!.rules[0]).toMatchObject({ pkts: 1, bytes: 60 });
  });
});

describe('parse -> print -> parse', () => {
  it('round-trips every rule iptables-save prints', () => {
    const place = { own: emptyNetfilter() };
    const lines = [
      'iptables -t nat -A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE',
      'iptables -t nat -A PREROUTING -p tcp -m multiport --dports 80,443,8000:8080 -j DNAT --to-destination 10.0.0.2:80-90',
      'iptables -A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
      'iptables -A INPUT -p icmp --icmp-type 3/1 -j LOG --log-prefix "x y"',
      'iptables -A INPUT -m mark ! --mark 0x4000/0x4000 -m addrtype --dst-type LOCAL -j REJECT --reject-with icmp-host-prohibited',
    ];
    for (const l of lines) expect(run(place, l).status, l).toBe(0);
    const saved = [...rules(place.own, 'filter').map((r) => ['filter', r] as const), ...rules(place.own, 'nat').map((r) => ['nat', r] as const)];
    const again = { own: emptyNetfilter() };
    for (const [t, r] of saved) {
      const cmd = parseIptables(['-t', t, ...splitWords(r)]) as ParsedCommand;
      applyIptables(again, cmd);
    }
    expect(rules(again.own)).toEqual(rules(place.own));
    expect(rules(again.own, 'nat')).toEqual(rules(place.own, 'nat'));
  });
});

/** Splits a saved rule the way a shell would (double quotes, backslash escapes). */
export function splitWords(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '\\' && i + 1 < line.length) cur += line[++i];
      else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') {
      quoted = true;
      inWord = true;
    } else if (c === ' ') {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}
