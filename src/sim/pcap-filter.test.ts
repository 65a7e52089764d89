import { describe, expect, it } from 'vitest';
import { ip } from './ipv4';
import { echoRequest, encodeFrame, ipv4, tcp, udp, TCP_SYN, type EthernetFrame } from './packet';
import { FilterError, matchFilter, parseFilter } from './pcap-filter';

const A = ip('10.244.1.5');
const B = ip('10.244.2.7');
const macA = '0a:58:0a:f4:01:05';
const macB = '0a:58:0a:f4:01:01';
const frame = (payload: EthernetFrame['payload'], dst = macB): Uint8Array => encodeFrame({ dst, src: macA, payload });

const ping = frame(ipv4({ src: A, dst: B, payload: echoRequest(1, 1, new Uint8Array(56)) }));
const dns = frame(ipv4({ src: A, dst: ip('10.96.0.10'), payload: udp(A, ip('10.96.0.10'), 41234, 53, new Uint8Array(20)) }));
const syn = frame(ipv4({ src: A, dst: B, payload: tcp(A, B, { srcPort: 43512, dstPort: 80, seq: 1, ack: 0, flags: TCP_SYN, window: 64240 }) }));
const arp = frame({ kind: 'arp', op: 1, sha: macA, spa: A, tha: '00:00:00:00:00:00', tpa: ip('10.244.1.1') }, 'ff:ff:ff:ff:ff:ff');
// A later fragment of a TCP segment (raw payloads are protocol 6): its first bytes are not ports.
const laterFragment = frame({ ...ipv4({ src: A, dst: B, payload: { kind: 'raw', data: new Uint8Array([0, 80, 0, 80, 0, 0, 0, 0]) } }), fragOffset: 185 });
const ALL = { ping, dns, syn, arp };

const hosts: Record<string, number> = { web: ip('10.96.12.34') };
const resolvers = { host: (n: string) => hosts[n], port: (n: string) => ({ domain: 53, http: 80 })[n] };

function matching(expr: string): string[] {
  const f = parseFilter(expr, resolvers);
  return Object.entries(ALL)
    .filter(([, b]) => matchFilter(f, b))
    .map(([k]) => k);
}

describe('pcap filter matching', () => {
  it.each([
    ['', ['ping', 'dns', 'syn', 'arp']],
    ['icmp', ['ping']],
    ['arp', ['arp']],
    ['ip', ['ping', 'dns', 'syn']],
    ['udp port 53', ['dns']],
    ['port domain', ['dns']],
    ['tcp port http', ['syn']],
    ['dst port 80', ['syn']],
    ['src port 80', []],
    ['port 53 or 80', ['dns', 'syn']],
    ['portrange 50-60', ['dns']],
    // host matches IPv4 addresses and ARP's sender and target addresses.
    ['host 10.244.1.5', ['ping', 'dns', 'syn', 'arp']],
    ['ip host 10.244.1.5', ['ping', 'dns', 'syn']],
    ['dst host 10.244.1.1', ['arp']],
    ['src 10.244.1.5 and dst 10.244.2.7', ['ping', 'syn']],
    ['host 10.244.2.7 or 10.96.0.10', ['ping', 'dns', 'syn']],
    ['net 10.96.0.0/12', ['dns']],
    ['dst net 10.244', ['ping', 'syn', 'arp']],
    ['net 10.244.2.0 mask 255.255.255.0', ['ping', 'syn']],
    ['not icmp and not arp', ['dns', 'syn']],
    ['!(udp || tcp)', ['ping', 'arp']],
    // and/or have equal precedence and group from the left.
    ['icmp or udp and host 10.96.0.10', ['dns']],
    ['icmp or (udp and host 10.96.0.10)', ['ping', 'dns']],
    ['ether host 0a:58:0a:f4:01:05', ['ping', 'dns', 'syn', 'arp']],
    ['ether dst ff:ff:ff:ff:ff:ff', ['arp']],
    ['broadcast', ['arp']],
    ['ip proto 17', ['dns']],
    ['less 60', ['syn', 'arp']],
    ['greater 90', ['ping']],
  ])('%s', (expr, want) => {
    expect(matching(expr)).toEqual(want);
  });

  it('port filters skip later fragments; protocol filters do not', () => {
    expect(matchFilter(parseFilter('port 80'), laterFragment)).toBe(false);
    expect(matchFilter(parseFilter('tcp'), laterFragment)).toBe(true);
  });

  it('resolves host names through the caller', () => {
    const f = parseFilter('host web', resolvers);
    expect(f).toEqual({ kind: 'host', dir: 'src or dst', addr: ip('10.96.12.34') });
  });
});

describe('pcap filter errors (libpcap 1.10 wording)', () => {
  it.each([
    ['host', "can't parse filter expression: syntax error"],
    ['tcp and', "can't parse filter expression: syntax error"],
    ['(tcp', "can't parse filter expression: syntax error"],
    ['tcp)', "can't parse filter expression: syntax error"],
    ['foo', "can't parse filter expression: syntax error"],
    ['10.1.1.1', "can't parse filter expression: syntax error"],
    ['udp tcp', "can't parse filter expression: syntax error"],
    ['port -1', "can't parse filter expression: syntax error"],
    ['host nosuch.invalid', "unknown host 'nosuch.invalid'"],
    ['host 10.1.2.3.4', "unknown host '10.1.2.3.4'"],
    ['host 300.1.1.1', "invalid IPv4 address '300.1.1.1'"],
    ['port abc', "unknown port 'abc'"],
    ['port 99999', 'illegal port number 99999 > 65535'],
    ['net 10.244.0.0/33', 'mask length must be <= 32'],
    ['net 10.244.1.0/16', 'non-network bits set in "10.244.1.0/16"'],
    ['dst 10.0.0.0/8', 'Mask syntax for networks only'],
    ['icmp port 1', "illegal qualifier of 'port'"],
    ['arp port 80', "illegal qualifier of 'port'"],
    ['tcp host 1.2.3.4', "'tcp' modifier applied to host"],
    ['ether host 1.2.3.4', 'illegal link layer address'],
  ])('%s', (expr, message) => {
    let err: unknown;
    try {
      parseFilter(expr, resolvers);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FilterError);
    expect((err as FilterError).message).toBe(message);
    expect((err as FilterError).unsupported).toBe(false);
  });

  it('refuses valid expressions it does not model, saying so', () => {
    expect(() => parseFilter('tcp[13] & 2 != 0')).toThrow(/not supported in this sandbox/);
    expect(() => parseFilter('ip6')).toThrow(/not supported in this sandbox/);
  });
});
