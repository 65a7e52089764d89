import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ip } from './ipv4';
import {
  ICMP_ECHO_REPLY,
  TCP_ACK,
  TCP_PSH,
  TCP_SYN,
  DecodeError,
  decodeFrame,
  echoRequest,
  encodeFrame,
  icmp,
  ipv4,
  linuxSynOptions,
  linuxTimestampOptions,
  pingPayload,
  tcp,
  udp,
  type EthernetFrame,
} from './packet';
import { LINKTYPE_ETHERNET, PCAP_SNAPLEN, PcapWriter, pcapGlobalHeader, pcapTimestamp, readPcap, writePcap, type PcapInputRecord } from './pcap';

const hex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ');
const fromHex = (s: string): Uint8Array => new Uint8Array((s.replace(/\s+/g, '').match(/../g) ?? []).map((h) => parseInt(h, 16)));

// ------------------------------------------------------------------------------ a small conversation

const T0 = Date.UTC(2025, 2, 14, 9, 30, 0); // 1741944600000
const podA = { mac: '0a:58:0a:f4:00:05', ip: ip('10.244.0.5') };
const gwA = { mac: '0a:58:0a:f4:00:01', ip: ip('10.244.0.1') };
const podB = ip('10.244.1.7');
const dnsIp = ip('10.96.0.10');
const node0 = { mac: '02:42:c0:a8:31:02', ip: ip('192.168.49.2'), flannel: '72:9a:b0:e7:bc:77' };
const node1 = { mac: '02:42:c0:a8:31:03', ip: ip('192.168.49.3'), flannel: 'ce:26:4a:8b:ff:c8' };

/** A DNS query for kubernetes.default.svc.cluster.local, type A (RFC 1035 4.1). */
function dnsQuery(id: number): Uint8Array {
  const name = 'kubernetes.default.svc.cluster.local'.split('.').flatMap((l) => [l.length, ...[...l].map((c) => c.charCodeAt(0))]);
  return new Uint8Array([id >>> 8, id & 255, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, ...name, 0, 0, 1, 0, 1]);
}

function conversation(): PcapInputRecord[] {
  const out: PcapInputRecord[] = [];
  let t = T0 + 0.25;
  const add = (frame: EthernetFrame, gapMs = 0.137): void => {
    out.push({ timeMs: t, frame });
    t += gapMs;
  };
  // 1-2 ARP for the gateway.
  add({ dst: 'ff:ff:ff:ff:ff:ff', src: podA.mac, payload: { kind: 'arp', op: 1, sha: podA.mac, spa: podA.ip, tha: '00:00:00:00:00:00', tpa: gwA.ip } });
  add({ dst: podA.mac, src: gwA.mac, payload: { kind: 'arp', op: 2, sha: gwA.mac, spa: gwA.ip, tha: podA.mac, tpa: podA.ip } });
  // 3-4 ping.
  const data = pingPayload(56, t);
  add({ dst: gwA.mac, src: podA.mac, payload: ipv4({ src: podA.ip, dst: podB, id: 0x6f2a, payload: echoRequest(7, 1, data) }) });
  add({ dst: podA.mac, src: gwA.mac, payload: ipv4({ src: podB, dst: podA.ip, ttl: 62, id: 0x1d03, df: false, payload: icmp(ICMP_ECHO_REPLY, 0, (7 << 16) | 1, data) }) }, 1.5);
  // 5 a DNS query over UDP.
  add({ dst: gwA.mac, src: podA.mac, payload: ipv4({ src: podA.ip, dst: dnsIp, id: 0x2001, payload: udp(podA.ip, dnsIp, 53001, 53, dnsQuery(0x4b1d)) }) }, 2);
  // 6-9 a TCP handshake and an HTTP request.
  const c = { srcPort: 43512, dstPort: 80 };
  const s = { srcPort: 80, dstPort: 43512 };
  const isnC = 0x5e1c3a27;
  const isnS = 0x9a0b1c2d;
  add({ dst: gwA.mac, src: podA.mac, payload: ipv4({ src: podA.ip, dst: podB, id: 0x8c3a, payload: tcp(podA.ip, podB, { ...c, seq: isnC, flags: TCP_SYN, window: 64240, options: linuxSynOptions(1460, 6967073) }) }) });
  add({ dst: podA.mac, src: gwA.mac, payload: ipv4({ src: podB, dst: podA.ip, ttl: 62, id: 0, payload: tcp(podB, podA.ip, { ...s, seq: isnS, ack: isnC + 1, flags: TCP_SYN | TCP_ACK, window: 65160, options: linuxSynOptions(1410, 1877001, 6967073) }) }) });
  add({ dst: gwA.mac, src: podA.mac, payload: ipv4({ src: podA.ip, dst: podB, id: 0x8c3b, payload: tcp(podA.ip, podB, { ...c, seq: isnC + 1, ack: isnS + 1, flags: TCP_ACK, window: 502, options: linuxTimestampOptions(6967074, 1877001) }) }) });
  const req = new TextEncoder().encode('GET / HTTP/1.1\r\nHost: 10.244.1.7\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n');
  add({ dst: gwA.mac, src: podA.mac, payload: ipv4({ src: podA.ip, dst: podB, id: 0x8c3c, payload: tcp(podA.ip, podB, { ...c, seq: isnC + 1, ack: isnS + 1, flags: TCP_PSH | TCP_ACK, window: 502, options: linuxTimestampOptions(6967074, 1877001), data: req }) }) });
  // 10 the ping as flannel sends it between nodes: VXLAN, VNI 1, outer UDP checksum 0 (Linux's default, noudpcsum).
  const inner: EthernetFrame = { dst: node1.flannel, src: node0.flannel, payload: ipv4({ src: podA.ip, dst: podB, ttl: 63, id: 0x6f2a, payload: echoRequest(7, 1, data) }) };
  add({ dst: node1.mac, src: node0.mac, payload: ipv4({ src: node0.ip, dst: node1.ip, id: 0x3a11, df: false, payload: udp(node0.ip, node1.ip, 45149, 8472, { kind: 'vxlan', vni: 1, inner }, false) }) });
  // 11 the reply in a VXLAN packet with the outer UDP checksum on (`ip link add ... udpcsum`).
  const innerReply: EthernetFrame = { dst: node0.flannel, src: node1.flannel, payload: ipv4({ src: podB, dst: podA.ip, ttl: 63, id: 0x1d03, df: false, payload: icmp(ICMP_ECHO_REPLY, 0, (7 << 16) | 1, data) }) };
  add({ dst: node0.mac, src: node1.mac, payload: ipv4({ src: node1.ip, dst: node0.ip, id: 0x5b20, df: false, payload: udp(node1.ip, node0.ip, 51234, 8472, { kind: 'vxlan', vni: 1, inner: innerReply }) }) });
  return out;
}

