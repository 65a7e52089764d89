import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REFERENCE_TIME } from '../../src/labs/catalog';
import { ScriptClock } from '../../src/labs/transcript';
import type { Shell } from '../../src/shell/shell';
import { needsMore } from '../../src/shell/tokenize';
import { labSession, playgroundSession } from '../support/session';

// Robustness: generated command lines through every registered command, in every place a
// learner can be. Nothing may escape as an exception or an internal error, and every line
// must end (virtual time is capped by the transcript clock's interrupt).
const WORDS = [
  'pods', 'po', 'nodes', 'svc', 'services', 'deploy', 'all', 'web', 'client', 'nope', 'node-1', 'node-2', 'control-plane',
  '10.244.1.2', '10.244.2.2', '10.96.0.1', '10.96.0.10', '192.168.49.3', '192.168.49.100', '999.1.1.1', 'http://web/', 'http://10.244.1.2/',
  '-n', 'kube-system', '-A', '-o', 'wide', 'json', 'name', 'yaml', '-c', '1', '2', '0', '-1', '-s', '1500', '-t', 'nat', 'filter', 'raw',
  '-p', 'tcp', 'icmp', '-L', '-d', '-m', '3', '-M', 'do', '-v', '-i', '-I', '-H', 'Host: x', '--', '--help', '-h', '--foo', '-x',
  'addr', 'route', 'neigh', 'link', 'dev', 'eth0', 'cni0', 'flannel.1', 'show', 'fdb', '/etc/resolv.conf', '/run/flannel/subnet.env',
  'exec', 'get', 'describe', 'events', 'ev', '--for', '--types', '--show-events', 'ping', 'sh', 'api-resources', 'version', 'ep', 'endpointslices', 'rs', 'ds', 'ns', 'ing', '-l', 'app=web', 'app in (a,b', '!app',
  'run', 'ps', 'rm', 'stop', 'start', 'inspect', 'network', 'container', '--rm', '--name', '--no-trunc', 'busybox', 'nginx', 'alpine', '8080:80', '{{.NetworkSettings.IPAddress}}', "'{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}'",
  'apply', 'create', 'delete', 'scale', 'expose', 'run', 'label', 'deployment', 'service', 'clusterip', 'namespace', 'deployment/web', '-f', '-', 'web.yaml', '--replicas=2', '--replicas', '--image=nginx', '--port=80', '--tcp=80:8080', '--type=NodePort', '--overwrite', 'app=x', 'app-', '--all', '--force',
  'logs', 'log', 'cluster-info', 'dump', '--tail=2', '--tail', '--timestamps', '--since=1h', '--prefix', '--all-containers', '--previous', '--watch', '--watch-only', '--no-headers', 'custom-columns=NAME:.metadata.name,IP:.status.podIP', 'custom-columns=A', 'custom-columns-file=x', '--sort-by=.status.podIP', '--sort-by', '{.nope}', '--field-selector', 'spec.nodeName=node-1', 'status.phase!=Running', 'foo=bar',
  'jsonpath={.items[*].metadata.name}', "jsonpath='{range .items[*]}{.x}{end}'", 'jsonpath={.items[', '--namespaced=false', '--client', '-it', "'{print $1}'", '-f2', '-d-', '"quoted words"', "'single'", '$HOME', '$?', '""', "''",
  'netns', 'list', 'exec', 'cni-x', '-S', '-nvL', 'KUBE-SERVICES', '--line-numbers', 'mangle', 'FORWARD', '+short', '+search', '+noall', '+answer', '@10.96.0.10', '-x', 'SRV', 'web.default.svc.cluster.local', 'kubernetes.default', 'add', 'down', '-a', 'netshoot',
  'echo', 'printf', "'%s\\n'", "'%-5d|'", 'export', 'unset', 'history', 'sleep', 'ls', 'touch', 'pwd', 'env', 'printenv', '-la', '-ne', 'A=1', 'X', 'f.txt', '/tmp', '~', '~/f.txt', '$(hostname)', '"$(echo web)"', '`echo pods`', '${HOME}', '${X:-pods}', '${#X}', '${%', '$X', "$'a'",
  'any', '-nn', '-e', '-w', '-r', '/tmp/x.pcap', 'host', 'port', 'net', 'and', 'or', 'not', '(', 'udp', 'arp', '-Q', 'in',
  'nc', '-zv', '-zvu', '-w', '-z', '-lp', 'http', '80-82', '--version', 'ss', '-tlnp', '-tulpn', '-uan', '-tan', '-l', '-4', '-6', '--processes', 'state', 'listening', 'exclude', 'sport', 'dport', '=', ':80', ':nope', '-Afoo', '-f', 'inet6',
  '-qO-', '-qO', '-O', '-T', '--spider', '--no-c', '-P', '--output-document=x', 'index.html', '/dev/null', "'%{http_code}\\n'", '%{remote_ip}', '-X', 'HEAD', 'POST', 'http://web/nope',
];

