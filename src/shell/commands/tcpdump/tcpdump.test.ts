import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sim } from '../../../sim/sim';
import { buildCluster } from '../../../sim/cluster';
import { VirtualClock } from '../../../sim/clock';
import { binaryToBytes, readFile } from '../../../sim/files';
import { readPcap } from '../../../sim/pcap';
import { createRegistry } from '../index';
import { Shell } from '../../shell';

const T0 = Date.UTC(2025, 2, 14, 9, 30, 0);

function setup() {
  const clock = new VirtualClock(T0);
  const state = buildCluster(
    {
      workloads: {
        deployments: [{ name: 'web', replicas: 3, image: 'nginx:1.27', ports: [80] }],
        pods: [
          { name: 'client', image: 'busybox:1.36', command: ['sleep', '3600'] },
          { name: 'debug', image: 'nicolaka/netshoot:v0.13', command: ['sleep', '3600'] },
        ],
        services: [{ name: 'web', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 80 }] }],
      },
    },
    7,
    T0 - 600_000,
  );
  const sim = Sim.fromState(state, clock);
  const registry = createRegistry();
  const shell = (): Shell => new Shell({ sim, scheduler: clock, registry });
  const client = sim.pod('default', 'client')!;
  const remoteWeb = Object.values(sim.state.k8s.pods).find((p) => p.metadata.name.startsWith('web') && p.spec.nodeName !== client.spec.nodeName)!;
  return { sim, shell, node: client.spec.nodeName!, clientIp: client.status.podIP!, remoteIp: remoteWeb.status.podIP! };
}

interface Run {
  out: () => string;
  err: () => string;
  done: Promise<number>;
}

function start(sh: Shell, line: string): Run {
  let out = '';
  let err = '';
  const done = sh.run(line, { write: (t) => void (out += t) }, { write: (t) => void (err += t) });
  return { out: () => out, err: () => err, done };
}

async function run(sh: Shell, line: string): Promise<{ out: string; err: string; status: number }> {
  const r = start(sh, line);
  const status = await r.done;
  return { out: r.out(), err: r.err(), status };
}

/** tcpdump in one shell on `node`, `traffic` in another, then Ctrl+C. */
async function capture(args: string, traffic: string[], where?: string) {
  const env = setup();
  const a = env.shell();
  const b = env.shell();
  await run(a, where ?? `ssh ${env.node}`);
  const td = start(a, `tcpdump ${args}`);
  for (const t of traffic) await run(b, t.replace('$REMOTE', env.remoteIp));
  a.interrupt();
  const status = await td.done;
  return { ...env, out: td.out(), err: td.err(), status };
}

const TS = String.raw`\d\d:\d\d:\d\d\.\d{6}`;

