/**
 * Files the learner (or a command) writes: the workstation home with its manifests, pcap
 * files from `tcpdump -w` on a node, output redirected with `>`.
 *
 * Design notes: files are plain sandbox state (`state.files`), keyed by the machine they
 * live on (`workstation`, a node's name, a Docker host's name) and by absolute path, so they
 * travel with snapshots and a learner's saved manifests survive a reload. Text is stored as
 * it is; binary content (a pcap file) is stored one byte per UTF-16 unit ("binary string"),
 * which JSON round-trips exactly. Directories are implied by the paths of the files in them,
 * apart from the home directories every machine starts with.
 * Bounds: what the shell writes (redirections, `sed -i`) goes through `writeBounded` and
 * `appendBounded`: a file holds at most FILE_SIZE_LIMIT bytes (1 MiB; past it the write
 * fails with `File too large`, as under `ulimit -f`) and a machine's files together at most
 * MACHINE_FILES_LIMIT (8 MiB; past it `No space left on device`). An append that does not fit
 * writes what fits, as a real short write does. Files the model itself writes (a pcap of
 * `tcpdump -w`) are not bounded here.
 * Left out: permissions, owners, timestamps other than the modification time, links.
 */
import type { SimState } from './state';

export interface SandboxFile {
  /** Text, or bytes as a binary string when `binary` is set. */
  content: string;
  binary?: boolean;
  /** Sandbox time of the last write (epoch ms). */
  mtime: number;
}

/** machine -> absolute path -> file. */
export type FileSystem = Record<string, Record<string, SandboxFile>>;

/** The home directory of the shell user on each kind of machine. */
export function homeOf(machine: string): string {
  return machine === 'workstation' ? '/home/learner' : '/root';
}

/** Resolves `path` against `cwd` (default: the machine's home): `.`/`..`, `~`, repeated slashes. */
export function resolvePath(machine: string, path: string, cwd = homeOf(machine)): string {
  let p = path;
  if (p === '~' || p.startsWith('~/')) p = homeOf(machine) + p.slice(1);
  if (!p.startsWith('/')) p = `${cwd}/${p}`;
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return '/' + out.join('/');
}

function machineFiles(state: SimState, machine: string): Record<string, SandboxFile> {
  state.files ??= {};
  return (state.files[machine] ??= {});
}

export function readFile(state: SimState, machine: string, path: string): SandboxFile | undefined {
  return state.files?.[machine]?.[resolvePath(machine, path)];
}

export function writeFile(state: SimState, machine: string, path: string, content: string, now: number, binary = false): void {
  machineFiles(state, machine)[resolvePath(machine, path)] = binary ? { content, binary: true, mtime: now } : { content, mtime: now };
}

export function appendFile(state: SimState, machine: string, path: string, content: string, now: number): void {
  const prev = readFile(state, machine, path);
  writeFile(state, machine, path, (prev?.content ?? '') + content, now, prev?.binary ?? false);
}

/** Bytes one file may hold (characters of its content). */
export const FILE_SIZE_LIMIT = 1 << 20;
/** Bytes all files of one machine may hold together. */
export const MACHINE_FILES_LIMIT = 8 << 20;

export type WriteFailure = 'File too large' | 'No space left on device';

function usedSpace(state: SimState, machine: string, except?: string): number {
  let n = 0;
  for (const [p, f] of Object.entries(state.files?.[machine] ?? {})) if (p !== except) n += f.content.length;
  return n;
}

/** Replaces a file's content if it fits the bounds; otherwise the file is left as it was. */
export function writeBounded(state: SimState, machine: string, path: string, content: string, now: number): WriteFailure | undefined {
  const p = resolvePath(machine, path);
  if (content.length > FILE_SIZE_LIMIT) return 'File too large';
  if (usedSpace(state, machine, p) + content.length > MACHINE_FILES_LIMIT) return 'No space left on device';
  writeFile(state, machine, p, content, now);
  return undefined;
}

/** Appends what fits the bounds; returns why the rest did not fit. */
export function appendBounded(state: SimState, machine: string, path: string, content: string, now: number): WriteFailure | undefined {
  const p = resolvePath(machine, path);
  const prev = readFile(state, machine, p);
  const size = prev?.content.length ?? 0;
  const fileRoom = FILE_SIZE_LIMIT - size;
  const diskRoom = MACHINE_FILES_LIMIT - usedSpace(state, machine);
  const room = Math.max(0, Math.min(fileRoom, diskRoom));
  if (content.length <= room) {
    appendFile(state, machine, p, content, now);
    return undefined;
  }
  if (room > 0) appendFile(state, machine, p, content.slice(0, room), now);
  return fileRoom <= diskRoom ? 'File too large' : 'No space left on device';
}

export function removeFile(state: SimState, machine: string, path: string): boolean {
  const files = state.files?.[machine];
  const p = resolvePath(machine, path);
  if (!files?.[p]) return false;
  delete files[p];
  return true;
}

/** True if `path` is a directory: a home directory, `/`, or a prefix of some file's path. */
export function isDirectory(state: SimState, machine: string, path: string): boolean {
  const p = resolvePath(machine, path);
  if (p === '/' || p === homeOf(machine) || homeOf(machine).startsWith(p + '/')) return true;
  return Object.keys(state.files?.[machine] ?? {}).some((f) => f.startsWith(p + '/'));
}

/** The names directly inside directory `path` (files and implied subdirectories), sorted. */
export function listDirectory(state: SimState, machine: string, path: string): { name: string; dir: boolean }[] {
  const p = resolvePath(machine, path);
  const prefix = p === '/' ? '/' : p + '/';
  const seen = new Map<string, boolean>();
  const paths = [...Object.keys(state.files?.[machine] ?? {}), homeOf(machine) + '/.'];
  for (const f of paths) {
    if (!f.startsWith(prefix)) continue;
    const rest = f.slice(prefix.length);
    const slash = rest.indexOf('/');
    if (slash === -1) {
      if (rest !== '.') seen.set(rest, false);
    } else seen.set(rest.slice(0, slash), true);
  }
  return [...seen].map(([name, dir]) => ({ name, dir })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Bytes to the binary-string form files store. */
export function bytesToBinary(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return s;
}

export function binaryToBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}
