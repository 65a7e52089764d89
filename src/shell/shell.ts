/**
 * The shell: input text in, the commands' text out.
 *
 * Design notes: the input (one line, or several when the first left a quote, a `|`, a
 * here-document or a compound command open: see `needsMore` in tokenize.ts) is tokenized and
 * parsed into lists of pipelines of simple and compound commands. For each simple command, bash's order is followed: the words are expanded
 * (`~`, `$NAME`, `${NAME}`, `${NAME:-word}`-style defaults, `${#NAME}`, `$?`, `$(...)` and
 * backquotes; the results of unquoted expansions are split into fields at blanks and
 * newlines, and a word that expands to nothing disappears), then the redirections are
 * performed left to right (`>`, `>>`, `<`, `2>`, `2>>`, `2>&1`, `>&2`, `&>`, `&>>`, `<<`,
 * `<<-`, `<<<`; files are the sandbox's, see sandbox-fs.ts), then the assignments, left to
 * right: alone they set shell variables (bash makes them before the redirections), before a
 * command they hold for that command only. An expansion error (`${X?}`, a bad substitution)
 * abandons the rest of the line, as in an interactive shell. Command
 * substitution runs its text in a subshell at the same location (a copy of the variables;
 * what it changes stays inside), captures its stdout, strips the trailing newlines, and
 * lets its stderr through to the terminal. `exit` in a subshell (`$(...)`, a command of a
 * pipeline of several) ends that subshell with its status, the way an expansion error does:
 * the rest of the subshell's list does not run, and the interactive shell stays where it is
 * (`X=$(echo a; exit 4; echo b)` sets `a`, status 4; `exit 5 | cat` has cat's status).
 * Each place has its own shell: bash on the workstation and on a node (`ssh`), busybox ash in
 * a pod (`kubectl exec -it POD -- sh`), each with its own variables and history; leaving
 * returns to the workstation's. Builtins (commands/builtin.ts) exist in every shell; other
 * commands come from the registry for the current location (in a pod: what its image ships)
 * and run with the injected output streams. `CMD --help` prints the usage of the
 * implementation found for the place (busybox applets' on stderr, as bb_show_usage does),
 * unless the command answers it itself (Command.ownHelp); any other use of `--help` reaches
 * the command. Failures are CommandErrors printed to stderr
 * with the real tool's wording; an unexpected exception inside a command is reported as an
 * internal error instead of escaping, so nothing a learner types can break the session.
 * Pipelines hand each command's output to the next as its input (collected whole).
 * Parameter operators: `${X#pat}` `${X##pat}` `${X%pat}` `${X%%pat}` remove the shortest or
 * longest matching prefix/suffix; `${X/pat/rep}` `${X//pat/rep}` `${X/#pat/rep}` `${X/%pat/rep}`
 * replace the first (leftmost, longest) match, every match, or an anchored one; `${X:off}`
 * `${X:off:len}` take a substring (negative values count from the end; `${X:-1}` stays the
 * default form, as in bash); `${X^}` `${X^^}` `${X,}` `${X,,}` change case, optionally only of
 * characters matching a pattern. Patterns are globs (`*`, `?`, `[...]` with `!`/`^` and
 * `[:alpha:]`-style classes); quoted or backslash-escaped characters match themselves, an
 * unquoted `$VAR` in a pattern is a pattern. One matcher (globMatcher) serves every form.
 * busybox ash has all of them but the case changes, dash (the nginx image) only `#` and `%`;
 * the others are a bad substitution there. `$'...'` is decoded by the tokenizer (not in dash).
 * Compound commands (tokenize.ts builds them): `for`, `while`/`until`, `if`, `case` (patterns
 * through globMatcher's glob syntax, whole-string), `{ }` groups, `( )` subshells (a copy of
 * the variables and functions), `!`, functions (positional parameters of their own, `local`
 * saving and restoring the variables it hides, `return`), `((...))`, `[[ ]]` (test-expr.ts,
 * regex.ts) and the C-style `for`; each applies its own redirections, and a loop fed by
 * `< file` or a pipe shares that input with `read`, which takes it a line at a time (other
 * commands see what is left). `break`/`continue [n]` and `return` travel as signals to their
 * loop or function; in a pipeline's subshell they end only the subshell. The shell runs these
 * builtins itself: `:`, `break`, `continue`, `return`, `local`, `shift`, `set` (`set --`,
 * `set ARGS`, `set` alone lists the variables), `read [-r]`, `let`, `eval`. Arithmetic
 * (`$((...))`, `((...))`, `let`) is arith.ts, with each shell's error wording; an error in
 * `$((...))` abandons the line like an expansion error, one in `((...))` or `let` is status 1.
 * Positional parameters live on the env (`$1`..`${10}`, `$#`, `$@`, `$*`, `"$@"` as separate
 * fields). `sh -c`/`bash -c` (commands/sh.ts) run text in a new shell process through
 * CommandContext.script: exported variables only, `$0` and the arguments set. While the
 * lab's front end offers an editor (ShellOptions.editor), commands get it as
 * CommandContext.edit (`kubectl edit` opens its file there instead of running $EDITOR).
 * Each place words syntax errors as its shell does (bash, dash with its line counter, busybox
 * ash), and dash has no `[[` and no `let`; `((...))` in dash and ash is two nested subshells.
 * Before each command runs, and after each wait of a command, the sandbox's cluster is brought
 * up to the clock (Sim.advance), so a command always sees it as it stands at that moment.
 * Loops check Ctrl+C between iterations; a while/until loop tells the scheduler it may run
 * until interrupted (a scripted session then ends it after its interrupt-after time, as a
 * learner's Ctrl+C would); a loop that runs STEP_LIMIT iterations without the sandbox clock
 * moving is stopped with a message, and functions nest at most MAX_FUNCTION_DEPTH deep, so no
 * input can hang the session.
 * Brace expansion (brace.ts: `{a,b}`, `{1..10}`) applies in bash to words with no quoting and
 * no `$` expansion (`for i in {1..3}`); dash and busybox ash have none.
 * Left out: glob expansion, brace expansion in words with quotes or `$`, other IFS values,
 * background jobs (`&`), `cd`, shell
 * options (`set -e`, `-x`, `-o pipefail`), `trap`, `source`, `unset -f`, `read -a`/`-t`/`-n`,
 * `declare -i`; in `${...}`: arithmetic in `${X:off:len}` beyond numbers and variable names,
 * `&` in a replacement (bash 5.2's patsub_replacement; 5.1 has none), `~` in a replacement,
 * extended globs (`+(...)`), `${!X}`, arrays (`=~` groups are `BASH_REMATCH_1`, ...).
 */
import { detachFromContainer, isDetachSequence } from './commands/docker/attach';
import { RE2JS } from 're2js';
import type { Scheduler } from '../sim/clock';
import { appendFile, writeFile } from '../sim/files';
import type { Sim } from '../sim/sim';
import { SubshellExit, type Command, type CommandContext, type Interrupt, type Location, type OutputSink, type ShellEnv } from './command';
import { isBuiltin } from './commands/builtin';
import { CommandError, commandNotFound, type ErrorCode } from './errors';
import { imageAt, programName, shellAt } from './images';
import { processEnv } from './process-env';
import { promptFor, WORKSTATION_LOCATION } from './location';
import { answeredByEndedShell, EXEC_KILLED, podShellEnded } from './pod-session';
import { closeHungSession, isSshEscapeClose, networkGeneration, noteCommand, sshSessionHung } from './ssh-link';
import type { Registry } from './registry';
import { boundedPair, OutputBudget, OutputLimitStop } from './output-limit';
import { absolute, appendLimited, fileCompletions, kindOf, placeOf, procSysSink, readAny, writeError } from './sandbox-fs';
import { attachShellState, NAME, shellState } from './shell-state';
import { constructEnd, parseCommandLine, ShellSyntaxError, wordAt, type Command as ParsedCommand, type CompoundCommand, type CondOp, type ExpandableText, type ListItem, type Pipeline, type RawWord, type Redirect, type SimpleCommand, type WordToken } from './tokenize';
import { ArithError, evaluate } from './arith';
import { matchEre } from './regex';
import { BRACE_LIMIT, BraceLimit, braceExpand } from './brace';
import { runCond, TestError, type CondHooks, type CondItem, type CondWord } from './test-expr';
import { sandboxFiles } from './commands/test';

export interface ShellOptions {
  sim: Sim;
  scheduler: Scheduler;
  registry: Registry;
  location?: Location;
  /** The lines entered so far, the running one included (for `history`). */
  history?: () => string[];
  /** The lab's editor for `kubectl edit` (CommandContext.edit) while a front end offers one; absent: $EDITOR runs. */
  editor?: () => CommandContext['edit'];
}

const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const BLANK = /[ \t\n]/;

/** Input that commands of a compound command share: `read` takes it a line at a time. */
interface In {
  text: string;
  pos: number;
}
const feed = (text: string): In => ({ text, pos: 0 });

