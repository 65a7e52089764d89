import { describe, expect, it } from 'vitest';
import { openSession } from '../../tests/support/session';
import { VirtualClock } from '../sim/clock';
import { Sim } from '../sim/sim';
import type { Command, Location } from './command';
import { createRegistry } from './commands/index';
import { isBuiltin } from './commands/builtin';
import { imageAt } from './images';
import { Shell } from './shell';

const START = Date.UTC(2025, 2, 14, 9, 30);

function setup(location?: Location) {
  const clock = new VirtualClock(START);
  const sim = Sim.create(
    { nodes: 3, workloads: { pods: [{ name: 'bb', image: 'busybox:1.36' }, { name: 'shoot', image: 'nicolaka/netshoot:v0.13' }, { name: 'ngx', image: 'nginx:1.27' }] } },
    5,
    clock,
  );
  const lines: string[] = [];
  const shell = new Shell({ sim, scheduler: clock, registry: createRegistry(), ...(location ? { location } : {}), history: () => lines });
  const run = async (line: string): Promise<{ out: string; err: string; status: number }> => {
    lines.push(line);
    let out = '';
    let err = '';
    const status = await shell.run(line, { write: (t) => void (out += t) }, { write: (t) => void (err += t) });
    return { out, err, status };
  };
  return { sim, shell, run, clock };
}

describe('expansion', () => {
  it('splits unquoted expansions into fields and drops empty ones, as bash does', async () => {
    const { run } = setup();
    await run('X="  a   b  "; E=');
    expect((await run('echo [$X] ["$X"] [$E] "$E" x${E}y')).out).toBe('[ a b ] [  a   b  ] []  xy\n');
    expect((await run('echo $(printf-less)')).status).toBe(0); // a failing substitution still runs echo
  });

  it('runs command substitutions in a subshell at the same place, stripping trailing newlines', async () => {
    const { run } = setup();
    expect((await run('A=$(echo one; echo two)')).status).toBe(0);
    expect((await run('echo "$A"')).out).toBe('one\ntwo\n');
    expect((await run('echo $(B=inner; echo $B) [$B]')).out).toBe('inner []\n');
    expect((await run('X=$(false)')).status).toBe(1);
    const r = await run('echo $(nosuch)x');
    expect(r).toEqual({ out: 'x\n', err: 'bash: nosuch: command not found\n', status: 0 });
  });

  it('gives the commands of a substitution a pipe, not the terminal (ls writes one name a line)', async () => {
    const { run } = setup();
    expect((await run('ls /')).out).toMatch(/^bin +dev +etc/);
    expect((await run('echo "$(ls /)"')).out).toMatch(/^bin\ndev\netc\n/);
    expect((await run('echo "$(echo x; ls /)"')).out).toMatch(/^x\nbin\ndev\n/);
  });

  it('keeps NAME=value before a command for that command only', async () => {
    const { run } = setup();
    expect((await run('Z=1 printenv Z')).out).toBe('1\n');
    expect((await run('printenv Z')).status).toBe(1);
    expect((await run('echo "[$Z]"')).out).toBe('[]\n');
  });

  it('reports ${...} errors with bash wording', async () => {
    const { run } = setup();
    expect(await run('echo ${U:?not here}')).toEqual({ out: '', err: 'bash: U: not here\n', status: 1 });
    expect((await run('echo ${1x}')).err).toBe('bash: ${1x}: bad substitution\n');
  });

  it('abandons the rest of the line after an expansion error, as an interactive shell does', async () => {
    const { run } = setup();
    expect(await run('echo ${U?}; echo after')).toEqual({ out: '', err: 'bash: U: parameter not set\n', status: 1 });
    expect(await run('echo ${}; echo after')).toEqual({ out: '', err: 'bash: ${}: bad substitution\n', status: 1 });
    expect(await run('echo x > ${U?}; echo after')).toEqual({ out: '', err: 'bash: U: parameter not set\n', status: 1 });
    expect(await run('V=${U:?gone}; echo after')).toEqual({ out: '', err: 'bash: U: gone\n', status: 1 });
    // A pipeline's commands and a substitution run in subshells: only they end.
    expect(await run('echo ${U?} | cat; echo after')).toEqual({ out: 'after\n', err: 'bash: U: parameter not set\n', status: 0 });
    expect(await run('echo $(echo ${U?}; echo in) after')).toEqual({ out: 'after\n', err: 'bash: U: parameter not set\n', status: 0 });
    expect((await run('false && echo ${U?}; echo after')).out).toBe('after\n');
  });

  it('performs assignments left to right, each seeing the ones before it', async () => {
    const { run } = setup();
    await run('A=1 B=$A');
    expect((await run('echo "$B"')).out).toBe('1\n');
    expect((await run('C=2 D=$C printenv D')).out).toBe('2\n');
    expect((await run('echo "[$C][$D]"')).out).toBe('[][]\n');
  });

  it('keeps the assignments of a line without a command even when its redirection fails (bash)', async () => {
    const { run } = setup();
    expect((await run('X=1 > /nonexistent/f')).status).toBe(1);
    expect((await run('echo "$X"')).out).toBe('1\n');
  });
});