/** Shell syntax around a command: assignments before it, redirections and here-documents after it. */
const PREFIXES = ['A=1', 'X="a b"', 'POD=$(kubectl get pods -o name | head -1)', 'N=`hostname`'];
const REDIRECTS = ['> f.txt', '>> f.txt', '2>/dev/null', '2>&1', '> /dev/null', '< f.txt', '< /etc/resolv.conf', '> nodir/x', '2> /etc/x', '> $X', '&> f.txt', '>&2', '<<< web', '<<EOF\nweb $HOME\n$(hostname)\nEOF', "<<'EOF'\n$X\nEOF", '<<-EOF\n\tweb\n\tEOF', '<<EOF', "'open quote", '"$(unclosed'];

const line = (cmds: string[]) =>
  fc
    .tuple(
      fc.option(fc.constantFrom(...PREFIXES), { nil: undefined }),
      fc.constantFrom(...cmds),
      fc.array(fc.constantFrom(...WORDS), { maxLength: 6 }),
      fc.option(fc.constantFrom(...REDIRECTS), { nil: undefined, freq: 3 }),
      fc.option(fc.constantFrom('| grep web', '| wc -l', '| head -2', "| awk '{print $2}'", '&& hostname', '|| echo', '; hostname', '|'), { nil: undefined }),
    )
    .map(([pre, c, args, redirect, tail]) => [...(pre ? [pre] : []), c, ...args, ...(redirect ? [redirect] : []), ...(tail ? [tail] : [])].join(' '));