/**
 * How many loop iterations may run in a row with no sandbox time passing before the shell
 * stops the loop (`while true; do echo x; done` would otherwise never give the terminal back).
 */
export const STEP_LIMIT = 100_000;
/** Shell functions nest at most this deep (bash's FUNCNEST-style bound, dash's own limit). */
export const MAX_FUNCTION_DEPTH = 1000;
/** Builtins the shell runs itself, since they change the shell: control flow, parameters, `read`. */
const SPECIAL_BUILTINS = new Set([':', 'break', 'continue', 'return', 'local', 'shift', 'set', 'read', 'let', 'eval']);

/** The stdin/stdout/stderr of a command while its redirections are applied. */
interface Io {
  stdin: In | undefined;
  stdout: OutputSink;
  stderr: OutputSink;
}

const discard: OutputSink = { write: () => {} };

export class Shell {
  readonly env: ShellEnv;
  private interruptFlag = { interrupted: false };
  private wake: (() => void) | undefined;
  /** The workstation shell's variables while the learner is in a node's or a pod's shell. */
  private savedVars: Record<string, string> | undefined;
  /** Command substitutions running now: their commands write to a pipe, not the terminal. */
  private captures = 0;
  /** Status of the last command substitution of the command being expanded. */
  private substStatus: number | undefined;
  /**
   * How the last simple command failed, when it failed with an error: its CommandError code,
   * or `SYNTAX` for a line bash would not parse. Tests use it to tell validation failures
   * (which must leave the sandbox unchanged) from commands that ran and failed.
   */
  lastError: ErrorCode | undefined;
  /** What the running line may still write (output-limit.ts). */
  private budget: OutputBudget | undefined;
  /** Loops the running command is inside (for `break`/`continue`); 0 inside a function body. */
  private loopDepth = 0;
  /** The `local` variables of each function call running, innermost last, with the values they hid. */
  private frames: Map<string, string | undefined>[] = [];
  /** Loop iterations counted while the sandbox clock stood at `at`. */
  private idle = { at: -1, steps: 0 };
  /** The registry's builtins (found before any program of the same name), looked up once. */
  private builtins: Command[] | undefined;
  /** The interactive shell moved (`exit` from a pod's shell): loops and functions stop there. */
  private moved = false;

  constructor(private readonly opts: ShellOptions) {
    const wanted = opts.location ?? WORKSTATION_LOCATION;
    const location = podShellEnded(opts.sim, wanted) ? WORKSTATION_LOCATION : wanted;
    this.env = { sim: opts.sim, scheduler: opts.scheduler, location, vars: {} };
    this.env.vars = this.freshVars(location, 0);
  }

  get registry(): Registry {
    return this.opts.registry;
  }

  prompt(): string {
    // An ssh session the network no longer carries shows no prompt (ssh-link.ts).
    if (sshSessionHung(this.env)) return '';
    return promptFor(this.env.location, this.env.sim);
  }

  /** Ctrl+C: marks the running command interrupted and cuts short any wait it is in. */
  interrupt(): void {
    this.interruptFlag.interrupted = true;
    this.wake?.();
  }

  async run(line: string, stdout: OutputSink, stderr: OutputSink): Promise<number> {
    this.interruptFlag = { interrupted: false };
    this.lastError = undefined;
    this.budget = new OutputBudget(stderr, () => this.interrupt());
    this.idle = { at: -1, steps: 0 };
    this.moved = false;
    this.loopDepth = 0;
    this.frames = [];
    if (isDetachSequence(line, this.env)) return detachFromContainer(this.env, stderr, (loc) => this.moveTo(loc, this.env));
    if (sshSessionHung(this.env)) {
      // What is typed goes into a connection that carries nothing; `~.` closes it.
      if (!isSshEscapeClose(line)) return Number(this.env.vars['?'] ?? '0');
      const status = closeHungSession(this.env, stderr);
      this.moveTo(WORKSTATION_LOCATION, this.env);
      this.env.vars['?'] = String(status);
      return status;
    }
    if (this.endPodShell(stderr) && answeredByEndedShell(line)) return EXEC_KILLED.status;
    const generation = networkGeneration(this.env.sim.state);
    let status: number;
    try {
      status = await this.runText(line, this.env, stdout, stderr);
    } finally {
      // A command that can change a machine's network ran: kubelets that lost the API server notice.
      if (networkGeneration(this.env.sim.state) !== generation) this.env.sim.networkChanged();
    }
    return this.endPodShell(stderr) ? EXEC_KILLED.status : status;
  }

  /** kubectl exec's shell ends with its pod or container (pod-session.ts). */
  private endPodShell(stderr: OutputSink): boolean {
    if (!podShellEnded(this.env.sim, this.env.location)) return false;
    stderr.write(EXEC_KILLED.message);
    this.moveTo(WORKSTATION_LOCATION, this.env);
    this.env.vars['?'] = String(EXEC_KILLED.status);
    return true;
  }

  /** The variables a new shell at `location` starts with, registered with their shell state. */
  private freshVars(location: Location, historyStart: number): Record<string, string> {
    const container = inContainer(location);
    const shell = shellAt(this.opts.sim, location);
    const ash = shell !== 'bash';
    const user = location.kind === 'workstation' ? location.user : 'root';
    const { home, cwd } = placeOf({ sim: this.opts.sim, location });
    // In a container the shell starts from the runtime's environment (an exec with a terminal);
    // then busybox ash sets SHLVL and PWD, dash only PWD, bash PWD and SHLVL.
    const env: [string, string][] = container
      ? [...(processEnv(this.opts.sim, location, true) ?? []), ...(shell === 'ash' ? [['SHLVL', '1'] as [string, string], ['PWD', cwd] as [string, string]] : shell === 'dash' ? [['PWD', cwd] as [string, string]] : [['PWD', cwd] as [string, string], ['SHLVL', '1'] as [string, string]])]
      : [
          ['SHELL', '/bin/bash'],
          ['PWD', cwd],
          ['LOGNAME', user],
          ['HOME', home],
          ['LANG', 'C.UTF-8'],
          ['TERM', 'xterm-256color'],
          ['USER', user],
          ['SHLVL', '1'],
          ['PATH', PATH],
        ];
    const vars: Record<string, string> = { '?': '0', '0': ash ? 'sh' : 'bash', $: ash ? '13' : location.kind === 'node' ? '1876' : '2211' };
    for (const [k, v] of env) vars[k] = v;
    const history = this.opts.history ?? (() => []);
    attachShellState(vars, { exported: new Set(env.map(([k]) => k)), history: () => history().slice(historyStart), dialect: ash ? 'ash' : 'bash', functions: new Map() });
    return vars;
  }

  /**
   * The environment of a program started at another place (`kubectl exec POD -- env`): in a
   * container, the runtime's environment and no shell's; elsewhere the caller's variables.
   */
  private spawnEnv(env: ShellEnv, location: Location, tty: boolean, args: readonly string[]): ShellEnv {
    const proc = processEnv(this.opts.sim, location, tty);
    // The caller's pipeline runs where the caller is, not in the spawned command.
    const { pipeline: _callers, ...own } = env;
    const ssh = location.kind === 'node' && !tty && args[0] === 'bash' && args[1] === '-c' ? { sshCommand: args[2] ?? '' } : {};
    if (!proc) return { ...own, location, ...ssh };
    const vars: Record<string, string> = { '?': '0' };
    for (const [k, v] of proc) vars[k] = v;
    attachShellState(vars, { exported: new Set(proc.map(([k]) => k)), history: () => [], dialect: 'ash', direct: true, functions: new Map() });
    return { ...own, location, vars };
  }

  /** A copy of `env` with its own variables (a subshell, or a command's `NAME=value` prefixes). */
  private copyEnv(env: ShellEnv): ShellEnv {
    const vars = { ...env.vars };
    const st = shellState(env);
    attachShellState(vars, { exported: new Set(st.exported), history: st.history, dialect: st.dialect, functions: new Map(st.functions) });
    return { ...env, vars };
  }

  /** `kubectl exec -it POD -- sh`, `ssh NODE`, `exit`: the interactive shell moves. */
  private moveTo(location: Location, base: ShellEnv): void {
    if (base !== this.env) {
      base.location = location; // inside a subshell: only the subshell moves
      return;
    }
    this.moved = true;
    if (location.kind === 'workstation') {
      this.env.vars = this.savedVars ?? this.freshVars(location, 0);
      this.savedVars = undefined;
    } else {
      if (this.env.location.kind === 'workstation') this.savedVars = this.env.vars;
      this.env.vars = this.freshVars(location, this.opts.history?.().length ?? 0);
    }
    this.env.location = location;
    this.env.positional = [];
  }