describe('redirections', () => {
  it('writes, appends and reads the sandbox files of the place', async () => {
    const { run, sim } = setup();
    await run('echo one > f.txt; echo two >> f.txt');
    expect(sim.state.files?.['workstation']?.['/home/learner/f.txt']?.content).toBe('one\ntwo\n');
    expect((await run('wc -l < f.txt')).out).toBe('2\n');
    expect((await run('nosuch 2> e.txt; cat e.txt')).out).toBe('bash: nosuch: command not found\n');
    expect((await run('nosuch > o.txt 2>&1; cat o.txt')).out).toBe('bash: nosuch: command not found\n');
    expect((await run('nosuch 2>&1 > o2.txt')).out).toBe('bash: nosuch: command not found\n');
  });

  it('fails like bash without running the command or changing the sandbox', async () => {
    const { run, sim } = setup();
    const before = JSON.stringify(sim.state);
    expect(await run('echo x > nodir/f')).toEqual({ out: '', err: 'bash: nodir/f: No such file or directory\n', status: 1 });
    expect(await run('echo x > /etc/f')).toEqual({ out: '', err: 'bash: /etc/f: Permission denied\n', status: 1 });
    expect(await run('cat < missing')).toEqual({ out: '', err: 'bash: missing: No such file or directory\n', status: 1 });
    expect(JSON.stringify(sim.state)).toBe(before);
  });

  it("gives a pod its own files and busybox ash's wording", async () => {
    const { run, sim } = setup({ kind: 'pod', namespace: 'default', pod: 'bb', container: 'bb' });
    await run('echo hi > /tmp/x');
    const uid = sim.pod('default', 'bb')!.metadata.uid;
    expect(sim.state.files?.[`pod:${uid}`]?.['/tmp/x']?.content).toBe('hi\n');
    expect((await run('echo x > /no/f')).err).toBe("sh: can't create /no/f: nonexistent directory\n");
  });
});

describe('history and shells per place', () => {
  it('numbers the lines as bash does and keeps a separate list per shell', async () => {
    const { run } = setup();
    await run('echo a');
    expect((await run('history')).out).toBe('    1  echo a\n    2  history\n');
    expect((await run('history 1')).out).toBe('    3  history 1\n');
    expect((await run('history x')).err).toBe('bash: history: x: numeric argument required\n');
  });
});

describe('sleep', () => {
  it('waits in sandbox time and ends with 130 when interrupted', async () => {
    const { run, shell, clock } = setup();
    expect((await run('sleep 1.5')).status).toBe(0);
    expect(clock.now() - START).toBe(1500);
    const p = run('sleep 10');
    shell.interrupt();
    expect((await p).status).toBe(130);
  });
});

describe('working directory', () => {
  it('is one directory for the prompt, pwd, $PWD and relative paths at every place', async () => {
    const pod = (p: string): Location => ({ kind: 'pod', namespace: 'default', pod: p, container: p });
    const places: [Location | undefined, string, string][] = [
      [undefined, '/home/learner', 'learner@workstation:~$ '],
      [{ kind: 'node', node: 'node-1', ns: 'node/node-1' }, '/root', 'root@node-1:~# '],
      [pod('bb'), '/', '/ # '],
      [pod('ngx'), '/', '# '],
      [pod('shoot'), '/root', '~ # '],
    ];
    for (const [loc, cwd, prompt] of places) {
      const { run, shell } = setup(loc);
      expect(shell.prompt(), cwd).toBe(prompt);
      expect((await run('pwd; echo $PWD')).out, prompt).toBe(`${cwd}\n${cwd}\n`);
      expect((await run('echo x > rel.txt; cat rel.txt')).out, prompt).toBe('x\n');
      expect((await run(`cat ${cwd === '/' ? '' : cwd}/rel.txt`)).out, prompt).toBe('x\n');
    }
  });
});

