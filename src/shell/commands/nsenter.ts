/**
 * `nsenter` (util-linux 2.39): run a program in another process's network namespace, or in one
 * a file names.
 *
 * Design notes: options as getopt reads them (`+ahVt:m::u::i::n::p::C::U::T::S:G:r::w::W::eFZ`,
 * long forms `--net[=FILE]`, `--target PID`...; an optional value must be attached:
 * `--net FILE` is `--net` and a program named FILE). `-n` with a file enters that namespace:
 * /run/netns/NAME and /var/run/netns/NAME (`ip netns add`'s and containerd's),
 * /var/run/docker/netns/KEY (a Docker container's, as `docker inspect` shows its SandboxKey),
 * /proc/PID/ns/net; `-n` alone takes it from `-t PID` (a container's or pod's process, or the
 * machine's own). The other namespace options are accepted with a target or a file and change
 * nothing the sandbox models. The program then runs there with its status; a missing one is
 * `failed to execute X: No such file or directory`, status 127. Errors are util-linux's:
 * `cannot open FILE: No such file or directory`, `neither filename nor target pid supplied for
 * ns/net`, `failed to parse pid: 'X'`, `reassociate to namespace 'ns/net' failed: Invalid
 * argument` for a file that is not a namespace, status 1.
 * Left out: running an interactive shell when no program is given, `-S`/`-G`/`-r`/`-w`/`-e`
 * (accepted, no effect), mount, pid and user namespaces themselves.
 */
import type { Command, CommandContext } from '../command';
import { CommandError } from '../errors';
import type { Netns } from '../../sim/netns';
import { mayChangeNetwork } from './ip/common';
import { execIn, netnsByName, netnsOfPid } from './ip/netns';

const HELP = `
Usage:
 nsenter [options] [<program> [<argument>...]]

Run a program with namespaces of other processes.

Options:
 -a, --all              enter all namespaces
 -t, --target <pid>     target process to get namespaces from
 -m, --mount[=<file>]   enter mount namespace
 -u, --uts[=<file>]     enter UTS namespace (hostname etc)
 -i, --ipc[=<file>]     enter System V IPC namespace
 -n, --net[=<file>]     enter network namespace
 -p, --pid[=<file>]     enter pid namespace
 -C, --cgroup[=<file>]  enter cgroup namespace
 -U, --user[=<file>]    enter user namespace
 -T, --time[=<file>]    enter time namespace
 -S, --setuid[=<uid>]   set uid in entered namespace
 -G, --setgid[=<gid>]   set gid in entered namespace
     --preserve-credentials do not touch uids or gids
 -r, --root[=<dir>]     set the root directory
 -w, --wd[=<dir>]       set the working directory
 -W, --wdns <dir>       set the working directory in namespace
 -e, --env              inherit environment variables from target process
 -F, --no-fork          do not fork before exec'ing <program>
 -Z, --follow-context   set SELinux context according to --target PID

 -h, --help             display this help
 -V, --version          display version

For more details see nsenter(1).`;

/** Short options and whether they take a value: ':' required, '::' optional (attached only). */
const SHORT: Record<string, '' | ':' | '::'> = { a: '', h: '', V: '', t: ':', m: '::', u: '::', i: '::', n: '::', p: '::', C: '::', U: '::', T: '::', S: ':', G: ':', r: '::', w: '::', W: ':', e: '', F: '', Z: '' };
const LONG: Record<string, string> = { all: 'a', help: 'h', version: 'V', target: 't', mount: 'm', uts: 'u', ipc: 'i', net: 'n', pid: 'p', cgroup: 'C', user: 'U', time: 'T', setuid: 'S', setgid: 'G', root: 'r', wd: 'w', wdns: 'W', env: 'e', 'no-fork': 'F', 'follow-context': 'Z', 'preserve-credentials': '-' };
const NS_FILE: Record<string, string> = { m: 'mnt', u: 'uts', i: 'ipc', n: 'net', p: 'pid', C: 'cgroup', U: 'user', T: 'time' };

/** Directories that exist on a machine: a namespace file there is one that is not a namespace. */
const EXISTING = new Set(['/', '/tmp', '/etc', '/root', '/proc', '/run', '/var', '/var/run', '/run/netns', '/var/run/netns', '/etc/hosts', '/etc/resolv.conf', '/proc/self/ns/net']);

function usageError(text: string): CommandError {
  return new CommandError('USAGE', `nsenter: ${text}\nTry 'nsenter --help' for more information.`, 1);
}

/** The namespace a file names on this machine; 'other' for a file that exists but is not a network namespace. */
function netnsOfFile(ctx: CommandContext, path: string): Netns | 'missing' | 'other' {
  const state = ctx.env.sim.state;
  const loc = ctx.env.location;
  const m = /^\/(?:var\/)?run\/netns\/([^/]+)$/.exec(path);
  if (m) return netnsByName(state, loc, m[1]!) ?? 'missing';
  const proc = /^\/proc\/(\d+|self)\/ns\/net$/.exec(path);
  if (proc) {
    if (proc[1] === 'self') return loc.kind === 'node' ? (state.netns[loc.ns] ?? 'missing') : 'missing';
    return netnsOfPid(state, loc, Number(proc[1])) ?? 'missing';
  }
  const docker = /^\/(?:var\/)?run\/docker\/netns\/([0-9a-f]+)$/.exec(path);
  if (docker && loc.kind === 'node') {
    for (const h of Object.values(state.docker?.hosts ?? {})) {
      if (h.name !== loc.node) continue;
      const c = h.containers.find((x) => x.status === 'running' && x.sandboxId.slice(0, 12) === docker[1]);
      if (c && state.netns[c.ns]) return state.netns[c.ns]!;
    }
    return 'missing';
  }
  return EXISTING.has(path.replace(/\/+$/, '') || '/') ? 'other' : 'missing';
}

