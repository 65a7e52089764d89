/**
 * `openssl` (OpenSSL 3.0.13, Ubuntu 24.04's): `openssl version`, and `openssl req -x509` making
 * a self-signed certificate and its new key, as the Kubernetes walk-throughs do:
 * `openssl req -x509 -nodes -days 365 -newkey rsa:2048 -keyout KEY -out CERT -subj "/CN=x/O=y"`.
 *
 * Design notes: req prints the key generation's progress on stderr as OpenSSL 3.0 does (for
 * each of the two primes a line of `.` and `+` marks, 65 `+` and a `*` per auxiliary prime
 * found, then `-----`; checked against OpenSSL 3.0.19), writes the key as unencrypted PKCS#8 (`BEGIN PRIVATE KEY`) and
 * the certificate as PEM: X.509 v3, a random 20-byte serial, sha256WithRSAEncryption, the
 * -subj attributes as issuer and subject (C as PrintableString, the others UTF8String), valid
 * from now for -days days, and the extensions openssl.cnf's v3_ca gives (subject and authority
 * key identifiers, basicConstraints CA:TRUE, critical). Everything random (the modulus, the
 * key's private numbers, the signature, the progress marks) comes from the sandbox's seeded
 * RNG, so the same seed gives the same files. Simplified: the numbers are random bytes of the
 * right sizes, not primes, so the files look and parse like real ones but are not usable
 * cryptographic keys (sim/tls.ts says how the sandbox's TLS uses them); sim/x509.ts builds them.
 * Without -nodes/-noenc, -x509, -newkey rsa:N, or -subj the real command would prompt for a pass
 * phrase or the subject's fields; the sandbox has no prompts, so it says so and stops.
 * Errors in OpenSSL's words: an unknown option (`req: Unrecognized flag X` and the `req: Use
 * -help for summary.` line), an unknown command (`Invalid command 'X'; type "help" for a list.`),
 * a file it cannot write (`req: Can't open "F" for writing, No such file or directory`).
 * Left out: every other openssl command and req option.
 */
import type { Command, CommandContext } from '../command';
import { CommandError } from '../errors';
import { absolute, kindOf, placeOf, writeError, writeLimited } from '../sandbox-fs';
import type { Rng } from '../../sim/rng';
import { selfSigned } from '../../sim/x509';

const VERSION = 'OpenSSL 3.0.13 30 Jan 2024 (Library: OpenSSL 3.0.13 30 Jan 2024)';

/** `/CN=a/O=b` as [name, value] pairs; undefined when it is not of that form. */
export function parseSubject(subj: string): [string, string][] | undefined {
  if (!subj.startsWith('/')) return undefined;
  const out: [string, string][] = [];
  for (const part of subj.slice(1).split('/')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) return undefined;
    out.push([part.slice(0, eq), part.slice(eq + 1)]);
  }
  return out;
}

/**
 * OpenSSL 3.0's progress marks for one prime of an RSA key (FIPS 186-4 generation): a `.` per
 * candidate and a `+` per candidate that passed a Miller-Rabin round, 64 more `+` for the one
 * that passes them all; `*` after each of the two auxiliary primes, none after the prime.
 */
function progressLine(rng: Rng): string {
  const prime = (min: number, spread: number): string => {
    let s = '';
    const n = min + rng.int(spread);
    for (let i = 0; i < n; i++) s += '.'.repeat(1 + rng.int(9)) + '+';
    return s + '.'.repeat(1 + rng.int(8)) + '+'.repeat(65);
  };
  return `${prime(0, 16)}*${prime(0, 16)}*${prime(15, 45)}\n`;
}

const REQ_FLAGS = new Set(['-x509', '-nodes', '-noenc', '-new', '-batch']);
const REQ_VALUES = new Set(['-days', '-newkey', '-keyout', '-out', '-subj']);

