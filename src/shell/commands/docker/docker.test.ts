import { describe, expect, it } from 'vitest';
import { REFERENCE_TIME } from '../../../labs/catalog';
import { LabSession } from '../../../labs/session';
import { ScriptClock } from '../../../labs/transcript';
import { humanDuration, goTime } from './common';
import { displayablePorts } from './ps';
import { parsePublish } from './run';
import { keepsRunning } from './container';
import { formatIp } from '../../../sim/ipv4';
import { playgroundSession } from '../../../../tests/support/session';

describe('docker CLI helpers', () => {
  it('prints go-units human durations', () => {
    expect(humanDuration(400)).toBe('Less than a second');
    expect(humanDuration(1000)).toBe('1 second');
    expect(humanDuration(59_999)).toBe('59 seconds');
    expect(humanDuration(60_000)).toBe('About a minute');
    expect(humanDuration(12 * 60_000)).toBe('12 minutes');
    expect(humanDuration(89 * 60_000)).toBe('About an hour');
    expect(humanDuration(3 * 3_600_000)).toBe('3 hours');
    expect(humanDuration(3 * 86_400_000)).toBe('3 days');
  });

  it('lays out PORTS as DisplayablePorts does', () => {
    expect(displayablePorts([
      { ip: '::', privatePort: 80, publicPort: 8080, type: 'tcp' },
      { ip: '0.0.0.0', privatePort: 80, publicPort: 8080, type: 'tcp' },
    ])).toBe('0.0.0.0:8080->80/tcp, [::]:8080->80/tcp');
    expect(displayablePorts([{ privatePort: 80, type: 'tcp' }])).toBe('80/tcp');
    expect(displayablePorts([
      { ip: '0.0.0.0', privatePort: 81, publicPort: 81, type: 'tcp' },
      { ip: '0.0.0.0', privatePort: 80, publicPort: 80, type: 'tcp' },
      { privatePort: 443, type: 'tcp' },
    ])).toBe('0.0.0.0:80-81->80-81/tcp, 443/tcp');
    expect(displayablePorts([])).toBe('');
  });

  it('parses -p as nat.ParsePortSpec', () => {
    expect(parsePublish('8080:80')).toEqual({ hostPort: 8080, containerPort: 80, protocol: 'tcp' });
    expect(parsePublish('127.0.0.1:5353:53/udp')).toEqual({ hostIp: '127.0.0.1', hostPort: 5353, containerPort: 53, protocol: 'udp' });
    expect(parsePublish('80')).toEqual({ hostPort: 0, containerPort: 80, protocol: 'tcp' });
    expect(() => parsePublish('8080:http')).toThrow('docker: invalid containerPort: http');
    expect(() => parsePublish('80/icmp')).toThrow('docker: invalid proto: icmp');
  });

  it('formats times as Go does in JSON', () => {
    expect(goTime(Date.UTC(2025, 2, 14, 9, 30, 0))).toBe('2025-03-14T09:30:00Z');
    expect(goTime(Date.UTC(2025, 2, 14, 9, 30, 0, 120))).toBe('2025-03-14T09:30:00.12Z');
    expect(goTime(undefined)).toBe('0001-01-01T00:00:00Z');
  });

  it('knows which main processes keep a container running', () => {
    expect(keepsRunning({ path: '/docker-entrypoint.sh', args: ['nginx', '-g', 'daemon off;'], openStdin: false })).toBe(true);
    expect(keepsRunning({ path: 'sh', args: [], openStdin: false })).toBe(false);
    expect(keepsRunning({ path: 'sh', args: [], openStdin: true })).toBe(true);
    expect(keepsRunning({ path: 'sleep', args: ['3600'], openStdin: false })).toBe(true);
    expect(keepsRunning({ path: 'ping', args: ['-c', '1', '1.1.1.1'], openStdin: false })).toBe(false);
    expect(keepsRunning({ path: 'hostname', args: [], openStdin: false })).toBe(false);
    // The nginx image's entrypoint runs its command: a shell with stdin open stays, one without exits.
    expect(keepsRunning({ path: '/docker-entrypoint.sh', args: ['sh'], openStdin: true })).toBe(true);
    expect(keepsRunning({ path: '/docker-entrypoint.sh', args: ['bash'], openStdin: false })).toBe(false);
    expect(keepsRunning({ path: '/docker-entrypoint.sh', args: ['sleep', '60'], openStdin: false })).toBe(true);
  });
});