  /**
   * `sh -c TEXT NAME ARGS...`: a new shell process at the command's place. It starts with the
   * exported variables only, `$0` NAME and the positional parameters ARGS; its loops,
   * functions and `exit` are its own.
   */
  private async runChild(text: string, env: ShellEnv, argv0: string, args: string[], bash: boolean, stdout: OutputSink, stderr: OutputSink, stdin: string | undefined): Promise<number> {
    const location: Location = bash && inContainer(env.location) ? { ...env.location, shell: 'bash' } : env.location;
    const st = shellState(env);
    const vars: Record<string, string> = {};
    for (const k of st.exported) if (env.vars[k] !== undefined) vars[k] = env.vars[k]!;
    vars['?'] = '0';
    vars['0'] = argv0;
    vars['$'] = String(Number(env.vars['$'] ?? '100') + 1 + this.frames.length);
    attachShellState(vars, { exported: new Set(st.exported), history: () => [], dialect: shellAt(env.sim, location) === 'bash' ? 'bash' : 'ash', functions: new Map() });
    const child: ShellEnv = { ...env, location, vars, positional: args };
    const saved = { loops: this.loopDepth, frames: this.frames };
    this.loopDepth = 0;
    this.frames = [];
    try {
      return await this.runText(text, child, stdout, stderr, stdin !== undefined ? feed(stdin) : undefined);
    } catch (e) {
      if (e instanceof LoopSignal) return 0;
      if (e instanceof ReturnSignal) return e.status;
      return this.fail(e, stderr);
    } finally {
      this.loopDepth = saved.loops;
      this.frames = saved.frames;
    }
  }

  private async runText(text: string, env: ShellEnv, stdout: OutputSink, stderr: OutputSink, input?: In): Promise<number> {
    let status = 0;
    try {
      const list = parseCommandLine(text, { ansiC: shellOf(env) !== 'dash' });
      for (const w of list.warnings) stderr.write(w + '\n');
      status = await this.runList(list.items, env, stdout, stderr, input);
    } catch (e) {
      if (e instanceof LoopSignal || e instanceof ReturnSignal) throw e;
      status = this.fail(e instanceof ShellSyntaxError ? syntaxErrorFor(e, env, text) : e, stderr);
      env.vars['?'] = String(status);
    }
    return status;
  }

  /** Runs the pipelines of a list in order, honouring `&&` and `||`; stops on Ctrl+C. */
  private async runList(items: ListItem[], env: ShellEnv, stdout: OutputSink, stderr: OutputSink, input: In | undefined): Promise<number> {
    let status = 0;
    let prevOp: string | null = null;
    for (const item of items) {
      if ((prevOp === '&&' && status !== 0) || (prevOp === '||' && status === 0)) {
        prevOp = item.terminator;
        continue;
      }
      prevOp = item.terminator;
      if (item.terminator === '&') throw new CommandError('UNSUPPORTED', `${shellName(env)}: background jobs (&) are not supported in this sandbox`, 2);
      status = await this.runPipeline(item.pipeline, env, stdout, stderr, input);
      env.vars['?'] = String(status);
      if (this.interruptFlag.interrupted || (this.moved && (this.loopDepth > 0 || this.frames.length > 0))) break;
    }
    return status;
  }

  /**
   * `a | b | c`: each command's output becomes the next one's input (collected whole, then
   * handed on: a long-running command shows its output when it ends); stderr goes straight to
   * the terminal; the status is the last command's, as in bash without pipefail.
   */
  private async runPipeline(p: Pipeline, env: ShellEnv, stdout: OutputSink, stderr: OutputSink, input: In | undefined): Promise<number> {
    const cmds = p.commands;
    let status = 0;
    for (let i = 0; i < cmds.length; i++) {
      const last = i === cmds.length - 1;
      let buffer = '';
      const out: OutputSink = last ? stdout : { write: (t) => void (buffer += t) };
      // In a pipeline every command runs in a subshell: only a lone command changes the shell.
      const single = cmds.length === 1;
      const cmdEnv = single ? env : this.copyEnv(env);
      if (!single) cmdEnv.pipeline = cmds.map((c) => (c.type === undefined ? c.argv.map((w) => w.value) : []));
      status = await this.runCommand(cmds[i]!, cmdEnv, out, stderr, input, last && this.captures === 0).catch((e: unknown) => {
        // An expansion error abandons the line, unless the command runs in a subshell; so do
        // `break`, `continue` and `return`, which end only the subshell there.
        if (single && (e instanceof AbandonLine || e instanceof LoopSignal || e instanceof ReturnSignal)) throw e;
        if (e instanceof LoopSignal) return 0;
        if (e instanceof ReturnSignal) return e.status;
        return this.fail(e, stderr);
      });
      input = { text: buffer, pos: 0 };
      if (this.interruptFlag.interrupted) break;
    }
    return p.bang ? (status === 0 ? 1 : 0) : status;
  }

  private async runCommand(cmd: ParsedCommand, env: ShellEnv, stdout: OutputSink, stderr: OutputSink, input: In | undefined, tty: boolean): Promise<number> {
    if (cmd.type === undefined) return this.runSimple(cmd, env, stdout, stderr, input, tty);
    if (cmd.type === 'function') {
      shellState(env).functions.set(cmd.name, cmd.body);
      return 0;
    }
    const io: Io = { stdin: input, stdout, stderr };
    for (const r of cmd.redirects) {
      const failure = await this.redirect(r, io, env, stdout);
      if (failure !== undefined) {
        stderr.write(failure + '\n');
        return 1;
      }
    }
    return this.runCompound(cmd, env, io, tty && io.stdout === stdout);
  }

  private async runCompound(cmd: CompoundCommand, env: ShellEnv, io: Io, tty: boolean): Promise<number> {
    const { stdout, stderr, stdin } = io;
    const list = (items: ListItem[]): Promise<number> => this.runList(items, env, stdout, stderr, stdin);
    switch (cmd.type) {
      case 'group':
        return list(cmd.body);
      case 'subshell': {
        const sub = this.copyEnv(env);
        const loops = this.loopDepth;
        try {
          return await this.runList(cmd.body, sub, stdout, stderr, stdin);
        } catch (e) {
          if (e instanceof LoopSignal) return 0;
          if (e instanceof ReturnSignal) return e.status;
          return this.fail(e, stderr);
        } finally {
          this.loopDepth = loops;
        }
      }
      case 'if': {
        for (const c of cmd.clauses) {
          const ok = await list(c.cond);
          if (this.interruptFlag.interrupted) return 130;
          if (ok === 0) return list(c.body);
        }
        return cmd.otherwise ? list(cmd.otherwise) : 0;
      }
      case 'while': {
        let status = 0;
        // A scripted session stops a loop that goes on for its interrupt-after limit of sandbox time.
        this.opts.scheduler.endless?.();
        return this.loop(env, async () => {
          const c = await list(cmd.cond);
          if (this.interruptFlag.interrupted || (c === 0) === cmd.until) return undefined;
          return list(cmd.body);
        }, () => status, (s) => (status = s));
      }
      case 'for': {
        const values: string[] = [];
        if (cmd.words) for (const w of cmd.words) values.push(...(await this.expandWord(w, env, stderr)));
        else values.push(...(env.positional ?? []));
        let status = 0;
        let k = 0;
        return this.loop(env, async () => {
          if (k >= values.length) return undefined;
          env.vars[cmd.name] = values[k++]!;
          return list(cmd.body);
        }, () => status, (s) => (status = s));
      }
      case 'arith-for': {
        await this.arithmetic(cmd.init, env, stderr, '((');
        let status = 0;
        let first = true;
        return this.loop(env, async () => {
          if (!first) await this.arithmetic(cmd.step, env, stderr, '((');
          first = false;
          if (cmd.cond.trim() !== '' && (await this.arithmetic(cmd.cond, env, stderr, '((')) === 0n) return undefined;
          return list(cmd.body);
        }, () => status, (s) => (status = s));
      }
      case 'case': {
        const value = await this.expandText(cmd.word, env, stderr);
        for (const arm of cmd.arms) {
          for (const p of arm.patterns) {
            const pattern = await this.wordText(p.raw, env, stderr, true);
            if (globWhole(pattern)(value)) return arm.body.length > 0 ? list(arm.body) : 0;
          }
        }
        return 0;
      }
      case 'arith': {
        // dash and busybox ash read `((...))` as two nested subshells, as they do.
        if (shellOf(env) !== 'bash') return this.runCompound({ type: 'subshell', body: parseCommandLine(`(${cmd.text})`).items, redirects: [] }, env, io, tty);
        try {
          return (await this.arithmetic(cmd.text, env, stderr, '((')) !== 0n ? 0 : 1;
        } catch (e) {
          if (e instanceof AbandonLine && e.cause instanceof ArithFailed) {
            stderr.write(e.cause.message + '\n');
            return 1;
          }
          throw e;
        }
      }
      case 'cond':
        // dash has no `[[`: it is a command name there, and no such command exists.
        if (shellOf(env) === 'dash') return this.fail(commandNotFound('dash', '[[', this.lineNo(env)), stderr);
        return this.cond(cmd.words, env, stderr);
      default:
        return 0;
    }
  }

