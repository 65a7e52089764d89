import { describe, it, expect } from 'vitest';
import { ScriptClock, transcript } from '../../labs/transcript';
import { REFERENCE_TIME } from '../../labs/catalog';
import type { Pod } from '../../sim/k8s/types';
import { labSession } from '../../../tests/support/session';

/**
 * busybox ping inside the three-pools lab's client pod, through `kubectl exec`, checked
 * against docs/reference/fidelity.md 4.2 (format) and 4.3 (TTL). The client is a busybox pod; web pods
 * run nginx (no ping). The lab's cluster puts web pods both on and off the client's node.
 */

interface Run {
  stdout: string;
  stderr: string;
  status: number;
  /** Sandbox milliseconds the command took. */
  took: number;
}

const open = (seed = 1, interruptAfterMs?: number): ReturnType<typeof openSession> => openSession(seed, interruptAfterMs);

async function openSession(seed = 1, interruptAfterMs?: number) {
  const clock = new ScriptClock(REFERENCE_TIME, interruptAfterMs);
  const session = await labSession({ lab: 'fixture-web', seed, scheduler: clock });
  const run = async (line: string): Promise<Run> => {
    let stdout = '';
    let stderr = '';
    const start = clock.now();
    clock.beginCommand(() => session.interrupt());
    const status = await session.run(line, { write: (t) => void (stdout += t) }, { write: (t) => void (stderr += t) });
    return { stdout, stderr, status, took: clock.now() - start };
  };
  const k8s = session.sim.state.k8s;
  const client = k8s.pods['default/client']!;
  const web = Object.values(k8s.pods).filter((p) => p.metadata.labels?.app === 'web');
  const sameNode = web.find((p) => p.spec.nodeName === client.spec.nodeName)!;
  const otherNode = web.find((p) => p.spec.nodeName !== client.spec.nodeName)!;
  const nodeIp = (n: string): string => k8s.nodes[n]!.status.addresses.find((a) => a.type === 'InternalIP')!.address;
  return { clock, session, run, k8s, client, sameNode, otherNode, nodeIp, svcIp: k8s.services['default/web']!.spec.clusterIP! };
}

const REPLY = /^(\d+) bytes from (\S+): seq=(\d+) ttl=(\d+) time=(\d+\.\d{3}) ms$/;

/** Splits busybox ping output into its parts, checking the layout of docs/reference/fidelity.md 4.2 on the way. */
function parsePing(out: string) {
  const lines = out.split('\n');
  expect(lines.pop()).toBe('');
  const header = /^PING (\S+) \((\S+)\): (\d+) data bytes$/.exec(lines[0]!);
  expect(header, lines[0]).not.toBeNull();
  const replies: { bytes: number; from: string; seq: number; ttl: number; time: number }[] = [];
  let i = 1;
  for (; i < lines.length && lines[i] !== ''; i++) {
    const m = REPLY.exec(lines[i]!);
    expect(m, lines[i]).not.toBeNull();
    replies.push({ bytes: Number(m![1]), from: m![2]!, seq: Number(m![3]), ttl: Number(m![4]), time: Number(m![5]) });
  }
  let summary: { host: string; sent: number; received: number; loss: number; rtt?: [number, number, number] } | undefined;
  if (i < lines.length) {
    expect(lines[i]).toBe('');
    const title = /^--- (\S+) ping statistics ---$/.exec(lines[i + 1]!);
    const counts = /^(\d+) packets transmitted, (\d+) packets received, (\d+)% packet loss$/.exec(lines[i + 2]!);
    expect(title, lines[i + 1]).not.toBeNull();
    expect(counts, lines[i + 2]).not.toBeNull();
    summary = { host: title![1]!, sent: Number(counts![1]), received: Number(counts![2]), loss: Number(counts![3]) };
    const rest = lines.slice(i + 3);
    if (rest.length > 0) {
      const rtt = /^round-trip min\/avg\/max = (\d+\.\d{3})\/(\d+\.\d{3})\/(\d+\.\d{3}) ms$/.exec(rest[0]!);
      expect(rtt, rest[0]).not.toBeNull();
      summary.rtt = [Number(rtt![1]), Number(rtt![2]), Number(rtt![3])];
      expect(rest).toHaveLength(1); // no mdev line, nothing after
    }
  }
  return { host: header![1]!, addr: header![2]!, size: Number(header![3]), replies, summary };
}

