/**
 * The Internet checksum (RFC 1071) and its incremental update (RFC 1624).
 *
 * Design notes: the checksum is the one's-complement of the one's-complement sum of the
 * data taken as 16-bit big-endian words (an odd last byte is padded with zero). Routers
 * that decrement TTL patch the stored checksum instead of recomputing it; RFC 1624 eqn. 3
 * gives HC' = ~(~HC + ~m + m'), which for a TTL decrement adds 0x0100.
 */

/** One's-complement sum of `bytes[start..end)` folded to 16 bits, starting from `initial`. */
export function onesSum(bytes: ArrayLike<number>, start = 0, end = bytes.length, initial = 0): number {
  let sum = initial;
  let i = start;
  for (; i + 1 < end; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
  if (i < end) sum += bytes[i]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/** The checksum to store in a header whose checksum field is zero. */
export function internetChecksum(bytes: ArrayLike<number>, start = 0, end = bytes.length, initial = 0): number {
  return ~onesSum(bytes, start, end, initial) & 0xffff;
}

/** RFC 1624: the new checksum after one 16-bit word changes from `oldWord` to `newWord`. */
export function updateChecksum(checksum: number, oldWord: number, newWord: number): number {
  let sum = (~checksum & 0xffff) + (~oldWord & 0xffff) + (newWord & 0xffff);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
