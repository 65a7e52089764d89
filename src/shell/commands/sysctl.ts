/**
 * `sysctl` on a node or Docker host: read and set kernel parameters, as procps-ng 4.0.4
 * (Ubuntu 24.04) does.
 *
 * Design notes: the keys and their values are the model's (sim/linux/sysctl.ts): writing
 * `net.ipv4.ip_forward` switches forwarding in the namespace's data path, writing
 * `net.bridge.bridge-nf-call-iptables` decides whether bridged frames pass iptables. Output
 * follows procps: `key = value` (`-n` the value alone, `-N` the name alone, `-b` the value
 * without a newline), a written value echoed as given (`sysctl -w key=7` prints `key = 7`,
 * `-q` silences it), `key=value` writes even without `-w`, a key that names a directory
 * (`net.ipv4.conf.lo`) lists everything under it, `/` may stand for `.`. `-a` lists every key
 * the sandbox models, sorted, so `sysctl -a | grep forward` works; `-r` filters by a regular
 * expression; `-p [FILE]` applies `key = value` lines of /etc/sysctl.conf or FILE (comments
 * with # or ;). Errors: `sysctl: cannot stat /proc/sys/net/ipv4/nope: No such file or
 * directory` (status 1, the other arguments still run; `-e` silences it), `sysctl: setting key
 * "net.ipv4.ip_forward": Invalid argument`, `sysctl: command line(0): invalid syntax,
 * continuing...` for -w without `=`, `sysctl: cannot open "FILE": No such file or directory`.
 * Left out: the thousands of keys a kernel has beyond the modelled ones (sysctl.ts lists
 * them), `--system`, `--deprecated`, `--dry-run`.
 */
import type { Command } from '../command';
import { CommandError } from '../errors';
import { absolute, placeOf, readAny } from '../sandbox-fs';
import { normaliseKey, readSysctl, sysctlKeys, writeSysctl } from '../../sim/linux/sysctl';

const USAGE = `
Usage:
 sysctl [options] [variable[=value] ...]

Options:
  -a, --all            display all variables
  -A                   alias of -a
  -X                   alias of -a
      --deprecated     include deprecated parameters to listing
      --dry-run        Print the key and values but do not write
  -b, --binary         print value without new line
  -e, --ignore         ignore unknown variables errors
  -N, --names          print variable names without values
  -n, --values         print only values of the given variable(s)
  -p, --load[=<file>]  read values from file
  -f                   alias of -p
      --system         read values from all system directories
  -r, --pattern <expression>
                       select setting that match expression
  -q, --quiet          do not echo variable set
  -w, --write          enable writing a value to variable
  -o                   does nothing
  -x                   does nothing
  -d                   alias of -h

 -h, --help     display this help and exit
 -V, --version  output version information and exit

For more details see sysctl(8).`;

const LONG: Record<string, string> = { all: 'a', binary: 'b', ignore: 'e', names: 'N', values: 'n', load: 'p', pattern: 'r', quiet: 'q', write: 'w', help: 'h', version: 'V' };

