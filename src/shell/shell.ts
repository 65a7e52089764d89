/**
 * The shell: input text in, the commands' text out.
 *
 * Design notes: the input (one line, or several when the first left a quote, a `|` or a
 * here-document open: see `needsMore` in tokenize.ts) is tokenized and parsed into lists of
 * pipelines. For each simple command, bash's order is followed: the words are expanded
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
 * Left out: glob and brace expansion, other IFS values, `$((...))` arithmetic, background
 * jobs (`&`), functions, `set`, `cd`, and control structures (`if`, `for`, `while`, `case`);
 * in `${...}`: arithmetic in `${X:off:len}` beyond numbers and variable names, `&` in a
 * replacement (bash 5.2's patsub_replacement; 5.1 has none), `~` in a replacement, extended
 * globs (`+(...)`), `${!X}`, arrays.
 */
import { RE2JS } from 're2js';
import type { Scheduler } from '../sim/clock';
import { appendFile, writeFile } from '../sim/files';
import type { Sim } from '../sim/sim';
import { SubshellExit, type Command, type CommandContext, type Interrupt, type Location, type OutputSink, type ShellEnv } from './command';
import { isBuiltin } from './commands/builtin';
import { CommandError, commandNotFound, type ErrorCode } from './errors';
import { imageAt, programName, shellAt } from './images';
import { promptFor, WORKSTATION_LOCATION } from './location';
import type { Registry } from './registry';
import { boundedPair, OutputBudget, OutputLimitStop } from './output-limit';
import { absolute, appendLimited, fileCompletions, kindOf, placeOf, readAny, writeError } from './sandbox-fs';
import { attachShellState, shellState } from './shell-state';
import { constructEnd, parseCommandLine, ShellSyntaxError, wordAt, type ExpandableText, type Redirect, type SimpleCommand, type WordToken } from './tokenize';

export interface ShellOptions {
  sim: Sim;
  scheduler: Scheduler;
  registry: Registry;
  location?: Location;
  /** The lines entered so far, the running one included (for `history`). */
  history?: () => string[];
}

const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const BLANK = /[ \t\n]/;

/** The stdin/stdout/stderr of a command while its redirections are applied. */
interface Io {
  stdin: string | undefined;
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

  constructor(private readonly opts: ShellOptions) {
    const location = opts.location ?? WORKSTATION_LOCATION;
    this.env = { sim: opts.sim, scheduler: opts.scheduler, location, vars: {} };
    this.env.vars = this.freshVars(location, 0);
  }

  get registry(): Registry {
    return this.opts.registry;
  }

  prompt(): string {
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
    return this.runText(line, this.env, stdout, stderr);
  }

  /** The variables a new shell at `location` starts with, registered with their shell state. */
  private freshVars(location: Location, historyStart: number): Record<string, string> {
    const container = inContainer(location);
    const ash = shellAt(this.opts.sim, location) !== 'bash';
    const user = location.kind === 'workstation' ? location.user : 'root';
    const { home, cwd } = placeOf({ sim: this.opts.sim, location });
    const env: [string, string][] = container
      ? [
          ['PATH', PATH],
          ['HOSTNAME', location.kind === 'pod' ? location.pod : location.kind === 'container' ? location.id.slice(0, 12) : ''],
          ['HOME', home],
          ['PWD', cwd],
          ['SHLVL', '1'],
        ]
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
    attachShellState(vars, { exported: new Set(env.map(([k]) => k)), history: () => history().slice(historyStart), dialect: ash ? 'ash' : 'bash' });
    return vars;
  }

  /** A copy of `env` with its own variables (a subshell, or a command's `NAME=value` prefixes). */
  private copyEnv(env: ShellEnv): ShellEnv {
    const vars = { ...env.vars };
    const st = shellState(env);
    attachShellState(vars, { exported: new Set(st.exported), history: st.history, dialect: st.dialect });
    return { ...env, vars };
  }

  /** `kubectl exec -it POD -- sh`, `ssh NODE`, `exit`: the interactive shell moves. */
  private moveTo(location: Location, base: ShellEnv): void {
    if (base !== this.env) {
      base.location = location; // inside a subshell: only the subshell moves
      return;
    }
    if (location.kind === 'workstation') {
      this.env.vars = this.savedVars ?? this.freshVars(location, 0);
      this.savedVars = undefined;
    } else {
      if (this.env.location.kind === 'workstation') this.savedVars = this.env.vars;
      this.env.vars = this.freshVars(location, this.opts.history?.().length ?? 0);
    }
    this.env.location = location;
  }

  private async runText(text: string, env: ShellEnv, stdout: OutputSink, stderr: OutputSink): Promise<number> {
    let status = 0;
    try {
      const list = parseCommandLine(text, { ansiC: shellOf(env) !== 'dash' });
      for (const w of list.warnings) stderr.write(w + '\n');
      let prevOp: string | null = null;
      for (const item of list.items) {
        if (prevOp === '&&' && status !== 0) {
          prevOp = item.terminator;
          continue;
        }
        if (prevOp === '||' && status === 0) {
          prevOp = item.terminator;
          continue;
        }
        prevOp = item.terminator;
        if (item.terminator === '&') throw new CommandError('UNSUPPORTED', `${shellName(env)}: background jobs (&) are not supported in this sandbox`, 2);
        status = await this.runPipeline(item.pipeline.commands, env, stdout, stderr);
        env.vars['?'] = String(status);
        if (this.interruptFlag.interrupted) break;
      }
    } catch (e) {
      status = this.fail(e, stderr);
      env.vars['?'] = String(status);
    }
    return status;
  }