  /**
   * Runs a loop: `step` runs one iteration and returns its status, or undefined when the loop
   * is over. `break`/`continue` end or skip iterations; Ctrl+C ends the loop; a loop that
   * goes on with no sandbox time passing is stopped after STEP_LIMIT iterations.
   */
  private async loop(env: ShellEnv, step: () => Promise<number | undefined>, status: () => number, setStatus: (s: number) => void): Promise<number> {
    this.loopDepth++;
    try {
      for (;;) {
        if (this.interruptFlag.interrupted) return 130;
        if (this.moved) return status();
        this.tick(env);
        let s: number | undefined;
        try {
          s = await step();
        } catch (e) {
          if (!(e instanceof LoopSignal)) throw e;
          if (e.levels > 1) throw new LoopSignal(e.levels - 1, e.cont);
          if (e.cont) continue;
          return 0;
        }
        if (s === undefined) return status();
        setStatus(s);
      }
    } finally {
      this.loopDepth--;
    }
  }

  /** Counts an iteration; stops the command when too many pass with no sandbox time passing. */
  private tick(env: ShellEnv): void {
    const now = env.sim.clock.now();
    if (now !== this.idle.at) {
      this.idle = { at: now, steps: 0 };
      return;
    }
    if (++this.idle.steps <= STEP_LIMIT) return;
    this.interruptFlag.interrupted = true;
    throw new CommandError('UNSUPPORTED', `${shellName(env)}: loop stopped: ${STEP_LIMIT} iterations ran without any sandbox time passing (the sandbox ends such loops; add a sleep to wait for something)`, 1);
  }

  /** Expands and evaluates an arithmetic expression; an error abandons the line (bash: `$((...))`), or reports for `((`/`let`. */
  private async arithmetic(expr: string, env: ShellEnv, stderr: OutputSink, what?: string): Promise<bigint> {
    const text = await this.expandText(heredocLike(expr), env, stderr);
    const dialect = shellOf(env);
    const vars = {
      get: (n: string): string | undefined => env.vars[n],
      set: (n: string, v: string): void => {
        env.vars[n] = v;
      },
    };
    try {
      return evaluate(text, vars, dialect);
    } catch (e) {
      if (!(e instanceof ArithError)) throw e;
      const prefix = dialect === 'bash' ? `bash: ${what ? `${what}: ` : ''}` : dialect === 'dash' ? `sh: ${this.lineNo(env)}: ` : `sh: ${what ? `${what}: ` : ''}`;
      throw new AbandonLine(new ArithFailed('INVALID', prefix + e.message, dialect === 'bash' ? 1 : 2));
    }
  }

  /** dash's input line counter, as it prints it in errors. */
  private lineNo(env: ShellEnv): number {
    return Math.max(1, shellState(env).history().length);
  }

  /** `[[ ... ]]`: the words expanded without splitting (patterns keep their quoting), then evaluated. */
  private async cond(words: (RawWord | CondOp)[], env: ShellEnv, stderr: OutputSink): Promise<number> {
    const items: CondItem[] = [];
    for (const w of words) {
      if ('op' in w) items.push({ op: w.op });
      else if (items.length > 0 && (items[items.length - 1] as CondWord).pattern === '=~') {
        // The regular expression: quotes removed, expansions done.
        const text = await this.wordText(w.raw, env, stderr, false);
        items.push({ text, pattern: text });
      } else {
        const text = await this.expandText(w.word, env, stderr);
        items.push({ text, pattern: w.word.quoted || w.word.expansions.length > 0 ? await this.wordText(w.raw, env, stderr, true) : w.raw });
      }
    }
    const hooks: CondHooks = {
      files: sandboxFiles({ env }),
      glob: (text, pattern) => globWhole(pattern)(text),
      regex: (text, pattern) => {
        const m = matchEre(text, pattern);
        if (m === undefined) return 2;
        delete env.vars['BASH_REMATCH'];
        for (const k of Object.keys(env.vars)) if (k.startsWith('BASH_REMATCH_')) delete env.vars[k];
        if (m === null) return 1;
        env.vars['BASH_REMATCH'] = m[0]!;
        m.slice(1).forEach((g, k) => (env.vars[`BASH_REMATCH_${k + 1}`] = g));
        return 0;
      },
      arith: (text) => evaluate(text, { get: (n) => env.vars[n], set: (n, v) => void (env.vars[n] = v) }, 'bash'),
    };
    try {
      return runCond(items, hooks);
    } catch (e) {
      if (e instanceof TestError) {
        stderr.write(`${shellName(env)}: ${e.message}\n`);
        return 2;
      }
      if (e instanceof ArithError) {
        stderr.write(`${shellName(env)}: ${e.message}\n`);
        return 1;
      }
      throw e;
    }
  }

  private async runSimple(cmd: SimpleCommand, env: ShellEnv, stdout: OutputSink, stderr: OutputSink, input: In | undefined, tty: boolean): Promise<number> {
    this.substStatus = undefined;
    this.lastError = undefined;
    const argv: string[] = [];
    let declaration = false;
    for (const w of cmd.argv) {
      if (declaration && /^[A-Za-z_][A-Za-z0-9_]*=/.test(w.value)) argv.push(await this.expandText(w, env, stderr));
      else argv.push(...(await this.expandWord(w, env, stderr)));
      if (argv.length === 1 && ['export', 'declare', 'local', 'readonly', 'typeset'].includes(argv[0]!)) declaration = true;
    }
    // Assignments are made left to right, each value seeing the ones before it; before a
    // command they go to a copy that the command alone sees (and exports).
    const fn = argv.length > 0 ? shellState(env).functions.get(argv[0]!) : undefined;
    const special = argv.length > 0 && !fn && SPECIAL_BUILTINS.has(argv[0]!) && (argv[0] !== 'let' || shellOf(env) !== 'dash');
    const runEnv = argv.length > 0 && cmd.assignments.length > 0 && !special ? this.copyEnv(env) : env;
    const assign = async (): Promise<void> => {
      for (const a of cmd.assignments) {
        runEnv.vars[a.name] = await this.expandText(a.value, runEnv, stderr, true);
        if (runEnv !== env) shellState(runEnv).exported.add(a.name);
      }
    };
    // Without a command, bash assigns before it redirects (the variables stay set when the
    // redirection fails); ash redirects first.
    const assignFirst = argv.length === 0 && !inContainer(env.location);
    if (assignFirst) await assign();
    const io: Io = { stdin: input, stdout, stderr };
    for (const r of cmd.redirects) {
      const failure = await this.redirect(r, io, env, stdout);
      if (failure !== undefined) {
        this.lastError = 'INVALID';
        stderr.write(failure + '\n');
        return inContainer(env.location) ? 2 : 1;
      }
    }
    if (!assignFirst) await assign();
    if (argv.length === 0) return this.substStatus ?? 0;
    const name = argv[0]!;
    noteCommand(env, argv);
    if (fn) return this.callFunction(name, fn, argv, runEnv, io, tty && io.stdout === stdout);
    if (special) return this.special(argv, env, io);
    this.builtins ??= this.opts.registry.all().filter(isBuiltin);
    const builtin = this.builtins.find((c) => c.name === name && c.where.includes(inContainer(env.location) ? 'pod' : (env.location.kind as 'workstation' | 'node')));
    let command: Command;
    try {
      command = builtin ?? this.lookup(name, env.location);
    } catch (e) {
      return this.fail(e, io.stderr); // `nosuch 2>/dev/null` is silent
    }
    const stdin = io.stdin ? io.stdin.text.slice(io.stdin.pos) : undefined;
    return this.exec(command, argv, io.stdout, io.stderr, tty && io.stdout === stdout, runEnv, stdin, env, env !== this.env);
  }

  /** Calls a shell function: its own positional parameters and `local` variables, bounded depth. */
  private async callFunction(name: string, body: CompoundCommand, argv: string[], env: ShellEnv, io: Io, tty: boolean): Promise<number> {
    if (this.frames.length >= MAX_FUNCTION_DEPTH) {
      const dialect = shellOf(env);
      const msg =
        dialect === 'bash'
          ? `bash: ${name}: maximum function nesting level exceeded (${MAX_FUNCTION_DEPTH})`
          : dialect === 'dash'
            ? `sh: ${this.lineNo(env)}: Maximum function recursion depth (${MAX_FUNCTION_DEPTH}) reached`
            : `sh: ${name}: functions nested more than ${MAX_FUNCTION_DEPTH} deep are not supported in this sandbox`;
      throw new AbandonLine(new CommandError('UNSUPPORTED', msg, dialect === 'dash' ? 2 : 1));
    }
    const saved = env.positional;
    const loops = this.loopDepth;
    const frame = new Map<string, string | undefined>();
    env.positional = argv.slice(1);
    this.frames.push(frame);
    this.loopDepth = 0;
    try {
      return await this.runCommand(body, env, io.stdout, io.stderr, io.stdin, tty);
    } catch (e) {
      if (e instanceof ReturnSignal) return e.status;
      throw e;
    } finally {
      env.positional = saved;
      this.loopDepth = loops;
      this.frames.pop();
      for (const [k, v] of frame) {
        if (v === undefined) delete env.vars[k];
        else env.vars[k] = v;
      }
    }
  }

