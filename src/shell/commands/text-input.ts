/**
 * What the text filters share: reading their file operands or the input, and the real tool's
 * words for a file it cannot open.
 *
 * Design notes: a file operand is read from the sandbox's files (sandbox-fs.ts); `-` is the
 * input. A missing file is reported in the tool's own words (GNU on the workstation, nodes and
 * Debian-based images, busybox in busybox and Alpine images) and the tool goes on.
 */
import type { Command, CommandContext } from '../command';
import { CommandError } from '../errors';
import { imageAt, busyboxUserland } from '../images';
import { absolute, kindOf, placeOf, readAny } from '../sandbox-fs';

export const WHERE: Command['where'] = ['workstation', 'node', 'pod'];

/** Text read from the file operands (or the input when there are none), and whether one was missing. */
export interface Read {
  text: string;
  failed: boolean;
}

/** The real tool's words for a file it cannot open. */
export function openError(ctx: CommandContext, tool: string, name: string, why: string): string {
  const loc = ctx.env.location;
  if ((loc.kind === 'pod' || loc.kind === 'container') && busyboxUserland(imageAt(ctx.env.sim, loc))) return `${tool}: can't open '${name}': ${why}`;
  if (tool === 'head' || tool === 'tail') return `${tool}: cannot open '${name}' for reading: ${why}`;
  if (tool === 'sort') return `sort: cannot read: ${name}: ${why}`;
  if (tool === 'awk') return `awk: cannot open "${name}" (${why})`;
  return `${tool}: ${name}: ${why}`;
}

export function readOperands(ctx: CommandContext, tool: string, files: string[]): Read {
  if (files.length === 0) {
    if (ctx.stdin === undefined) throw new CommandError('USAGE', `${tool}: reading from the terminal is not supported in this sandbox; pipe a command into it (kubectl get pods | ${tool} ...) or give it a file`, 2);
    return { text: ctx.stdin, failed: false };
  }
  const place = placeOf(ctx.env);
  let text = '';
  let failed = false;
  for (const f of files) {
    if (f === '-') {
      text += ctx.stdin ?? '';
      continue;
    }
    const abs = absolute(place, f);
    const kind = kindOf(ctx.env, place, abs);
    const body = kind === 'file' ? readAny(ctx.env, place, abs) : undefined;
    if (body === undefined) {
      ctx.stderr.write(openError(ctx, tool, f, kind === 'dir' ? 'Is a directory' : 'No such file or directory') + '\n');
      failed = true;
    } else text += body;
  }
  return { text, failed };
}

/** Bytes of `text` in UTF-8 (what `wc -c` counts). */
export function utf8Length(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // A surrogate pair (2 units) is 4 bytes; other units 1, 2 or 3.
    if (c >= 0x80) n += c < 0x800 ? 1 : c >= 0xd800 && c < 0xdc00 ? 1 : c >= 0xdc00 && c < 0xe000 ? 0 : 2;
  }
  return n;
}

export function linesOf(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The lines of the file operands or the input; `failed` is set when a file could not be read. */
export function input(ctx: CommandContext, tool: string, files: string[] = [], status?: { failed: boolean }): string[] {
  const r = readOperands(ctx, tool, files);
  if (status) status.failed = r.failed;
  return linesOf(r.text);
}

export function write(ctx: CommandContext, lines: string[]): void {
  if (lines.length) ctx.stdout.write(lines.join('\n') + '\n');
}

/** True where the text tools are busybox applets (busybox and Alpine-based images). */
export function busyboxTools(ctx: CommandContext): boolean {
  const loc = ctx.env.location;
  if (loc.kind !== 'pod' && loc.kind !== 'container') return false;
  return busyboxUserland(imageAt(ctx.env.sim, loc));
}

/** One file operand's text, or undefined (the error is reported) when it cannot be read. */
export function readOne(ctx: CommandContext, tool: string, f: string): string | undefined {
  if (f === '-') return ctx.stdin ?? '';
  const place = placeOf(ctx.env);
  const abs = absolute(place, f);
  const kind = kindOf(ctx.env, place, abs);
  const body = kind === 'file' ? readAny(ctx.env, place, abs) : undefined;
  if (body === undefined) ctx.stderr.write(openError(ctx, tool, f, kind === 'dir' ? 'Is a directory' : 'No such file or directory') + '\n');
  return body;
}

/** The input when a tool has no file operands; the sandbox has no terminal to read. */
export function stdinOf(ctx: CommandContext, tool: string): string {
  if (ctx.stdin === undefined) throw new CommandError('USAGE', `${tool}: reading from the terminal is not supported in this sandbox; pipe a command into it (kubectl get pods | ${tool} ...) or give it a file`, 2);
  return ctx.stdin;
}