  /**
   * `a | b | c`: each command's output becomes the next one's input (collected whole, then
   * handed on: a long-running command shows its output when it ends); stderr goes straight to
   * the terminal; the status is the last command's, as in bash without pipefail.
   */
  private async runPipeline(cmds: SimpleCommand[], env: ShellEnv, stdout: OutputSink, stderr: OutputSink): Promise<number> {
    let input: string | undefined;
    let status = 0;
    for (let i = 0; i < cmds.length; i++) {
      const last = i === cmds.length - 1;
      let buffer = '';
      const out: OutputSink = last ? stdout : { write: (t) => void (buffer += t) };
      // In a pipeline every command runs in a subshell: only a lone command changes the shell.
      const cmdEnv = cmds.length > 1 ? this.copyEnv(env) : env;
      status = await this.runSimple(cmds[i]!, cmdEnv, out, stderr, input, last).catch((e: unknown) => {
        // An expansion error abandons the line, unless the command runs in a subshell.
        if (e instanceof AbandonLine && cmds.length === 1) throw e;
        return this.fail(e, stderr);
      });
      input = buffer;
      if (this.interruptFlag.interrupted) break;
    }
    return status;
  }

  private async runSimple(cmd: SimpleCommand, env: ShellEnv, stdout: OutputSink, stderr: OutputSink, stdin: string | undefined, tty: boolean): Promise<number> {
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
    const runEnv = argv.length > 0 && cmd.assignments.length > 0 ? this.copyEnv(env) : env;
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
    const io: Io = { stdin, stdout, stderr };
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
    const builtin = this.opts.registry.all().find((c) => c.name === name && isBuiltin(c) && c.where.includes(inContainer(env.location) ? 'pod' : (env.location.kind as 'workstation' | 'node')));
    let command: Command;
    try {
      command = builtin ?? this.lookup(name, env.location);
    } catch (e) {
      return this.fail(e, io.stderr); // `nosuch 2>/dev/null` is silent
    }
    return this.exec(command, argv, io.stdout, io.stderr, tty && io.stdout === stdout, runEnv, io.stdin, env, env !== this.env);
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
      io.stdin = r.body ? await this.expandText(r.body, env, io.stderr) : '';
      return undefined;
    }
    const target = r.target!;
    if (r.op === '<<<') {
      io.stdin = (await this.expandText(target, env, io.stderr)) + '\n';
      return undefined;
    }
    const fields = await this.expandWord(target, env, io.stderr);
    const ash = inContainer(env.location);
    if (fields.length !== 1) return `${shellName(env)}: ${target.value}: ambiguous redirect`;
    const file = fields[0]!;
    const place = placeOf(env);
    const abs = absolute(place, file);
    if (r.op === '<') {
      if (abs === '/dev/null') io.stdin = '';
      else if (abs === '/dev/stdin' || abs === '/dev/tty') io.stdin = io.stdin ?? '';
      else {
        const content = readAny(env, place, abs);
        if (content !== undefined) io.stdin = content;
        else if (kindOf(env, place, abs) === 'dir') io.stdin = '';
        else return ash ? `sh: can't open ${file}: no such file` : `bash: ${file}: No such file or directory`;
      }
      return undefined;
    }
    let sink: OutputSink;
    if (abs === '/dev/null') sink = discard;
    else if (abs === '/dev/stdout') sink = io.stdout;
    else if (abs === '/dev/stderr') sink = io.stderr;
    else if (abs === '/dev/tty') sink = terminal;
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
      spawn: (location, args, childTty) => this.exec(this.lookup(args[0]!, location), args, stdout, stderr, childTty, { ...env, location }, undefined),
      enter: (location) => this.moveTo(location, base),
      ...(subshell ? { subshell } : {}),
    };
    if (argv.length === 2 && argv[1] === '--help' && !isBuiltin(command) && !command.ownHelp) {
      // busybox answers `APPLET --help` before the applet runs: its usage, on stderr, status 0.
      (command.usage.startsWith('BusyBox v') ? stderr : stdout).write(command.usage + '\n');
      return 0;
    }
    try {
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
      if (inner.startsWith('(') && inner.endsWith(')') && !backquote) throw new CommandError('UNSUPPORTED', `${shellName(env)}: arithmetic expansion $((...)) is not supported in this sandbox`, 1);
      // Inside backquotes a backslash quotes only `$`, backquote and backslash.
      const text = backquote ? inner.replace(/\\([$`\\])/g, '$1') : inner;
      let out = '';
      const sub = this.copyEnv(env);
      const status = await this.runText(text, sub, { write: (t) => void (out += t) }, stderr);
      this.substStatus = status;
      // A later `$?` in the same command sees the substitution's status, as in bash and dash.
      env.vars['?'] = String(status);
      return out.replace(/\n+$/, '');
    }
    const m = /^(#?)([A-Za-z_][A-Za-z0-9_]*|[?$#0-9])(?:(:?[-=+?]|##?|%%?|\/[/#%]?|:|\^\^?|,,?)([\s\S]*))?$/.exec(inner);
    const supported = SHELL_OPS[shellOf(env)];
    if (!m || (m[1] && m[3]) || (m[3] && !supported.test(m[3])) || (m[3] === ':' && m[4] === '')) throw new CommandError('INVALID', `${shellName(env)}: ${raw}: bad substitution`, 1);
    const [, hash, name, op, word = ''] = m;
    const value = env.vars[name!];
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

  private param(name: string, env: ShellEnv): string {
    if (name === '#') return '0';
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
    for (const x of w.expansions) {
      if (x.start > at) literal(w.value.slice(at, x.start));
      const raw = w.value.slice(x.start, x.end);
      const v = await this.expansionValue(x.kind, x.inner, env, stderr, raw, raw.startsWith('`'));
      at = x.end;
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
    if (fields.length === 0 && w.quoted) fields.push('');
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
