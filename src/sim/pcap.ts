/**
 * Classic libpcap capture files, as `tcpdump -w` writes them.
 *
 * Design notes: the format is the original one from libpcap (pcap-savefile(5), and the
 * IETF draft "PCAP Capture File Format"): a 24-byte global header, then per packet a
 * 16-byte record header and the captured bytes. Everything is written little-endian, as
 * tcpdump does on x86 and ARM hosts, so the file starts `d4 c3 b2 a1` (the magic
 * 0xa1b2c3d4 in the writer's byte order; readers use it to detect the byte order and
 * microsecond timestamps). Version 2.4, thiszone 0 and sigfigs 0 (both always 0 in
 * practice), snaplen 262144 (tcpdump's default snapshot length) and link type 1
 * (LINKTYPE_ETHERNET): each record is an Ethernet frame from `encodeFrame`, without
 * preamble or FCS, exactly what a Linux AF_PACKET socket hands tcpdump. A frame longer
 * than the snaplen is cut to it, with the original length kept in orig_len.
 * Timestamps come from the simulation clock (epoch milliseconds, fractions allowed) and
 * are rounded to the nearest microsecond (a double holding epoch ms today resolves about
 * 0.24 us, so a time within that of a half-microsecond can round either way).
 * Left out: pcapng, nanosecond files (the reader accepts them), per-interface link types
 * (a capture on a VXLAN device is still Ethernet: flannel.1 is an Ethernet device).
 */
import { DecodeError, encodeFrame, type EthernetFrame } from './packet';

export const PCAP_MAGIC = 0xa1b2c3d4;
/** The magic of files whose fractions are nanoseconds (read, never written). */
export const PCAP_MAGIC_NS = 0xa1b23c4d;
export const PCAP_VERSION_MAJOR = 2;
export const PCAP_VERSION_MINOR = 4;
export const PCAP_SNAPLEN = 262144;
export const LINKTYPE_ETHERNET = 1;
export const PCAP_GLOBAL_HEADER_LENGTH = 24;
export const PCAP_RECORD_HEADER_LENGTH = 16;

export interface PcapInputRecord {
  /** Epoch milliseconds; sub-millisecond fractions are kept to the microsecond. */
  timeMs: number;
  frame: EthernetFrame;
}

/** A record as read back from a file. */
export interface PcapRecord {
  tsSec: number;
  /** Microseconds (nanoseconds in a nanosecond file). */
  tsFrac: number;
  /** The time in epoch milliseconds, from tsSec and tsFrac. */
  timeMs: number;
  /** Bytes captured (incl_len). */
  inclLen: number;
  /** Length of the frame on the wire (orig_len). */
  origLen: number;
  data: Uint8Array;
}

export interface PcapFile {
  versionMajor: number;
  versionMinor: number;
  thiszone: number;
  sigfigs: number;
  snaplen: number;
  linktype: number;
  /** True when the file was written little-endian (magic bytes d4 c3 b2 a1). */
  littleEndian: boolean;
  nanoseconds: boolean;
  records: PcapRecord[];
}

/** The 24-byte global header. */
export function pcapGlobalHeader(snaplen = PCAP_SNAPLEN, linktype = LINKTYPE_ETHERNET): Uint8Array {
  const b = new Uint8Array(PCAP_GLOBAL_HEADER_LENGTH);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, PCAP_MAGIC, true);
  dv.setUint16(4, PCAP_VERSION_MAJOR, true);
  dv.setUint16(6, PCAP_VERSION_MINOR, true);
  dv.setInt32(8, 0, true); // thiszone: timestamps are UTC
  dv.setUint32(12, 0, true); // sigfigs
  dv.setUint32(16, snaplen, true);
  dv.setUint32(20, linktype, true);
  return b;
}

/** Splits epoch milliseconds into whole seconds and microseconds (rounded to the nearest). */
export function pcapTimestamp(timeMs: number): { sec: number; usec: number } {
  if (!Number.isFinite(timeMs) || timeMs < 0) throw new RangeError(`pcap timestamp must be a non-negative time, got ${timeMs}`);
  // Split before scaling: timeMs * 1000 would only resolve 0.25 us at today's epoch.
  let sec = Math.floor(timeMs / 1000);
  let usec = Math.round((timeMs - sec * 1000) * 1000);
  if (usec >= 1_000_000) {
    sec += 1;
    usec -= 1_000_000;
  }
  if (sec > 0xffffffff) throw new RangeError(`pcap timestamp ${timeMs} ms is past 2106`);
  return { sec, usec };
}