// ------------------------------------------------------------------------------ format

describe('pcap global header (pcap-savefile(5))', () => {
  it('is 24 bytes: magic d4 c3 b2 a1, version 2.4, thiszone 0, sigfigs 0, snaplen 262144, linktype 1', () => {
    const h = pcapGlobalHeader();
    expect(hex(h)).toBe('d4 c3 b2 a1 02 00 04 00 00 00 00 00 00 00 00 00 00 00 04 00 01 00 00 00');
    expect(PCAP_SNAPLEN).toBe(262144);
    expect(LINKTYPE_ETHERNET).toBe(1);
  });

  it('an empty capture is just the header', () => {
    expect(writePcap([])).toEqual(pcapGlobalHeader());
    expect(new PcapWriter().bytes()).toEqual(pcapGlobalHeader());
    expect(readPcap(writePcap([])).records).toEqual([]);
  });
});

describe('pcap records', () => {
  const frame: EthernetFrame = { dst: 'ff:ff:ff:ff:ff:ff', src: podA.mac, payload: { kind: 'arp', op: 1, sha: podA.mac, spa: podA.ip, tha: '00:00:00:00:00:00', tpa: gwA.ip } };

  it('a record header is ts_sec, ts_usec, incl_len, orig_len, little-endian, then the frame', () => {
    const b = writePcap([{ timeMs: T0 + 123.456, frame }]);
    expect(b.length).toBe(24 + 16 + 42);
    // 1741944600 = 0x67d3f718; 123456 us = 0x0001e240; 42 = 0x2a.
    expect(hex(b.subarray(24, 40))).toBe('18 f7 d3 67 40 e2 01 00 2a 00 00 00 2a 00 00 00');
    expect(b.subarray(40)).toEqual(encodeFrame(frame));
  });

  it('timestamps: epoch ms with fractions, rounded to the microsecond', () => {
    expect(pcapTimestamp(T0)).toEqual({ sec: 1741944600, usec: 0 });
    expect(pcapTimestamp(T0 + 0.001)).toEqual({ sec: 1741944600, usec: 1 });
    expect(pcapTimestamp(T0 + 999.999)).toEqual({ sec: 1741944600, usec: 999999 });
    expect(pcapTimestamp(T0 + 999.9998)).toEqual({ sec: 1741944601, usec: 0 }); // rounds up into the next second
    // A double holding epoch ms in 2025 resolves about 0.24 us, so only half-microsecond ties are fuzzy.
    expect(pcapTimestamp(1.25)).toEqual({ sec: 0, usec: 1250 });
    expect(pcapTimestamp(T0 + 0.0004)).toEqual({ sec: 1741944600, usec: 0 });
    expect(pcapTimestamp(0)).toEqual({ sec: 0, usec: 0 });
    expect(() => pcapTimestamp(-1)).toThrow(RangeError);
    expect(() => pcapTimestamp(Number.NaN)).toThrow(RangeError);
    expect(() => pcapTimestamp(2 ** 32 * 1000)).toThrow(RangeError);
  });

  it('PcapWriter streams the same bytes as writePcap', () => {
    const recs = conversation();
    const w = new PcapWriter();
    const partial = w.bytes();
    for (const r of recs) w.write(r.timeMs, r.frame);
    expect(w.records).toBe(recs.length);
    expect(w.bytes()).toEqual(writePcap(recs));
    expect(partial).toEqual(pcapGlobalHeader()); // earlier snapshots are not changed by later writes
  });

  it('a frame longer than the snaplen is cut, keeping its original length', () => {
    const big: EthernetFrame = { dst: gwA.mac, src: podA.mac, payload: ipv4({ src: podA.ip, dst: podB, payload: echoRequest(1, 1, pingPayload(1472, 0)) }) };
    const w = new PcapWriter(96);
    w.write(T0, big);
    const f = readPcap(w.bytes());
    expect(f.snaplen).toBe(96);
    expect(f.records[0]).toMatchObject({ inclLen: 96, origLen: 1514 });
    expect(f.records[0]!.data).toEqual(encodeFrame(big).subarray(0, 96));
  });
});