describe('tcpdump live capture', () => {
  it("prints a cross-node ping on the node's eth0 as OTV with the inner packet, and the summary on Ctrl+C", async () => {
    const r = await capture('-n -i eth0 udp port 8472', ['kubectl exec client -- ping -c 2 $REMOTE']);
    expect(r.status).toBe(0);
    const lines = r.out.split('\n');
    const otv = lines.filter((l) => new RegExp(`^${TS} IP 192\\.168\\.49\\.\\d+\\.\\d+ > 192\\.168\\.49\\.\\d+\\.8472: OTV, flags \\[I\\] \\(0x08\\), overlay 0, instance 1$`).test(l));
    expect(otv).toHaveLength(4);
    expect(lines.filter((l) => l === `IP ${r.clientIp} > ${r.remoteIp}: ICMP echo request, id ${/id (\d+)/.exec(r.out)![1]}, seq 0, length 64`)).toHaveLength(1);
    expect(r.out).toContain(`IP ${r.remoteIp} > ${r.clientIp}: ICMP echo reply`);
    // Interrupted: a newline on stdout, then libpcap's statistics on stderr.
    expect(r.out.endsWith('\n\n')).toBe(true);
    expect(r.err).toBe(
      'tcpdump: verbose output suppressed, use -v[v]... for full protocol decode\nlistening on eth0, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n4 packets captured\n4 packets received by filter\n0 packets dropped by kernel\n',
    );
  });

  it('the filter applies to the outer headers: icmp on eth0 sees nothing of a VXLAN-carried ping', async () => {
    const r = await capture('-n -i eth0 icmp', ['kubectl exec client -- ping -c 1 $REMOTE']);
    expect(r.out).toBe('\n');
    expect(r.err).toContain('0 packets captured\n0 packets received by filter\n');
  });

  it('-i any prints interface names and directions as the cooked header says', async () => {
    const r = await capture('-n -i any icmp', ['kubectl exec client -- ping -c 1 $REMOTE']);
    const lines = r.out.trim().split('\n');
    // The request enters the host side of the pod's veth (addressed to cni0: "P"), is passed
    // up by cni0, and leaves through flannel.1; the reply takes the way back.
    expect(lines.some((l) => new RegExp(`^veth[0-9a-f]{8} P   IP ${r.clientIp} > ${r.remoteIp}: ICMP echo request`).test(l.slice(16)))).toBe(true);
    expect(lines.some((l) => l.slice(16).startsWith('cni0  In  IP ' + r.clientIp))).toBe(true);
    expect(lines.some((l) => l.slice(16).startsWith(`flannel.1 Out IP ${r.clientIp} > ${r.remoteIp}: ICMP echo request`))).toBe(true);
    expect(lines.some((l) => l.slice(16).startsWith(`flannel.1 In  IP ${r.remoteIp} > ${r.clientIp}: ICMP echo reply`))).toBe(true);
    expect(lines.some((l) => l.slice(16).startsWith(`cni0  Out IP ${r.remoteIp} > ${r.clientIp}: ICMP echo reply`))).toBe(true);
    expect(r.err).toMatch(/^tcpdump: verbose output suppressed, use -v\[v\]\.\.\. for full protocol decode\nlistening on any, link-type LINUX_SLL2 \(Linux cooked v2\), snapshot length 262144 bytes\n/);
  });

  it('decodes DNS queries and answers, with port names unless -n', async () => {
    const named = await capture('-i cni0 port 53', ['kubectl exec client -- nslookup web']);
    // On cni0 the query still goes to the Service address: kube-proxy's DNAT happens later.
    expect(named.out).toMatch(new RegExp(`IP ${named.clientIp.replace(/\./g, '\\.')}\\.\\d+ > 10\\.96\\.0\\.10\\.domain: \\d+\\+ A\\? web\\.default\\.svc\\.cluster\\.local\\. \\(47\\)`));
    expect(named.out).toMatch(/IP 10\.96\.0\.10\.domain > 10\.244\.\d+\.\d+\.\d+: \d+\*- 1\/0\/0 A 10\.\d+\.\d+\.\d+ \(63\)/);
    const numeric = await capture('-nn -i cni0 port 53', ['kubectl exec client -- nslookup web']);
    expect(numeric.out).toMatch(/\.53: \d+\+ A\? web\.default\.svc\.cluster\.local\. \(47\)/);
  });

  it('shows a TCP handshake with relative sequence numbers and the HTTP request line', async () => {
    const r = await capture('-n -i cni0 tcp port 80', ['kubectl exec client -- wget -qO- http://web/']);
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toMatch(/Flags \[S\], seq \d+, win 64860, options \[mss 1410,sackOK,TS val \d+ ecr 0,nop,wscale 7\], length 0$/);
    expect(lines[1]).toMatch(/Flags \[S\.\], seq \d+, ack \d+, win \d+, options \[mss \d+,sackOK,TS val \d+ ecr \d+,nop,wscale 7\], length 0$/);
    expect(lines[2]).toMatch(/Flags \[\.\], ack 1, win \d+, length 0$/);
    expect(lines[3]).toMatch(/Flags \[P\.\], seq 1:\d+, ack 1, win \d+, length \d+: HTTP: GET \/ HTTP\/1\.1$/);
    expect(r.out).toContain(': HTTP: HTTP/1.1 200 OK');
  });

  it('-c stops after N packets, without the newline an interrupt prints', async () => {
    const env = setup();
    const a = env.shell();
    const b = env.shell();
    await run(a, `ssh ${env.node}`);
    const td = start(a, 'tcpdump -c 2 -n -i cni0 icmp');
    await run(b, `kubectl exec client -- ping -c 3 ${env.remoteIp}`);
    expect(await td.done).toBe(0);
    expect(td.out().split('\n')).toHaveLength(3);
    expect(td.out()).toMatch(new RegExp(`^${TS} IP .* ICMP echo request, id \\d+, seq 0, length 64\\n${TS} IP .* ICMP echo reply, id \\d+, seq 0, length 64\\n$`));
    expect(td.err()).toMatch(/\n2 packets captured\n2 packets received by filter\n0 packets dropped by kernel\n$/);
  });

  it('runs in a netshoot pod on its eth0 (the pod sees its own traffic only)', async () => {
    const env = setup();
    const a = env.shell();
    const b = env.shell();
    await run(a, 'kubectl exec -it debug -- sh');
    const td = start(a, 'tcpdump -n');
    await run(b, `kubectl exec debug -- ping -c 1 ${env.remoteIp}`);
    await run(b, `kubectl exec client -- ping -c 1 ${env.remoteIp}`);
    a.interrupt();
    await td.done;
    const debugIp = env.sim.pod('default', 'debug')!.status.podIP!;
    expect(td.err()).toContain('listening on eth0, link-type EN10MB (Ethernet)');
    expect(td.out()).toContain(`IP ${debugIp} > ${env.remoteIp}: ICMP echo request`);
    expect(td.out()).not.toContain(env.clientIp + ' >');
    // Without -n, the pod's own address is named from /etc/hosts.
    const c = start(a, 'tcpdump icmp');
    await run(b, `kubectl exec debug -- ping -c 1 ${env.remoteIp}`);
    a.interrupt();
    await c.done;
    expect(c.out()).toContain(`IP debug > ${env.remoteIp}: ICMP echo request`);
    // busybox ships no tcpdump.
    expect((await run(b, 'kubectl exec client -- tcpdump')).err).toContain('executable file not found');
  });

  it('-w writes a pcap file that -r prints exactly as the live capture did', async () => {
    const env = setup();
    const a = env.shell();
    const b = env.shell();
    const c = env.shell();
    await run(a, `ssh ${env.node}`);
    await run(c, `ssh ${env.node}`);
    const live = start(a, 'tcpdump -n -v -i eth0');
    const w = start(c, 'tcpdump -n -i eth0 -w /tmp/cap.pcap');
    await run(b, `kubectl exec client -- ping -c 2 ${env.remoteIp}`);
    await run(b, 'kubectl exec client -- nslookup web');
    a.interrupt();
    c.interrupt();
    await live.done;
    await w.done;
    expect(w.out()).toBe('');
    expect(w.err()).toMatch(/^tcpdump: listening on eth0, link-type EN10MB \(Ethernet\), snapshot length 262144 bytes\n(\d+) packets captured\n\1 packets received by filter\n0 packets dropped by kernel\n$/);
    const file = readFile(env.sim.state, env.node, '/tmp/cap.pcap')!;
    expect(file.binary).toBe(true);
    const pcap = readPcap(binaryToBytes(file.content));
    expect(pcap.linktype).toBe(1);
    expect(pcap.records.length).toBe(Number(/^(\d+) packets captured/m.exec(w.err())![1]));
    const back = await run(a, 'tcpdump -n -v -r /tmp/cap.pcap');
    expect(back.status).toBe(0);
    expect(back.err).toBe('reading from file /tmp/cap.pcap, link-type EN10MB (Ethernet), snapshot length 262144\n');
    expect(back.out).toBe(live.out().replace(/\n$/, ''));
  });
});