/** Where the registry hands out exactly this implementation. */
function placeFor(c: Command, sim: Sim): Location | undefined {
  const pods = ['bb', 'shoot', 'ngx'].map((p): Location => ({ kind: 'pod', namespace: 'default', pod: p, container: p }));
  const places: Location[] = [{ kind: 'workstation', user: 'learner', host: 'workstation' }, { kind: 'node', node: 'node-1', ns: 'node/node-1' }, ...pods];
  const registry = createRegistry();
  return places.find((l) => {
    const found = registry.find(c.name, l, imageAt(sim, l));
    return found !== undefined && found.usage === c.usage && found.where.join() === c.where.join() && found.images?.join() === c.images?.join();
  });
}

/** How the real tools' `--help` output starts. */
const OPENINGS: Record<string, string> = {
  kubectl: 'kubectl controls the Kubernetes cluster manager.',
  minikube: 'minikube provisions and manages local Kubernetes clusters optimized for development workflows.\n',
  docker: 'Usage:  docker [OPTIONS] COMMAND',
  ssh: 'usage: ssh [-46AaCfGgKkMNnqsTtVvXxYy]',
  systemctl: 'systemctl [OPTIONS...] COMMAND ...\n\nQuery or send control commands to the system manager.',
  journalctl: 'journalctl [OPTIONS...] [MATCHES...]\n\nQuery the journal.',
  iptables: 'iptables v1.8.10',
  tcpdump: 'tcpdump version 4.99.4',
  hostname: 'Usage: hostname [-b] {hostname|-F file}         set host name (from file)\n',
  awk: 'Usage: mawk [Options] [Program] [file ...]\n',
  curl: 'Usage: curl [options...] <url>',
  bridge: 'Usage: bridge [ OPTIONS ] OBJECT { COMMAND | help }',
  nsenter: '\nUsage:\n nsenter [options] [<program> [<argument>...]]\n',
  cat: 'Usage: cat [OPTION]... [FILE]...',
  ls: 'Usage: ls [OPTION]... [FILE]...',
  rm: 'Usage: rm [OPTION]... [FILE]...',
  touch: 'Usage: touch [OPTION]... FILE...',
  sleep: 'Usage: sleep NUMBER[SUFFIX]...',
  env: 'Usage: env [OPTION]... [-] [NAME=VALUE]... [COMMAND [ARG]...]',
  printenv: 'Usage: printenv [OPTION]... [VARIABLE]...',
  grep: 'Usage: grep [OPTION]... PATTERNS',
  seq: 'Usage: seq [OPTION]... LAST\n',
  xargs: 'Usage: xargs [OPTION]... COMMAND [INITIAL-ARGS]...\n',
  bash: 'GNU bash, version 5.1.16(1)-release',
  sh: 'Usage: sh [-c COMMAND [NAME [ARG]...]] [FILE [ARG]...]',
};
const BUSYBOX = 'BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.';
/** Tools whose `--help` is not their usage with status 0: the status and how the output starts. */
const NOT_HELP: Record<string, [number, string]> = {
  ssh: [255, 'unknown option -- -\nusage: ssh [-46AaCfGgKkMNnqsTtVvXxYy]'],
  ip: [255, 'Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }\n'],
  bridge: [255, 'Usage: bridge [ OPTIONS ] OBJECT { COMMAND | help }\n'],
  hostname: [255, OPENINGS.hostname!],
  ping: [2, "ping: invalid option -- '-'\n\nUsage\n  ping [options] <destination>\n"],
  dig: [1, 'Invalid option: --help\nUsage:  dig [@global-server] [domain] [q-type] [q-class] {q-opt}\n'],
  // OpenBSD netcat with musl's getopt: `-` is no option; the usage follows, status 1.
  nc: [1, 'nc: unrecognized option: -\nusage: nc [-46CDdFhklNnrStUuvZz]'],
};