describe('busybox ping format (docs/reference/fidelity.md 4.2)', () => {
  it('-c 3 to a pod on another node: header, seq from 0, ttl 62, summary, status 0', async () => {
    const { run, otherNode } = await open();
    const ipAddr = otherNode.status.podIP!;
    const r = await run(`kubectl exec client -- ping -c 3 ${ipAddr}`);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const p = parsePing(r.stdout);
    expect(r.stdout.split('\n')[0]).toBe(`PING ${ipAddr} (${ipAddr}): 56 data bytes`);
    expect(p.replies.map((x) => x.seq)).toEqual([0, 1, 2]);
    for (const x of p.replies) expect(x).toMatchObject({ bytes: 64, from: ipAddr, ttl: 62 });
    expect(p.summary).toMatchObject({ host: ipAddr, sent: 3, received: 3, loss: 0 });
    const times = p.replies.map((x) => x.time);
    const [min, avg, max] = p.summary!.rtt!;
    expect(min).toBe(Math.min(...times));
    expect(max).toBe(Math.max(...times));
    const mean = times.reduce((a, b) => a + b, 0) / times.length;
    expect(Math.abs(avg - mean)).toBeLessThanOrEqual(0.002); // each printed time is rounded to 1 us
    // One request per second, and it stops as soon as the last reply is in.
    expect(r.took).toBe(2000);
  });

  it('ttl follows docs/reference/fidelity.md 4.3: same node 64, other node 62, own node 64, other node IP 63', async () => {
    const { run, client, sameNode, otherNode, nodeIp, k8s } = await open();
    const ttlOf = async (target: string): Promise<number> => {
      const p = parsePing((await run(`kubectl exec client -- ping -c 1 ${target}`)).stdout);
      expect(p.replies).toHaveLength(1);
      expect(p.replies[0]!.from).toBe(target);
      return p.replies[0]!.ttl;
    };
    expect(await ttlOf(sameNode.status.podIP!)).toBe(64);
    expect(await ttlOf(otherNode.status.podIP!)).toBe(62);
    expect(await ttlOf(nodeIp(client.spec.nodeName!))).toBe(64);
    for (const n of Object.keys(k8s.nodes).filter((x) => x !== client.spec.nodeName)) expect(await ttlOf(nodeIp(n))).toBe(63);
  });

  it('-s changes the data size in the header and the "N bytes from" count (data + 8)', async () => {
    const { run, otherNode } = await open();
    const ipAddr = otherNode.status.podIP!;
    for (const size of [0, 16, 100, 1422]) {
      const p = parsePing((await run(`kubectl exec client -- ping -c 2 -s ${size} ${ipAddr}`)).stdout);
      expect(p.size).toBe(size);
      expect(p.replies.map((x) => x.bytes)).toEqual([size + 8, size + 8]);
    }
    // -sN attached works like -s N
    expect(parsePing((await run(`kubectl exec client -- ping -c1 -s100 ${ipAddr}`)).stdout).replies[0]!.bytes).toBe(108);
  });

  it('-q prints only the header and the summary', async () => {
    const { run, sameNode } = await open();
    const p = parsePing((await run(`kubectl exec client -- ping -q -c 2 ${sameNode.status.podIP}`)).stdout);
    expect(p.replies).toEqual([]);
    expect(p.summary).toMatchObject({ sent: 2, received: 2, loss: 0 });
    expect(p.summary?.rtt).toBeDefined();
  });

  it('works the same from an interactive shell in the pod (prompt / # )', async () => {
    const clock = new ScriptClock(REFERENCE_TIME);
    const session = await labSession({ lab: 'fixture-web', seed: 1, scheduler: clock });
    const target = session.bindings.target!.ip!;
    const text = await transcript(session, clock, ['kubectl exec -it client -- sh', `ping -c 1 ${target}`, 'exit'], { quiet: false });
    const lines = text.split('\n');
    expect(lines[0]).toBe('learner@workstation:~$ kubectl exec -it client -- sh');
    expect(lines[1]).toBe(`/ # ping -c 1 ${target}`);
    expect(lines[2]).toBe(`PING ${target} (${target}): 56 data bytes`);
    expect(lines[3]).toMatch(new RegExp(`^64 bytes from ${target.replace(/\./g, '\\.')}: seq=0 ttl=62 time=\\d+\\.\\d{3} ms$`));
    expect(lines).toContain('/ # exit');
    expect(session.prompt()).toBe('learner@workstation:~$ ');
  });

  it('on the workstation ping is iputils ping, and the pod network is not reachable from outside', async () => {
    const { run } = await open();
    const r = await run('ping -c 2 10.244.1.2');
    expect(r.stdout).toMatch(/^PING 10\.244\.1\.2 \(10\.244\.1\.2\) 56\(84\) bytes of data\.\n\n--- 10\.244\.1\.2 ping statistics ---\n2 packets transmitted, 0 received, 100% packet loss, time 100\dms\n$/);
    expect(r.status).toBe(1);
  });
});