  /** The builtins that work on the shell itself: control flow, positional parameters, `read`, `local`, `let`, `eval`. */
  private async special(argv: string[], env: ShellEnv, io: Io): Promise<number> {
    const [name, ...args] = argv as [string, ...string[]];
    const dialect = shellOf(env);
    const err = (msg: string, status: number): number => {
      io.stderr.write(`${dialect === 'bash' ? `bash: ${name}: ` : dialect === 'dash' ? `sh: ${this.lineNo(env)}: ${name}: ` : `sh: ${name}: `}${msg}\n`);
      return status;
    };
    switch (name) {
      case ':':
        return 0;
      case 'break':
      case 'continue': {
        const n = args[0] === undefined ? 1 : /^[0-9]+$/.test(args[0]) ? Number(args[0]) : NaN;
        if (Number.isNaN(n)) return err(dialect === 'bash' ? `${args[0]}: numeric argument required` : `Illegal number: ${args[0]}`, dialect === 'bash' ? 128 : 2);
        if (n < 1) return err(dialect === 'bash' ? `${n}: loop count out of range` : `Illegal number: ${args[0]}`, 1);
        if (this.loopDepth === 0) {
          if (dialect === 'bash') io.stderr.write(`bash: ${name}: only meaningful in a \`for', \`while', or \`until' loop\n`);
          return 0;
        }
        throw new LoopSignal(Math.min(n, this.loopDepth), name === 'continue');
      }
      case 'return': {
        const status = args[0] === undefined ? Number(env.vars['?'] ?? 0) : /^-?[0-9]+$/.test(args[0]) ? Number(BigInt.asUintN(8, BigInt(args[0]))) : NaN;
        if (Number.isNaN(status)) return err(dialect === 'bash' ? `${args[0]}: numeric argument required` : `Illegal number: ${args[0]}`, 2);
        if (this.frames.length === 0) {
          if (dialect === 'bash') return err("can only `return' from a function or sourced script", 1);
          return status;
        }
        throw new ReturnSignal(status);
      }
      case 'local': {
        const frame = this.frames[this.frames.length - 1];
        if (!frame) return err(dialect === 'bash' ? 'can only be used in a function' : 'not in a function', dialect === 'bash' ? 1 : 2);
        for (const a of args) {
          const eq = a.indexOf('=');
          const n = eq < 0 ? a : a.slice(0, eq);
          if (!NAME.test(n)) {
            err(`\`${a}': not a valid identifier`, 1);
            continue;
          }
          if (!frame.has(n)) frame.set(n, env.vars[n]);
          if (eq >= 0) env.vars[n] = a.slice(eq + 1);
          else if (dialect === 'bash') delete env.vars[n];
        }
        return 0;
      }
      case 'shift': {
        const pos = env.positional ?? [];
        const n = args[0] === undefined ? 1 : /^[0-9]+$/.test(args[0]) ? Number(args[0]) : NaN;
        if (Number.isNaN(n)) return err(dialect === 'bash' ? `${args[0]}: numeric argument required` : `Illegal number: ${args[0]}`, dialect === 'bash' ? 1 : 2);
        if (n > pos.length) {
          if (dialect === 'dash') return err("can't shift that many", 2);
          return 1;
        }
        env.positional = pos.slice(n);
        return 0;
      }
      case 'set': {
        if (args.length === 0) {
          const names = Object.keys(env.vars).filter((k) => NAME.test(k)).sort();
          io.stdout.write(names.map((k) => `${k}=${shellQuote(env.vars[k]!)}\n`).join(''));
          return 0;
        }
        if (args[0] === '--') {
          env.positional = args.slice(1);
          return 0;
        }
        if (/^[-+]/.test(args[0]!)) return err(`${args[0]}: shell options are not supported in this sandbox`, 2);
        env.positional = args;
        return 0;
      }
      case 'read':
        return this.read(args, env, io, err);
      case 'let': {
        if (args.length === 0) return err('expression expected', 1);
        let v = 0n;
        for (const a of args) {
          try {
            v = await this.arithmetic(a, env, io.stderr, 'let');
          } catch (e) {
            if (e instanceof AbandonLine && e.cause instanceof ArithFailed) {
              io.stderr.write(e.cause.message + '\n');
              return 1;
            }
            throw e;
          }
        }
        return v !== 0n ? 0 : 1;
      }
      case 'eval':
        return this.runText(args.join(' '), env, io.stdout, io.stderr, io.stdin);
      default:
        return 0;
    }
  }

  /** `read [-r] [NAME...]`: one line of the input, split at blanks into the names (the last takes the rest). */
  private read(args: string[], env: ShellEnv, io: Io, err: (msg: string, status: number) => number): number {
    let raw = false;
    let k = 0;
    for (; k < args.length && args[k]!.startsWith('-') && args[k] !== '-'; k++) {
      if (args[k] === '--') {
        k++;
        break;
      }
      if (args[k] === '-r') raw = true;
      else if (args[k] === '-p' && shellOf(env) !== 'dash') k++; // the prompt shows only on a terminal
      else return err(`${args[k]}: invalid option`, 2);
    }
    const names = args.slice(k);
    if (names.length === 0) names.push('REPLY');
    for (const n of names) if (!NAME.test(n)) return err(`\`${n}': not a valid identifier`, 1);
    const input = io.stdin;
    if (!input) return err('reading from the terminal is not supported in this sandbox; give read its input with < FILE or a pipe', 1);
    let line = '';
    let ended = false;
    while (input.pos < input.text.length) {
      const nl = input.text.indexOf('\n', input.pos);
      const end = nl < 0 ? input.text.length : nl;
      let part = input.text.slice(input.pos, end);
      input.pos = nl < 0 ? end : end + 1;
      ended = nl >= 0;
      if (!raw && /(^|[^\\])(\\\\)*\\$/.test(part) && ended) {
        line += part.slice(0, -1);
        continue; // backslash-newline: the line goes on
      }
      if (!raw) part = part.replace(/\\(.)/g, '$1');
      line += part;
      break;
    }
    if (!raw && !ended) line = line.replace(/\\(.)/g, '$1');
    const got = line !== '' || ended;
    // Fields at blanks; the last name takes the rest of the line, less trailing blanks.
    let rest = line.replace(/^[ \t\n]+/, '');
    names.forEach((n, i) => {
      if (i === names.length - 1) {
        env.vars[n] = rest.replace(/[ \t\n]+$/, '');
        return;
      }
      const m = /^([^ \t\n]*)[ \t\n]*/.exec(rest)!;
      env.vars[n] = m[1]!;
      rest = rest.slice(m[0].length);
    });
    return got && ended ? 0 : 1;
  }

  /** Applies one redirection to `io`; returns bash's (or ash's) error text if it fails. */
  private async redirect(r: Redirect, io: Io, env: ShellEnv, terminal: OutputSink): Promise<string | undefined> {
    if (r.op === '2>&1') {
      io.stderr = io.stdout;
      return undefined;
    }
    if (r.op === '>&2') {
      io.stdout = io.stderr;
      return undefined;
    }
    if (r.op === '<<' || r.op === '<<-') {
      io.stdin = feed(r.body ? await this.expandText(r.body, env, io.stderr) : '');
      return undefined;
    }
    const target = r.target!;
    if (r.op === '<<<') {
      io.stdin = feed((await this.expandText(target, env, io.stderr)) + '\n');
      return undefined;
    }
    const fields = await this.expandWord(target, env, io.stderr);
    const ash = inContainer(env.location);
    if (fields.length !== 1) return `${shellName(env)}: ${target.value}: ambiguous redirect`;
    const file = fields[0]!;
    const place = placeOf(env);
    const abs = absolute(place, file);
    if (r.op === '<') {
      if (abs === '/dev/null') io.stdin = feed('');
      else if (abs === '/dev/stdin' || abs === '/dev/tty') io.stdin = io.stdin ?? feed('');
      else {
        const content = readAny(env, place, abs);
        if (content !== undefined) io.stdin = feed(content);
        else if (kindOf(env, place, abs) === 'dir') io.stdin = feed('');
        else return ash ? `sh: can't open ${file}: no such file` : `bash: ${file}: No such file or directory`;
      }
      return undefined;
    }
    let sink: OutputSink;
    if (abs === '/dev/null') sink = discard;
    else if (abs === '/dev/stdout') sink = io.stdout;
    else if (abs === '/dev/stderr') sink = io.stderr;
    else if (abs === '/dev/tty') sink = terminal;
    else if (procSysSink(env, abs)) sink = procSysSink(env, abs)!;
    else {
      const why = writeError(env, place, abs);
      if (why !== undefined) return ash ? `sh: can't create ${file}: ${why === 'No such file or directory' ? 'nonexistent directory' : why}` : `bash: ${file}: ${why}`;
      const state = env.sim.state;
      const clock = env.sim.clock;
      if (r.op === '>' || r.op === '2>' || r.op === '&>') writeFile(state, place.machine, abs, '', clock.now());
      else appendFile(state, place.machine, abs, '', clock.now());
      sink = { write: (t) => appendLimited(env, place, abs, t) };
    }
    if (r.op === '>' || r.op === '>>') io.stdout = sink;
    else if (r.op === '2>' || r.op === '2>>') io.stderr = sink;
    else {
      io.stdout = sink;
      io.stderr = sink;
    }
    return undefined;
  }

