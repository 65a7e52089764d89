/**
 * Capture files a lab's terminals write (`tcpdump -w`): the session announces each one with a
 * `file` event when a command ends, and `readBytes` hands its bytes back exactly as written, a
 * pcap file that src/sim/pcap.ts reads and, where tshark and tcpdump are installed, the real
 * tools open with every checksum good.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { internetChecksum } from '../sim/checksum';
import { VirtualClock } from '../sim/clock';
import { decodeFrame } from '../sim/packet';
import { LINKTYPE_ETHERNET, readPcap } from '../sim/pcap';
import { REFERENCE_TIME, requireLab } from './catalog';
import type { FileWritten, OutputSink, SessionEvent, TerminalApi } from './contract';
import { placeOfMachine } from './places';
import { LabSession } from './session';
import { render } from './template';

const ignore: OutputSink = { write: () => {} };

async function session(labId: string): Promise<LabSession> {
  const lab = requireLab(labId);
  return LabSession.create({ lab, seed: lab.defaultSeed, scheduler: new VirtualClock(REFERENCE_TIME) });
}

async function run(t: TerminalApi, line: string): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const status = await t.run(line, { write: (s) => void (out += s) }, { write: (s) => void (err += s) });
  return { status, out, err };
}

/**
 * Runs `capture` (a `tcpdump -w`) in the main terminal after `setup`, the `during` commands in
 * a second terminal, then interrupts the capture as Ctrl+C does. Returns the file events seen.
 */
async function capture(s: LabSession, setup: string[], command: string, during: string[]): Promise<{ files: FileWritten[]; stderr: string }> {
  for (const line of setup) expect((await run(s, render(line, s.bindings))).status, line).toBe(0);
  const files: FileWritten[] = [];
  const off = s.subscribe((e: SessionEvent) => {
    if (e.type === 'file') files.push(e);
  });
  let stderr = '';
  const running = s.run(command, ignore, { write: (t) => void (stderr += t) });
  const other = s.openTerminal();
  await run(other, 'sleep 1');
  for (const line of during) expect((await run(other, render(line, s.bindings))).status, line).toBe(0);
  s.interrupt();
  expect(await running).toBe(0);
  off();
  return { files, stderr };
}

/** True when the 16-bit one's complement sum over `bytes` checks (a valid checksum sums to 0). */
const sums = (bytes: Uint8Array): boolean => internetChecksum(bytes) === 0;