describe('when nothing answers', () => {
  // A ScriptClock that interrupts only after a minute, so ping's own timers decide.
  it('a ClusterIP: 100% loss, no round-trip line, exit 1 -> "command terminated with exit code 1"', async () => {
    const { run, svcIp } = await open(1, 60_000);
    const r = await run(`kubectl exec client -- ping -c 2 ${svcIp}`);
    expect(r.stdout).toBe(`PING ${svcIp} (${svcIp}): 56 data bytes\n\n--- ${svcIp} ping statistics ---\n2 packets transmitted, 0 packets received, 100% packet loss\n`);
    expect(r.stderr).toBe('command terminated with exit code 1\n');
    expect(r.status).toBe(1);
    // busybox waits -W (default 10 s) after the last request when nothing came back.
    expect(r.took).toBe(1000 + 10_000);
  });

  it('-W sets that wait: `-c 2 -W 1` ends after 2 s, as busybox 1.35 does', async () => {
    const { run, svcIp } = await open(1, 60_000);
    const r = await run(`kubectl exec client -- ping -c 2 -W 1 ${svcIp}`);
    expect(r.stdout).toContain('2 packets transmitted, 0 packets received, 100% packet loss');
    expect(r.took).toBe(1000 + 1000);
    expect((await run(`kubectl exec client -- ping -c 1 -W 3 ${svcIp}`)).took).toBe(3000);
  });

  it('an unused pod IP on the client\'s node: nothing printed per packet, 100% loss, exit 1', async () => {
    const { run, client } = await open(1, 60_000);
    const unused = client.status.podIP!.replace(/\d+$/, '200');
    const r = await run(`kubectl exec client -- ping -c 1 ${unused}`);
    const p = parsePing(r.stdout);
    expect(p.replies).toEqual([]);
    expect(p.summary).toMatchObject({ sent: 1, received: 0, loss: 100 });
    expect(r.stderr).toBe('command terminated with exit code 1\n');
  });

  it('TTL too small: ICMP time exceeded is not printed by busybox', async () => {
    const { run, otherNode } = await open(1, 60_000);
    const r = await run(`kubectl exec client -- ping -c 2 -t 1 ${otherNode.status.podIP}`);
    const p = parsePing(r.stdout);
    expect(p.replies).toEqual([]);
    expect(p.summary).toMatchObject({ sent: 2, received: 0, loss: 100 });
    expect(r.status).toBe(1);
  });

  // `npm run shell` interrupts never-ending commands after 30 s of sandbox time by default,
  // well after busybox's 10 s -W wait, so a lost ping still ends with its own summary.
  it('with the default interrupt, ping -c 3 to a ClusterIP still prints its summary', async () => {
    const { run, svcIp } = await open();
    const r = await run(`kubectl exec client -- ping -c 3 ${svcIp}`);
    expect(r.stdout).toContain('3 packets transmitted, 0 packets received, 100% packet loss');
    expect(r.stderr).toBe('command terminated with exit code 1\n');
  });

  // Linux ping sockets default to IP_PMTUDISC_WANT: a ping larger than the MTU is sent in
  // fragments, reassembled by the pod, answered (in fragments too) and reassembled again.
  it('a ping larger than the pod MTU is fragmented and answered', async () => {
    const { run, otherNode } = await open(1, 60_000);
    const p = parsePing((await run(`kubectl exec client -- ping -c 1 -s 1500 ${otherNode.status.podIP}`)).stdout);
    expect(p.replies.map((x) => x.bytes)).toEqual([1508]);
  });
});

