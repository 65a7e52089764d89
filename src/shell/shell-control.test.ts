import { describe, expect, it } from 'vitest';
import { openSession } from '../../tests/support/session';
import { VirtualClock } from '../sim/clock';
import { Sim } from '../sim/sim';
import type { Location } from './command';
import { createRegistry } from './commands/index';
import { MAX_FUNCTION_DEPTH, Shell, STEP_LIMIT } from './shell';

const START = Date.UTC(2025, 2, 14, 9, 30);

/** A clock that counts sleeps and can act at a given one (as a learner's Ctrl+C would, mid-loop). */
class CountingClock extends VirtualClock {
  sleeps = 0;
  endlessCalls = 0;
  at: { n: number; action: () => void } | undefined;
  override async sleep(ms: number): Promise<void> {
    this.advance(ms);
    if (++this.sleeps === this.at?.n) this.at.action();
  }
  override endless(): void {
    this.endlessCalls++;
  }
}

function setup(location?: Location) {
  const clock = new CountingClock(START);
  const sim = Sim.create({ nodes: 2, workloads: { pods: [{ name: 'bb', image: 'busybox:1.36' }, { name: 'ngx', image: 'nginx:1.27' }] } }, 5, clock);
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

const pod = (name: string): Location => ({ kind: 'pod', namespace: 'default', pod: name, container: name });

describe('loops and conditions', () => {
  it('runs for, while, until, if and case with their statuses', async () => {
    const { run } = setup();
    expect((await run('for i in 1 "2 3" $(echo 4 5); do echo "<$i>"; done')).out).toBe('<1>\n<2 3>\n<4>\n<5>\n');
    expect((await run('i=0; while [ $i -lt 2 ]; do i=$((i+1)); done; echo $i')).out).toBe('2\n');
    expect((await run('until [ $i -eq 0 ]; do i=$((i-1)); done; echo $i')).out).toBe('0\n');
    expect(await run('if false; then echo a; elif false; then echo b; fi')).toEqual({ out: '', err: '', status: 0 });
    expect((await run('for i in; do echo never; done; echo "status $?"')).out).toBe('status 0\n');
    expect((await run('for x in a b; do false; done')).status).toBe(1);
    expect((await run('case "a b" in a) echo one;; "a "*) echo two;; esac')).out).toBe('two\n');
    expect((await run('case x in [xyz]) echo class;; esac; case x in \\*) echo star;; *) echo any;; esac')).out).toBe('class\nany\n');
  });

  it('redirects a whole loop, and feeds it a pipe or a file that read takes a line at a time', async () => {
    const { run } = setup();
    await run('for i in 1 2; do echo $i; done > nums.txt');
    expect((await run('cat nums.txt')).out).toBe('1\n2\n');
    expect((await run('while read n; do echo "got $n"; done < nums.txt')).out).toBe('got 1\ngot 2\n');
    expect((await run("printf 'a b c\\n  d  \\n' | while read x rest; do echo \"[$x][$rest]\"; done")).out).toBe('[a][b c]\n[d][]\n');
    expect((await run("printf 'no newline' | { read v; echo \"$? $v\"; }")).out).toBe('1 no newline\n');
    expect((await run("printf 'a\\\\\\nb\\n' | { read v; echo $v; }")).out).toBe('ab\n');
    expect((await run('read v')).err).toMatch(/^bash: read: reading from the terminal is not supported/);
  });

  it('leaves and continues nested loops with break N and continue N', async () => {
    const { run } = setup();
    expect((await run('for i in 1 2 3; do for j in a b; do [ $j = b ] && break 2; echo $i$j; done; done')).out).toBe('1a\n');
    expect((await run('for i in 1 2; do for j in a b; do [ $j = a ] && continue 2; echo $i$j; done; done; echo end')).out).toBe('end\n');
    expect((await run('echo a | while read l; do break; done; echo $?')).out).toBe('0\n');
  });

  it('stops a loop that runs on with no sandbox time passing, and the rest of the line', async () => {
    const { run } = setup();
    const r = await run('while true; do echo x; done; echo after');
    expect(r.out.split('\n').length - 1).toBe(STEP_LIMIT + 1);
    expect(r.out).not.toMatch(/after/);
    expect(r.err).toMatch(/^bash: loop stopped: 100000 iterations ran without any sandbox time passing/);
    expect((await run('echo next')).out).toBe('next\n');
  });

  it('lets a loop that waits run until Ctrl+C, checking for it between iterations', async () => {
    const { run, shell, clock } = setup();
    clock.at = { n: 50, action: () => shell.interrupt() };
    const r = await run('while true; do echo tick; sleep 1; done; echo not-run');
    expect(r.out).toBe('tick\n'.repeat(50));
    expect(clock.endlessCalls).toBeGreaterThan(0); // a scripted session may end it as Ctrl+C would
    clock.at = { n: clock.sleeps + 3, action: () => shell.interrupt() };
    const f = await run('for i in $(seq 100); do echo $i; sleep 1; done');
    expect(f.out).toBe('1\n2\n3\n');
    expect((await run('echo fine')).out).toBe('fine\n');
  });
});

describe('functions and parameters', () => {
  it('calls functions with their own positional parameters, local variables and return status', async () => {
    const { run } = setup();
    await run('f() { local a=local; echo "$# [$1] [$2] $a"; g=global; return 7; }');
    await run('a=outer');
    expect(await run('f "x y" z; echo "$? $a $g"')).toEqual({ out: '2 [x y] [z] local\n7 outer global\n', err: '', status: 0 });
    await run('function count { echo $#; }');
    expect((await run('set -- 1 2 3; count "$@"; count "$*"; count $@; count "$@x"; shift 2; count "$@"; set --; count "$@"')).out).toBe('3\n1\n3\n3\n1\n0\n');
    expect((await run('set -- a b c d e f g h i j; echo ${10} $10')).out).toBe('j a0\n');
  });

  it('bounds recursion with bash\'s wording', async () => {
    const { run } = setup();
    const r = await run('f() { f; }; f; echo after');
    expect(r.err).toBe(`bash: f: maximum function nesting level exceeded (${MAX_FUNCTION_DEPTH})\n`);
    expect(r.out).toBe('');
  });

  it('keeps subshells and pipelines from changing the shell', async () => {
    const { run } = setup();
    expect((await run('x=1; (x=2; echo $x); echo $x; { x=3; }; echo $x')).out).toBe('2\n1\n3\n');
    expect((await run('echo 5 | { read y; }; echo "[$y]"')).out).toBe('[]\n');
    expect((await run('! true; echo $?; ! false; echo $?')).out).toBe('1\n0\n');
  });
});

describe('arithmetic and conditions in the shell', () => {
  it('expands $((...)), runs ((...)) and let, and abandons the line on an error', async () => {
    const { run } = setup();
    expect((await run('n=4; echo $((n * (n + 1) / 2)) $(( $n ** 2 ))')).out).toBe('10 16\n');
    expect((await run('((n > 3)) && echo big; ((n = 0)); echo $? $n')).out).toBe('big\n1 0\n');
    expect(await run('echo $((1/0)); echo no')).toEqual({ out: '', err: 'bash: 1/0: division by 0 (error token is "0")\n', status: 1 });
    expect(await run('((1/0)); echo yes')).toEqual({ out: 'yes\n', err: 'bash: ((: 1/0: division by 0 (error token is "0")\n', status: 0 });
    expect(await run('let 1/0')).toEqual({ out: '', err: 'bash: let: 1/0: division by 0 (error token is "0")\n', status: 1 });
  });

  it('evaluates [[ ]] with patterns, regular expressions and file tests', async () => {
    const { run } = setup();
    expect((await run('f=web-1; [[ $f == web-* && ! -d $f ]] && echo match')).out).toBe('match\n');
    expect((await run('p="web-*"; [[ web-1 == "$p" ]] || echo literal; [[ web-1 == $p ]] && echo pattern')).out).toBe('literal\npattern\n');
    expect((await run('[[ 10.0.0.7 =~ ^([0-9]+)\\.[0-9.]+$ ]] && echo "$BASH_REMATCH $BASH_REMATCH_1"')).out).toBe('10.0.0.7 10\n');
    expect((await run('[[ 2 -lt 10 ]] && [[ b > a ]] && echo ok')).out).toBe('ok\n');
  });
});

describe('each shell its own wording', () => {
  it('busybox ash in a busybox pod', async () => {
    const { run } = setup(pod('bb'));
    expect((await run('done')).err).toBe('sh: syntax error: unexpected "done"\n');
    expect((await run('echo $((1/0))')).err).toBe('sh: divide by zero\n');
    expect((await run('[ 1 -eq x ]')).err).toBe('sh: x: bad number\n');
    expect((await run('[ 1 -eq 1')).err).toBe('sh: missing ]\n');
    expect((await run('let y=2*3; echo $y; [[ a == a ]] && echo yes')).out).toBe('6\nyes\n');
  });

  it('dash in an nginx pod', async () => {
    const { run } = setup(pod('ngx'));
    expect((await run('done')).err).toBe('sh: 1: Syntax error: "done" unexpected\n');
    expect((await run('echo $((1/0))')).err).toBe('sh: 2: arithmetic expression: division by zero: "1/0"\n');
    expect((await run('[ 1 -eq x ]')).err).toBe('sh: 3: [: Illegal number: x\n');
    expect((await run('[[ a ]]')).err).toBe('sh: 4: [[: not found\n');
    expect((await run('let x=1')).err).toBe('sh: 5: let: not found\n');
    expect((await run('f() { local v=1; echo $v; }; f; local w')).err).toBe('sh: 6: local: not in a function\n');
  });
});

describe('sh -c and bash -c', () => {
  it('runs text in a new shell with $0 and the arguments, seeing exported variables only', async () => {
    const { run } = setup();
    await run('export E=exported; L=local');
    expect((await run(`sh -c 'echo "$0|$1|$#|$E|$L"' me one two`)).out).toBe('me|one|2|exported|\n');
    expect((await run(`bash -c 'exit 3'; echo $?`)).out).toBe('3\n');
    expect((await run(`echo 'echo from stdin' | sh`)).out).toBe('from stdin\n');
    expect((await run('sh -c')).err).toBe('sh: -c: option requires an argument\n');
  });

  it('runs through kubectl exec in each image\'s sh, and bash only where the image has it', async () => {
    const t = await openSession();
    const client = await t.run(`kubectl exec client -- sh -c 'for i in 1 2; do echo $i; done; echo $((1/0))'`);
    expect(client).toEqual({ stdout: '1\n2\n', stderr: 'sh: divide by zero\ncommand terminated with exit code 2\n', status: 2 });
    const bash = await t.run(`kubectl exec client -- bash -c 'echo hi'`);
    expect(bash.stderr).toMatch(/executable file not found in \$PATH/);
    const web = (await t.run('kubectl get pods -o name')).stdout.split('\n').find((p) => p.startsWith('pod/web'))!.slice(4);
    expect((await t.run(`kubectl exec ${web} -- sh -c 'done'`)).stderr).toBe('sh: 1: Syntax error: "done" unexpected\ncommand terminated with exit code 2\n');
    expect((await t.run(`kubectl exec ${web} -- bash -c '[[ -n x ]] && echo $((2**5))'`)).stdout).toBe('32\n');
  });

  it('runs through docker exec', async () => {
    const t = await openSession({ topology: 'docker' });
    await t.run('ssh host-1');
    await t.run('docker run -d --name c1 busybox sleep 3600');
    expect((await t.run(`docker exec c1 sh -c 'seq 3 | xargs echo'`)).stdout).toBe('1 2 3\n');
  });
});

describe('syntax errors of dash and busybox ash', () => {
  it('say word for a plain word, name what they expected, and dash counts the line', async () => {
    for (const [where, text, want] of [
      ['ngx', 'case x in a b) ;; esac', 'sh: 1: Syntax error: word unexpected (expecting ")")'],
      ['bb', 'case x in a b) ;; esac', 'sh: syntax error: unexpected word (expecting ")")'],
      ['ngx', 'for 1 in a; do :; done', 'sh: 1: Syntax error: Bad for loop variable'],
      ['bb', 'for 1 in a; do :; done', 'sh: syntax error: bad for loop variable'],
      ['ngx', 'if true; then\nfi', 'sh: 2: Syntax error: "fi" unexpected'],
      ['ngx', 'while true', 'sh: 1: Syntax error: end of file unexpected (expecting "do")'],
      ['bb', '{ echo a', 'sh: syntax error: unexpected end of file (expecting "}")'],
    ] as const) {
      const { run } = setup(pod(where));
      const r = await run(`sh -c '${text}'`);
      expect(r.err.split('\n')[0], `${where}: ${text}`).toBe(want);
    }
  });
});

describe('exit inside a loop', () => {
  it("leaves a pod's shell at once, the rest of the loop not run", async () => {
    const t = await openSession();
    await t.run('kubectl exec -it client -- sh');
    const r = await t.run('for i in 1 2 3; do echo $i; exit 3; echo no; done');
    expect(r.stdout).toBe('1\n');
    expect(t.session.prompt()).toMatch(/^learner@workstation/);
  });
});