describe('capture files', () => {
  it('tcpdump -w on a router, while a second terminal pings: announced, read back and parsed', async () => {
    const s = await session('encapsulation');
    const { files, stderr } = await capture(s, ['ssh router-1'], 'tcpdump -n -i eth1 -w /tmp/x.pcap', ['ping -c 3 {{host2.ip}}']);
    expect(stderr).toContain('6 packets captured');
    // Announced when the ping ended (the capture was being written) and again when it ended.
    expect(files.length).toBeGreaterThanOrEqual(1);
    const last = files.at(-1)!;
    expect(last).toEqual({ type: 'file', kind: 'pcap', place: 'host:router-1', path: '/tmp/x.pcap', size: last.size });
    const bytes = s.readBytes(last.place, last.path)!;
    expect(bytes.length).toBe(last.size);
    // Little-endian classic pcap: d4 c3 b2 a1, version 2.4, Ethernet.
    expect([...bytes.subarray(0, 4)]).toEqual([0xd4, 0xc3, 0xb2, 0xa1]);
    const file = readPcap(bytes);
    expect(file.linktype).toBe(LINKTYPE_ETHERNET);
    expect(file.records.length).toBe(6);
    const host2 = render('{{host2.ip}}', s.bindings);
    const ws = render('{{ws.ip}}', s.bindings);
    const ttls = file.records.map((r) => {
      const frame = decodeFrame(r.data);
      if (frame.payload.kind !== 'ipv4') throw new Error('not an IPv4 frame');
      // The IPv4 header (IHL words) and the ICMP message each sum to zero.
      const ihl = (r.data[14]! & 15) * 4;
      expect(sums(r.data.subarray(14, 14 + ihl))).toBe(true);
      expect(sums(r.data.subarray(14 + ihl))).toBe(true);
      return frame.payload.ttl;
    });
    // Requests leave router-1 by eth1 with TTL 63, replies arrive from router-2 with 63.
    expect(ttls).toEqual([63, 63, 63, 63, 63, 63]);
    const printed = await run(s, 'tcpdump -n -r /tmp/x.pcap');
    expect(printed.out.split('\n').filter((l) => l.includes(`IP ${ws} > ${host2}: ICMP echo request`))).toHaveLength(3);
    expect(printed.out.split('\n').filter((l) => l.includes(`IP ${host2} > ${ws}: ICMP echo reply`))).toHaveLength(3);
  });

  it('a file already there when the session is restored is not announced again; a new one is', async () => {
    const s = await session('encapsulation');
    await capture(s, ['ssh router-1'], 'tcpdump -n -i eth1 -c 2 -w old.pcap', ['ping -c 1 {{host2.ip}}']);
    const restored = LabSession.restore(JSON.parse(JSON.stringify(s.snapshot())), new VirtualClock(REFERENCE_TIME + 60_000), requireLab('encapsulation'));
    const seen: FileWritten[] = [];
    restored.subscribe((e) => {
      if (e.type === 'file') seen.push(e);
    });
    await run(restored, 'ls');
    expect(seen).toEqual([]);
    expect(restored.readBytes('host:router-1', '/root/old.pcap')?.length).toBe(s.readBytes('host:router-1', '/root/old.pcap')?.length);
    // A text file is no capture: not announced, and its bytes are its UTF-8.
    await run(restored, 'echo héllo > note.txt');
    expect(seen).toEqual([]);
    expect([...restored.readBytes('host:router-1', 'note.txt')!]).toEqual([0x68, 0xc3, 0xa9, 0x6c, 0x6c, 0x6f, 0x0a]);
    expect(restored.readFile('host:router-1', '/root/old.pcap')).toBeUndefined();
    expect(restored.readBytes('host:router-1', '/root/none.pcap')).toBeUndefined();
    // A new capture is announced.
    const { files } = await capture(restored, [], 'tcpdump -n -i eth1 -w /tmp/new.pcap', ['ping -c 1 {{host2.ip}}']);
    expect(new Set(files.map((e) => `${e.place} ${e.path}`))).toEqual(new Set(['host:router-1 /tmp/new.pcap']));
    expect(readPcap(restored.readBytes('host:router-1', '/tmp/new.pcap')!).records).toHaveLength(2);
  });

  it("a capture on a node names the node; a pod's files name the pod by namespace and name", async () => {
    const s = await session('three-pools');
    const node = s.sim.pod('default', 'client')!.spec.nodeName!;
    const { files } = await capture(s, [`ssh ${node}`], 'tcpdump -n -i cni0 -w c.pcap', ['kubectl exec client -- ping -c 1 {{target.ip}}']);
    expect(files.at(-1)).toMatchObject({ place: `node:${node}`, path: '/root/c.pcap' });
    expect(readPcap(s.readBytes(`node:${node}`, '/root/c.pcap')!).records.length).toBeGreaterThanOrEqual(2);
    const client = s.sim.pod('default', 'client')!;
    expect(placeOfMachine(s.sim, `pod:${client.metadata.uid}`)).toBe('pod:default/client');
    expect(placeOfMachine(s.sim, 'pod:no-such-uid')).toBeUndefined();
    expect(placeOfMachine(s.sim, 'workstation')).toBe('workstation');
    expect(placeOfMachine(s.sim, 'nowhere')).toBeUndefined();
  });
});

// ------------------------------------------------------------------------------ real tools

