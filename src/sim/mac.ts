/**
 * Ethernet MAC addresses.
 *
 * Design notes: a MAC is kept as its lower-case colon-separated text (`02:42:ac:11:00:02`),
 * the form every tool prints, so state stays readable JSON. Random MACs are drawn from the
 * seeded RNG as the kernel's eth_random_addr() does: locally administered (bit 1 of the
 * first octet set) and unicast (bit 0 clear).
 */
import type { Rng } from './rng';

export type Mac = string;

export const BROADCAST_MAC: Mac = 'ff:ff:ff:ff:ff:ff';

export function randomMac(rng: Rng): Mac {
  const b: number[] = [];
  for (let i = 0; i < 6; i++) b.push(rng.int(256));
  b[0] = (b[0]! & 0xfe) | 0x02;
  return b.map((x) => x.toString(16).padStart(2, '0')).join(':');
}

export function macBytes(m: Mac): number[] {
  return m.split(':').map((h) => parseInt(h, 16));
}

export function formatMacBytes(bytes: ArrayLike<number>, offset = 0): Mac {
  const out: string[] = [];
  for (let i = 0; i < 6; i++) out.push(bytes[offset + i]!.toString(16).padStart(2, '0'));
  return out.join(':');
}
