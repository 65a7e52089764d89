/**
 * What the `docker` subcommands share: the host they talk to, flag parsing as the Docker CLI's
 * pflag does it, its error formats, and go-units' human durations.
 *
 * Design notes: the CLI talks to the daemon of the Docker host the learner is logged in to
 * (`ssh host-1`). Flags follow pflag: `-it` bundles short booleans, `-p8080:80` and
 * `-p 8080:80`, `--name=web` and `--name web`; `run` and `exec` stop at the first positional
 * argument (everything after the image or container belongs to the command). A flag error
 * prints pflag's message, the usage line and `Run 'docker X --help' for more information`
 * (exit 125); a wrong number of arguments prints `docker: 'docker X' requires ...` (exit 1);
 * a daemon error prints `Error response from daemon: ...` (exit 1; `docker run` prefixes
 * `docker: ` and exits 125).
 * Left out: global flags (`-H`, `--context`), `--format` on everything but `inspect`.
 */
import type { CommandContext, ShellEnv } from '../../command';
import { CommandError } from '../../errors';
import { dockerHost, findContainer, type DockerContainer, type DockerHost } from '../../../sim/docker';

export interface FlagSpec {
  name: string;
  short?: string;
  type: 'bool' | 'string' | 'list';
}

export interface ParsedFlags {
  bools: Set<string>;
  strings: Map<string, string>;
  lists: Map<string, string[]>;
  args: string[];
}

export interface SubcommandInfo {
  /** `docker run` */
  path: string;
  /** The usage line after `Usage:  `. */
  use: string;
}

/** pflag's parse with Docker's FlagErrorFunc on failure. */
export function parseFlags(argv: string[], specs: FlagSpec[], info: SubcommandInfo, interspersed: boolean): ParsedFlags {
  const out: ParsedFlags = { bools: new Set(), strings: new Map(), lists: new Map(), args: [] };
  const fail = (msg: string): never => {
    throw new CommandError('UNKNOWN_FLAG', `${msg}\n\nUsage:  ${info.use}\n\nRun '${info.path} --help' for more information`, 125);
  };
  const set = (spec: FlagSpec, value: string): void => {
    if (spec.type === 'string') out.strings.set(spec.name, value);
    else out.lists.set(spec.name, [...(out.lists.get(spec.name) ?? []), value]);
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      out.args.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      const spec = specs.find((s) => s.name === name);
      if (!spec) fail(`unknown flag: --${name}`);
      if (spec!.type === 'bool') {
        if (eq >= 0 && !['true', 'false', '1', '0'].includes(a.slice(eq + 1))) fail(`invalid argument "${a.slice(eq + 1)}" for "${spec!.short ? `-${spec!.short}, ` : ''}--${name}" flag: strconv.ParseBool: parsing "${a.slice(eq + 1)}": invalid syntax`);
        if (eq < 0 || ['true', '1'].includes(a.slice(eq + 1))) out.bools.add(name);
        else out.bools.delete(name);
        continue;
      }
      const value: string | undefined = eq >= 0 ? a.slice(eq + 1) : argv[++i];
      if (value === undefined) fail(`flag needs an argument: --${name}`);
      set(spec!, value!);
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const ch = a[j]!;
        const spec = specs.find((s) => s.short === ch);
        if (!spec) fail(`unknown shorthand flag: '${ch}' in ${a}`);
        if (spec!.type === 'bool') {
          out.bools.add(spec!.name);
          continue;
        }
        let value: string | undefined = a.slice(j + 1);
        if (value.startsWith('=')) value = value.slice(1);
        if (value === '') value = argv[++i];
        if (value === undefined) fail(`flag needs an argument: '${ch}' in -${ch}`);
        set(spec!, value!);
        break;
      }
      continue;
    }
    if (!interspersed) {
      out.args.push(...argv.slice(i));
      break;
    }
    out.args.push(a);
  }
  return out;
}