describe('readPcap', () => {
  it('reads back what writePcap wrote: header, times and frames', () => {
    const recs = conversation();
    const f = readPcap(writePcap(recs));
    expect(f).toMatchObject({ versionMajor: 2, versionMinor: 4, thiszone: 0, sigfigs: 0, snaplen: 262144, linktype: 1, littleEndian: true, nanoseconds: false });
    expect(f.records.length).toBe(recs.length);
    f.records.forEach((r, i) => {
      const want = recs[i]!;
      const ts = pcapTimestamp(want.timeMs);
      expect([r.tsSec, r.tsFrac]).toEqual([ts.sec, ts.usec]);
      expect(Math.abs(r.timeMs - want.timeMs)).toBeLessThan(0.0006);
      expect(r.inclLen).toBe(r.origLen);
      expect(r.data.length).toBe(r.inclLen);
      expect(decodeFrame(r.data)).toEqual(want.frame);
    });
  });

  it('reads big-endian and nanosecond files too', () => {
    const be = fromHex('a1 b2 c3 d4 00 02 00 04 00 00 00 00 00 00 00 00 00 00 ff ff 00 00 00 01' + '67 d3 f7 18 00 01 e2 40 00 00 00 02 00 00 00 03 ab cd');
    const f = readPcap(be);
    expect(f).toMatchObject({ littleEndian: false, nanoseconds: false, snaplen: 65535, linktype: 1 });
    expect(f.records[0]).toMatchObject({ tsSec: 1741944600, tsFrac: 123456, inclLen: 2, origLen: 3 });
    expect(f.records[0]!.data).toEqual(new Uint8Array([0xab, 0xcd]));
    const ns = fromHex('4d 3c b2 a1 02 00 04 00 00 00 00 00 00 00 00 00 00 00 04 00 01 00 00 00' + '18 f7 d3 67 15 cd 5b 07 00 00 00 00 00 00 00 00');
    const g = readPcap(ns);
    expect(g.nanoseconds).toBe(true);
    expect(g.records[0]!.tsFrac).toBe(123456789);
    expect(g.records[0]!.timeMs).toBeCloseTo(T0 + 123.456789, 3);
  });

  it('refuses what is not a whole pcap file', () => {
    const good = writePcap(conversation().slice(0, 2));
    expect(() => readPcap(good.subarray(0, 23))).toThrow(DecodeError);
    expect(() => readPcap(fromHex('0a 0d 0d 0a 1c 00 00 00 4d 3c 2b 1a 01 00 00 00 ff ff ff ff ff ff ff ff 00 00 00 00'))).toThrow(/not a pcap file/); // pcapng
    expect(() => readPcap(good.subarray(0, 30))).toThrow(/record header/);
    expect(() => readPcap(good.subarray(0, good.length - 1))).toThrow(/truncated data/);
  });
});

// ------------------------------------------------------------------------------ tshark

function tsharkVersion(): string | undefined {
  try {
    const r = spawnSync('tshark', ['--version'], { encoding: 'utf8', timeout: 20_000 });
    return r.status === 0 ? r.stdout.split('\n')[0] : undefined;
  } catch {
    return undefined;
  }
}