/** A 16-byte record header followed by the frame's bytes, cut to `snaplen`. */
export function pcapRecord(timeMs: number, frameBytes: Uint8Array, snaplen = PCAP_SNAPLEN): Uint8Array {
  const { sec, usec } = pcapTimestamp(timeMs);
  const incl = Math.min(frameBytes.length, snaplen);
  const b = new Uint8Array(PCAP_RECORD_HEADER_LENGTH + incl);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, sec, true);
  dv.setUint32(4, usec, true);
  dv.setUint32(8, incl, true);
  dv.setUint32(12, frameBytes.length, true);
  b.set(frameBytes.subarray(0, incl), PCAP_RECORD_HEADER_LENGTH);
  return b;
}

/** Builds a capture file incrementally: the global header once, then one record per frame. */
export class PcapWriter {
  private readonly chunks: Uint8Array[];
  private length: number;
  private count = 0;

  constructor(readonly snaplen = PCAP_SNAPLEN) {
    const header = pcapGlobalHeader(snaplen);
    this.chunks = [header];
    this.length = header.length;
  }

  /** Appends one Ethernet frame captured at `timeMs` (epoch milliseconds). */
  write(timeMs: number, frame: EthernetFrame): this {
    return this.writeBytes(timeMs, encodeFrame(frame));
  }

  /** Appends already-encoded frame bytes. */
  writeBytes(timeMs: number, frameBytes: Uint8Array): this {
    const r = pcapRecord(timeMs, frameBytes, this.snaplen);
    this.chunks.push(r);
    this.length += r.length;
    this.count++;
    return this;
  }

  /** Records written so far. */
  get records(): number {
    return this.count;
  }

  /** The file so far (a fresh copy each call). */
  bytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

/** A whole capture file for `records`, in the order given (tcpdump writes in arrival order). */
export function writePcap(records: readonly PcapInputRecord[]): Uint8Array {
  const w = new PcapWriter();
  for (const r of records) w.write(r.timeMs, r.frame);
  return w.bytes();
}

/**
 * The byte order and time resolution the first four bytes of a file announce, or undefined
 * when they are not a classic pcap magic in either byte order.
 */
export function pcapMagic(first: ArrayLike<number>): { littleEndian: boolean; nanoseconds: boolean } | undefined {
  if (first.length < 4) return undefined;
  const [b0, b1, b2, b3] = [first[0]!, first[1]!, first[2]!, first[3]!];
  const le = ((b3 << 24) | (b2 << 16) | (b1 << 8) | b0) >>> 0;
  const be = ((b0 << 24) | (b1 << 16) | (b2 << 8) | b3) >>> 0;
  if (le === PCAP_MAGIC || le === PCAP_MAGIC_NS) return { littleEndian: true, nanoseconds: le === PCAP_MAGIC_NS };
  if (be === PCAP_MAGIC || be === PCAP_MAGIC_NS) return { littleEndian: false, nanoseconds: be === PCAP_MAGIC_NS };
  return undefined;
}

/** Parses a classic pcap file (either byte order, micro- or nanosecond). Throws DecodeError. */
export function readPcap(bytes: Uint8Array): PcapFile {
  if (bytes.length < PCAP_GLOBAL_HEADER_LENGTH) throw new DecodeError('short pcap global header');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = pcapMagic(bytes);
  if (!magic) throw new DecodeError(`not a pcap file (magic 0x${dv.getUint32(0, false).toString(16).padStart(8, '0')})`);
  const { littleEndian: le, nanoseconds } = magic;
  const file: PcapFile = {
    versionMajor: dv.getUint16(4, le),
    versionMinor: dv.getUint16(6, le),
    thiszone: dv.getInt32(8, le),
    sigfigs: dv.getUint32(12, le),
    snaplen: dv.getUint32(16, le),
    linktype: dv.getUint32(20, le),
    littleEndian: le,
    nanoseconds,
    records: [],
  };
  const perSec = nanoseconds ? 1e9 : 1e6;
  let at = PCAP_GLOBAL_HEADER_LENGTH;
  while (at < bytes.length) {
    if (at + PCAP_RECORD_HEADER_LENGTH > bytes.length) throw new DecodeError(`truncated record header at byte ${at}`);
    const tsSec = dv.getUint32(at, le);
    const tsFrac = dv.getUint32(at + 4, le);
    const inclLen = dv.getUint32(at + 8, le);
    const origLen = dv.getUint32(at + 12, le);
    if (tsFrac >= perSec) throw new DecodeError(`record at byte ${at}: fraction ${tsFrac} out of range`);
    if (inclLen > origLen) throw new DecodeError(`record at byte ${at}: incl_len ${inclLen} > orig_len ${origLen}`);
    const start = at + PCAP_RECORD_HEADER_LENGTH;
    if (start + inclLen > bytes.length) throw new DecodeError(`record at byte ${at}: truncated data`);
    file.records.push({ tsSec, tsFrac, timeMs: tsSec * 1000 + (tsFrac * 1000) / perSec, inclLen, origLen, data: bytes.slice(start, start + inclLen) });
    at = start + inclLen;
  }
  return file;
}
