import { describe, expect, it } from 'vitest';
import { ip } from './ipv4';
import { newIpSet, type IpSet } from './ipset';
import { emptyNetfilter, evaluate, formatRule, ifaceMatches, type PacketView } from './netfilter';
import { rngOver, seedState } from './rng';

const pkt = (over: Partial<PacketView> = {}): PacketView => ({ src: ip('10.244.1.5'), dst: ip('10.244.2.7'), proto: 6, sport: 40000, dport: 80, mark: 0, ctstate: 'NEW', in: 'cali1234567890a', out: 'flannel.1', ...over });
const env = (sets: Record<string, IpSet> = {}) => ({ rng: rngOver(seedState(1)), isLocal: () => false, ipset: (n: string) => sets[n] });

describe('goto', () => {
  it("returns from the goto'd chain to the caller of the chain that went there", () => {
    const nf = emptyNetfilter();
    nf.filter.chains.FORWARD!.rules.push({ matches: [], target: { t: 'jump', chain: 'DISPATCH' } }, { matches: [], target: { t: 'DROP' } });
    nf.filter.chains.DISPATCH = { rules: [{ matches: [], target: { t: 'goto', chain: 'EP' } }, { matches: [], target: { t: 'ACCEPT' } }] };
    nf.filter.chains.EP = { rules: [{ matches: [], target: { t: 'MARK', value: 0x10000, mask: 0x10000 } }] };
    const v = evaluate(nf, 'filter', 'FORWARD', pkt(), env());
    // Not back in DISPATCH (whose ACCEPT would have won): back in FORWARD, which drops.
    expect(v.verdict).toBe('DROP');
    expect(v.mark).toBe(0x10000);
    nf.filter.chains.DISPATCH.rules[0] = { matches: [], target: { t: 'jump', chain: 'EP' } };
    expect(evaluate(nf, 'filter', 'FORWARD', pkt(), env()).verdict).toBe('ACCEPT');
  });

  it('from a built-in chain ends in the built-in chain\'s policy', () => {
    const nf = emptyNetfilter();
    nf.filter.chains.FORWARD!.policy = 'DROP';
    nf.filter.chains.FORWARD!.rules.push({ matches: [], target: { t: 'goto', chain: 'EP' } }, { matches: [], target: { t: 'ACCEPT' } });
    nf.filter.chains.EP = { rules: [] };
    expect(evaluate(nf, 'filter', 'FORWARD', pkt(), env()).verdict).toBe('DROP');
  });

  it('prints as -g', () => {
    expect(formatRule('cali-from-wl-dispatch', { in: 'cali1234567890a', matches: [{ m: 'comment', text: 'cali:abc' }], target: { t: 'goto', chain: 'cali-fw-cali1234567890a' } })).toBe(
      '-A cali-from-wl-dispatch -i cali1234567890a -m comment --comment "cali:abc" -g cali-fw-cali1234567890a',
    );
  });
});

describe('interface wildcards', () => {
  it('`cali+` matches every name starting with cali, and only those', () => {
    expect(ifaceMatches('cali+', 'cali1234567890a')).toBe(true);
    expect(ifaceMatches('cali+', 'cali')).toBe(true);
    expect(ifaceMatches('cali+', 'flannel.1')).toBe(false);
    expect(ifaceMatches('cali', 'cali1234567890a')).toBe(false);
    expect(ifaceMatches('cali+', undefined)).toBe(false);
    const nf = emptyNetfilter();
    nf.filter.chains.FORWARD!.rules.push({ out: 'cali+', outNeg: true, matches: [], target: { t: 'DROP' } });
    expect(evaluate(nf, 'filter', 'FORWARD', pkt(), env()).verdict).toBe('DROP');
    expect(evaluate(nf, 'filter', 'FORWARD', pkt({ out: 'cali0000000000b' }), env()).verdict).toBe('ACCEPT');
  });
});