describe('docker run with the nginx image', () => {
  async function session(): Promise<{ s: LabSession; run: (line: string) => Promise<{ out: string; status: number }> }> {
    const s = await playgroundSession({ topology: 'docker', seed: 1, scheduler: new ScriptClock(REFERENCE_TIME, 60_000) });
    const run = async (line: string): Promise<{ out: string; status: number }> => {
      let out = '';
      const sink = { write: (t: string) => void (out += t) };
      const status = await s.run(line, sink, sink);
      return { out, status };
    };
    await run('ssh host-1');
    return { s, run };
  }
  const container = (s: LabSession, name: string) => s.sim.state.docker!.hosts['host-1']!.containers.find((c) => c.name === name);

  it('-it nginx sh and bash: the shell is the main process (nginx never starts, nothing listens on 80); exit stops the container', async () => {
    for (const shell of ['sh', 'bash']) {
      const { s, run } = await session();
      expect(await run(`docker run -it --name box nginx ${shell}`)).toEqual({ out: '', status: 0 });
      const c = container(s, 'box')!;
      // dash prompts `# `; bash, Debian's `root@<short id>:/# `.
      expect(s.prompt()).toBe(shell === 'sh' ? '# ' : `root@${c.id.slice(0, 12)}:/# `);
      expect(c.status).toBe('running');
      expect(c.args).toEqual([shell]);
      expect((await run('hostname')).out).toBe(`${c.id.slice(0, 12)}\n`);
      // bash says `exit` (on stderr) as it leaves; dash says nothing.
      expect(await run('exit')).toEqual({ out: shell === 'bash' ? 'exit\n' : '', status: 0 });
      expect(s.prompt()).toBe('root@host-1:~# ');
      expect(container(s, 'box')!.status).toBe('exited');
    }
  });

  it('a detached nginx serves its page on the container address and the published port; a detached nginx shell does not', async () => {
    const { s, run } = await session();
    await run('docker run -d --name web -p 8080:80 nginx');
    await run('docker run -dit --name box nginx sh');
    const web = container(s, 'web')!;
    const box = container(s, 'box')!;
    expect(box.status).toBe('running');
    expect((await run(`curl -s ${formatIp(web.ip)}`)).out).toContain('<title>Welcome to nginx!</title>');
    expect((await run('curl -s localhost:8080')).out).toContain('<title>Welcome to nginx!</title>');
    expect(await run(`curl -s ${formatIp(box.ip)}`)).toEqual({ out: '', status: 7 });
  });

  it('a command the nginx image lacks fails inside its entrypoint script with exit 127', async () => {
    const { s, run } = await session();
    expect(await run('docker run --name bad nginx nope')).toEqual({ out: '/docker-entrypoint.sh: 47: exec: nope: not found\n', status: 127 });
    expect(container(s, 'bad')).toMatchObject({ status: 'exited', exitCode: 127 });
  });
});

describe('docker version', () => {
  async function onHost(): Promise<{ run: (line: string) => Promise<{ out: string; err: string; status: number }> }> {
    const s = await playgroundSession({ topology: 'docker', seed: 1, scheduler: new ScriptClock(REFERENCE_TIME, 60_000) });
    const run = async (line: string) => {
      let out = '';
      let err = '';
      const status = await s.run(line, { write: (t: string) => void (out += t) }, { write: (t: string) => void (err += t) });
      return { out, err, status };
    };
    await run('ssh host-1');
    return { run };
  }

  it('prints the CLI version line for --version and -v', async () => {
    const h = await onHost();
    expect(await h.run('docker --version')).toEqual({ out: 'Docker version 28.5.1, build e180ab8\n', err: '', status: 0 });
    expect((await h.run('docker -v')).out).toBe('Docker version 28.5.1, build e180ab8\n');
  });

  it('lays out the Client and Server blocks with values 20 characters in', async () => {
    const h = await onHost();
    const { out, status } = await h.run('docker version');
    expect(status).toBe(0);
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toBe('Client: Docker Engine - Community');
    expect(lines).toContain('Server: Docker Engine - Community');
    expect(lines).toContain('  API version:      1.51 (minimum version 1.24)');
    const fields = lines.filter((x) => /^ {1,2}[\w/ -]+:\s+\S/.test(x));
    expect(fields.length).toBe(20);
    for (const l of fields) expect(/^ {1,2}[\w/ -]+:\s+/.exec(l)![0].length).toBe(20);
  });

  it('rejects arguments and unknown flags as cobra does', async () => {
    const h = await onHost();
    const extra = await h.run('docker version x');
    expect(extra.status).toBe(1);
    expect(extra.err).toContain("docker: 'docker version' accepts no arguments");
    expect((await h.run('docker version --foo')).status).toBe(125);
  });
});