describe('tcpdump errors', () => {
  const cases: [string, string, number][] = [
    ['tcpdump -i nosuch', 'tcpdump: nosuch: No such device exists\n(No such device exists)\n', 1],
    ['tcpdump -c abc', 'tcpdump: invalid packet count abc\n', 1],
    ['tcpdump -c 0', 'tcpdump: invalid packet count 0\n', 1],
    ['tcpdump -s abc', 'tcpdump: invalid snaplen abc (must be >= 0 and <= 262144)\n', 1],
    ['tcpdump -Q foo', "tcpdump: unknown capture direction `foo'\n", 1],
    ['tcpdump tcp and', "tcpdump: can't parse filter expression: syntax error\n", 1],
    ['tcpdump port 99999', 'tcpdump: illegal port number 99999 > 65535\n', 1],
    ['tcpdump -r /root/none.pcap', 'tcpdump: /root/none.pcap: No such file or directory\n', 1],
    ['tcpdump -r /etc/hostname', 'tcpdump: unknown file format\n', 1],
  ];
  it.each(cases)('%s', async (line, err, status) => {
    const env = setup();
    const a = env.shell();
    await run(a, `ssh ${env.node}`);
    const r = await run(a, line);
    expect(r.err).toBe(err);
    expect(r.status).toBe(status);
    expect(r.out).toBe('');
  });

  it('a bad option prints getopt\'s complaint and the usage on stderr, exit 1', async () => {
    const env = setup();
    const a = env.shell();
    await run(a, `ssh ${env.node}`);
    const r = await run(a, 'tcpdump -k');
    expect(r.status).toBe(1);
    expect(r.err.split('\n').slice(0, 5)).toEqual(["tcpdump: invalid option -- 'k'", 'tcpdump version 4.99.4', 'libpcap version 1.10.4 (with TPACKET_V3)', 'OpenSSL 3.0.13 30 Jan 2024', 'Usage: tcpdump [-AbdDefhHIJKlLnNOpqStuUvxX#] [ -B size ] [ -c count ] [--count]']);
    const missing = await run(a, 'tcpdump -i');
    expect(missing.err.split('\n')[0]).toBe("tcpdump: option requires an argument -- 'i'");
    // -j takes the time stamp type; -J (list the types) and --nano take nothing.
    expect((await run(a, 'tcpdump -j')).err.split('\n')[0]).toBe("tcpdump: option requires an argument -- 'j'");
    expect((await run(a, 'tcpdump -J')).err.split('\n')[0]).not.toContain('requires an argument');
    expect((await run(a, 'tcpdump --nano=3')).err.split('\n')[0]).toBe("tcpdump: option '--nano' doesn't allow an argument");
  });
});

