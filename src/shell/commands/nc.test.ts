import { describe, expect, it } from 'vitest';
import { REFERENCE_TIME } from '../../labs/catalog';
import { LabSession } from '../../labs/session';
import { ScriptClock } from '../../labs/transcript';
import { buildPorts, parseNc } from './nc';
import { playgroundSession } from '../../../tests/support/session';

async function run(session: LabSession, line: string): Promise<{ out: string; err: string; status: number }> {
  let out = '';
  let err = '';
  const status = await session.run(line, { write: (t: string) => void (out += t) }, { write: (t: string) => void (err += t) });
  return { out, err, status };
}

async function inNetshoot(): Promise<LabSession> {
  const s = await playgroundSession({ topology: 'kubernetes-netshoot', seed: 3, scheduler: new ScriptClock(REFERENCE_TIME, 600_000) });
  await run(s, 'kubectl exec -it netshoot -- sh');
  return s;
}

function webPodIp(s: LabSession): string {
  return Object.values(s.sim.state.k8s.pods).find((p) => p.metadata.name.startsWith('web-'))!.status.podIP!;
}

describe('nc option parsing (musl getopt, netcat.c checks)', () => {
  it('reads bundled flags and -w, and stops at the first operand', () => {
    expect(parseNc(['-zvw', '2', 'web', '80'])).toMatchObject({ zero: true, verbose: true, timeout: 2000, operands: ['web', '80'] });
    expect(parseNc(['web', '80', '-zv'])).toMatchObject({ zero: false, operands: ['web', '80', '-zv'] });
    expect(parseNc(['-h'])).toBe('help');
  });

  it('rejects what netcat rejects, in its words', () => {
    expect(() => parseNc(['-w'])).toThrow(/^nc: option requires an argument: w\nusage: nc /);
    expect(() => parseNc(['--help'])).toThrow(/^nc: unrecognized option: -\n/);
    expect(() => parseNc(['-w', 'x', 'web', '80'])).toThrow('nc: timeout invalid: x');
    expect(() => parseNc(['-zv', 'web'])).toThrow('nc: missing port number');
    expect(() => parseNc(['-l', '8080'])).toThrow(/not supported in this sandbox/);
  });

  it('builds port lists from numbers, ranges and service names', () => {
    expect(buildPorts(['http', '82-80', '443'], 'tcp')).toEqual([80, 80, 81, 82, 443]);
    expect(buildPorts(['domain'], 'udp')).toEqual([53]);
    expect(() => buildPorts(['70000'], 'tcp')).toThrow('nc: port number too large: 70000');
    expect(() => buildPorts(['0'], 'tcp')).toThrow('nc: port number too small: 0');
    expect(() => buildPorts(['-zv'], 'tcp')).toThrow('nc: service "-zv" unknown');
  });
});