describe('robustness', () => {
  it('no generated command line throws, hangs or reports an internal error', async () => {
    const clock = new ScriptClock(REFERENCE_TIME, 3_000);
    const session = await labSession({ lab: 'fixture-web', seed: 4, scheduler: clock });
    const registryNames = ['kubectl', 'ping', 'ssh', 'ip', 'iptables-save', 'conntrack', 'curl', 'cat', 'grep', 'head', 'tail', 'wc', 'sort', 'uniq', 'cut', 'awk', 'traceroute', 'bridge', 'nslookup', 'wget', 'hostname', 'help', 'answer', 'clear', 'foo', 'exit', 'iptables', 'dig', 'ifconfig', 'route', 'docker', 'tcpdump', 'echo', 'printf', 'export', 'unset', 'history', 'sleep', 'ls', 'rm', 'touch', 'pwd', 'true', 'false', 'env', 'printenv'];
    const places = ['', 'ssh node-1', 'kubectl exec -it client -- sh', 'kubectl exec -it web-7788985cd4-46bg9 -- sh'];
    let lines = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...places), fc.array(line(registryNames), { minLength: 1, maxLength: 10 }), async (place, cmds) => {
        let out = '';
        const sink = { write: (t: string) => void (out += t) };
        if (place) await session.run(place, sink, sink);
        for (const c of cmds) {
          clock.beginCommand(() => session.interrupt());
          const start = clock.now();
          const status = await session.run(c, sink, sink);
          lines++;
          expect(Number.isInteger(status)).toBe(true);
          expect(clock.now() - start).toBeLessThan(200_000);
        }
        // Back to the workstation for the next run.
        while (session.prompt() !== 'learner@workstation:~$ ') await session.run('exit', sink, sink);
        expect(out).not.toMatch(/internal error/);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 2200), seed: 20261122 },
    );
    expect(lines).toBeGreaterThanOrEqual(10_000);
  });
  it('no generated command line breaks a netshoot pod or ip netns on its node', async () => {
    const clock = new ScriptClock(REFERENCE_TIME, 3_000);
    const session = await playgroundSession({ topology: 'kubernetes-netshoot', seed: 4, scheduler: clock });
    const names = ['ping', 'ip', 'dig', 'nslookup', 'ifconfig', 'route', 'curl', 'traceroute', 'iptables', 'ss', 'help', 'exit'];
    const places = ['kubectl exec -it netshoot -- sh', 'kubectl exec -it client -- sh', 'ssh node-2', 'ssh node-1'];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...places), fc.array(line(names), { minLength: 1, maxLength: 8 }), async (place, cmds) => {
        let out = '';
        const sink = { write: (t: string) => void (out += t) };
        await session.run(place, sink, sink);
        for (const c of cmds) {
          clock.beginCommand(() => session.interrupt());
          expect(Number.isInteger(await session.run(c, sink, sink))).toBe(true);
        }
        while (session.prompt() !== 'learner@workstation:~$ ') await session.run('exit', sink, sink);
        expect(out).not.toMatch(/internal error/);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 300), seed: 20261123 },
    );
  });

  it('no generated command line breaks a Docker host or a container shell', async () => {
    const clock = new ScriptClock(REFERENCE_TIME, 3_000);
    const session = await playgroundSession({ topology: 'docker', seed: 4, scheduler: clock });
    const sink0 = { write: () => {} };
    // Containers to aim at: a detached nginx with a published port and a busybox shell.
    await session.run('ssh host-1', sink0, sink0);
    await session.run('docker run -d --name web -p 8080:80 nginx', sink0, sink0);
    await session.run('docker run -dit --name c1 busybox', sink0, sink0);
    await session.run('exit', sink0, sink0);
    const names = ['docker', 'ping', 'ip', 'bridge', 'iptables-save', 'iptables', 'ss', 'curl', 'wget', 'tcpdump', 'cat', 'hostname', 'ls', 'exit'];
    const docker = ['docker run', 'docker run -d', 'docker run -it --rm busybox', 'docker ps', 'docker ps -a', 'docker exec c1', 'docker exec -it c1 sh', 'docker inspect', 'docker inspect -f', 'docker stop', 'docker start', 'docker rm', 'docker rm -f', 'docker network ls', 'docker network inspect', 'docker'];
    const places = ['ssh host-1', 'ssh host-2', 'ssh host-1\ndocker exec -it c1 sh'];
    let lines = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...places), fc.array(line([...names, ...docker]), { minLength: 1, maxLength: 8 }), async (place, cmds) => {
        let out = '';
        const sink = { write: (t: string) => void (out += t) };
        for (const p of place.split('\n')) await session.run(p, sink, sink);
        for (const c of cmds) {
          clock.beginCommand(() => session.interrupt());
          expect(Number.isInteger(await session.run(c, sink, sink))).toBe(true);
          lines++;
        }
        while (session.prompt() !== 'learner@workstation:~$ ') await session.run('exit', sink, sink);
        expect(out).not.toMatch(/internal error/);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 300), seed: 20261125 },
    );
    expect(lines).toBeGreaterThan(1000);
  });

  it('a command that fails validation (usage, bad flag, not found, bad redirection) leaves the sandbox unchanged', async () => {
    const clock = new ScriptClock(REFERENCE_TIME, 3_000);
    const session = await labSession({ lab: 'fixture-web', seed: 4, scheduler: clock });
    const shell = (session as unknown as { shell: Shell }).shell;
    const names = ['kubectl', 'ping', 'ip', 'iptables-save', 'conntrack', 'curl', 'cat', 'grep', 'traceroute', 'bridge', 'hostname', 'answer', 'foo', 'docker', 'tcpdump', 'dig', 'echo', 'export', 'history', 'sleep', 'ls', 'rm', 'touch', 'pwd', 'env', 'printenv'];
    const VALIDATION = ['USAGE', 'UNKNOWN_FLAG', 'NOT_FOUND', 'INVALID', 'COMMAND_NOT_FOUND', 'SYNTAX'];
    // Lines of one simple command (no `;`, `&&`, `|`), so a failure is that command's own.
    const single = line(names).filter((l) => !/[|;&]|\$\(/.test(l.replace(/2>&1|>&2|&>/g, '')));
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('', 'ssh node-1', 'kubectl exec -it client -- sh'), fc.array(single, { minLength: 1, maxLength: 6 }), async (place, cmds) => {
        const sink = { write: () => {} };
        if (place) await session.run(place, sink, sink);
        // The state as JSON, the files apart; `now` holds it while it is known to be current.
        const view = (): { rest: string; files: string } => {
          const { files, ...rest } = session.sim.state;
          return { rest: JSON.stringify(rest), files: JSON.stringify(files) };
        };
        let now: ReturnType<typeof view> | undefined;
        for (const c of cmds) {
          clock.beginCommand(() => session.interrupt());
          // `> f` creates or empties f before the command runs, also in bash: files aside then.
          const writes = c.replace(/>\s*\/dev\/null|2>&1|>&2/g, '').includes('>');
          const before = now ?? view();
          now = undefined;
          const status = await session.run(c, sink, sink);
          // A host name that does not resolve was looked up first (DNS packets): only flag errors count there.
          const bare = PREFIXES.reduce((l, p) => (l.startsWith(p + ' ') ? l.slice(p.length + 1) : l), c);
          const resolves = /^(ping|traceroute|curl|dig|wget|nslookup)\b/.test(bare);
          // tcpdump looks up a filter's host names while parsing it, as libpcap does, so even a
          // filter with a syntax error further on has sent DNS queries: only its flag errors count.
          const codes = /^tcpdump\b/.test(bare) ? ['UNKNOWN_FLAG', 'COMMAND_NOT_FOUND'] : resolves ? ['USAGE', 'UNKNOWN_FLAG', 'COMMAND_NOT_FOUND', 'SYNTAX'] : VALIDATION;
          if (status !== 0 && shell.lastError && codes.includes(shell.lastError)) {
            checked++;
            const after = view();
            // Compared as strings: a failure names the command; the states would be too large to print.
            expect(after.rest === before.rest && (writes || after.files === before.files), c).toBe(true);
            now = after;
          }
        }
        while (session.prompt() !== 'learner@workstation:~$ ') await session.run('exit', sink, sink);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 600), seed: 20261124 },
    );
    expect(checked).toBeGreaterThan(200);
  });

  it('a pasted 1 MB line runs to its end, prints what a short one would, and leaves the sandbox as it was', async () => {
    const clock = new ScriptClock(REFERENCE_TIME, 3_000);
    const session = await labSession({ lab: 'fixture-web', seed: 4, scheduler: clock });
    const big = 'x'.repeat(1_000_000);
    // [line, exit status (null: an open quote, so the terminal waits for more), stdout, stderr]
    const cases: [string, number | null, string, string][] = [
      [`echo ${big} | wc -c`, 0, '1000001\n', ''],
      [`echo "${big}`, null, '', ''],
      [`kubectl get pods ${'web '.repeat(250_000)}`, 1, '', 'Error from server (NotFound): pods "web" not found\n'.repeat(250_000)],
      [`${'a=1 '.repeat(250_000)}`, 0, '', ''],
      [`echo $(echo ${'$X'.repeat(300_000)})`, 0, '\n', ''],
    ];
    for (const [l, status, stdout, stderr] of cases) {
      const name = l.slice(0, 30);
      const before = JSON.stringify(session.sim.state);
      expect(needsMore(l), name).toBe(status === null);
      if (status !== null) {
        let out = '';
        let err = '';
        clock.beginCommand(() => session.interrupt());
        expect(await session.run(l, { write: (t: string) => void (out += t) }, { write: (t: string) => void (err += t) }), name).toBe(status);
        expect(out, name).toBe(stdout);
        expect(err === stderr, `${name}: stderr ${JSON.stringify(err.slice(0, 200))}`).toBe(true);
      }
      expect(JSON.stringify(session.sim.state) === before, name).toBe(true);
      expect(session.prompt()).toBe('learner@workstation:~$ ');
    }
    let out = '';
    expect(await session.run('hostname', { write: (t: string) => void (out += t) }, { write: () => {} })).toBe(0);
    expect(out).toBe('workstation\n');
  });
});