describe('--help', () => {
  it('every registered command answers --help the way the real tool starts its help', async () => {
    const { sim } = setup();
    const checked: string[] = [];
    for (const c of createRegistry().all()) {
      const place = placeFor(c, sim);
      expect(place, `${c.name} is reachable somewhere`).toBeDefined();
      let r = await setup(place).run(`${c.name} --help`);
      if (c.installed && r.status === 127) {
        // A program only some machines have (docker: Docker hosts) is asked on one of those.
        const hosts = await openSession({ topology: 'docker' });
        await hosts.run('ssh host-1');
        const h = await hosts.run(`${c.name} --help`);
        r = { out: h.stdout, err: h.stderr, status: h.status };
      }
      if (c.installed && r.status === 127) {
        // ipvsadm and ipset: on the nodes of an IPVS-mode cluster.
        const ipvs = await openSession({ topology: 'kubernetes-ipvs' });
        await ipvs.run('ssh node-1');
        const h = await ipvs.run(`${c.name} --help`);
        r = { out: h.stdout, err: h.stderr, status: h.status };
      }
      const text = r.out + r.err;
      if (isBuiltin(c)) {
        // bash builtins: help text and status 2; echo, true and false take no options.
        if (c.name === 'echo') expect(r).toEqual({ out: '--help\n', err: '', status: 0 });
        // bash's test takes no options: `--help` is a non-empty string, and `[` misses its `]`.
        else if (c.name === 'test') expect(r).toEqual({ out: '', err: '', status: 0 });
        else if (c.name === '[') expect(r).toEqual({ out: '', err: "bash: [: missing `]'\n", status: 2 });
        else if (c.name === 'true' || c.name === 'false') expect(r).toEqual({ out: '', err: '', status: c.name === 'true' ? 0 : 1 });
        else expect([r.status, text.startsWith(`${c.name}: ${c.name}`)], c.name).toEqual([2, true]);
      } else if (c.usage.startsWith('BusyBox')) {
        // busybox prints an applet's usage on stderr (bb_show_usage) and exits 0.
        expect([r.status, r.out, r.err.startsWith(BUSYBOX)], c.name).toEqual([0, '', true]);
      } else {
        const [status, opening] = NOT_HELP[c.name] ?? [0, OPENINGS[c.name]];
        expect(r.status, c.name).toBe(status);
        expect(text.trim(), c.name).not.toBe('');
        if (opening) expect(text.startsWith(opening), `${c.name}: ${text.split('\n')[0]}`).toBe(true);
        else expect(text, c.name).toMatch(/^\n?(Usage|usage|[a-z-]+: [a-z-]+|\S+ v(ersion )?\d|Command line interface for the connection tracking system)/);
      }
      checked.push(c.name);
    }
    expect(checked).toEqual(expect.arrayContaining(['kubectl', 'echo', 'history', 'ls', 'sleep', 'ping']));
  });

  it("prints the help of the implementation where it runs (ss: iproute2 6.1 on a node, 6.15 in netshoot)", async () => {
    const node = await setup({ kind: 'node', node: 'node-1', ns: 'node/node-1' }).run('ss --help');
    const shoot = await setup({ kind: 'pod', namespace: 'default', pod: 'shoot', container: 'shoot' }).run('ss --help');
    expect([node.status, shoot.status]).toEqual([0, 0]);
    expect(node.out).toBe(await setup({ kind: 'node', node: 'node-1', ns: 'node/node-1' }).run('ss -h').then((r) => r.out));
    expect(node.out).not.toContain('--no-queues');
    expect(shoot.out).toContain('   -Q, --no-queues ');
    const bb = await setup({ kind: 'pod', namespace: 'default', pod: 'bb', container: 'bb' }).run('hostname --help');
    const ngx = await setup({ kind: 'pod', namespace: 'default', pod: 'ngx', container: 'ngx' }).run('hostname --help');
    expect([bb.status, bb.out, bb.err.split('\n')[2]]).toEqual([0, '', 'Usage: hostname [-sidf] [HOSTNAME | -F FILE]']);
    expect([ngx.status, ngx.err, ngx.out.startsWith(OPENINGS.hostname!)]).toEqual([255, '', true]);
  });

  it('hands CMD SUBCMD --help to the command', async () => {
    const { run } = setup();
    const r = await run('kubectl get --help');
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/^Display one or many resources\./);
  });
});