describe('ping without -c, interrupted after 10 s of sandbox time', () => {
  const target = (p: { otherNode: Pod }): string => p.otherNode.status.podIP!;
  const open = (): ReturnType<typeof openSession> => openSession(1, 10_000);

  it('kubectl exec without -t: kubectl is killed, so there is no summary; status 130', async () => {
    const o = await open();
    const r = await run10(o, `kubectl exec client -- ping ${target(o)}`);
    const p = parsePing(r.stdout);
    expect(p.replies.length === 10 || p.replies.length === 11).toBe(true);
    expect(p.replies.map((x) => x.seq)).toEqual(p.replies.map((_, i) => i));
    expect(p.summary).toBeUndefined();
    expect(r.stderr).toBe('');
    expect(r.status).toBe(130);
  });

  it('kubectl exec -it: Ctrl+C reaches ping, which prints its summary and exits 0', async () => {
    const o = await open();
    const r = await run10(o, `kubectl exec -it client -- ping ${target(o)}`);
    const p = parsePing(r.stdout);
    expect(p.replies.length === 10 || p.replies.length === 11).toBe(true);
    expect(p.summary).toMatchObject({ sent: p.replies.length, received: p.replies.length, loss: 0 });
    expect(r.status).toBe(0);
  });

  it('the shell carries on afterwards', async () => {
    const o = await open();
    await run10(o, `kubectl exec client -- ping ${target(o)}`);
    expect(await o.run('hostname')).toMatchObject({ stdout: 'workstation\n', status: 0 });
  });
});

async function run10(o: Awaited<ReturnType<typeof openSession>>, line: string): Promise<Run> {
  const r = await o.run(line);
  expect(r.took).toBe(10_000);
  return r;
}

describe('busybox ping usage errors', () => {
  it('a host name is looked up through the pod\'s resolv.conf (a Service name gives its cluster IP); an unknown one is a bad address, exit 1', async () => {
    const { run, svcIp } = await open();
    const r = await run10(await open(), 'kubectl exec client -- ping -c 1 web');
    expect(r.stdout.split('\n')[0]).toBe(`PING web (${svcIp}): 56 data bytes`);
    expect(r.stdout).toContain('1 packets transmitted, 0 packets received, 100% packet loss');
    expect(await run('kubectl exec client -- ping nope')).toMatchObject({ stdout: '', stderr: "ping: bad address 'nope'\ncommand terminated with exit code 1\n", status: 1 });
  });

  it('the pod\'s own name (which DNS does not know) answers from /etc/hosts', async () => {
    const o = await open();
    const r = await o.run('kubectl exec client -- ping -c 1 client');
    expect(r.stdout.split('\n')[0]).toBe(`PING client (${o.client.status.podIP}): 56 data bytes`);
    expect(r.stdout).toContain('1 packets received');
  });

  it('a missing option argument and an unknown option print busybox usage, exit 1', async () => {
    const { run } = await open();
    // The first line's wording depends on the C library's getopt; the usage text follows it.
    for (const line of ['kubectl exec client -- ping -c', 'kubectl exec client -- ping -x 10.244.1.2', 'kubectl exec client -- ping']) {
      const r = await run(line);
      expect(r.stdout, line).toBe('');
      expect(r.stderr, line).toContain('\nUsage: ping [OPTIONS] HOST\n');
      expect(r.stderr.endsWith('command terminated with exit code 1\n'), line).toBe(true);
      expect(r.status, line).toBe(1);
    }
    const c = await run('kubectl exec client -- ping -c abc 10.244.1.2');
    expect(c.stderr).toBe("ping: invalid number 'abc'\ncommand terminated with exit code 1\n");
  });
});

describe('a count no one waits for', () => {
  it('-c larger than a day of pings runs until interrupted, like no -c (a script stops it)', async () => {
    const { run, client } = await open(1, 5_000);
    const r = await run(`kubectl exec client -- ping -c 2147483647 ${client.status.podIP}`);
    expect(r.took).toBe(5_000);
    // Without -t, kubectl exec ends on Ctrl+C before the summary comes back.
    expect(parsePing(r.stdout).replies).toHaveLength(5);
    // A count that a day holds runs to its end.
    const short = await run(`kubectl exec client -- ping -c 7 ${client.status.podIP}`);
    expect(parsePing(short.stdout).summary).toMatchObject({ sent: 7, received: 7 });
  });
});