  /** The command `name` as it exists at `location` (inside a pod: only what its image ships). */
  private lookup(name: string, location: Location): Command {
    const found = this.opts.registry.find(programName(name), location, imageAt(this.env.sim, location));
    const command = found && (!found.installed || found.installed({ ...this.env, location })) ? found : undefined;
    if (!command) {
      const shell = shellAt(this.env.sim, location);
      if (shell === 'bash') throw commandNotFound('bash', name);
      // dash counts input lines; that count is the interactive shell's.
      if (shell === 'dash' && location === this.env.location) throw commandNotFound('dash', name, shellState(this.env).history().length);
      throw commandNotFound('sh', name);
    }
    return command;
  }

  private async exec(command: Command, argv: string[], stdout: OutputSink, stderr: OutputSink, tty: boolean, env: ShellEnv, stdin: string | undefined, base: ShellEnv = env, subshell = false): Promise<number> {
    const interrupt: Interrupt = this.interruptFlag;
    // Every command's output counts against the line's bound (output-limit.ts).
    const budget = (this.budget ??= new OutputBudget(stderr, () => this.interrupt()));
    const writer = isBuiltin(command) ? `${shellName(env)}: ${argv[0]}` : argv[0]!;
    [stdout, stderr] = boundedPair(stdout, stderr, budget, writer);
    const ctx: CommandContext = {
      argv,
      stdout,
      stderr,
      env,
      interrupt,
      tty,
      ...(stdin !== undefined ? { stdin } : {}),
      sleep: (ms) => this.sleep(ms),
      endless: () => this.opts.scheduler.endless?.(),
      spawn: (location, args, childTty) => this.exec(this.lookup(args[0]!, location), args, stdout, stderr, childTty, this.spawnEnv(env, location, childTty, args), undefined),
      enter: (location) => this.moveTo(location, base),
      script: (text, argv0, args, bash) => this.runChild(text, env, argv0, args, bash, stdout, stderr, stdin),
      ...(subshell ? { subshell } : {}),
    };
    const edit = this.opts.editor?.();
    if (edit) ctx.edit = edit;
    if (argv.length === 2 && argv[1] === '--help' && !isBuiltin(command) && !command.ownHelp) {
      // busybox answers `APPLET --help` before the applet runs: its usage, on stderr, status 0.
      (command.usage.startsWith('BusyBox v') ? stderr : stdout).write(command.usage + '\n');
      return 0;
    }
    try {
      // The cluster is brought up to the clock before the command reads or changes it.
      env.sim.advance();
      return await command.run(ctx);
    } catch (e) {
      if (e instanceof SubshellExit) throw new AbandonLine(e); // ends the subshell like an expansion error
      if (e instanceof OutputLimitStop) return 1; // its notice is on the terminal
      return this.fail(e, stderr);
    }
  }

  /** Reports an error (see `report`) and remembers its kind. */
  private fail(e: unknown, stderr: OutputSink): number {
    if (e instanceof AbandonLine) e = e.cause;
    if (e instanceof SubshellExit) {
      this.lastError = undefined;
      return e.status;
    }
    this.lastError = e instanceof CommandError ? e.code : e instanceof ShellSyntaxError ? 'SYNTAX' : undefined;
    return report(e, stderr);
  }

  /** Sandbox time passes; Ctrl+C ends the wait early (in the browser, where waits are real). */
  private async sleep(ms: number): Promise<boolean> {
    if (this.interruptFlag.interrupted) return false;
    let woken = false;
    await Promise.race([
      this.opts.scheduler.sleep(ms),
      new Promise<void>((resolve) => {
        this.wake = () => {
          woken = true;
          resolve();
        };
      }),
    ]);
    this.wake = undefined;
    // What fell due while the command waited has happened when it looks again.
    this.env.sim.advance();
    return !woken && !this.interruptFlag.interrupted;
  }

  // ---- expansion ------------------------------------------------------------------------------

  /** The value of one `$...` expansion. */
  private async expansionValue(kind: 'var' | 'braced' | 'command', inner: string, env: ShellEnv, stderr: OutputSink, raw: string, backquote: boolean): Promise<string> {
    try {
      return await this.expansionValueOf(kind, inner, env, stderr, raw, backquote);
    } catch (e) {
      throw e instanceof AbandonLine ? e : new AbandonLine(e);
    }
  }

