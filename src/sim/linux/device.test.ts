import { describe, expect, it } from 'vitest';
import { eui64LinkLocal, formatIpv6, validIfname } from './device';

describe('IPv6 link-local addresses', () => {
  it('are fe80::/64 with the EUI-64 of the MAC, as the kernel and iproute2 print them', () => {
    // Seen on real links: the U/L bit flipped, ff:fe in the middle, leading zeros dropped.
    expect(eui64LinkLocal('56:31:55:06:f3:3c')).toBe('fe80::5431:55ff:fe06:f33c');
    expect(eui64LinkLocal('56:d2:05:9f:f5:88')).toBe('fe80::54d2:5ff:fe9f:f588');
    expect(eui64LinkLocal('02:42:ac:11:00:02')).toBe('fe80::42:acff:fe11:2');
    expect(eui64LinkLocal('02:00:00:00:00:01')).toBe('fe80::ff:fe00:1');
  });

  it('compress the longest run of zero groups (RFC 5952)', () => {
    expect(formatIpv6([0, 0, 0, 0, 0, 0, 0, 1])).toBe('::1');
    expect(formatIpv6([0xfe80, 0, 0, 0, 0, 0, 0, 0])).toBe('fe80::');
    expect(formatIpv6([1, 0, 2, 0, 0, 3, 0, 0])).toBe('1:0:2::3:0:0');
    expect(formatIpv6([1, 2, 3, 4, 5, 6, 7, 8])).toBe('1:2:3:4:5:6:7:8');
  });
});

describe('interface names', () => {
  it('are 1-15 bytes without slashes, colons or blanks, and not . or ..', () => {
    expect(validIfname('veth1-br')).toBe(true);
    expect(validIfname('012345678901234')).toBe(true);
    expect(validIfname('0123456789012345')).toBe(false);
    for (const bad of ['', '.', '..', 'a/b', 'a:b', 'a b']) expect(validIfname(bad), bad).toBe(false);
  });
});
