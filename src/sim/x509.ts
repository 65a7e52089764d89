/**
 * X.509 certificates and RSA keys as DER in PEM armour, made from the seeded RNG.
 *
 * Design notes: what `openssl req -x509` writes (shell/commands/openssl.ts) and what the
 * sandbox's own servers present (the kubelet's self-signed pair, the API server's certificate
 * signed by the cluster CA): X.509 v3, a random 20-byte serial, sha256WithRSAEncryption, the
 * subject's attributes (C as PrintableString, the others UTF8String), a validity from a given
 * time for a number of days, and openssl.cnf's v3_ca extensions (subject and authority key
 * identifiers, basicConstraints CA:TRUE, critical). Simplified: the numbers are random bytes
 * of the right sizes, not primes, and the signature is random bytes, so the files look and
 * parse like real ones but are not usable cryptographic keys.
 */
import type { Rng } from './rng';

// DER building blocks.
function len(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  for (let x = n; x > 0; x >>= 8) out.unshift(x & 0xff);
  return [0x80 | out.length, ...out];
}
const tlv = (tag: number, body: number[]): number[] => [tag, ...len(body.length), ...body];
const seq = (...items: number[][]): number[] => tlv(0x30, items.flat());
const set = (...items: number[][]): number[] => tlv(0x31, items.flat());
const int = (b: number[]): number[] => {
  let v = b;
  while (v.length > 1 && v[0] === 0 && (v[1]! & 0x80) === 0) v = v.slice(1);
  return tlv(0x02, v[0]! & 0x80 ? [0, ...v] : v);
};
const oid = (...parts: number[]): number[] => {
  const out = [40 * parts[0]! + parts[1]!];
  for (const p of parts.slice(2)) {
    const b: number[] = [];
    for (let x = p; ; x = Math.floor(x / 128)) {
      b.unshift((x % 128) | (b.length ? 0x80 : 0));
      if (x < 128) break;
    }
    out.push(...b);
  }
  return tlv(0x06, out);
};
const NULL = [0x05, 0x00];
const utf8 = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0)).flatMap((cp) => (cp < 0x80 ? [cp] : cp < 0x800 ? [0xc0 | (cp >> 6), 0x80 | (cp & 63)] : [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)]));
const utcTime = (ms: number): number[] => {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  return tlv(0x17, utf8(`${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`));
};

const ATTRS: Record<string, number[]> = { CN: [2, 5, 4, 3], O: [2, 5, 4, 10], OU: [2, 5, 4, 11], C: [2, 5, 4, 6], ST: [2, 5, 4, 8], L: [2, 5, 4, 7], emailAddress: [1, 2, 840, 113549, 1, 9, 1] };

const randomBytes = (rng: Rng, n: number): number[] => Array.from({ length: n }, () => rng.int(256));
/** n random bytes with the top bit set (a number of exactly 8n bits). */
const topBit = (rng: Rng, n: number): number[] => {
  const b = randomBytes(rng, n);
  b[0] = b[0]! | 0x80;
  return b;
};

export function pem(label: string, der: number[]): string {
  let b64 = '';
  const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < der.length; i += 3) {
    const n = (der[i]! << 16) | ((der[i + 1] ?? 0) << 8) | (der[i + 2] ?? 0);
    b64 += A[(n >> 18) & 63]! + A[(n >> 12) & 63]! + (i + 1 < der.length ? A[(n >> 6) & 63]! : '=') + (i + 2 < der.length ? A[n & 63]! : '=');
  }
  return `-----BEGIN ${label}-----\n${b64.match(/.{1,64}/g)!.join('\n')}\n-----END ${label}-----\n`;
}

