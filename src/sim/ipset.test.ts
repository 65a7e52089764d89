import { describe, expect, it } from 'vitest';
import { ip } from './ipv4';
import { newIpSet, setMatches } from './ipset';

const pkt = (src: string, dst: string, proto: number, sport?: number, dport?: number) => ({ src: ip(src), dst: ip(dst), proto, ...(sport !== undefined ? { sport, dport } : {}) });

describe('ipset matches (xt_set)', () => {
  it('hash:ip,port with dst,dst: destination address and protocol:port', () => {
    const s = newIpSet('KUBE-CLUSTER-IP', 'hash:ip,port', 1);
    s.members.push('10.96.0.10,udp:53', '10.96.0.10,tcp:53');
    expect(setMatches(s, ['dst', 'dst'], pkt('10.244.1.2', '10.96.0.10', 17, 40000, 53))).toBe(true);
    expect(setMatches(s, ['dst', 'dst'], pkt('10.244.1.2', '10.96.0.10', 17, 40000, 54))).toBe(false);
    // ICMP carries no port: a ping to the address is not a member.
    expect(setMatches(s, ['dst', 'dst'], pkt('10.244.1.2', '10.96.0.10', 1))).toBe(false);
    // src,dst reads the source address instead.
    expect(setMatches(s, ['src', 'dst'], pkt('10.96.0.10', '10.244.1.2', 6, 40000, 53))).toBe(true);
  });

  it('hash:ip,port,ip with dst,dst,src: the hairpin entries of KUBE-LOOP-BACK', () => {
    const s = newIpSet('KUBE-LOOP-BACK', 'hash:ip,port,ip', 1);
    s.members.push('10.244.1.3,tcp:80,10.244.1.3');
    expect(setMatches(s, ['dst', 'dst', 'src'], pkt('10.244.1.3', '10.244.1.3', 6, 40000, 80))).toBe(true);
    expect(setMatches(s, ['dst', 'dst', 'src'], pkt('10.244.1.4', '10.244.1.3', 6, 40000, 80))).toBe(false);
  });

  it('hash:ip,port,net matches a source inside the network; bitmap:port a port; hash:ip an address', () => {
    const n = newIpSet('KUBE-LOAD-BALANCER-SOURCE-CIDR', 'hash:ip,port,net', 1);
    n.members.push('192.168.49.200,tcp:80,192.168.49.0/24');
    expect(setMatches(n, ['dst', 'dst', 'src'], pkt('192.168.49.100', '192.168.49.200', 6, 40000, 80))).toBe(true);
    expect(setMatches(n, ['dst', 'dst', 'src'], pkt('10.0.0.1', '192.168.49.200', 6, 40000, 80))).toBe(false);
    const b = newIpSet('KUBE-NODE-PORT-TCP', 'bitmap:port', 1);
    b.members.push('30080');
    expect(b.range).toEqual([0, 65535]);
    expect(setMatches(b, ['dst'], pkt('1.1.1.1', '192.168.49.3', 6, 40000, 30080))).toBe(true);
    expect(setMatches(b, ['dst'], pkt('1.1.1.1', '192.168.49.3', 6, 40000, 30081))).toBe(false);
    const h = newIpSet('KUBE-IPVS-IPS', 'hash:ip', 1);
    h.members.push('10.96.0.1');
    expect(setMatches(h, ['dst'], pkt('1.1.1.1', '10.96.0.1', 1))).toBe(true);
  });

  it('sees members added after a lookup (the index follows the member list)', () => {
    const h = newIpSet('S', 'hash:ip', 1);
    expect(setMatches(h, ['dst'], pkt('1.1.1.1', '10.96.0.1', 1))).toBe(false);
    h.members.push('10.96.0.1');
    expect(setMatches(h, ['dst'], pkt('1.1.1.1', '10.96.0.1', 1))).toBe(true);
    h.members = [];
    expect(setMatches(h, ['dst'], pkt('1.1.1.1', '10.96.0.1', 1))).toBe(false);
  });
});
