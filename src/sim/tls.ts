/**
 * TLS as the sandbox carries it, and the certificates it shows.
 *
 * Design notes: no encryption happens. A TLS client opens its TCP stream with one record of
 * type handshake (0x16, version 3.1, a two-byte length, as a real ClientHello starts) whose
 * body is `ClientHello sni=<name>`, followed by application-data records (0x17) that carry the
 * HTTP request in clear. A TLS server answers with a handshake record holding
 * `ServerHello` and its certificate in PEM, then application-data records with the HTTP
 * response; a server without a certificate answers an alert record (0x15). Both ends look at
 * the first byte: a plain-HTTP server sees binary where a request line should be, and a TLS
 * client sees no handshake record when a plain-HTTP server answers. The bytes cross the
 * network like any other, so kube-proxy, NAT and tcpdump see a TCP stream on 443; tcpdump -A
 * shows the HTTP inside it, which a real capture would not.
 * Certificates are X.509 DER in PEM armour, made by the sandbox's openssl (shell/commands/
 * openssl.ts) from the seeded RNG: structurally real, with random numbers where a key's
 * primes and the signature would be, so they are not usable cryptographic keys. Verification
 * compares certificates byte for byte (a self-signed certificate is trusted when the CA file
 * holds it) and names against the subject's CN (the sandbox's certificates have no SAN).
 */

const HANDSHAKE = 0x16;
const APPLICATION_DATA = 0x17;
const ALERT = 0x15;
const RECORD_MAX = 16384;

function record(type: number, body: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < body.length || i === 0; i += RECORD_MAX) {
    const part = body.subarray(i, i + RECORD_MAX);
    out.push(type, 3, type === HANDSHAKE ? 1 : 3, part.length >> 8, part.length & 0xff, ...part);
    if (body.length === 0) break;
  }
  return Uint8Array.from(out);
}

const bytes = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);
const str = (b: Uint8Array): string => {
  let s = '';
  for (const x of b) s += String.fromCharCode(x);
  return s;
};

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Splits a stream into its records; undefined when it does not start as TLS records do. */
export function tlsRecords(data: Uint8Array): { type: number; body: Uint8Array }[] | undefined {
  const out: { type: number; body: Uint8Array }[] = [];
  let i = 0;
  while (i < data.length) {
    if (data.length - i < 5 || ![HANDSHAKE, APPLICATION_DATA, ALERT].includes(data[i]!) || data[i + 1] !== 3) return undefined;
    const len = (data[i + 3]! << 8) | data[i + 4]!;
    out.push({ type: data[i]!, body: data.subarray(i + 5, i + 5 + len) });
    i += 5 + len;
  }
  return out;
}

/** Whether a stream starts with a TLS handshake record (a ClientHello, to a server). */
export function looksLikeTls(data: Uint8Array): boolean {
  return data[0] === HANDSHAKE && data[1] === 3;
}

/** What a TLS client sends: the ClientHello naming `sni`, then the request as application data. */
export function tlsClientStream(sni: string, request: Uint8Array): Uint8Array {
  return concat([record(HANDSHAKE, bytes(`ClientHello sni=${sni}`)), record(APPLICATION_DATA, request)]);
}

/** The request inside a client's stream, and the name it asked for; undefined when it is not TLS. */
export function tlsServerRead(data: Uint8Array): { sni: string; request: Uint8Array } | undefined {
  const recs = tlsRecords(data);
  if (!recs || recs[0]?.type !== HANDSHAKE) return undefined;
  const hello = /^ClientHello sni=(.*)$/.exec(str(recs[0].body));
  if (!hello) return undefined;
  return { sni: hello[1]!, request: concat(recs.filter((r) => r.type === APPLICATION_DATA).map((r) => r.body)) };
}

/** What a TLS server answers: its certificate, then the response as application data. */
export function tlsServerStream(certificatePem: string, response: Uint8Array | undefined): Uint8Array {
  return concat([record(HANDSHAKE, bytes(`ServerHello\n${certificatePem}`)), ...(response ? [record(APPLICATION_DATA, response)] : [])]);
}

/** A handshake failure alert, as a server without a usable certificate sends it. */
export function tlsAlert(): Uint8Array {
  return record(ALERT, Uint8Array.from([2, 40]));
}

