import { appendFileSync } from 'node:fs';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { REFERENCE_TIME } from '../../src/labs/catalog';
import { ScriptClock } from '../../src/labs/transcript';
import type { Shell } from '../../src/shell/shell';
import { needsMore } from '../../src/shell/tokenize';
import { labSession, playgroundSession } from '../support/session';

// The robustness suite, run by fuzz.test.ts and fuzz-places.test.ts (each a share of the
// places, so two workers share the work).
// Robustness: generated command lines through every registered command, in every place a
// learner can be (the workstation, a node, a busybox, an nginx (dash and bash) and a netshoot
// pod, a Docker host, busybox, alpine and nginx containers). Lines come from the registry's
// grammar (flags from each usage text, words from its completer), from templates aimed at
// the text tools (pathological regular expressions, huge numbers, long inputs), and from
// either damaged (cut, an unclosed quote, a huge number, a repeated word). Nothing may escape
// as an exception, print an internal error or JavaScript's words, or run without end (a
// command is interrupted after a minute of sandbox time and its waits are counted), and the
// session answers `echo ok` after each run. FUZZ_RUNS scales the runs; FUZZ_LOG=file logs
// each line before it runs (to find the one that hangs).
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

/**
 * The script clock with a learner's patience: a command still running after a minute of
 * sandbox time is interrupted as Ctrl+C would (`ping -c 9007199254740993` ends by itself only
 * in 285 million years). `waits` counts the command's sleeps: the test's bound on its work.
 */
class PatientClock extends ScriptClock {
  waits = 0;
  private started = 0;
  private stop: (() => void) | undefined;
  override beginCommand(onOverrun: () => void): void {
    super.beginCommand(onOverrun);
    this.started = this.now();
    this.stop = onOverrun;
    this.waits = 0;
  }
  override async sleep(ms: number): Promise<void> {
    this.waits++;
    await super.sleep(ms);
    if (this.now() - this.started >= 60_000) this.stop?.();
  }
}

/** What a command must never print: the words of a JavaScript failure. */
const JS_TEXT = /internal error|\bundefined\b|\bNaN\b|\[object Object\]|TypeError|RangeError|Invalid string length|Maximum call stack/;

/** The places of each kind of sandbox, and the lines that make them (a Docker host's containers). */
const WORLDS: { name: string; lab?: string; topology?: string; setup: string[]; places: string[]; share: number; seed: number }[] = [
  {
    name: 'fixture-web',
    lab: 'fixture-web',
    setup: [],
    // The workstation, a node, a busybox pod (ash), an nginx pod (dash).
    places: ['', 'ssh node-1', 'kubectl exec -it client -- sh', 'kubectl exec -it web-7788985cd4-46bg9 -- sh', 'kubectl exec -it web-7788985cd4-46bg9 -- bash'],
    share: 0.5,
    seed: 20261201,
  },
  { name: 'netshoot', topology: 'kubernetes-netshoot', setup: [], places: ['kubectl exec -it netshoot -- sh', 'ssh node-2'], share: 0.2, seed: 20261202 },
  // A node of the IPVS-mode cluster, where ipvsadm and ipset exist.
  { name: 'ipvs', topology: 'kubernetes-ipvs', setup: [], places: ['ssh node-1'], share: 0.1, seed: 20261204 },
  {
    name: 'docker',
    topology: 'docker',
    setup: ['ssh host-1', 'docker run -d --name web -p 8080:80 nginx', 'docker run -dit --name c1 busybox', 'docker run -dit --name a1 alpine', 'exit'],
    places: ['ssh host-1', 'ssh host-2', 'ssh host-1\ndocker exec -it c1 sh', 'ssh host-1\ndocker exec -it a1 sh', 'ssh host-1\ndocker exec -it web sh'],
    share: 0.3,
    seed: 20261203,
  },
];

/** Words no line may contain: they would be echoed back and read as JavaScript text. */
const clean = (w: string): boolean => !JS_TEXT.test(w) && w.length < 200;

/**
 * Lines from the registry's own grammar: a command, then flags from its usage text and
 * words its completer offers (asked at the workstation, one and two words deep), with
 * WORDS and the shell syntax of `line` around them.
 */