// The real tcpdump as the reference: the sandbox's own capture files, read back by both.
const TCPDUMP = ['/usr/bin/tcpdump', '/usr/sbin/tcpdump'].find((p) => spawnSync(p, ['--version']).status === 0);

describe('tcpdump -r against the real tcpdump', () => {
  // Skipped where tcpdump is not on the PATH (apt-get install -y tcpdump).
  it.skipIf(TCPDUMP === undefined).each([['-n'], ['-nv'], ['-ne'], ['-nvv'], ['-nev'], [''], ['-e'], ['-n icmp or arp'], ['-n tcp port 80'], ['-nS'], ['-nx'], ['-nvx'], ['-nexx'], ['-nX'], ['-nXX'], ['-nxX']])('prints every line as tcpdump 4.99 does (%s)', async (flags) => {
    const env = setup();
    const shells = [env.shell(), env.shell(), env.shell()];
    for (const s of shells) await run(s, `ssh ${env.node}`);
    const caps = [start(shells[0]!, 'tcpdump -i eth0 -w /tmp/eth0.pcap'), start(shells[1]!, 'tcpdump -i cni0 -w /tmp/cni0.pcap')];
    const b = env.shell();
    for (const t of [`kubectl exec client -- ping -c 2 ${env.remoteIp}`, 'kubectl exec client -- nslookup web', 'kubectl exec client -- nslookup nope', 'kubectl exec client -- wget -qO- http://web/', `kubectl exec client -- ping -c 1 -s 2000 ${env.remoteIp}`, 'kubectl exec client -- traceroute -n -m 2 192.168.49.1']) await run(b, t);
    shells[0]!.interrupt();
    shells[1]!.interrupt();
    for (const c of caps) await c.done;
    const dir = mkdtempSync(join(tmpdir(), 'tcpdump-'));
    try {
      for (const name of ['eth0.pcap', 'cni0.pcap']) {
        const bytes = binaryToBytes(readFile(env.sim.state, env.node, `/tmp/${name}`)!.content);
        writeFileSync(join(dir, name), bytes);
        // `-Z root`: run as root, tcpdump would otherwise switch to its own user to read the file.
        const real = spawnSync(TCPDUMP!, ['-Z', 'root', '-r', join(dir, name), ...flags.split(' ').filter(Boolean)], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
        // The reference must have run.
        expect(real.stderr).not.toMatch(/^tcpdump: /m);
        const sim = await run(shells[2]!, `tcpdump -r /tmp/${name} ${flags}`);
        expect(sim.out).toBe(real.stdout);
        if (!flags.includes(' ')) expect(sim.out.split('\n').length).toBeGreaterThan(10);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const TSHARK = ['/usr/bin/tshark', '/usr/local/bin/tshark'].find((p) => spawnSync(p, ['--version']).status === 0);

describe('tcpdump -i any -w', () => {
  it('writes a LINUX_SLL2 file that -r reads back with interface names, and tshark opens', async () => {
    const env = setup();
    const a = env.shell();
    const b = env.shell();
    await run(a, `ssh ${env.node}`);
    const w = start(a, 'tcpdump -i any -w /root/any.pcap icmp');
    await run(b, `kubectl exec client -- ping -c 1 ${env.remoteIp}`);
    a.interrupt();
    await w.done;
    expect(w.err()).toMatch(/^tcpdump: listening on any, link-type LINUX_SLL2 \(Linux cooked v2\), snapshot length 262144 bytes\n6 packets captured\n/);
    const bytes = binaryToBytes(readFile(env.sim.state, env.node, '/root/any.pcap')!.content);
    expect(readPcap(bytes).linktype).toBe(276);
    const back = await run(a, 'tcpdump -n -r /root/any.pcap');
    expect(back.err).toBe('reading from file /root/any.pcap, link-type LINUX_SLL2 (Linux cooked v2), snapshot length 262144\nWarning: interface names might be incorrect\n');
    const lines = back.out.trim().split('\n');
    expect(lines).toHaveLength(6);
    expect(lines[lines.length - 1]).toMatch(new RegExp(`^${TS} veth[0-9a-f]{8} Out IP ${env.remoteIp.replace(/\./g, '\\.')} > ${env.clientIp.replace(/\./g, '\\.')}: ICMP echo reply, id \\d+, seq 0, length 64$`));
    if (TSHARK) {
      const dir = mkdtempSync(join(tmpdir(), 'tcpdump-'));
      try {
        writeFileSync(join(dir, 'any.pcap'), bytes);
        const t = spawnSync(TSHARK, ['-r', join(dir, 'any.pcap'), '-T', 'fields', '-e', 'sll.pkttype', '-e', 'icmp.type'], { encoding: 'utf8' });
        expect(t.status).toBe(0);
        expect(t.stdout.trim().split('\n')).toHaveLength(6);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });
});