/** A key pair and its self-signed certificate, from the RNG. */
export function selfSigned(rng: Rng, subject: [string, string][], bits: number, now: number, days: number): { key: string; cert: string } {
  const bytes = bits / 8;
  const n = topBit(rng, bytes);
  const e = [0x01, 0x00, 0x01];
  const half = (): number[] => topBit(rng, bytes / 2);
  const rsaKey = seq(int([0]), int(n), int(e), int(randomBytes(rng, bytes)), int(half()), int(half()), int(randomBytes(rng, bytes / 2)), int(randomBytes(rng, bytes / 2)), int(randomBytes(rng, bytes / 2)));
  const rsaAlg = seq(oid(1, 2, 840, 113549, 1, 1, 1), NULL);
  const key = pem('PRIVATE KEY', seq(int([0]), rsaAlg, tlv(0x04, rsaKey)));
  const name = seq(...subject.map(([k, v]) => set(seq(oid(...(ATTRS[k] ?? [2, 5, 4, 3])), tlv(k === 'C' ? 0x13 : 0x0c, utf8(v))))));
  const serial = randomBytes(rng, 20);
  serial[0] = serial[0]! & 0x7f;
  const keyId = randomBytes(rng, 20);
  const sha256Rsa = seq(oid(1, 2, 840, 113549, 1, 1, 11), NULL);
  const spki = seq(rsaAlg, tlv(0x03, [0, ...seq(int(n), int(e))]));
  const extensions = tlv(0xa3, seq(
    seq(oid(2, 5, 29, 14), tlv(0x04, tlv(0x04, keyId))),
    seq(oid(2, 5, 29, 35), tlv(0x04, seq(tlv(0x80, keyId)))),
    seq(oid(2, 5, 29, 19), [0x01, 0x01, 0xff], tlv(0x04, seq([0x01, 0x01, 0xff]))),
  ));
  const tbs = seq(tlv(0xa0, int([2])), int(serial), sha256Rsa, name, seq(utcTime(now), utcTime(now + days * 86_400_000)), name, spki, extensions);
  const cert = pem('CERTIFICATE', seq(tbs, sha256Rsa, tlv(0x03, [0, ...randomBytes(rng, bytes)])));
  return { key, cert };
}


/**
 * A certificate for `subject` issued by `issuer` (the same names make it self-signed), valid
 * from `notBefore` for `days`; `ca` marks a certificate authority.
 */
export function issueCertificate(rng: Rng, subject: [string, string][], issuer: [string, string][], notBefore: number, days: number, ca: boolean): string {
  const bytes = 256;
  const n = topBit(rng, bytes);
  const e = [0x01, 0x00, 0x01];
  const rsaAlg = seq(oid(1, 2, 840, 113549, 1, 1, 1), NULL);
  const name = (attrs: [string, string][]): number[] => seq(...attrs.map(([k, v]) => set(seq(oid(...(ATTRS[k] ?? [2, 5, 4, 3])), tlv(k === 'C' ? 0x13 : 0x0c, utf8(v))))));
  const serial = randomBytes(rng, 20);
  serial[0] = serial[0]! & 0x7f;
  const keyId = randomBytes(rng, 20);
  const sha256Rsa = seq(oid(1, 2, 840, 113549, 1, 1, 11), NULL);
  const spki = seq(rsaAlg, tlv(0x03, [0, ...seq(int(n), int(e))]));
  const extensions = tlv(0xa3, seq(
    seq(oid(2, 5, 29, 14), tlv(0x04, tlv(0x04, keyId))),
    seq(oid(2, 5, 29, 19), [0x01, 0x01, 0xff], tlv(0x04, seq(...(ca ? [[0x01, 0x01, 0xff]] : [])))),
  ));
  const tbs = seq(tlv(0xa0, int([2])), int(serial), sha256Rsa, name(issuer), seq(utcTime(notBefore), utcTime(notBefore + days * 86_400_000)), name(subject), spki, extensions);
  return pem('CERTIFICATE', seq(tbs, sha256Rsa, tlv(0x03, [0, ...randomBytes(rng, bytes)])));
}