const TSHARK = tsharkVersion();

describe('Wireshark reads the files (docs/reference/fidelity.md 8)', () => {
  it(
    `tshark opens the capture, finds every checksum good and decodes VXLAN (${TSHARK ?? 'tshark not installed'})`,
    (ctx) => {
      ctx.skip(TSHARK === undefined, 'tshark is not on the PATH; install it (Debian/Ubuntu: apt-get install -y tshark) to run this check');
      const dir = mkdtempSync(join(tmpdir(), 'pcap-test-'));
      try {
        const file = join(dir, 'conversation.pcap');
        const recs = conversation();
        writeFileSync(file, writePcap(recs));
        // PCAP_KEEP=/some/file.pcap keeps a copy to open in Wireshark.
        if (process.env.PCAP_KEEP) writeFileSync(process.env.PCAP_KEEP, writePcap(recs));
        const fields = ['frame.number', 'frame.protocols', 'ip.checksum.status', 'icmp.checksum.status', 'udp.checksum.status', 'tcp.checksum.status', 'vxlan.vni', 'ip.src', 'ip.dst', 'tcp.flags.str', '_ws.expert.message'];
        const args = ['-r', file, '-n', '-o', 'udp.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE', '-d', 'udp.port==8472,vxlan', '-T', 'fields', '-E', 'separator=/t', '-E', 'aggregator=|', ...fields.flatMap((f) => ['-e', f])];
        const r = spawnSync('tshark', args, { encoding: 'utf8', timeout: 60_000 });
        expect(r.error).toBeUndefined();
        expect(r.status, r.stderr).toBe(0);
        const rows = r.stdout
          .trimEnd()
          .split('\n')
          .map((line) => Object.fromEntries(line.split('\t').map((v, i) => [fields[i]!, v])) as Record<string, string>);
        expect(rows.length).toBe(recs.length);
        const status = (row: Record<string, string>, field: string): string[] => (row[field] ? row[field].split('|') : []);
        const GOOD = '1';
        const NOT_PRESENT = '3'; // a zero UDP checksum: "none", as flannel sends the outer header
        const expectedProtocols = [
          'eth:ethertype:arp',
          'eth:ethertype:arp',
          'eth:ethertype:ip:icmp:data',
          'eth:ethertype:ip:icmp:data',
          'eth:ethertype:ip:udp:dns',
          'eth:ethertype:ip:tcp',
          'eth:ethertype:ip:tcp',
          'eth:ethertype:ip:tcp',
          'eth:ethertype:ip:tcp:http',
          'eth:ethertype:ip:udp:vxlan:eth:ethertype:ip:icmp:data',
          'eth:ethertype:ip:udp:vxlan:eth:ethertype:ip:icmp:data',
        ];
        expect(rows.map((row) => row['frame.protocols'])).toEqual(expectedProtocols);
        rows.forEach((row, i) => {
          const n = i + 1;
          const where = `frame ${n}: ${JSON.stringify(row)}`;
          const ipCount = (row['frame.protocols'] ?? '').split(':').filter((p) => p === 'ip').length;
          expect(status(row, 'ip.checksum.status'), where).toEqual(Array(ipCount).fill(GOOD));
          if (row['frame.protocols']!.includes('icmp')) expect(status(row, 'icmp.checksum.status'), where).toEqual([GOOD]);
          if (row['frame.protocols']!.includes('tcp')) expect(status(row, 'tcp.checksum.status'), where).toEqual([GOOD]);
          if (n === 5 || n === 11) expect(status(row, 'udp.checksum.status'), where).toEqual([GOOD]);
          if (n === 10) expect(status(row, 'udp.checksum.status'), where).toEqual([NOT_PRESENT]);
          // No expert complaint about checksums, lengths or malformed packets.
          expect(row['_ws.expert.message'] ?? '', where).not.toMatch(/checksum|malformed|bad|incorrect|length|invalid/i);
        });
        // VXLAN: VNI 1 and the inner pod-to-pod packet behind the node addresses.
        expect(rows[9]!['vxlan.vni']).toBe('1');
        expect(rows[9]!['ip.src']).toBe('192.168.49.2|10.244.0.5');
        expect(rows[9]!['ip.dst']).toBe('192.168.49.3|10.244.1.7');
        expect(rows[10]!['vxlan.vni']).toBe('1');
        expect(rows[10]!['ip.src']).toBe('192.168.49.3|10.244.1.7');
        // The handshake reads as one.
        expect(rows.slice(5, 9).map((row) => row['tcp.flags.str'])).toEqual(['··········S·', '·······A··S·', '·······A····', '·······AP···']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    60_000,
  );
});