describe('completion of files and variables', () => {
  it('falls back to file names where the command offers nothing, and completes $NAME from the variables', async () => {
    const { shell, run } = setup();
    await run('echo a > web.yaml; echo b > /tmp/notes.txt; POD=x');
    const c = (line: string): string[] => shell.complete(line, line.length).candidates;
    expect(c('cat w')).toEqual(['web.yaml']);
    expect(c('cat /tm')).toEqual(['/tmp/']);
    expect(c('cat /tmp/')).toEqual(['/tmp/notes.txt']);
    expect(c('echo hi > we')).toEqual(['web.yaml']);
    expect(c('echo $PO')).toEqual(['$POD']);
    expect(c('cat .')).toEqual([]);
    // A command's own candidates win: kubectl get completes resource types, not files.
    expect(c('kubectl get we')).toEqual([]);
    expect(c('kubectl get po')).toContain('pods');
    // The first word is a command name, never a file.
    expect(c('we')).toEqual([]);
  });
});

describe('programs a machine has installed', () => {
  it('docker exists on Docker hosts only: help, completion and running agree', async () => {
    const k8s = await openSession();
    await k8s.run('ssh node-1');
    expect((await k8s.run('help')).stdout).not.toMatch(/^\s+docker\s/m);
    expect(k8s.session.complete('dock', 4).candidates).toEqual([]);
    expect(await k8s.run('docker ps')).toEqual({ stdout: '', stderr: 'bash: docker: command not found\n', status: 127 });
    const hosts = await openSession({ topology: 'docker' });
    await hosts.run('ssh host-1');
    expect((await hosts.run('help')).stdout).toMatch(/^\s+docker\s/m);
    expect(hosts.session.complete('dock', 4).candidates).toEqual(['docker']);
    expect((await hosts.run('docker ps')).status).toBe(0);
  });
});

describe('exit in a subshell', () => {
  it('ends only a command substitution, with its status, as bash does', async () => {
    const { run, shell } = setup();
    expect(await run('X=$(exit 3); echo $?')).toEqual({ out: '3\n', err: '', status: 0 });
    expect((await run('X=$(echo a; exit 4; echo b); echo "$X $?"')).out).toBe('a 4\n');
    expect((await run('X=$(false; exit); echo $?')).out).toBe('1\n'); // no argument: the last status
    expect((await run('X=$(exit -1); echo $?')).out).toBe('255\n');
    expect((await run('X=$(exit 256); echo $?')).out).toBe('0\n');
    expect((await run('X=$(echo $(exit 7; echo no) b; exit); echo "$X $?"')).out).toBe('b 0\n');
    expect(await run('X=$(exit abc; echo no); echo "[$X] $?"')).toEqual({ out: '[] 2\n', err: 'bash: exit: abc: numeric argument required\n', status: 0 });
    expect(await run('X=$(exit 1 2; echo yes); echo "[$X] $?"')).toEqual({ out: '[] 1\n', err: 'bash: exit: too many arguments\n', status: 0 });
    expect(shell.prompt()).toBe('learner@workstation:~$ ');
  });

  it('ends only its element of a pipeline: the status is the last command\'s', async () => {
    const { run, shell } = setup();
    expect(await run('exit 5 | cat; echo $?')).toEqual({ out: '0\n', err: '', status: 0 });
    expect((await run('echo hi | exit 6; echo $?')).out).toBe('6\n');
    expect(shell.prompt()).toBe('learner@workstation:~$ ');
  });

  it('keeps the interactive shell on a node, and a lone exit still leaves it with the status', async () => {
    const { run, shell } = setup();
    await run('ssh node-1');
    expect(await run('X=$(echo a; exit 4; echo b); echo "$X $?"')).toEqual({ out: 'a 4\n', err: '', status: 0 });
    expect(await run('exit 5 | cat; echo $?')).toEqual({ out: '0\n', err: '', status: 0 });
    expect(shell.prompt()).toBe('root@node-1:~# ');
    await run('false');
    expect(await run('exit')).toEqual({ out: '', err: 'logout\nConnection to node-1 closed.\n', status: 1 });
    expect(shell.prompt()).toBe('learner@workstation:~$ ');
    await run('ssh node-1');
    expect(await run('exit 300')).toEqual({ out: '', err: 'logout\nConnection to node-1 closed.\n', status: 44 });
  });

  it('keeps the interactive shell in a pod; ash takes digits only and stays on a bad number', async () => {
    const { run, shell } = setup();
    await run('kubectl exec -it bb -- sh');
    expect(await run('X=$(echo a; exit 4; echo b); echo "$X $?"')).toEqual({ out: 'a 4\n', err: '', status: 0 });
    expect((await run('exit 5 | cat; echo $?')).out).toBe('0\n');
    expect(await run('X=$(exit -1); echo $?')).toEqual({ out: '2\n', err: 'sh: exit: Illegal number: -1\n', status: 0 });
    expect(await run('exit abc')).toEqual({ out: '', err: 'sh: exit: Illegal number: abc\n', status: 2 });
    expect(shell.prompt()).toBe('/ # ');
    expect((await run('exit 3 4')).status).toBe(3); // ash ignores further arguments
    expect(shell.prompt()).toBe('learner@workstation:~$ ');
  });

  it('names the input line in dash (the nginx image)', async () => {
    const { run } = setup();
    await run('kubectl exec -it ngx -- sh');
    await run('true');
    expect((await run('exit x')).err).toBe('sh: 2: exit: Illegal number: x\n');
  });

  it('keeps a lone exit on the workstation as it was', async () => {
    const { run, shell } = setup();
    expect(await run('exit 3')).toEqual({ out: '', err: 'exit: this terminal stays open; use the Reset button to start the lab again\n', status: 1 });
    expect(shell.prompt()).toBe('learner@workstation:~$ ');
  });
});

