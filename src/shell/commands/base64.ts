/**
 * `base64`: encode or decode (`-d`) a file or standard input. GNU coreutils 9.4's on the
 * workstation, the nodes and Debian-based images; busybox's applet elsewhere.
 *
 * Design notes: encoding wraps lines at 76 characters (`-w COLS`) and ends with a newline
 * (`-w 0`: one line without a newline); decoding ignores line breaks and, with `-i`, other characters outside the
 * alphabet. Text is taken as UTF-8 bytes (a file of raw bytes, written by a decode, as its
 * bytes). GNU's errors: `base64: FILE: No such file or directory`, `base64: invalid input`,
 * `base64: extra operand ‘X’` with its `Try` line, `base64: invalid wrap size: ‘X’`; busybox's
 * `base64: can't open 'FILE': No such file or directory`. Status 1 on any error.
 * Left out: GNU's --help text beyond its usage lines, busybox's -u (unused by walk-throughs).
 */
import type { Command, CommandContext } from '../command';
import { CommandError } from '../errors';
import { absolute, kindOf, placeOf, readAny } from '../sandbox-fs';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** A string's bytes: its char codes when all are below 256, else its UTF-8 encoding. */
export function bytesOf(text: string): Uint8Array {
  if (!/[^\u0000-\u00ff]/.test(text)) return Uint8Array.from(text, (c) => c.charCodeAt(0));
  const out: number[] = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
    else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  }
  return Uint8Array.from(out);
}

export function encodeBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += ALPHABET[(n >> 18) & 63]! + ALPHABET[(n >> 12) & 63]!;
    out += i + 1 < bytes.length ? ALPHABET[(n >> 6) & 63]! : '=';
    out += i + 2 < bytes.length ? ALPHABET[n & 63]! : '=';
  }
  return out;
}

/** The bytes of base64 text (line breaks ignored; other garbage too with `ignoreGarbage`), or undefined when invalid. */
export function decodeBase64(text: string, ignoreGarbage = false): Uint8Array | undefined {
  const clean = ignoreGarbage ? text.replace(/[^A-Za-z0-9+/=]/g, '') : text.replace(/\n/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 === 1) return undefined;
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of clean.replace(/=+$/, '')) {
    value = ((value << 6) | ALPHABET.indexOf(ch)) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((value >> bits) & 0xff);
    }
  }
  return Uint8Array.from(out);
}

const GNU_USAGE = `Usage: base64 [OPTION]... [FILE]
Base64 encode or decode FILE, or standard input, to standard output.

With no FILE, or when FILE is -, read standard input.

Mandatory arguments to long options are mandatory for short options too.
  -d, --decode          decode data
  -i, --ignore-garbage  when decoding, ignore non-alphabet characters
  -w, --wrap=COLS       wrap encoded lines after COLS character (default 76).
                          Use 0 to disable line wrapping
      --help        display this help and exit
      --version     output version information and exit`;

async function run(ctx: CommandContext, gnu: boolean): Promise<number> {
  const tryHelp = "\nTry 'base64 --help' for more information.";
  let decode = false;
  let garbage = false;
  let wrap = 76;
  const files: string[] = [];
  const args = ctx.argv.slice(1);
  const setWrap = (v: string | undefined): void => {
    if (v === undefined) throw new CommandError('USAGE', `base64: option requires an argument -- 'w'${tryHelp}`, 1);
    if (!/^\d+$/.test(v)) throw new CommandError('USAGE', gnu ? `base64: invalid wrap size: ‘${v}’` : `base64: invalid number '${v}'`, 1);
    wrap = Number(v);
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-' || !a.startsWith('-')) files.push(a);
    else if (a === '-d' || a === '--decode') decode = true;
    else if (a === '-i' || a === '--ignore-garbage') garbage = true;
    else if (a === '-w' || a === '--wrap') setWrap(args[++i]);
    else if (a.startsWith('--wrap=')) setWrap(a.slice(7));
    else if (/^-w\d+$/.test(a)) setWrap(a.slice(2));
    else if (/^-[di]+$/.test(a)) {
      if (a.includes('d')) decode = true;
      if (a.includes('i')) garbage = true;
    } else if (a.startsWith('--')) throw new CommandError('UNKNOWN_FLAG', `base64: unrecognized option '${a}'${tryHelp}`, 1);
    else throw new CommandError('UNKNOWN_FLAG', `base64: invalid option -- '${a[1]}'${tryHelp}`, 1);
  }
  if (files.length > 1) throw new CommandError('USAGE', `base64: extra operand ‘${files[1]}’${tryHelp}`, 1);
  const name = files[0] ?? '-';
  let input: string;
  if (name === '-') {
    if (ctx.stdin === undefined) throw new CommandError('USAGE', 'base64: reading from the terminal is not supported in this sandbox; give it a file', 1);
    input = ctx.stdin;
  } else {
    const place = placeOf(ctx.env);
    const abs = absolute(place, name);
    const body = readAny(ctx.env, place, abs);
    if (body === undefined) {
      const why = kindOf(ctx.env, place, abs) === 'dir' ? 'Is a directory' : 'No such file or directory';
      throw new CommandError('EXEC_FAILED', gnu ? `base64: ${name}: ${why}` : `base64: can't open '${name}': ${why}`, 1);
    }
    input = body;
  }
  if (decode) {
    const bytes = decodeBase64(input, garbage);
    if (!bytes) throw new CommandError('EXEC_FAILED', 'base64: invalid input', 1);
    let out = '';
    for (let i = 0; i < bytes.length; i += 8192) out += String.fromCharCode(...bytes.subarray(i, i + 8192));
    ctx.stdout.write(out);
    return 0;
  }
  const text = encodeBase64(bytesOf(input));
  if (text === '') return 0;
  // -w 0: one line, and no newline after it.
  if (wrap === 0) ctx.stdout.write(text);
  else ctx.stdout.write((text.match(new RegExp(`.{1,${wrap}}`, 'g')) ?? []).join('\n') + '\n');
  return 0;
}

export const base64Gnu: Command = {
  name: 'base64',
  summary: 'encode or decode base64: base64 file, base64 -d, base64 -w 0 file',
  usage: GNU_USAGE,
  where: ['workstation', 'node', 'pod'],
  images: ['nginx'],
  async run(ctx) {
    return run(ctx, true);
  },
};

export const base64Busybox: Command = {
  name: 'base64',
  summary: 'encode or decode base64: base64 file, base64 -d, base64 -w 0 file',
  usage: 'BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: base64 [-d] [-w COL] [FILE]\n\nBase64 encode or decode FILE to standard output\n\n\t-d\tDecode data\n\t-w COL\tWrap lines at COL (default 76, 0 disables)',
  where: ['pod'],
  async run(ctx) {
    return run(ctx, false);
  },
};