function commandLines(shell: Shell): fc.Arbitrary<string> {
  const names = [...new Set(shell.registry.all().map((c) => c.name))].filter((n) => n !== 'exit' && n !== 'clear');
  const pools = new Map<string, string[]>();
  for (const c of shell.registry.all()) {
    const flags = c.usage.match(/(?<![\w-])--?[A-Za-z][\w-]*(?:=[A-Za-z0-9]+)?/g) ?? [];
    let completions: string[] = [];
    try {
      const first = shell.complete(`${c.name} `, c.name.length + 1).candidates;
      completions = [...first];
      for (const w of first.slice(0, 6)) completions.push(...shell.complete(`${c.name} ${w} `, c.name.length + w.length + 2).candidates.slice(0, 20));
    } catch {
      // A completer that fails offers nothing (the shell catches the same way).
    }
    pools.set(c.name, [...new Set([...(pools.get(c.name) ?? []), ...flags, ...completions])].filter(clean));
  }
  return fc
    .tuple(fc.constantFrom(...names), fc.array(fc.nat(), { maxLength: 6 }), fc.array(fc.constantFrom(...WORDS), { maxLength: 2 }), fc.option(fc.constantFrom(...REDIRECTS), { nil: undefined, freq: 4 }), fc.option(fc.constantFrom(...TAILS), { nil: undefined, freq: 3 }))
    .map(([name, picks, extra, redirect, tail]) => {
      const pool = pools.get(name) ?? [];
      const args = pool.length ? picks.map((p) => pool[p % pool.length]!) : [];
      return [name, ...args, ...extra, ...(redirect ? [redirect] : []), ...(tail ? [tail] : [])].join(' ');
    });
}

const TAILS = ['| grep web', '| grep -c .', '| wc -l', '| head -2', "| awk '{print $2}'", "| sed -n '1p'", "| sed 's/a/b/g'", '&& hostname', '|| echo', '; hostname', '|'];

/** Patterns that take a backtracking engine forever, or that the real tools refuse. */
const REGEXES = ["'(a*)*b'", "'(x+x+)+y'", "'(a|aa)+$'", "'\\(a*\\)*\\1'", "'a{1000}{1000}'", "'[[:alpha:]'", "'a\\{99999\\}'", "'\\(\\(\\(a\\)\\)\\)'", "''", "'^*$'", "'[z-a]'", "'x\\'", "'(((((((((('", "'a**+?'", "'\\<\\>\\b\\B\\w'"];
const BIG = ['99999999999999999999', '-99999999999999999999', '4294967296', '9007199254740993', '1e309', '0x7fffffffffffffff', '-1', '0', '2147483648'];
const LONG_INPUTS = ["printf '%4000s\\n' x | sed 's/ /a/g'", "printf 'ab%.0s' 1 2 3 4 5 6 7 8 9 | sed 's/b/\\n/g'", "printf '%s\\n' 1 2 3 4 5 6 7 8 9 10 11 12", 'kubectl get pods -A', 'cat /etc/resolv.conf', 'echo', "printf 'x\\ty\\n'"];

/** Lines aimed at the text tools: pathological patterns, huge numbers, long inputs. */
const textLine: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom(...LONG_INPUTS),
    fc.constantFrom(
      (r: string) => `grep ${r}`,
      (r: string) => `grep -E ${r}`,
      (r: string) => `grep -oiwx ${r}`,
      (r: string) => `grep -c -v -n -A 2 -B 1 -e ${r}`,
      (r: string) => `grep -F ${r}`,
      (r: string) => `awk '/${r.slice(1, -1)}/ {print $1}'`,
      (r: string) => `sed -E 's/${r.slice(1, -1)}/x/g'`,
      (r: string) => `sed 's/${r.slice(1, -1)}/\\1/2'`,
      (r: string) => `sed -n '/${r.slice(1, -1)}/,$p'`,
      (r: string) => `sed ':a;s/a/aa/;ta' ${r}`,
      (r: string) => `sed -e 'y/abc/xyz/' -e '$!N;P;D' ${r}`,
    ),
    fc.constantFrom(...REGEXES),
    fc.constantFrom(...BIG),
    fc.constantFrom(
      (n: string) => `head -n ${n}`,
      (n: string) => `tail -n ${n}`,
      (n: string) => `cut -d' ' -f${n}`,
      (n: string) => `sort -k ${n} -n`,
      (n: string) => `grep -m ${n} -C ${n} .`,
      (n: string) => `sed -n '${n}p'`,
      (n: string) => `sed '${n}~${n}d'`,
      (n: string) => `sed ${n}q`,
      (_n: string) => 'uniq -c',
      (_n: string) => 'wc -c',
      (n: string) => `history ${n}`,
    ),
    fc.constantFrom((n: string) => `printf '%${n}s'`, (n: string) => `printf '%.${n}d|%*d|%x\\n' 1 ${n} 2 ${n}`, (n: string) => `printf '%${n}.${n}s%b%c%%\\n' a 'b\\c' c`, (n: string) => `echo $((${n}))`, (n: string) => `sleep ${n}`, (n: string) => `ping -c ${n} -W ${n} 10.244.1.2`),
    fc.nat(47),
  )
  .map(([input, tool, re, n, filter, single, shape]) => {
    // A huge width fills the output bound (16 MiB): about half the suite's time at one line in
    // twelve, so one in forty-eight (still every width with every form many times over).
    if (shape === 2) return `${single(n)} | wc -c`;
    if (shape % 3 === 0) return `${input} | ${tool(re)}`;
    if (shape % 3 === 1) return `${input} | ${filter(n)}`;
    return `${input} | ${tool(re)} | ${filter(n)} > /tmp/out.txt; cat /tmp/out.txt | head -3`;
  });