describe('nc -z against the sandbox', () => {
  it('reports an open port through a Service and a closed one on the pod, exit 0 when any answered', async () => {
    const s = await inNetshoot();
    const svc = s.sim.state.k8s.services['default/web']!.spec.clusterIP;
    const ok = await run(s, 'nc -zv web 80');
    expect(ok).toEqual({ out: '', err: `Connection to web (${svc}) 80 port [tcp/http] succeeded!\n`, status: 0 });
    const ip = webPodIp(s);
    const mixed = await run(s, `nc -zv ${ip} 81 80`);
    expect(mixed.err).toBe(`nc: connect to ${ip} port 81 (tcp) failed: Connection refused\nConnection to ${ip} 80 port [tcp/http] succeeded!\n`);
    expect(mixed.status).toBe(0);
    expect(await run(s, `nc -z ${ip} 81`)).toEqual({ out: '', err: '', status: 1 });
  });

  it('completes the handshake and closes: SYN, then ACK and FIN-ACK once the SYN-ACK came back', async () => {
    const s = await inNetshoot();
    const ip = webPodIp(s);
    const sent: number[] = [];
    const send = s.sim.send.bind(s.sim);
    s.sim.send = (ns, p, o) => {
      if (p.payload.kind === 'tcp' && (p.payload.dstPort === 80 || p.payload.dstPort === 81)) sent.push(p.payload.flags);
      return send(ns, p, o);
    };
    await run(s, `nc -z ${ip} 80`);
    expect(sent.slice(0, 3)).toEqual([0x02, 0x10, 0x11]);
    sent.length = 0;
    await run(s, `nc -z ${ip} 81`);
    // Refused: only the SYN went out.
    expect(sent).toEqual([0x02]);
  });

  it('gives up after -w seconds on a SYN nobody answers, and waits the SYN retries without it', async () => {
    const s = await inNetshoot();
    // When each SYN to port 81 left, from the start of the command.
    let t0 = s.sim.clock.now();
    const syns: number[] = [];
    const send = s.sim.send.bind(s.sim);
    s.sim.send = (ns, p, o) => {
      if (p.payload.kind === 'tcp' && p.payload.dstPort === 81 && p.payload.flags === 0x02) syns.push(s.sim.clock.now() - t0);
      return send(ns, p, o);
    };
    const r = await run(s, 'nc -zvw 2 web 81');
    expect(r.err).toMatch(/^nc: connect to web \(10\.\d+\.\d+\.\d+\) port 81 \(tcp\) timed out: Operation now in progress\n$/);
    expect(r.status).toBe(1);
    expect(s.sim.clock.now() - t0).toBe(2000);
    // The SYN again after the initial retransmission timeout, and no third one: nc gave up first.
    expect(syns).toEqual([0, 1000]);
    syns.length = 0;
    t0 = s.sim.clock.now();
    const slow = await run(s, 'nc -zv web 81');
    expect(slow.err).toMatch(/failed: Connection timed out\n$/);
    // Linux 6.8's schedule: four linear retransmissions after the first, then doubling; ETIMEDOUT at 131 s.
    expect(syns).toEqual([0, 1000, 2000, 3000, 4000, 5000, 7000, 11_000, 19_000, 35_000, 67_000]);
    expect(s.sim.clock.now() - t0).toBe(131_000);
  });

  it('checks UDP: silent success without -v, a 3 s probe with -v, silent failure on port unreachable', async () => {
    const s = await inNetshoot();
    const ip = webPodIp(s);
    expect(await run(s, `nc -zu ${ip} 53`)).toEqual({ out: '', err: '', status: 0 });
    const t0 = s.sim.clock.now();
    expect(await run(s, 'nc -zvu kube-dns.kube-system 53')).toEqual({ out: '', err: 'Connection to kube-dns.kube-system (10.96.0.10) 53 port [udp/domain] succeeded!\n', status: 0 });
    expect(s.sim.clock.now() - t0).toBe(3000);
    expect(await run(s, `nc -zvu ${ip} 53`)).toEqual({ out: '', err: '', status: 1 });
  });

  it('fails name lookups in musl\'s words, and -n refuses names without asking DNS', async () => {
    const s = await inNetshoot();
    expect((await run(s, 'nc -zv nope 80')).err).toBe('nc: getaddrinfo for host "nope" port 80: Name does not resolve\n');
    expect((await run(s, 'nc -zvn web 80')).err).toBe('nc: getaddrinfo for host "web" port 80: Name does not resolve\n');
    expect((await run(s, 'nc -zvn 10.96.0.10 53')).err).toMatch(/^Connection to 10\.96\.0\.10 53 port \[tcp\/\*\] succeeded!\n$/);
  });

  it('without -z sends standard input and prints the answer; musl stops at the first operand', async () => {
    const s = await inNetshoot();
    const r = await run(s, "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc web 80");
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/^HTTP\/1\.1 200 OK\r\nServer: nginx\/1\.27\.5\r\n[\s\S]*<title>Welcome to nginx!<\/title>/);
    expect((await run(s, 'nc web 80 -zv')).err).toBe('nc: service "-zv" unknown\n');
    expect((await run(s, 'nc -u web 80')).err).toMatch(/^nc: sending UDP data is not supported in this sandbox/);
  });

  it("on a node it is Ubuntu's build: glibc's getopt takes options after the operands, and glibc's wording", async () => {
    const s = await playgroundSession({ topology: 'kubernetes', seed: 3, scheduler: new ScriptClock(REFERENCE_TIME, 600_000) });
    await run(s, 'ssh node-1');
    expect(parseNc(['web', '80', '-zv'], true)).toMatchObject({ zero: true, verbose: true, operands: ['web', '80'] });
    expect(await run(s, 'nc 192.168.49.2 6443 -zv')).toEqual({ out: '', err: 'Connection to 192.168.49.2 6443 port [tcp/*] succeeded!\n', status: 0 });
    expect((await run(s, 'nc -zv nope 80')).err).toBe('nc: getaddrinfo for host "nope" port 80: Name or service not known\n');
  });
});