function version(tool: string, flag: string): string | undefined {
  try {
    const r = spawnSync(tool, [flag], { encoding: 'utf8', timeout: 20_000 });
    return r.status === 0 ? (r.stdout || r.stderr).split('\n')[0] : undefined;
  } catch {
    return undefined;
  }
}

const TSHARK = version('tshark', '--version');
const TCPDUMP = version('tcpdump', '--version');

describe('the real tools read what a lab session wrote (docs/reference/fidelity.md 8)', () => {
  /** Two captures: Ethernet on a router (ICMP), Linux cooked v2 on a node (DNS, TCP, VXLAN). */
  async function files(): Promise<Record<string, Uint8Array>> {
    const a = await session('encapsulation');
    await capture(a, ['ssh router-1'], 'tcpdump -n -i eth1 -w /tmp/x.pcap', ['ping -c 3 {{host2.ip}}']);
    const b = await session('three-pools');
    const node = b.sim.pod('default', 'client')!.spec.nodeName!;
    await capture(b, [`ssh ${node}`], 'tcpdump -n -i any -w /tmp/any.pcap', ['kubectl exec client -- wget -q -O /dev/null http://web/', 'kubectl exec client -- nslookup web.default.svc.cluster.local']);
    return { 'router.pcap': a.readBytes('host:router-1', '/tmp/x.pcap')!, 'node-any.pcap': b.readBytes(`node:${node}`, '/tmp/any.pcap')! };
  }

  it(`tshark finds every checksum good (${TSHARK ?? 'tshark not installed'}) and tcpdump -r -vv reports none bad (${TCPDUMP ?? 'tcpdump not installed'})`, async (ctx) => {
    ctx.skip(TSHARK === undefined && TCPDUMP === undefined, 'neither tshark nor tcpdump is on the PATH (Debian/Ubuntu: apt-get install -y tshark tcpdump)');
    const dir = mkdtempSync(join(tmpdir(), 'lab-capture-'));
    try {
      for (const [name, bytes] of Object.entries(await files())) {
        const path = join(dir, name);
        writeFileSync(path, bytes);
        if (process.env.PCAP_KEEP) writeFileSync(join(process.env.PCAP_KEEP, name), bytes);
        const frames = readPcap(bytes).records.length;
        expect(frames, name).toBeGreaterThan(4);
        if (TSHARK) {
          const r = spawnSync('tshark', ['-r', path, '-n', '-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE', '-d', 'udp.port==8472,vxlan', '-V'], { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20 });
          expect(r.status, r.stderr).toBe(0);
          expect(r.stdout.match(/^Frame \d+:/gm)?.length, name).toBe(frames);
          // Every checksum tshark verified says [good] (or is absent: VXLAN's outer UDP sends 0).
          const verdicts = r.stdout.match(/\[(?:Header checksum|Checksum) status: [^\]]+\]/gi) ?? [];
          expect(verdicts.length, name).toBeGreaterThan(frames);
          expect(verdicts.filter((v) => !/: (Good|Not present)\]$/.test(v)), name).toEqual([]);
          // No error, no checksum or malformed-packet complaint. (Warnings about retransmissions
          // are expected of -i any: it sees one packet on the veth, the bridge and eth0.)
          expect(r.stdout, name).not.toMatch(/\[Expert Info \((Error\/\w+|\w+\/(Checksum|Malformed))\)/);
          expect(r.stdout, name).not.toMatch(/Malformed|incorrect|\[Bad/i);
        }
        if (TCPDUMP) {
          const r = spawnSync('tcpdump', ['-r', path, '-n', '-vv'], { encoding: 'utf8', timeout: 60_000 });
          expect(r.status, r.stderr).toBe(0);
          const lines = r.stdout.split('\n');
          expect(lines.filter((l) => /bad cksum|incorrect|bad udp cksum|bad tcp cksum/i.test(l)), name).toEqual([]);
          if (name === 'router.pcap') expect(lines.filter((l) => l.includes('ICMP echo')).length).toBe(frames);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