describe('${...} pattern, substring and case operators', () => {
  it("cuts a pod name apart as bash does", async () => {
    const { run } = setup();
    await run('POD=web-7788985cd4-46bg9');
    expect((await run('echo ${POD%-*} ${POD%%-*} ${POD#*-} ${POD##*-} ${POD:0:3} ${POD/web/api} ${POD^^}')).out)
      .toBe('web-7788985cd4 web 7788985cd4-46bg9 46bg9 web api-7788985cd4-46bg9 WEB-7788985CD4-46BG9\n');
    await run('P=/usr/local/bin/kubectl');
    expect((await run('echo ${P##*/} ${P%/*} ${P//\\//:}')).out).toBe('kubectl /usr/local/bin :usr:local:bin:kubectl\n');
  });

  it('matches a pattern with many stars in time proportional to the value', async () => {
    const { run } = setup();
    await run(`X=${'a'.repeat(3000)}`);
    expect((await run('Y=${X//*a*a*a*a*b/}; echo ${#Y} ${X%a*a*b} ${X##*a*a*a*b} | sed "s/a\\+/A/g"')).out).toBe('3000 A A\n');
  });

  it('removes the shortest or longest matching prefix or suffix, with *, ? and [...]', async () => {
    const { run } = setup();
    await run('X=abcabc');
    expect((await run('echo "${X#*b}" "${X##*b}" "${X%b*}" "${X%%b*}" "${X#?}" "${X%?}" "${X#[!a]}" "${X#[^b]}" "${X#x}"')).out)
      .toBe('cabc c abca a bcabc abcab abcabc bcabc abcabc\n');
    await run("S='a*b' P='*'");
    // Quoted or backslash-escaped pattern characters match themselves; an unquoted expansion is a pattern.
    expect((await run('echo "${S#*\\*}" "${S#"a*"}" "${S#\'a\'*}" "${X#$P}" "${X#"$P"}" "${S#a$P}"')).out).toBe('b b *b abcabc abcabc *b\n');
    expect((await run("T='a[b'; echo ${T/[[:alpha:]]/_} ${T//[[:alpha:]]/_} ${T//[/x} ${T/[]]/x}")).out).toBe('_[b _[_ axb a[b\n');
  });

  it('replaces the first, every, a leading or a trailing match', async () => {
    const { run } = setup();
    await run('X=abcabc N=2');
    expect((await run('echo "${X/b/_}" "${X//b/_}" "${X/#a/_}" "${X/%c/_}" "${X/#b/_}" "${X/%b/_}" "${X//[ab]/}" "${X/b}" "${X//}" "${X/}"')).out)
      .toBe('a_cabc a_ca_c _bcabc abcab_ abcabc abcabc cc acabc abcabc abcabc\n');
    expect((await run('echo ${X/#/pre} ${X/%/suf} ${X//*/-} "${X/b/\\/}" "${X/b/"/"}" "${X/b/$N}" "${X/a*/"x y"}"')).out)
      .toBe('preabcabc abcabcsuf - a/cabc a/cabc a2cabc x y\n');
    expect((await run('E=; echo "[${E//*/-}]" "[${E#*}]" "[${U/a/b}]" ${?/0/zero}')).out).toBe('[-] [] [] zero\n');
  });

  it('takes substrings; a negative offset needs a space or parentheses', async () => {
    const { run } = setup();
    await run('X=abcabc N=2');
    expect((await run('echo "${X:1}" "${X:1:2}" "${X: -2}" "${X:(-2)}" "${X: -2:1}" "${X:1:-1}" "${X:10}" "[${X: -10}]" "${X:-1}"')).out)
      .toBe('bcabc bc bc bc b bcab  [] abcabc\n');
    expect((await run('echo "${X:N}" "${X:$N:1}" "${X::2}" "[${X:1:}]" "${X: 1 : 1 }"')).out).toBe('cabc c ab [] b\n');
    expect(await run('echo ${X:2:-5}; echo after')).toEqual({ out: '', err: 'bash: -5: substring expression < 0\n', status: 1 });
    expect(await run('echo ${X:}')).toEqual({ out: '', err: 'bash: ${X:}: bad substitution\n', status: 1 });
    expect((await run('echo ${X:N-1}')).status).toBe(1);
  });

  it('changes case, optionally only of the characters matching a pattern', async () => {
    const { run } = setup();
    await run('X=abcabc Y=ABC');
    expect((await run('echo "${X^}" "${X^^}" "${X,,}" "${X^^[ab]}" "${X^[b]}" "${Y,}" "${Y,,}" "${Y,,B}"')).out)
      .toBe('Abcabc ABCABC abcabc ABcABc abcabc aBC abc AbC\n');
    expect((await run('echo ${#X%a}')).err).toBe('bash: ${#X%a}: bad substitution\n');
  });

  it('follows the shell of the place: ash has all but case changes, dash only # and %', async () => {
    const { run } = setup();
    await run('kubectl exec -it bb -- sh');
    expect((await run("X=abc; echo ${X/b/_} ${X:1} ${X%c} $'a\\tb'")).out).toBe('a_c bc ab a\tb\n');
    expect((await run('echo ${X^^}')).err).toBe('sh: ${X^^}: bad substitution\n');
    await run('exit');
    await run('kubectl exec -it ngx -- sh');
    expect((await run('X=abc; echo ${X%c} ${X##a}')).out).toBe('ab bc\n');
    expect((await run('echo ${X/b/_}')).status).toBe(1);
    expect((await run("echo X$'y'")).out).toBe("X$y\n");
  });
});

