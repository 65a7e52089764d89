/**
 * The shell: one input line in, the commands' text out.
 *
 * Design notes: a line is tokenized and parsed (quotes, `;`, `&&`, `||`), each simple
 * command's words have `$VAR` and `$?` expanded, and the command is looked up in the
 * registry for the current location (workstation or pod) and run with the injected output
 * streams. Failures are CommandErrors printed to stderr with the real tool's wording; an
 * unexpected exception inside a command is reported as an internal error instead of
 * escaping, so nothing a learner types can break the session.
 * Pipelines hand each command's output to the next as its input.
 * Left out for now: redirections, `$(...)` substitution and here-documents (they report that
 * the sandbox does not support them yet).
 */
import type { Scheduler } from '../sim/clock';
import type { Sim } from '../sim/sim';
import type { Command, CommandContext, Interrupt, Location, OutputSink, ShellEnv } from './command';
import { CommandError, commandNotFound } from './errors';
import { imageHas } from './images';
import { promptFor, WORKSTATION_LOCATION } from './location';
import type { Registry } from './registry';
import { parseCommandLine, ShellSyntaxError, wordAt, type SimpleCommand, type WordToken } from './tokenize';

export interface ShellOptions {
  sim: Sim;
  scheduler: Scheduler;
  registry: Registry;
  location?: Location;
}


export class Shell {
  readonly env: ShellEnv;
  private interruptFlag = { interrupted: false };
  private wake: (() => void) | undefined;

  constructor(private readonly opts: ShellOptions) {
    this.env = { sim: opts.sim, scheduler: opts.scheduler, location: opts.location ?? WORKSTATION_LOCATION, vars: { '?': '0', HOME: '/home/learner', USER: 'learner' } };
  }

  get registry(): Registry {
    return this.opts.registry;
  }

  prompt(): string {
    return promptFor(this.env.location);
  }

  /** Ctrl+C: marks the running command interrupted and cuts short any wait it is in. */
  interrupt(): void {
    this.interruptFlag.interrupted = true;
    this.wake?.();
  }

  async run(line: string, stdout: OutputSink, stderr: OutputSink): Promise<number> {
    this.interruptFlag = { interrupted: false };
    let status = 0;
    try {
      const list = parseCommandLine(line);
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
        if (item.terminator === '&') throw new CommandError('UNSUPPORTED', 'bash: background jobs (&) are not supported in this sandbox', 2);
        status = await this.runPipeline(item.pipeline.commands, stdout, stderr);
        this.env.vars['?'] = String(status);
        if (this.interruptFlag.interrupted) break;
      }
    } catch (e) {
      status = report(e, stderr);
      this.env.vars['?'] = String(status);
    }
    return status;
  }

  /**
   * `a | b | c`: each command's output becomes the next one's input (collected whole, then
   * handed on: a long-running command shows its output when it ends); stderr goes straight to
   * the terminal; the status is the last command's, as in bash without pipefail.
   */
  private async runPipeline(cmds: SimpleCommand[], stdout: OutputSink, stderr: OutputSink): Promise<number> {
    let input: string | undefined;
    let status = 0;
    for (let i = 0; i < cmds.length; i++) {
      const last = i === cmds.length - 1;
      let buffer = '';
      const out: OutputSink = last ? stdout : { write: (t) => void (buffer += t) };
      status = await this.runSimple(cmds[i]!, out, stderr, input, last).catch((e: unknown) => report(e, stderr));
      input = buffer;
      if (this.interruptFlag.interrupted) break;
    }
    return status;
  }

  private async runSimple(cmd: SimpleCommand, stdout: OutputSink, stderr: OutputSink, stdin?: string, tty = true): Promise<number> {
    if (cmd.redirects.length > 0) throw new CommandError('UNSUPPORTED', 'bash: redirections are not supported in this sandbox yet', 2);
    const argv = cmd.argv.map((w) => this.expand(w));
    if (argv.length === 0) return 0;
    const command = this.lookup(argv[0]!, this.env.location);
    return this.exec(command, argv, stdout, stderr, tty, this.env, stdin);
  }

  /** The command `name` as it exists at `location` (inside a pod: only what its image ships). */
  private lookup(name: string, location: Location): Command {
    let command = this.opts.registry.find(name, location);
    if (command && location.kind === 'pod') {
      const pod = this.env.sim.pod(location.namespace, location.pod);
      const image = pod?.spec.containers.find((c) => c.name === location.container)?.image ?? '';
      if (!imageHas(image, name)) command = undefined;
    }
    if (!command) throw commandNotFound(location.kind === 'pod' ? 'sh' : 'bash', name);
    return command;
  }

  private async exec(command: Command, argv: string[], stdout: OutputSink, stderr: OutputSink, tty: boolean, env: ShellEnv, stdin?: string): Promise<number> {
    const interrupt: Interrupt = this.interruptFlag;
    const ctx: CommandContext = {
      argv,
      stdout,
      stderr,
      env,
      interrupt,
      tty,
      ...(stdin !== undefined ? { stdin } : {}),
      sleep: (ms) => this.sleep(ms),
      spawn: (location, args, childTty) => this.exec(this.lookup(args[0]!, location), args, stdout, stderr, childTty, { ...env, location }),
      enter: (location) => {
        this.env.location = location;
      },
    };
    if (argv.length === 2 && argv[1] === '--help') {
      stdout.write(command.usage + '\n');
      return 0;
    }
    try {
      return await command.run(ctx);
    } catch (e) {
      return report(e, stderr);
    }
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

  private expand(w: WordToken): string {
    if (w.expansions.length === 0) return w.value;
    let out = '';
    let at = 0;
    for (const x of w.expansions) {
      out += w.value.slice(at, x.start);
      if (x.kind === 'command') throw new CommandError('UNSUPPORTED', 'bash: command substitution $(...) is not supported in this sandbox yet', 2);
      out += this.env.vars[x.inner] ?? '';
      at = x.end;
    }
    return out + w.value.slice(at);
  }

  /** Tab completion for `line` with the cursor at `cursor`. */
  complete(line: string, cursor: number): { from: number; candidates: string[] } {
    const w = wordAt(line, cursor);
    try {
      return { from: w.start, candidates: this.opts.registry.complete({ words: w.preceding, prefix: w.prefix, env: this.env }) };
    } catch {
      return { from: w.start, candidates: [] };
    }
  }
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
