/**
 * `export` and `unset`: the builtins that manage shell variables and the environment.
 *
 * Design notes: `export NAME=value` sets and exports, `export NAME` exports, `export -n NAME`
 * stops exporting, `export` or `export -p` lists the environment as bash does
 * (`declare -x NAME="value"`, sorted, with `"`, `\`, `$` and backquote escaped; busybox ash:
 * `export NAME='value'`). `unset NAME...` removes variables (`-v`; `-f` finds no functions).
 * An invalid name is reported as bash reports it and the other names are still handled; bash
 * 5.2's `unset` passes over an invalid name silently.
 * Left out: `export -f` (there are no shell functions), arrays and attributes.
 */
import { NAME, shellState } from '../shell-state';
import { builtinHelp, type Builtin } from './builtin';

const EXPORT_USAGE_LINE = 'export [-fn] [name[=value] ...] or export -p';
const EXPORT_USAGE = `export: ${EXPORT_USAGE_LINE}\n    Set export attribute for shell variables.\n    \n    Marks each NAME for automatic export to the environment of subsequently\n    executed commands.  If VALUE is supplied, assign VALUE before exporting.\n    \n    Options:\n      -f\trefer to shell functions\n      -n\tremove the export property from each NAME\n      -p\tdisplay a list of all exported variables and functions`;
const UNSET_USAGE_LINE = 'unset [-f] [-v] [-n] [name ...]';
const UNSET_USAGE = `unset: ${UNSET_USAGE_LINE}\n    Unset values and attributes of shell variables and functions.\n    \n    For each NAME, remove the corresponding variable or function.\n    \n    Options:\n      -f\ttreat each NAME as a shell function\n      -v\ttreat each NAME as a shell variable\n      -n\ttreat each NAME as a name reference and unset the variable itself\n    \t\trather than the variable it references`;

/** Splits leading options (letters in `allowed`) from the operands; returns the bad option if any. */
function options(args: string[], allowed: string): { flags: Set<string>; rest: string[]; bad?: string } {
  const flags = new Set<string>();
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      i++;
      break;
    }
    if (!a.startsWith('-') || a === '-') break;
    for (const f of a.slice(1)) {
      if (!allowed.includes(f)) return { flags, rest: [], bad: `-${f}` };
      flags.add(f);
    }
  }
  return { flags, rest: args.slice(i) };
}

export const exportCommand: Builtin = {
  name: 'export',
  builtin: true,
  summary: 'set and export a variable: export NAME=value (export alone lists them)',
  usage: EXPORT_USAGE,
  where: ['workstation', 'node', 'pod'],
  async run(ctx) {
    const help = builtinHelp(ctx, EXPORT_USAGE);
    if (help !== undefined) return help;
    const st = shellState(ctx.env);
    const vars = ctx.env.vars;
    const { flags, rest, bad } = options(ctx.argv.slice(1), 'fnp');
    if (bad) {
      ctx.stderr.write(`bash: export: ${bad}: invalid option\nexport: usage: ${EXPORT_USAGE_LINE}\n`);
      return 2;
    }
    if (rest.length === 0) {
      let out = '';
      for (const name of [...st.exported].sort()) {
        const v = vars[name];
        if (st.dialect === 'ash') out += `export ${name}${v === undefined ? '' : `='${v.replace(/'/g, `'"'"'`)}'`}\n`;
        else out += `declare -x ${name}${v === undefined ? '' : `="${v.replace(/["\\$`]/g, '\\$&')}"`}\n`;
      }
      ctx.stdout.write(out);
      return 0;
    }
    let status = 0;
    for (const arg of rest) {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg : arg.slice(0, eq);
      if (!NAME.test(name)) {
        ctx.stderr.write(st.dialect === 'ash' ? `sh: export: ${arg}: bad variable name\n` : `bash: export: \`${arg}': not a valid identifier\n`);
        status = 1;
        continue;
      }
      if (flags.has('f')) {
        ctx.stderr.write(`bash: export: ${name}: not a function\n`);
        status = 1;
        continue;
      }
      if (eq >= 0) vars[name] = arg.slice(eq + 1);
      if (flags.has('n')) st.exported.delete(name);
      else st.exported.add(name);
    }
    return status;
  },
};

export const unset: Builtin = {
  name: 'unset',
  builtin: true,
  summary: 'remove a shell variable: unset NAME',
  usage: UNSET_USAGE,
  where: ['workstation', 'node', 'pod'],
  async run(ctx) {
    const help = builtinHelp(ctx, UNSET_USAGE);
    if (help !== undefined) return help;
    const st = shellState(ctx.env);
    const { flags, rest, bad } = options(ctx.argv.slice(1), 'fvn');
    if (bad) {
      ctx.stderr.write(`bash: unset: ${bad}: invalid option\nunset: usage: ${UNSET_USAGE_LINE}\n`);
      return 2;
    }
    if (flags.has('f')) return 0;
    let status = 0;
    for (const name of rest) {
      if (!NAME.test(name)) {
        if (flags.has('v') || st.dialect === 'ash') {
          ctx.stderr.write(st.dialect === 'ash' ? `sh: unset: ${name}: bad variable name\n` : `bash: unset: \`${name}': not a valid identifier\n`);
          status = 1;
        }
        continue;
      }
      delete ctx.env.vars[name];
      st.exported.delete(name);
    }
    return status;
  },
};