export const nsenter: Command = {
  name: 'nsenter',
  summary: "run a program in another namespace: nsenter --net=/run/netns/NAME CMD, nsenter -t PID -n CMD",
  usage: HELP.slice(1),
  where: ['node'],
  ownHelp: true,
  async run(ctx) {
    const argv = ctx.argv.slice(1);
    const wanted = new Map<string, string | undefined>();
    let target: string | undefined;
    let all = false;
    /** One option, long or short: true when it printed help or the version and nsenter ends. */
    const take = (o: string, v: string | undefined): boolean => {
      if (o === 'h' || o === 'V') {
        ctx.stdout.write(o === 'h' ? HELP + '\n' : 'nsenter from util-linux 2.39.3\n');
        return true;
      }
      if (o === 't') target = v;
      else if (o === 'a') all = true;
      else if (NS_FILE[o]) wanted.set(o, v);
      return false;
    };
    let i = 0;
    for (; i < argv.length; i++) {
      const w = argv[i]!;
      if (w === '--') {
        i++;
        break;
      }
      if (!w.startsWith('-') || w === '-') break;
      if (w.startsWith('--')) {
        const [name, value] = w.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
        const matchesLong = Object.keys(LONG).filter((k) => k.startsWith(name));
        const key = LONG[name] ? name : matchesLong.length === 1 ? matchesLong[0]! : undefined;
        if (key === undefined) throw usageError(matchesLong.length > 1 ? `option '--${name}' is ambiguous` : `unrecognized option '--${name}'`);
        const o = LONG[key]!;
        if (o === '-') continue;
        const kind = SHORT[o]!;
        let v = value;
        if (kind === ':' && v === undefined) {
          v = argv[++i];
          if (v === undefined) throw usageError(`option '--${key}' requires an argument`);
        }
        if (kind === '' && v !== undefined) throw usageError(`option '--${key}' doesn't allow an argument`);
        if (take(o, v)) return 0;
        continue;
      }
      for (let j = 1; j < w.length; j++) {
        const o = w[j]!;
        const kind = SHORT[o];
        if (kind === undefined) throw usageError(`invalid option -- '${o}'`);
        let v: string | undefined;
        if (kind !== '') {
          v = w.slice(j + 1) || undefined;
          if (kind === ':' && v === undefined) {
            v = argv[++i];
            if (v === undefined) throw usageError(`option requires an argument -- '${o}'`);
          }
          j = w.length;
        }
        if (take(o, v)) return 0;
      }
    }
    const program = argv.slice(i);
    if (target !== undefined && !/^\d+$/.test(target)) throw new CommandError('USAGE', `nsenter: failed to parse pid: '${target}'`, 1);
    const state = ctx.env.sim.state;
    const loc = ctx.env.location;
    let ns: Netns | undefined;
    for (const [o, file] of wanted) {
      if (file === undefined && target === undefined) throw new CommandError('USAGE', `nsenter: neither filename nor target pid supplied for ns/${NS_FILE[o]}`, 1);
    }
    if (all && target === undefined) throw new CommandError('USAGE', 'nsenter: no target PID specified for --all', 1);
    const netWanted = wanted.has('n') || all;
    if (netWanted) {
      const file = wanted.get('n');
      if (file !== undefined) {
        const r = netnsOfFile(ctx, file);
        if (r === 'missing') throw new CommandError('NOT_FOUND', `nsenter: cannot open ${file}: No such file or directory`, 1);
        if (r === 'other') throw new CommandError('EXEC_FAILED', "nsenter: reassociate to namespace 'ns/net' failed: Invalid argument", 1);
        ns = r;
      } else {
        const found = netnsOfPid(state, loc, Number(target));
        if (!found) throw new CommandError('NOT_FOUND', `nsenter: cannot open /proc/${target}/ns/net: No such file or directory`, 1);
        ns = found;
      }
    } else if (target !== undefined && !netnsOfPid(state, loc, Number(target)) && wanted.size > 0) {
      const first = [...wanted.keys()][0]!;
      throw new CommandError('NOT_FOUND', `nsenter: cannot open /proc/${target}/ns/${NS_FILE[first]}: No such file or directory`, 1);
    }
    if (ns && !mayChangeNetwork(ctx)) throw new CommandError('EXEC_FAILED', "nsenter: reassociate to namespace 'ns/net' failed: Operation not permitted", 1);
    if (program.length === 0) throw new CommandError('UNSUPPORTED', 'nsenter: an interactive shell inside a namespace is not supported in this sandbox; give the program to run', 1);
    const where = ns ?? (loc.kind === 'node' ? state.netns[loc.ns] : undefined);
    if (!where) throw new CommandError('NOT_FOUND', 'nsenter: this machine is outside the simulated network', 1);
    return execIn(ctx, where, program, (p) => `nsenter: failed to execute ${p}: No such file or directory`, 127);
  },
};