/** What a TLS client reads back: the server's certificate and the response; undefined when the server spoke no TLS. */
export function tlsClientRead(data: Uint8Array): { certificate?: string; response: Uint8Array; alert: boolean } | undefined {
  const recs = tlsRecords(data);
  if (!recs || recs.length === 0) return undefined;
  if (recs[0]!.type === ALERT) return { response: new Uint8Array(0), alert: true };
  if (recs[0]!.type !== HANDSHAKE) return undefined;
  const hello = str(recs[0]!.body);
  if (!hello.startsWith('ServerHello\n')) return undefined;
  return { certificate: hello.slice('ServerHello\n'.length), response: concat(recs.filter((r) => r.type === APPLICATION_DATA).map((r) => r.body)), alert: false };
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function unbase64(text: string): Uint8Array {
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of text.replace(/[^A-Za-z0-9+/]/g, '')) {
    value = ((value << 6) | B64.indexOf(ch)) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((value >> bits) & 0xff);
    }
  }
  return Uint8Array.from(out);
}

/** The PEM blocks of a text: label and DER bytes. */
export function pemBlocks(text: string): { label: string; der: Uint8Array }[] {
  const out: { label: string; der: Uint8Array }[] = [];
  const re = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push({ label: m[1]!, der: unbase64(m[2]!) });
  return out;
}

/** The certificates (DER) a PEM text holds. */
export function certificatesIn(text: string): Uint8Array[] {
  return pemBlocks(text).filter((b) => b.label === 'CERTIFICATE').map((b) => b.der);
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** Whether the certificate is one of the trusted ones (a self-signed certificate trusts itself only). */
export function trusted(cert: Uint8Array, cas: Uint8Array[]): boolean {
  return cas.some((c) => sameBytes(c, cert));
}

/**
 * The attributes of a certificate's issuer and subject, in order, as `[short name, value]`
 * (CN, O, OU, C, ST, L): read by walking the DER to the issuer and subject Names.
 */
export function certificateNames(der: Uint8Array): { issuer: [string, string][]; subject: [string, string][] } | undefined {
  // A TLV at `at`: its tag, the start of its value and the end of it.
  const tlv = (at: number): { tag: number; start: number; end: number } | undefined => {
    if (at + 2 > der.length) return undefined;
    const tag = der[at]!;
    let len = der[at + 1]!;
    let start = at + 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      len = 0;
      for (let i = 0; i < n; i++) len = (len << 8) | der[start + i]!;
      start += n;
    }
    return start + len <= der.length ? { tag, start, end: start + len } : undefined;
  };
  const children = (t: { start: number; end: number }): { tag: number; start: number; end: number }[] => {
    const out = [];
    for (let at = t.start; at < t.end; ) {
      const c = tlv(at);
      if (!c) return [];
      out.push(c);
      at = c.end;
    }
    return out;
  };
  const SHORT: Record<string, string> = { '85.4.3': 'CN', '85.4.10': 'O', '85.4.11': 'OU', '85.4.6': 'C', '85.4.8': 'ST', '85.4.7': 'L' };
  const name = (t: { start: number; end: number }): [string, string][] =>
    children(t).flatMap((set) =>
      children(set).map((atv) => {
        const [oid, value] = children(atv);
        const key = oid ? Array.from(der.subarray(oid.start, oid.end)).join('.') : '';
        return [SHORT[key] ?? key, value ? new TextDecoderLite().decode(der.subarray(value.start, value.end)) : ''] as [string, string];
      }),
    );
  const cert = tlv(0);
  if (!cert) return undefined;
  const tbs = children(cert)[0];
  if (!tbs) return undefined;
  const fields = children(tbs);
  // version [0], serial, signature, issuer, validity, subject, ...
  const off = fields[0]?.tag === 0xa0 ? 1 : 0;
  const issuer = fields[off + 2];
  const subject = fields[off + 4];
  if (!issuer || !subject) return undefined;
  return { issuer: name(issuer), subject: name(subject) };
}

/** UTF-8 bytes to text (the core layer has no TextDecoder). */
class TextDecoderLite {
  decode(b: Uint8Array): string {
    let s = '';
    for (let i = 0; i < b.length; ) {
      const c = b[i]!;
      const n = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
      let cp = n === 1 ? c : c & (0xff >> (n + 1));
      for (let j = 1; j < n; j++) cp = (cp << 6) | (b[i + j]! & 63);
      s += String.fromCodePoint(cp);
      i += n;
    }
    return s;
  }
}

/** The subject's common name, or undefined. */
export function commonName(der: Uint8Array): string | undefined {
  return certificateNames(der)?.subject.find(([k]) => k === 'CN')?.[1];
}