/** A generated line damaged as hands and pastes damage lines. */
function mutated(base: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.tuple(base, fc.nat(), fc.constantFrom('cut', 'quote', 'number', 'regex', 'repeat', 'backslash'), fc.constantFrom(...BIG), fc.constantFrom(...REGEXES), fc.constantFrom("'", '"', '`', '$(', '${', '\\', '\n', '|', ';', '&&', '>', '<<')).map(([l, at, how, big, re, q]) => {
    const i = at % (l.length + 1);
    switch (how) {
      case 'cut':
        return l.slice(0, i);
      case 'quote':
        return l.slice(0, i) + q + l.slice(i);
      case 'number':
        return l.replace(/\b\d+\b|$/, (m) => (m === '' ? ` ${big}` : big));
      case 'regex':
        return `${l} ${re}`;
      case 'repeat':
        return `${l} ${l.split(' ').pop()!.repeat(2000)}`.slice(0, 20_000);
      default:
        return l.slice(0, i) + '\\' + l.slice(i);
    }
  });
}

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

/** Generated and mutated lines in the named worlds (see WORLDS). */
export function robustness(names: string[]): void {
  const worlds = WORLDS.filter((w) => names.includes(w.name));
  if (worlds.length !== names.length) throw new Error(`unknown world in ${names.join(', ')}`);
  // At the full count, the lines every world together must reach, in proportion to its share.
  const total = WORLDS.reduce((n, w) => n + w.share, 0);
  const least = Math.floor((20_000 * worlds.reduce((n, w) => n + w.share, 0)) / total);
  it(`no generated or mutated line, in ${names.join(', ')}, hangs, breaks or prints JavaScript`, async () => {
    let lines = 0;
    for (const world of worlds) {
      const clock = new PatientClock(REFERENCE_TIME, 3_000);
      const session = world.lab ? await labSession({ lab: world.lab, seed: 4, scheduler: clock }) : await playgroundSession({ topology: world.topology!, seed: 4, scheduler: clock });
      const shell = (session as unknown as { shell: Shell }).shell;
      const sink0 = { write: () => {} };
      for (const l of world.setup) await session.run(l, sink0, sink0);
      const grammar = commandLines(shell);
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...world.places), fc.array(fc.oneof({ arbitrary: grammar, weight: 2 }, { arbitrary: textLine, weight: 6 }, { arbitrary: mutated(grammar), weight: 2 }), { minLength: 1, maxLength: 16 }), async (place, cmds) => {
          let out = '';
          const sink = { write: (t: string) => void (out += t) };
          for (const p of place.split('\n').filter(Boolean)) await session.run(p, sink, sink);
          for (const c of cmds) {
            clock.beginCommand(() => session.interrupt());
            if (process.env.FUZZ_LOG) appendFileSync(process.env.FUZZ_LOG, `${lines}|${world.name}|${place}|${JSON.stringify(c)}\n`);
            const status = await session.run(c, sink, sink);
            lines++;
            expect(Number.isInteger(status), c).toBe(true);
            // Every line ends after a bounded number of waits (interrupted after a minute of sandbox time).
            expect(clock.waits, c).toBeLessThan(100_000);
            // GNU seq's own --help says NaN; that is the tool's text, not a JavaScript failure.
            const bad = JS_TEXT.exec(out.replace(/none of FIRST, INCREMENT and LAST may be NaN/g, ''));
            if (bad) expect.fail(`${world.name} ${place || 'workstation'}: \`${c}\` printed ${JSON.stringify(out.slice(Math.max(0, bad.index - 200), bad.index + 100))}`);
            out = out.slice(-300);
          }
          while (session.prompt() !== 'learner@workstation:~$ ') await session.run('exit', sink, sink);
          let ok = '';
          clock.beginCommand(() => session.interrupt());
          await session.run('echo ok', { write: (t) => void (ok += t) }, sink0);
          expect(ok).toBe('ok\n');
        }),
        { numRuns: Math.ceil(Number(process.env.FUZZ_RUNS ?? 3400) * world.share), seed: world.seed },
      );
    }
    expect(lines).toBeGreaterThanOrEqual(Number(process.env.FUZZ_RUNS ?? 3400) >= 3400 ? least : 1);
  });
}

/** Failed validation changes nothing; a pasted megabyte runs to its end. */
export function validationAndPaste(): void {
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
}