describe('-m set', () => {
  const sets: Record<string, IpSet> = {
    'cali40s:pods': { ...newIpSet('cali40s:pods', 'hash:net', 1), members: ['10.244.1.5', '10.244.3.0/24'] },
    'cali40n:http': { ...newIpSet('cali40n:http', 'hash:ip,port', 1), members: ['10.244.2.7,tcp:80'] },
  };
  const verdict = (m: Parameters<typeof formatRule>[1]['matches'][number], p: Partial<PacketView> = {}) => {
    const nf = emptyNetfilter();
    nf.filter.chains.FORWARD!.rules.push({ matches: [m], target: { t: 'DROP' } });
    return evaluate(nf, 'filter', 'FORWARD', pkt(p), env(sets)).verdict;
  };

  it('looks the source or destination address up in hash:net sets (hosts and prefixes)', () => {
    expect(verdict({ m: 'set', set: 'cali40s:pods', flags: ['src'] })).toBe('DROP');
    expect(verdict({ m: 'set', set: 'cali40s:pods', flags: ['dst'] })).toBe('ACCEPT');
    expect(verdict({ m: 'set', set: 'cali40s:pods', flags: ['src'] }, { src: ip('10.244.3.200') })).toBe('DROP');
    expect(verdict({ m: 'set', set: 'cali40s:pods', flags: ['src'], neg: true })).toBe('ACCEPT');
    expect(verdict({ m: 'set', set: 'cali40s:missing', flags: ['src'] })).toBe('ACCEPT');
  });

  it('matches address, protocol and port in hash:ip,port sets', () => {
    expect(verdict({ m: 'set', set: 'cali40n:http', flags: ['dst', 'dst'] })).toBe('DROP');
    expect(verdict({ m: 'set', set: 'cali40n:http', flags: ['dst', 'dst'] }, { dport: 81 })).toBe('ACCEPT');
    expect(verdict({ m: 'set', set: 'cali40n:http', flags: ['dst', 'dst'] }, { proto: 17 })).toBe('ACCEPT');
  });

  it('follows a set that changes', () => {
    const nf = emptyNetfilter();
    nf.filter.chains.FORWARD!.rules.push({ matches: [{ m: 'set', set: 'cali40s:pods', flags: ['src'] }], target: { t: 'DROP' } });
    const s: Record<string, IpSet> = { 'cali40s:pods': { ...newIpSet('cali40s:pods', 'hash:net', 1), members: [] } };
    expect(evaluate(nf, 'filter', 'FORWARD', pkt(), env(s)).verdict).toBe('ACCEPT');
    s['cali40s:pods']!.members = ['10.244.1.5'];
    expect(evaluate(nf, 'filter', 'FORWARD', pkt(), env(s)).verdict).toBe('DROP');
  });

  it('prints as iptables-save does', () => {
    expect(formatRule('X', { proto: 'tcp', matches: [{ m: 'set', set: 'cali40s:pods', flags: ['src'], neg: true }, { m: 'multiport', dports: [80, [8000, 9000]] }], target: { t: 'ACCEPT' } })).toBe(
      '-A X -p tcp -m set ! --match-set cali40s:pods src -m multiport --dports 80,8000:9000 -j ACCEPT',
    );
    expect(formatRule('X', { proto: 'ipencap', matches: [], target: { t: 'DROP' } })).toBe('-A X -p ipencap -j DROP');
  });
});

describe('multiport ranges', () => {
  it('matches a port inside a range and not outside it', () => {
    const nf = emptyNetfilter();
    nf.filter.chains.FORWARD!.rules.push({ proto: 'tcp', matches: [{ m: 'multiport', dports: [22, [8000, 9000]] }], target: { t: 'DROP' } });
    expect(evaluate(nf, 'filter', 'FORWARD', pkt({ dport: 8500 }), env()).verdict).toBe('DROP');
    expect(evaluate(nf, 'filter', 'FORWARD', pkt({ dport: 9000 }), env()).verdict).toBe('DROP');
    expect(evaluate(nf, 'filter', 'FORWARD', pkt({ dport: 9001 }), env()).verdict).toBe('ACCEPT');
    expect(evaluate(nf, 'filter', 'FORWARD', pkt({ dport: 22 }), env()).verdict).toBe('DROP');
  });
});