export const sysctl: Command = {
  name: 'sysctl',
  summary: 'read and set kernel parameters: sysctl net.ipv4.ip_forward | sysctl -w net.ipv4.ip_forward=1',
  usage: USAGE.slice(1),
  where: ['node'],
  ownHelp: true,
  async run(ctx) {
    const loc = ctx.env.location;
    if (loc.kind !== 'node') throw new CommandError('UNSUPPORTED', 'sysctl: not available here');
    const ns = ctx.env.sim.state.netns[loc.ns];
    if (!ns) throw new CommandError('UNSUPPORTED', 'sysctl: not available here');
    const o = { all: false, binary: false, ignore: false, names: false, values: false, load: undefined as string | undefined, pattern: undefined as RegExp | undefined, quiet: false, write: false };
    const keys: string[] = [];
    const args = ctx.argv.slice(1);
    if (args.length === 0) {
      ctx.stderr.write(USAGE + '\n');
      return 1;
    }
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a.startsWith('--') && a.length > 2) {
        const eq = a.indexOf('=');
        const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
        if (name === 'system' || name === 'deprecated' || name === 'dry-run') throw new CommandError('UNSUPPORTED', `sysctl: --${name} is not supported in this sandbox`);
        const c = LONG[name];
        if (!c) {
          ctx.stderr.write(`sysctl: unrecognized option '${a}'\n`);
          ctx.stdout.write(USAGE + '\n');
          return 0;
        }
        const r = flag(c, eq >= 0 ? a.slice(eq + 1) : c === 'r' ? args[++i] : undefined);
        if (r !== undefined) return r;
        continue;
      }
      if (a.startsWith('-') && a.length > 1) {
        for (let j = 1; j < a.length; j++) {
          const c = a[j]!;
          if (c === 'r') {
            const r = flag('r', j < a.length - 1 ? a.slice(j + 1) : args[++i]);
            if (r !== undefined) return r;
            break;
          }
          if (c === 'p' || c === 'f') {
            const r = flag('p', j < a.length - 1 ? a.slice(j + 1) : undefined);
            if (r !== undefined) return r;
            break;
          }
          const r = flag(c, undefined);
          if (r !== undefined) return r;
        }
        continue;
      }
      keys.push(a);
    }
    function flag(c: string, arg: string | undefined): number | undefined {
      switch (c) {
        case 'a':
        case 'A':
        case 'X':
          o.all = true;
          return undefined;
        case 'b':
          o.binary = true;
          return undefined;
        case 'e':
          o.ignore = true;
          return undefined;
        case 'N':
          o.names = true;
          return undefined;
        case 'n':
          o.values = true;
          return undefined;
        case 'p':
          o.load = arg ?? '/etc/sysctl.conf';
          return undefined;
        case 'r':
          if (arg === undefined) {
            ctx.stderr.write("sysctl: option requires an argument -- 'r'\n");
            ctx.stdout.write(USAGE + '\n');
            return 0;
          }
          try {
            o.pattern = new RegExp(arg);
          } catch {
            ctx.stderr.write(`sysctl: unable to parse pattern "${arg}"\n`);
            return 1;
          }
          return undefined;
        case 'q':
          o.quiet = true;
          return undefined;
        case 'w':
          o.write = true;
          return undefined;
        case 'o':
        case 'x':
          return undefined;
        case 'h':
        case 'd':
          ctx.stdout.write(USAGE + '\n');
          return 0;
        case 'V':
          ctx.stdout.write('sysctl from procps-ng 4.0.4\n');
          return 0;
        default:
          ctx.stderr.write(`sysctl: invalid option -- '${c}'\n`);
          ctx.stdout.write(USAGE + '\n');
          return 0;
      }
    }
    const all = sysctlKeys(ns);
    let status = 0;
    const show = (key: string): void => {
      const v = readSysctl(ns, key)!;
      if (o.pattern && !o.pattern.test(key)) return;
      if (o.names) ctx.stdout.write(`${key}\n`);
      else if (o.values) ctx.stdout.write(o.binary ? v : `${v}\n`);
      else ctx.stdout.write(o.binary ? v : `${key} = ${v}\n`);
    };
    const missing = (key: string): void => {
      if (o.ignore) return;
      ctx.stderr.write(`sysctl: cannot stat /proc/sys/${key.replace(/[./]/g, (c) => (c === '.' ? '/' : '.'))}: No such file or directory\n`);
      status = 1;
    };
    const read = (key: string): void => {
      if (readSysctl(ns, key) !== undefined) return show(key);
      const under = all.filter((k) => k.startsWith(key + '.'));
      if (under.length) under.forEach(show);
      else missing(key);
    };
    const write = (key: string, value: string): void => {
      const err = writeSysctl(ns, key, value);
      if (err?.kind === 'missing') return missing(key);
      if (err) {
        ctx.stderr.write(`sysctl: setting key "${key}": Invalid argument\n`);
        status = 1;
        return;
      }
      if (o.quiet) return;
      if (o.values) ctx.stdout.write(`${value}\n`);
      else ctx.stdout.write(`${key} = ${value}\n`);
    };
    if (o.load !== undefined) {
      const place = placeOf(ctx.env);
      const text = readAny(ctx.env, place, absolute(place, o.load));
      if (text === undefined) {
        if (o.load === '/etc/sysctl.conf') return 0;
        ctx.stderr.write(`sysctl: cannot open "${o.load}": No such file or directory\n`);
        return 1;
      }
      for (const raw of text.split('\n')) {
        const line = raw.trim();
        if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
        const eq = line.indexOf('=');
        if (eq < 0) continue;
        const key = normaliseKey(line.slice(0, eq).trim().replace(/^-/, ''));
        write(key, line.slice(eq + 1).trim());
      }
      return status;
    }
    if (o.all) {
      all.forEach(show);
      return 0;
    }
    if (keys.length === 0) {
      ctx.stderr.write('sysctl: no variables specified\nTry `sysctl --help\' for more information.\n');
      return 1;
    }
    for (const k of keys) {
      const eq = k.indexOf('=');
      if (eq < 0) {
        if (o.write) {
          ctx.stderr.write('sysctl: command line(0): invalid syntax, continuing...\n');
          status = 1;
          continue;
        }
        read(normaliseKey(k));
        continue;
      }
      const key = normaliseKey(k.slice(0, eq));
      if (key === '') {
        ctx.stderr.write('sysctl: Path is not under /proc/sys/: /proc/sys/\n');
        status = 1;
        continue;
      }
      write(key, k.slice(eq + 1));
    }
    return status;
  },
  complete(req) {
    const loc = req.env.location;
    if (loc.kind !== 'node') return [];
    const ns = req.env.sim.state.netns[loc.ns];
    return ns ? ['-a', '-w', '-n', ...sysctlKeys(ns)] : [];
  },
};