  private async expansionValueOf(kind: 'var' | 'braced' | 'command', inner: string, env: ShellEnv, stderr: OutputSink, raw: string, backquote: boolean): Promise<string> {
    if (kind === 'var') return this.param(inner, env);
    if (kind === 'command') {
      if (inner.startsWith('(') && inner.endsWith(')') && !backquote) return String(await this.arithmetic(inner.slice(1, -1), env, stderr));
      // Inside backquotes a backslash quotes only `$`, backquote and backslash.
      const text = backquote ? inner.replace(/\\([$`\\])/g, '$1') : inner;
      let out = '';
      const sub = this.copyEnv(env);
      // The substitution's output is a pipe, not the terminal.
      this.captures++;
      let status: number;
      try {
        status = await this.runText(text, sub, { write: (t) => void (out += t) }, stderr);
      } finally {
        this.captures--;
      }
      this.substStatus = status;
      // A later `$?` in the same command sees the substitution's status, as in bash and dash.
      env.vars['?'] = String(status);
      return out.replace(/\n+$/, '');
    }
    const m = /^(#?)([A-Za-z_][A-Za-z0-9_]*|[0-9]+|[?$#@*!-])(?:(:?[-=+?]|##?|%%?|\/[/#%]?|:|\^\^?|,,?)([\s\S]*))?$/.exec(inner);
    const supported = SHELL_OPS[shellOf(env)];
    if (!m || (m[1] && m[3]) || (m[3] && !supported.test(m[3])) || (m[3] === ':' && m[4] === '')) throw new CommandError('INVALID', `${shellName(env)}: ${raw}: bad substitution`, 1);
    const [, hash, name, op, word = ''] = m;
    const value = this.paramSet(name!, env) ? this.param(name!, env) : undefined;
    if (hash) return String(this.param(name!, env).length);
    if (!op) return this.param(name!, env);
    if (!/^:?[-=+?]$/.test(op)) return this.operate(op, this.param(name!, env), word, name!, env, stderr);
    const unset = value === undefined || (op.startsWith(':') && value === '');
    const wordValue = async (): Promise<string> => this.expandText(dequote(word), env, stderr);
    switch (op.replace(':', '')) {
      case '-':
        return unset ? wordValue() : value!;
      case '=': {
        if (!unset) return value!;
        const v = await wordValue();
        env.vars[name!] = v;
        return v;
      }
      case '+':
        return unset ? '' : wordValue();
      default: {
        if (!unset) return value!;
        const msg = word === '' ? (value === undefined ? 'parameter not set' : 'parameter null or not set') : await wordValue();
        throw new CommandError('INVALID', `${shellName(env)}: ${name}: ${msg}`, 1);
      }
    }
  }

  /** `${NAME#pat}`-style removals, `${NAME/pat/rep}` replacements, `${NAME:off:len}` and case changes. */
  private async operate(op: string, value: string, word: string, name: string, env: ShellEnv, stderr: OutputSink): Promise<string> {
    if (op === ':') {
      const [offText, lenText] = splitWord(word, ':');
      const n = value.length;
      const off = this.arith(await this.wordText(offText, env, stderr, false), name, env);
      const start = off < 0 ? n + off : off;
      if (start < 0 || start > n) return '';
      if (lenText === undefined) return value.slice(start);
      const lenValue = await this.wordText(lenText, env, stderr, false);
      const len = this.arith(lenValue, name, env);
      const end = len < 0 ? n + len : start + len;
      if (end < start && len < 0) throw new CommandError('INVALID', `${shellName(env)}: ${lenValue.trim()}: substring expression < 0`, 1);
      return value.slice(start, Math.max(start, end));
    }
    if (op[0] === '^' || op[0] === ',') {
      const pattern = await this.wordText(word, env, stderr, true);
      const one = globMatcher(pattern === '' ? '?' : pattern, 'prefix', true);
      const change = (ch: string): string => {
        const to = op[0] === '^' ? ch.toUpperCase() : ch.toLowerCase();
        return to.length === 1 && one(ch)?.end === 1 ? to : ch;
      };
      if (op.length === 1) return value === '' ? '' : change(value[0]!) + value.slice(1);
      return [...value].map(change).join('');
    }
    if (op[0] !== '/') {
      // `#`/`##` remove the shortest/longest matching prefix, `%`/`%%` the suffix.
      const found = globMatcher(await this.wordText(word, env, stderr, true), op[0] === '#' ? 'prefix' : 'suffix', op.length === 2)(value);
      return found ? value.slice(0, found.start) + value.slice(found.end) : value;
    }
    const [patText, repText = ''] = splitWord(word, '/');
    const pattern = await this.wordText(patText, env, stderr, true);
    if (pattern === '' && (op === '/' || op === '//')) return value;
    const replacement = await this.wordText(repText, env, stderr, false);
    const find = globMatcher(pattern, op === '/#' ? 'prefix' : op === '/%' ? 'suffix' : 'any', true);
    let out = '';
    let at = 0;
    do {
      const found = find(value, at);
      // The first (leftmost, longest) match; `/` and `//` find none at the end of a non-empty value.
      if (!found || (found.start === value.length && value !== '' && op.length < 3 && op !== '/%')) break;
      out += value.slice(at, found.start) + replacement;
      at = found.end;
      if (found.end === found.start) break;
    } while (op === '//');
    return out + value.slice(at);
  }

  /**
   * The word of an operator as the shell reads it: quotes removed, `$` expansions done.
   * For a pattern, what was quoted matches itself: its `*`, `?`, `[` and `\` come out escaped.
   */
  private async wordText(word: string, env: ShellEnv, stderr: OutputSink, pattern: boolean): Promise<string> {
    const literal = (t: string): string => (pattern ? t.replace(/[\\*?[]/g, '\\$&') : t);
    let out = '';
    for (let i = 0; i < word.length; ) {
      const c = word[i]!;
      if (c === '\\' && i + 1 < word.length) {
        out += literal(word[i + 1]!);
        i += 2;
      } else if (c === "'" || c === '"') {
        const end = constructEnd(word, i);
        const text = word.slice(i + 1, end - 1);
        out += literal(c === "'" ? text : await this.expandText(heredocLike(text), env, stderr));
        i = end;
      } else {
        let j = i;
        while (j < word.length && !`'"\\`.includes(word[j]!)) j = word[j] === '$' || word[j] === '`' ? constructEnd(word, j) : j + 1;
        out += await this.expandText(heredocLike(word.slice(i, j)), env, stderr);
        i = j;
      }
    }
    return out;
  }

  /**
   * An offset or length of `${NAME:off:len}`: a number (optionally signed or in parentheses),
   * a variable name (its value, empty = 0) or nothing (0). Other arithmetic is not modelled.
   */
  private arith(text: string, name: string, env: ShellEnv): number {
    let t = text.trim();
    const paren = /^\(\s*([^()]*?)\s*\)$/.exec(t);
    if (paren) t = paren[1]!;
    if (t === '') return 0;
    const num = /^([-+]?)\s*(0|[1-9][0-9]*)$/.exec(t);
    if (num) return Number(num[1]! + num[2]!);
    if (/^[A-Za-z_]\w*$/.test(t)) return this.arith(env.vars[t] ?? '', name, env);
    throw new CommandError('UNSUPPORTED', `${shellName(env)}: ${name}: ${text.trim()}: arithmetic expressions are not supported in this sandbox (use a number or a variable name)`, 1);
  }

  /** Whether a parameter is set (`${1-x}` takes the default when there is no $1). */
  private paramSet(name: string, env: ShellEnv): boolean {
    const pos = env.positional ?? [];
    if (name === '#' || name === '@' || name === '*') return true;
    if (/^[1-9][0-9]*$/.test(name)) return Number(name) <= pos.length;
    return env.vars[name] !== undefined;
  }

  private param(name: string, env: ShellEnv): string {
    const pos = env.positional ?? [];
    if (name === '#') return String(pos.length);
    if (name === '@' || name === '*') return pos.join(' ');
    if (/^[1-9][0-9]*$/.test(name)) return pos[Number(name) - 1] ?? '';
    return env.vars[name] ?? '';
  }

  /** Expands text without field splitting (assignment values, here-documents, `"..."`-like words). */
  private async expandText(w: ExpandableText & { tilde?: boolean }, env: ShellEnv, stderr: OutputSink, assignment = false): Promise<string> {
    let out = '';
    let at = 0;
    for (const x of w.expansions) {
      out += w.value.slice(at, x.start);
      const raw = w.value.slice(x.start, x.end);
      out += await this.expansionValue(x.kind, x.inner, env, stderr, raw, raw.startsWith('`'));
      at = x.end;
    }
    out += w.value.slice(at);
    if (w.tilde && !assignment) out = tilde(out, env);
    return out;
  }

  /** Expands a word into fields: unquoted expansion results split at blanks and newlines. */
  private async expandWord(w: WordToken, env: ShellEnv, stderr: OutputSink): Promise<string[]> {
    if (w.expansions.length === 0 && !w.quoted && w.value.includes('{') && shellOf(env) === 'bash') {
      let words: string[];
      try {
        words = braceExpand(w.value);
      } catch (e) {
        if (!(e instanceof BraceLimit)) throw e;
        throw new AbandonLine(new CommandError('UNSUPPORTED', `bash: ${w.value}: brace expansion makes more than ${BRACE_LIMIT} words; the sandbox stops there`, 1));
      }
      return words.map((x) => (x.startsWith('~') ? tilde(x, env) : x));
    }
    if (w.expansions.length === 0) return [w.tilde ? tilde(w.value, env) : w.value];
    const fields: string[] = [];
    let cur = '';
    let has = false;
    const literal = (s: string): void => {
      cur += s;
      if (s !== '') has = true;
    };
    let at = w.expansions[0]!.start;
    literal(w.tilde ? tilde(w.value.slice(0, at), env) : w.value.slice(0, at));
    let onlyAt = w.expansions.length === 1 && w.value === '"$@"'.slice(1, -1);
    for (const x of w.expansions) {
      if (x.start > at) literal(w.value.slice(at, x.start));
      const raw = w.value.slice(x.start, x.end);
      at = x.end;
      if (x.quoted && x.inner === '@' && x.kind !== 'command') {
        // "$@": each positional parameter is a field of its own; none at all makes no field.
        const pos = env.positional ?? [];
        pos.forEach((p, k) => {
          if (k > 0) fields.push(cur);
          cur = k > 0 ? p : cur + p;
          has = true;
        });
        continue;
      }
      onlyAt = false;
      const v = await this.expansionValue(x.kind, x.inner, env, stderr, raw, raw.startsWith('`'));
      if (x.quoted) {
        cur += v;
        has = true;
        continue;
      }
      for (const ch of v) {
        if (BLANK.test(ch)) {
          if (has) fields.push(cur);
          cur = '';
          has = false;
        } else {
          cur += ch;
          has = true;
        }
      }
    }
    literal(w.value.slice(at));
    if (has) fields.push(cur);
    if (fields.length === 0 && w.quoted && !onlyAt) fields.push('');
    return fields;
  }

  /** Tab completion for `line` with the cursor at `cursor`. */
  complete(line: string, cursor: number): { from: number; candidates: string[] } {
    const w = wordAt(line, cursor);
    try {
      // `$NA<Tab>`: the shell's variables, as bash completes them.
      if (/^\$[A-Za-z_]\w*$|^\$$/.test(w.prefix)) {
        const names = Object.keys(this.env.vars).filter((n) => /^[A-Za-z_]\w*$/.test(n)).map((n) => '$' + n);
        return { from: w.start, candidates: [...new Set(names.filter((n) => n.startsWith(w.prefix)))].sort() };
      }
      if (w.redirectTarget) return { from: w.start, candidates: fileCompletions(this.env, w.prefix) };
      if (w.preceding.length === 0) return { from: w.start, candidates: this.opts.registry.complete({ words: [], prefix: w.prefix, env: this.env }) };
      // A command with its own completer decides (kubectl offers types, never files, as its
      // __complete says); for the others bash's default applies: file names.
      const cmd = this.opts.registry.find(w.preceding[0]!, this.env.location, imageAt(this.env.sim, this.env.location));
      if (cmd?.complete) return { from: w.start, candidates: this.opts.registry.complete({ words: w.preceding, prefix: w.prefix, env: this.env }) };
      return { from: w.start, candidates: fileCompletions(this.env, w.prefix) };
    } catch {
      return { from: w.start, candidates: [] };
    }
  }
}

/**
 * An expansion failed (`${X?}`, a bad substitution): an interactive shell prints the error and
 * abandons the rest of the command line, with status 1; in a subshell (a pipeline's command,
 * `$(...)`) only the subshell ends. `exit` in a subshell (a SubshellExit cause) ends it the
 * same way, silently, with its own status.
 */
class AbandonLine {
  constructor(readonly cause: unknown) {}
}

/** `break N` / `continue N`: leaves (or goes on with) the Nth enclosing loop. */
class LoopSignal {
  constructor(
    readonly levels: number,
    readonly cont: boolean,
  ) {}
}

/** `return N` inside a function. */
class ReturnSignal {
  constructor(readonly status: number) {}
}

/** An arithmetic error, in the running shell's words. */
class ArithFailed extends CommandError {}

/**
 * A parse error in the words of the shell it happened in (bash's are the tokenizer's own):
 * dash `sh: LINE: Syntax error: "done" unexpected`, busybox ash `sh: syntax error: unexpected
 * "done"`; both say `word` for a plain word and name what they expected.
 */
function syntaxErrorFor(e: ShellSyntaxError, env: ShellEnv, text: string): ShellSyntaxError {
  const shell = shellOf(env);
  if (shell === 'bash' || e.token === undefined) return e;
  const eof = e.token === 'end of file';
  const expecting = e.expecting ? ` (expecting "${e.expecting}")` : '';
  const token = e.plainWord ? 'word' : e.token === 'newline' ? 'newline' : `"${e.token}"`;
  if (shell === 'dash') {
    // dash counts input lines: those of earlier commands, and those of this text before the error.
    let line = Math.max(1, shellState(env).history().length);
    for (let k = 0; k < (e.at ?? 0) && k < text.length; k++) if (text[k] === '\n') line++;
    const what = e.token === 'bad for loop variable' ? 'Bad for loop variable' : eof ? `end of file unexpected${expecting}` : `${token} unexpected${expecting}`;
    return new ShellSyntaxError(`sh: ${line}: Syntax error: ${what}`);
  }
  const what = e.token === 'bad for loop variable' ? 'bad for loop variable' : eof ? `unexpected end of file${expecting}` : `unexpected ${token}${expecting}`;
  return new ShellSyntaxError(`sh: syntax error: ${what}`);
}

/** A whole-string glob match (`case` patterns, `[[ x == pattern ]]`). */
function globWhole(pattern: string): (s: string) => boolean {
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${globSource(pattern, true)})$`);
  } catch {
    return () => false;
  }
  return (s) => re.test(s);
}

/** A value as `set` prints it: single-quoted when it holds anything but plain characters. */
function shellQuote(v: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]*$/.test(v) ? v : `'${v.replace(/'/g, "'\\''")}'`;
}

/** A shell inside a pod's or a Docker container's image (busybox ash), not bash on a machine. */
function inContainer(loc: Location): loc is Extract<Location, { kind: 'pod' | 'container' }> {
  return loc.kind === 'pod' || loc.kind === 'container';
}

/** The interactive shell of a place (images.ts shellAt). */
function shellOf(env: ShellEnv): 'bash' | 'ash' | 'dash' {
  return shellAt(env.sim, env.location);
}

/** The `${NAME<op>...}` operators each shell knows (ash has no case changes; dash only POSIX's). */
const SHELL_OPS = {
  bash: /^/,
  ash: /^[^^,]/,
  dash: /^(:?[-=+?]|##?|%%?)$/,
};

/** Splits an operator's word at its first `sep` outside quotes and substitutions. */
function splitWord(word: string, sep: string): [string, string | undefined] {
  for (let i = 0; i < word.length; ) {
    const c = word[i]!;
    if (c === sep) return [word.slice(0, i), word.slice(i + 1)];
    i = c === '\\' ? i + 2 : constructEnd(word, i);
  }
  return [word, undefined];
}

const GLOB_CLASSES: Record<string, string> = {
  alpha: 'A-Za-z', digit: '0-9', alnum: '0-9A-Za-z', upper: 'A-Z', lower: 'a-z', xdigit: '0-9A-Fa-f',
  space: ' \\t\\n\\r\\f\\v', blank: ' \\t', punct: '!-\\/:-@\\[-`{-~',
};
const escapeRe = (c: string): string => c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/** The regular expression of a glob pattern (`*`, `?`, `[...]`, `\c`); `*` lazy unless `longest`. */
function globSource(p: string, longest: boolean): string {
  let re = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '*') re += longest ? '[\\s\\S]*' : '[\\s\\S]*?';
    else if (c === '?') re += '[\\s\\S]';
    else if (c === '\\' && i + 1 < p.length) re += escapeRe(p[++i]!);
    else if (c !== '[') re += escapeRe(c);
    else {
      // A bracket expression: `!` or `^` negates, `]` first is a member, `[:alpha:]` classes.
      let j = i + 1;
      const negate = p[j] === '!' || p[j] === '^';
      if (negate) j++;
      let body = '';
      for (const first = j; j < p.length && (p[j] !== ']' || j === first); ) {
        const cls = p[j] === '[' ? /^\[:([a-z]+):\]/.exec(p.slice(j, j + 10)) : null;
        if (cls && GLOB_CLASSES[cls[1]!]) {
          body += GLOB_CLASSES[cls[1]!];
          j += cls[0].length;
        } else if (p[j] === '-' && j > first && p[j + 1] !== ']' && j + 1 < p.length) {
          body += '-';
          j++;
        } else {
          if (p[j] === '\\' && j + 1 < p.length) j++;
          body += escapeRe(p[j]!);
          j++;
        }
      }
      if (j >= p.length) {
        re += '\\['; // no closing `]`: a plain `[`
      } else {
        re += `[${negate ? '^' : ''}${body}]`;
        i = j;
      }
    }
  }
  return re;
}

/**
 * Where a glob pattern matches a value: a prefix, a suffix, or anywhere from `from` (the
 * leftmost place, then the longest match there); `longest` picks the longest prefix/suffix
 * (`##`, `%%`) over the shortest. Every pattern-using `${...}` form goes through here.
 */
function globMatcher(pattern: string, where: 'prefix' | 'suffix' | 'any', longest: boolean): (s: string, from?: number) => { start: number; end: number } | null {
  // RE2 (re2js) rather than RegExp: `${X//*a*a*a*b/}` must not backtrack for ever. Its
  // leftmost-first matching with lazy `*?` picks what JavaScript's would.
  const compileGlob = (src: string): RE2JS => {
    try {
      return RE2JS.compile(src, RE2JS.DOTALL);
    } catch {
      return RE2JS.compile('[^\\x00-\\x{10FFFF}]'); // a reversed range (`[z-a]`) matches nothing
    }
  };
  const source = globSource(pattern, longest);
  if (where === 'suffix') {
    const re = compileGlob(`(?:${source})$`);
    return (s) => {
      const m = re.matcher(s);
      // `%%`: the leftmost start of a match running to the end; `%`: the rightmost.
      if (longest) return m.find(0) ? { start: m.start(), end: s.length } : null;
      for (let k = s.length; k >= 0; k--) if (m.find(k) && m.start() === k) return { start: k, end: s.length };
      return null;
    };
  }
  const re = compileGlob(where === 'prefix' ? `^(?:${source})` : source);
  return (s, from = 0) => {
    const m = re.matcher(s);
    return m.find(from) ? { start: m.start(), end: m.end() } : null;
  };
}

function shellName(env: ShellEnv): string {
  return inContainer(env.location) ? 'sh' : 'bash';
}

/** `~` and `~/...` at the start of a word: the home directory. */
function tilde(s: string, env: ShellEnv): string {
  if (s !== '~' && !s.startsWith('~/')) return s;
  return (env.vars['HOME'] ?? placeOf(env).home) + s.slice(1);
}

/** The word of `${NAME:-word}` with its quotes removed (expansions inside stay). */
function dequote(word: string): ExpandableText {
  const m = /^'([^']*)'$/.exec(word) ?? /^"([^"]*)"$/.exec(word);
  if (m && word.startsWith("'")) return { value: m[1]!, expansions: [] };
  return heredocLike(m ? m[1]! : word);
}

function heredocLike(text: string): ExpandableText {
  // A default word expands like a here-document line: `$` expansions, backslash escapes.
  const parsed = parseCommandLine(`: <<X\n${text}\nX`).items[0]?.pipeline.commands[0]?.redirects[0]?.body;
  return parsed ? { value: parsed.value.slice(0, -1), expansions: parsed.expansions } : { value: text, expansions: [] };
}

/** Prints an error the way the real tool does and returns its exit status. */
function report(e: unknown, stderr: OutputSink): number {
  if (e instanceof CommandError) {
    stderr.write(e.message + '\n');
    if (e.hint) stderr.write(e.hint + '\n');
    return e.exitCode;
  }
  if (e instanceof ShellSyntaxError) {
    stderr.write(e.message + '\n');
    return 2;
  }
  const msg = e instanceof Error ? e.message : String(e);
  stderr.write(`sandbox: internal error: ${msg}\n`);
  return 70;
}
