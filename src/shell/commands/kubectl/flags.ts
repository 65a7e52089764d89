/**
 * kubectl's flag parsing (spf13/pflag as cobra uses it).
 *
 * Design notes: long flags as `--name value` or `--name=value`, shorthands as `-n value`,
 * `-nvalue` or `-n=value`, boolean shorthands combined (`-it`), `--` ending the flags (the
 * words after it are kept apart, as `kubectl exec` needs). Flags may appear anywhere among
 * the positional arguments, as cobra allows. Errors carry pflag's wording; kubectl prints
 * them after `error: ` followed by `See 'kubectl <cmd> --help' for usage.`
 */
import { CommandError } from '../../errors';

export interface FlagSpec {
  name: string;
  short?: string;
  type: 'string' | 'bool' | 'int';
  /** pflag's NoOptDefVal: the value a bare `--name` takes (its value must then follow `=`). */
  bare?: string;
}

export interface ParsedFlags {
  values: Record<string, string | boolean>;
  args: string[];
  /** Words after `--`, or undefined when there was no `--`. */
  dashArgs: string[] | undefined;
  /** Every value a string flag was given, in order (repeatable flags such as `-f`). */
  lists: Record<string, string[]>;
}

export function parseFlags(argv: string[], specs: FlagSpec[], command: string): ParsedFlags {
  const values: Record<string, string | boolean> = {};
  const lists: Record<string, string[]> = {};
  const args: string[] = [];
  const fail = (msg: string): never => {
    throw new CommandError('UNKNOWN_FLAG', `error: ${msg}`, 1, `See '${command} --help' for usage.`);
  };
  const set = (spec: FlagSpec, value: string | boolean): void => {
    if (spec.type === 'int' && (typeof value !== 'string' || !/^-?\d+$/.test(value))) {
      fail(`invalid argument "${String(value)}" for "${spec.short ? `-${spec.short}, ` : ''}--${spec.name}" flag: strconv.ParseInt: parsing "${String(value)}": invalid syntax`);
    }
    values[spec.name] = value;
    if (typeof value === 'string') (lists[spec.name] ??= []).push(value);
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return { values, args, dashArgs: argv.slice(i + 1), lists };
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      const spec = specs.find((s) => s.name === name);
      if (!spec) fail(`unknown flag: --${name}`);
      if (spec!.type === 'bool') {
        const v = eq >= 0 ? a.slice(eq + 1) : 'true';
        if (v !== 'true' && v !== 'false') fail(`invalid argument "${v}" for "--${name}" flag: strconv.ParseBool: parsing "${v}": invalid syntax`);
        set(spec!, v === 'true');
      } else if (eq >= 0) set(spec!, a.slice(eq + 1));
      else if (spec!.bare !== undefined) set(spec!, spec!.bare);
      else {
        if (i + 1 >= argv.length) fail(`flag needs an argument: --${name}`);
        set(spec!, argv[++i]!);
      }
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const c = a[j]!;
        const spec = specs.find((s) => s.short === c);
        if (!spec) fail(`unknown shorthand flag: '${c}' in ${a}`);
        if (spec!.type === 'bool') {
          set(spec!, true);
          continue;
        }
        let rest = a.slice(j + 1);
        if (rest.startsWith('=')) rest = rest.slice(1);
        if (rest !== '') set(spec!, rest);
        else {
          if (i + 1 >= argv.length) fail(`flag needs an argument: '${c}' in ${a}`);
          set(spec!, argv[++i]!);
        }
        break;
      }
      continue;
    }
    args.push(a);
  }
  return { values, args, dashArgs: undefined, lists };
}

export function str(p: ParsedFlags, name: string): string | undefined {
  const v = p.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function bool(p: ParsedFlags, name: string): boolean {
  return p.values[name] === true;
}