describe('docker networks, attach and detach', () => {
  async function session(): Promise<{ s: LabSession; run: (line: string) => Promise<{ out: string; status: number }> }> {
    const s = await playgroundSession({ topology: 'docker', seed: 1, scheduler: new ScriptClock(REFERENCE_TIME, 60_000) });
    const run = async (line: string): Promise<{ out: string; status: number }> => {
      let out = '';
      const sink = { write: (t: string) => void (out += t) };
      const status = await s.run(line, sink, sink);
      return { out, status };
    };
    await run('ssh host-1');
    return { s, run };
  }

  it('creates, lists, inspects and removes a user-defined network', async () => {
    const { s, run } = await session();
    const created = await run('docker network create --driver bridge alpine-net');
    expect(created.out).toMatch(/^[0-9a-f]{64}\n$/);
    const id = created.out.trim();
    const ls = (await run('docker network ls')).out.split('\n');
    expect(ls[0]).toBe('NETWORK ID     NAME         DRIVER    SCOPE');
    expect(ls[1]).toBe(`${id.slice(0, 12)}   alpine-net   bridge    local`);
    expect(ls.slice(2, 5).map((l) => l.split(/\s+/)[1])).toEqual(['bridge', 'host', 'none']);
    const record = JSON.parse((await run('docker network inspect alpine-net')).out) as Record<string, unknown>[];
    expect(record[0]).toMatchObject({ Name: 'alpine-net', Id: id, Driver: 'bridge', IPAM: { Driver: 'default', Options: {}, Config: [{ Subnet: '172.18.0.0/16', Gateway: '172.18.0.1' }] }, Containers: {}, Options: {} });
    expect(await run('docker network create alpine-net')).toEqual({ out: 'Error response from daemon: network with name alpine-net already exists\n', status: 1 });
    await run('docker run -dit --name alpine1 --network alpine-net alpine ash');
    const c = s.sim.state.docker!.hosts['host-1']!.containers.find((x) => x.name === 'alpine1')!;
    const net = JSON.parse((await run('docker network inspect alpine-net')).out) as { Containers: Record<string, { Name: string; IPv4Address: string }> }[];
    expect(net[0]!.Containers[c.id]).toMatchObject({ Name: 'alpine1', IPv4Address: '172.18.0.2/16' });
    expect(await run('docker network rm alpine-net')).toEqual({
      out: `Error response from daemon: error while removing network: network alpine-net has active endpoints (name:"alpine1" id:"${c.endpointId.slice(0, 12)}")\n`,
      status: 1,
    });
    expect((await run('docker network rm bridge')).out).toBe('Error response from daemon: bridge is a pre-defined network and cannot be removed\n');
    await run('docker rm -f alpine1');
    expect(await run('docker network rm alpine-net')).toEqual({ out: 'alpine-net\n', status: 0 });
    expect((await run('docker run -d --network alpine-net alpine')).out).toContain('docker: Error response from daemon: network alpine-net not found');
  });

  it('resolves container names on a user-defined network but not on the default bridge', async () => {
    const { run } = await session();
    await run('docker network create alpine-net');
    await run('docker run -dit --name alpine1 --network alpine-net alpine ash');
    await run('docker run -dit --name alpine2 --network alpine-net --network-alias db alpine ash');
    await run('docker run -dit --name alpine3 alpine ash');
    expect((await run('docker exec alpine1 ping -c 1 alpine2')).out).toContain('PING alpine2 (172.18.0.3): 56 data bytes\n64 bytes from 172.18.0.3: seq=0 ttl=64');
    expect((await run('docker exec alpine1 ping -c 1 db')).out).toContain('PING db (172.18.0.3)');
    expect(await run('docker exec alpine1 ping -c 1 alpine3')).toEqual({ out: "ping: bad address 'alpine3'\n", status: 1 });
    expect(await run('docker exec alpine3 ping -c 1 alpine1')).toEqual({ out: "ping: bad address 'alpine1'\n", status: 1 });
    expect((await run('docker exec alpine1 cat /etc/resolv.conf')).out).toContain('nameserver 127.0.0.11\noptions ndots:0\n');
    expect((await run('docker exec alpine3 cat /etc/resolv.conf')).out).toContain('nameserver 192.168.56.1\n');
    // Isolation: alpine1 cannot reach alpine3 on the default bridge; google.com answers through both masquerades.
    expect((await run('docker exec alpine1 ping -c 2 172.17.0.2')).out).toContain('2 packets transmitted, 0 packets received, 100% packet loss');
    expect((await run('docker exec alpine1 ping -c 1 google.com')).out).toContain('64 bytes from 192.0.2.14: seq=0 ttl=62');
    expect(await run('docker exec alpine1 ping -c 1 nosuchname.example')).toEqual({ out: "ping: bad address 'nosuchname.example'\n", status: 1 });
    await run('docker network connect bridge alpine1');
    expect((await run('docker exec alpine1 ping -c 1 172.17.0.2')).out).toContain('64 bytes from 172.17.0.2: seq=0 ttl=64');
  });

  it('busybox nslookup in a container asks the server of its resolv.conf: 127.0.0.11 on a user-defined network, the host\'s on the default bridge', async () => {
    const { run } = await session();
    await run('docker network create alpine-net');
    await run('docker run -d --name api --network alpine-net nginx');
    await run('docker run -dit --name alpine1 --network alpine-net alpine ash');
    await run('docker run -dit --name alpine2 alpine ash');
    // busybox 1.36 asks for A and AAAA; the embedded server answers the container name, and an empty NOERROR for AAAA.
    expect(await run('docker exec alpine1 nslookup api')).toEqual({
      out: 'Server:\t\t127.0.0.11\nAddress:\t127.0.0.11:53\n\nNon-authoritative answer:\nName:\tapi\nAddress: 172.18.0.2\n\nNon-authoritative answer:\n\n',
      status: 0,
    });
    // Other names go to the host's nameserver, through the embedded server.
    expect((await run('docker exec alpine1 nslookup google.com')).out).toContain('Server:\t\t127.0.0.11\n');
    expect((await run('docker exec alpine1 nslookup google.com')).out).toContain('Name:\tgoogle.com\nAddress: 192.0.2.14\n');
    // On the default bridge the host's nameserver is asked, and it knows no container names.
    expect(await run('docker exec alpine2 nslookup api')).toEqual({
      out: "Server:\t\t192.168.56.1\nAddress:\t192.168.56.1:53\n\n** server can't find api: NXDOMAIN\n\n** server can't find api: NXDOMAIN\n\n",
      status: 1,
    });
  });

  it('attach lands in the main shell; Ctrl+P Ctrl+Q detaches with "read escape sequence"; exit stops the container', async () => {
    const { s, run } = await session();
    await run('docker run -dit --name alpine1 alpine ash');
    expect(await run('docker attach alpine1')).toEqual({ out: '', status: 0 });
    expect(s.prompt()).toBe('/ # ');
    expect(await run('\x10\x11')).toEqual({ out: 'read escape sequence\n', status: 1 });
    expect(s.prompt()).toBe('root@host-1:~# ');
    const c = s.sim.state.docker!.hosts['host-1']!.containers.find((x) => x.name === 'alpine1')!;
    expect(c.status).toBe('running');
    await run('docker container attach alpine1');
    expect(await run('exit')).toEqual({ out: '', status: 0 });
    expect(c.status).toBe('exited');
    expect(await run('docker attach alpine1')).toEqual({ out: 'You cannot attach to a stopped container, start it first\n', status: 1 });
    // docker run -it: the detach says nothing; --rm removes the container when its shell exits.
    await run('docker run -it --name tmp --rm alpine sh');
    expect(s.prompt()).toBe('/ # ');
    expect(await run('\x10\x11')).toEqual({ out: '', status: 0 });
    await run('docker attach tmp');
    await run('exit');
    expect(s.sim.state.docker!.hosts['host-1']!.containers.some((x) => x.name === 'tmp')).toBe(false);
  });

  it('stops several containers in parallel: one 10-second wait for all, names in the order given', async () => {
    const { s, run } = await session();
    await run('docker run -dit --name a1 alpine ash');
    await run('docker run -dit --name a2 alpine ash');
    const t0 = s.sim.clock.now();
    expect(await run('docker container stop a1 nope a2')).toEqual({ out: 'a1\na2\nError response from daemon: No such container: nope\n', status: 1 });
    expect(s.sim.clock.now() - t0).toBe(10_000);
    const cs = s.sim.state.docker!.hosts['host-1']!.containers;
    expect(cs.map((c) => [c.name, c.status, c.exitCode])).toEqual([
      ['a1', 'exited', 137],
      ['a2', 'exited', 137],
    ]);
  });
});