describe('$? after a command substitution', () => {
  it('is the substitution status for the rest of the command, as bash prints it', async () => {
    const { run } = setup();
    expect((await run('false; echo $(exit 3) $?')).out).toBe('3\n');
    expect((await run('true; echo "$(exit 4)$?"')).out).toBe('4\n');
    expect((await run('false; X=$(exit 3) Y=$?; echo $Y')).out).toBe('3\n');
    expect((await run('echo $(true) $?; echo $?')).out).toBe('0\n0\n');
  });
});

describe('the shell a place runs', () => {
  it('is bash when bash was asked for in an nginx pod, dash for its sh', async () => {
    const { run, session } = await openSession();
    const web = Object.values(session.sim.state.k8s.pods).find((p) => p.metadata.labels?.['app'] === 'web')!.metadata.name;
    await run(`kubectl exec -it ${web} -- bash`);
    expect((await run('X=ab; echo ${X^^}')).stdout).toBe('AB\n');
    await run('exit');
    await run(`kubectl exec -it ${web} -- sh`);
    expect((await run('X=ab; echo ${X^^}')).stderr).toMatch(/bad substitution/i);
  });
});

describe('programs named by path', () => {
  it('run as their name does: kubectl exec -- /bin/sh opens the shell, /bin/x in a shell, bash says No such file for a missing path', async () => {
    const { run, session } = await openSession();
    await run('kubectl exec -it client -- /bin/sh');
    expect(session.prompt()).toBe('/ # ');
    expect((await run('/bin/hostname')).stdout).toBe('client\n');
    await run('exit');
    expect((await run('kubectl exec client -- /bin/hostname')).stdout).toBe('client\n');
    expect((await run('kubectl exec client -- /bin/nope')).stderr).toContain('exec: "/bin/nope": executable file not found in $PATH');
    expect(await run('/bin/nope')).toEqual({ stdout: '', stderr: 'bash: /bin/nope: No such file or directory\n', status: 127 });
  });
});
