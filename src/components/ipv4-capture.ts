/**
 * The IPv4 header of an echo request as a lesson's capture printed it, for the header figure
 * and the checksum worked by hand.
 *
 * Design notes: the capture runs in the lab's sandbox with its default seed at build time
 * (src/labs/samples.ts, `sampleCapture`), exactly as the lab's two terminals would show it;
 * the header is read back from the hex dump `tcpdump -x` printed for the first echo request
 * (on an Ethernet device the dump starts at the IP header), not from the model, so the page
 * shows the bytes a learner sees. Fields are cut out by RFC 791's bit layout and the checksum
 * steps follow RFC 1071: the 16-bit one's-complement sum of the header with the checksum field
 * zeroed, carries folded back in, then inverted. A capture with no echo request, or a header
 * whose checksum does not verify, fails the build with the capture's text.
 */
import { sampleCapture } from '../labs/samples';

export interface CapturedHeader {
  /** The command and the traffic, as shown. */
  command: string;
  during: string;
  /** The header's bytes (IHL x 4 of them). */
  bytes: number[];
  /** The header as 16-bit words, in order. */
  words: number[];
  version: number;
  ihl: number;
  dscp: number;
  ecn: number;
  totalLength: number;
  id: number;
  reserved: boolean;
  df: boolean;
  mf: boolean;
  /** In 8-byte units, as the header holds it. */
  fragOffset: number;
  ttl: number;
  protocol: number;
  checksum: number;
  src: string;
  dst: string;
}

/** Runs `capture` while `during` makes traffic and reads the first echo request's header from its hex dump. */
export async function capturedHeader(lab: string, capture: string, during: string, setup: string[] = []): Promise<CapturedHeader> {
  const s = await sampleCapture(lab, capture, during, setup);
  const lines = s.output.split('\n');
  const at = lines.findIndex((l) => l.includes('ICMP echo request'));
  const hex: string[] = [];
  for (const l of lines.slice(at + 1)) {
    const m = /^\t0x[0-9a-f]{4}:\s+((?:[0-9a-f]{2,4} ?)+)$/.exec(l);
    if (!m) break;
    hex.push(m[1]!.replace(/ /g, ''));
  }
  const all = hex.join('');
  const bytes = Array.from({ length: all.length / 2 }, (_, i) => parseInt(all.slice(i * 2, i * 2 + 2), 16));
  if (at < 0 || bytes.length < 20) throw new Error(`no echo request with its bytes in \`${s.command}\` (run -x):\n${s.output}`);
  const ihl = bytes[0]! & 15;
  const head = bytes.slice(0, ihl * 4);
  const words = Array.from({ length: head.length / 2 }, (_, i) => (head[i * 2]! << 8) | head[i * 2 + 1]!);
  const h: CapturedHeader = {
    command: s.command,
    during: s.during,
    bytes: head,
    words,
    version: bytes[0]! >> 4,
    ihl,
    dscp: bytes[1]! >> 2,
    ecn: bytes[1]! & 3,
    totalLength: words[1]!,
    id: words[2]!,
    reserved: (words[3]! & 0x8000) !== 0,
    df: (words[3]! & 0x4000) !== 0,
    mf: (words[3]! & 0x2000) !== 0,
    fragOffset: words[3]! & 0x1fff,
    ttl: bytes[8]!,
    protocol: bytes[9]!,
    checksum: words[5]!,
    src: head.slice(12, 16).join('.'),
    dst: head.slice(16, 20).join('.'),
  };
  const check = checksumSteps(words);
  if (check.checksum !== h.checksum || check.verify !== 0xffff) throw new Error(`the header captured by \`${s.command}\` does not verify: computed 0x${hex4(check.checksum)}, captured 0x${hex4(h.checksum)}`);
  return h;
}

export interface ChecksumSteps {
  /** The words summed: the header's, with the checksum (the sixth) set to zero. */
  summed: number[];
  /** The sum after each word. */
  running: number[];
  /** The whole sum, before folding. */
  sum: number;
  /** Each fold: the sum before it, its low 16 bits and the carry added back. */
  folds: { from: number; low: number; carry: number; to: number }[];
  /** The folded 16-bit sum. */
  folded: number;
  /** Its one's complement: the checksum. */
  checksum: number;
  /** What a receiver gets adding every word, checksum included, and folding (0xffff if intact). */
  verify: number;
  /** The receiver's sum before folding. */
  verifySum: number;
}

/** RFC 1071 on a header given as 16-bit words, its checksum field (word 5) taken as zero. */
export function checksumSteps(words: number[]): ChecksumSteps {
  const summed = words.map((w, i) => (i === 5 ? 0 : w));
  const running: number[] = [];
  let sum = 0;
  for (const w of summed) running.push((sum += w));
  const folds: ChecksumSteps['folds'] = [];
  let folded = sum;
  while (folded > 0xffff) {
    const low = folded & 0xffff;
    const carry = Math.floor(folded / 0x10000);
    folds.push({ from: folded, low, carry, to: low + carry });
    folded = low + carry;
  }
  const checksum = ~folded & 0xffff;
  const verifySum = words.reduce((a, w, i) => a + (i === 5 ? checksum : w), 0);
  let verify = verifySum;
  while (verify > 0xffff) verify = (verify & 0xffff) + Math.floor(verify / 0x10000);
  return { summed, running, sum, folds, folded, checksum, verify, verifySum };
}

/** A 16-bit value as four hex digits. */
export function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}

/** A sum as hex, at least four digits. */
export function hexSum(n: number): string {
  return `0x${n.toString(16).padStart(4, '0')}`;
}

/** The protocol numbers a lesson names. */
export const PROTOCOL_NAMES: Record<number, string> = { 1: 'ICMP', 6: 'TCP', 17: 'UDP' };