async function req(ctx: CommandContext, args: string[]): Promise<number> {
  const seen = new Set<string>();
  const value: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!.replace(/^--/, '-');
    if (REQ_FLAGS.has(a)) seen.add(a);
    else if (REQ_VALUES.has(a)) {
      const v = args[++i];
      if (v === undefined) throw new CommandError('USAGE', `req: Option ${a} needs a value\nreq: Use -help for summary.`, 1);
      value[a] = v;
    } else throw new CommandError('UNKNOWN_FLAG', `req: Unrecognized flag ${a.replace(/^-/, '')}\nreq: Use -help for summary.`, 1);
  }
  const newkey = value['-newkey'];
  const m = newkey !== undefined ? /^rsa:(\d+)$/.exec(newkey) : null;
  if (newkey !== undefined && !m) throw new CommandError('UNSUPPORTED', `openssl: the sandbox makes only RSA keys (-newkey rsa:2048); ${newkey} is not modelled`, 1);
  const bits = m ? Number(m[1]) : 2048;
  if (m && (bits < 512 || bits > 16384 || bits % 16 !== 0)) throw new CommandError('UNSUPPORTED', `openssl: the sandbox makes RSA keys of 512 to 16384 bits in steps of 16; ${bits} is not modelled`, 1);
  if (!seen.has('-x509') || !m || !value['-keyout'] || !value['-out']) throw new CommandError('UNSUPPORTED', 'openssl: the sandbox models only `openssl req -x509 -nodes -newkey rsa:BITS -keyout KEY -out CERT -subj SUBJECT` (a new self-signed certificate)', 1);
  if (!seen.has('-nodes') && !seen.has('-noenc')) throw new CommandError('UNSUPPORTED', 'openssl: without -nodes (or -noenc) req asks for a pass phrase; the sandbox has no prompts, so add -nodes', 1);
  const subj = value['-subj'];
  if (subj === undefined) throw new CommandError('UNSUPPORTED', 'openssl: without -subj req asks for the subject\'s fields; the sandbox has no prompts, so give -subj "/CN=name"', 1);
  const subject = parseSubject(subj);
  if (!subject || subject.length === 0) throw new CommandError('EXEC_FAILED', `req: Hit end of string before finding the equals.\nreq: Error making certificate request`, 1);
  const days = value['-days'] !== undefined ? Number(value['-days']) : 30;
  if (!Number.isInteger(days)) throw new CommandError('USAGE', `req: Invalid number "${value['-days']}" for option -days\nreq: Use -help for summary.`, 1);
  const place = placeOf(ctx.env);
  const keyPath = absolute(place, value['-keyout']!);
  const certPath = absolute(place, value['-out']!);
  for (const [path, given] of [[keyPath, value['-keyout']!], [certPath, value['-out']!]] as const) {
    const why = kindOf(ctx.env, place, path) === 'dir' ? 'Is a directory' : writeError(ctx.env, place, path);
    if (why !== undefined) {
      // OpenSSL writes the key before it opens the certificate file.
      throw new CommandError('EXEC_FAILED', `req: Can't open "${given}" for writing, ${why}`, 1);
    }
  }
  const rng = ctx.env.sim.rng;
  ctx.stderr.write(progressLine(rng) + progressLine(rng) + '-----\n');
  const { key, cert } = selfSigned(rng, subject, bits, ctx.env.sim.clock.now(), days);
  writeLimited(ctx.env, place, keyPath, key);
  writeLimited(ctx.env, place, certPath, cert);
  return 0;
}

export const openssl: Command = {
  name: 'openssl',
  summary: 'make a self-signed certificate: openssl req -x509 -nodes -days 365 -newkey rsa:2048 -keyout tls.key -out tls.crt -subj "/CN=web"',
  usage: 'Usage: openssl req -x509 -nodes [-days N] -newkey rsa:BITS -keyout KEY -out CERT -subj "/CN=name/O=org"\n       openssl version',
  where: ['workstation', 'node'],
  async run(ctx) {
    const [sub, ...rest] = ctx.argv.slice(1);
    if (sub === undefined) throw new CommandError('UNSUPPORTED', 'openssl: the interactive prompt is not modelled in this sandbox; give a command (openssl req ..., openssl version)', 1);
    if (sub === 'version') {
      ctx.stdout.write(`${VERSION}\n`);
      return 0;
    }
    if (sub === 'req') return req(ctx, rest);
    if (['x509', 'genrsa', 'genpkey', 'rsa', 's_client', 'verify', 'pkey', 'rand', 'dgst', 'enc', 'ca', 'pkcs12', 'ecparam', 'base64'].includes(sub)) {
      throw new CommandError('UNSUPPORTED', `openssl: openssl ${sub} is not modelled in this sandbox (only req -x509 and version)`, 1);
    }
    throw new CommandError('EXEC_FAILED', `Invalid command '${sub}'; type "help" for a list.`, 1);
  },
};