/** cobra's argument-count errors (cli/required.go), exit 1. */
export function requiresMin(info: SubcommandInfo, n: number): CommandError {
  return new CommandError('USAGE', `docker: '${info.path}' requires at least ${n} argument${n === 1 ? '' : 's'}\n\nUsage:  ${info.use}\n\nSee '${info.path} --help' for more information`, 1);
}

export function requiresExactly(info: SubcommandInfo, n: number): CommandError {
  return new CommandError('USAGE', `docker: '${info.path}' requires ${n} argument${n === 1 ? '' : 's'}\n\nUsage:  ${info.use}\n\nRun '${info.path} --help' for more information`, 1);
}

export function acceptsNoArgs(info: SubcommandInfo): CommandError {
  return new CommandError('USAGE', `docker: '${info.path}' accepts no arguments\n\nUsage:  ${info.use}\n\nRun '${info.path} --help' for more information`, 1);
}

/** `Error response from daemon: ...`, exit 1. */
export function daemonError(message: string, exitCode = 1): CommandError {
  return new CommandError('EXEC_FAILED', `Error response from daemon: ${message}`, exitCode);
}

/** The Docker host the shell is on; `docker` exists only there. */
export function hostOf(env: ShellEnv): DockerHost | undefined {
  const loc = env.location;
  if (loc.kind !== 'node') return undefined;
  return env.sim.state.docker?.hosts[loc.node];
}

export function requireHost(ctx: CommandContext): DockerHost {
  const h = hostOf(ctx.env);
  if (!h) throw new CommandError('COMMAND_NOT_FOUND', 'bash: docker: command not found', 127);
  return h;
}

/** A container by name or id (prefix), or the daemon's `No such container` error. */
export function lookupContainer(ctx: CommandContext, host: DockerHost, ref: string): DockerContainer {
  try {
    return findContainer(ctx.env.sim.state, host.name, ref);
  } catch (e) {
    throw daemonError(e instanceof Error ? e.message : String(e));
  }
}

export function now(ctx: CommandContext): number {
  return ctx.env.sim.clock.now();
}

/** The host's containers, for completion. */
export function containerNames(env: ShellEnv, running?: boolean): string[] {
  const loc = env.location;
  if (loc.kind !== 'node') return [];
  try {
    return dockerHost(env.sim.state, loc.node)
      .containers.filter((c) => running === undefined || (c.status === 'running') === running)
      .map((c) => c.name);
  } catch {
    return [];
  }
}

/** go-units HumanDuration, as `docker ps` prints CREATED and STATUS. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.trunc(ms / 3_600_000 + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(Math.trunc(ms / 3_600_000) / 24 / 365)} years`;
}

/** The daemon's status text: `Up 2 minutes`, `Exited (0) 5 seconds ago`, `Created`. */
export function statusText(c: DockerContainer, at: number): string {
  if (c.status === 'running') return `Up ${humanDuration(at - (c.startedAt ?? at))}`;
  if (c.status === 'created' || c.startedAt === undefined) return 'Created';
  return `Exited (${c.exitCode}) ${humanDuration(at - (c.finishedAt ?? at))} ago`;
}

/** Go's time.Time in JSON (RFC 3339 with fractional seconds, trailing zeros dropped), UTC. */
export function goTime(ms: number | undefined): string {
  if (ms === undefined) return '0001-01-01T00:00:00Z';
  return new Date(ms).toISOString().replace(/\.?0+Z$/, 'Z').replace(/\.Z$/, 'Z');
}

/** Go's json.MarshalIndent with 4 spaces (HTML-escaped like encoding/json). */
export function goJson(value: unknown): string {
  return JSON.stringify(value, null, 4).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

/** `Options:` lines in pflag's layout: the description column two past the longest flag. */
export function optionLines(rows: [string, string][]): string {
  const width = Math.max(...rows.map(([f]) => f.length));
  return rows.map(([f, d]) => `  ${f.padEnd(width)}   ${d}`).join('\n');
}
