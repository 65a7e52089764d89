/**
 * `curl` (8.5): one HTTP request over a real TCP connection through the sandbox.
 *
 * Design notes: the name is resolved as the C library would (resolver.ts), the connection's
 * every segment crosses the model (so kube-proxy, NAT, Ingress and faults apply), and the
 * server's answer is printed as curl prints it: the body on stdout; `-i` adds the response
 * headers, `-I` sends HEAD and prints them (header lines keep their CRLF, in the output as in
 * the `-v` trace); `-v` writes curl's trace (`*`, `>`, `<` lines) to
 * stderr; `-H` adds or replaces a header (`-H 'Host: web.example.com'` for Ingress); `-w`
 * prints `%{http_code}` (`000` when no response came), `%{remote_ip}`, `%{remote_port}` (empty
 * and 0 when the connection failed, as curl reports only a connected peer), `%{time_total}` and
 * the `\n` escapes, after the error message when the transfer failed; `-o FILE` writes what
 * would have gone to stdout into the sandbox file (created when the first bytes arrive, so a
 * failed connection leaves none; a file it cannot create is curl's warning and error 23), and
 * `-o /dev/null` drops it; `-m` caps the time. Failures print curl's messages and exit codes:
 * (6) could not resolve host, (7) failed to connect (refused, or rejected by a Service without
 * endpoints), (28) timeouts. The kernel sends an unanswered SYN again on its schedule (1, 2,
 * 3, 4, 5, 7, 11, 19, 35 and 67 s after the first), each copy crossing the model, so a peer
 * that becomes reachable meanwhile (a stale neighbour entry resolved again, a pod that
 * started) answers a later one; connecting to nothing fails when the kernel gives up (131 s)
 * unless `-m` or `--connect-timeout` ends the wait first.
 * `-f` turns an HTTP status of 400 or more into error (22) with no output.
 * `--resolve HOST:PORT:ADDR[,ADDR...]` makes HOST at PORT (`*` for any port) connect to ADDR
 * without asking the resolver, as the Ingress walk-throughs use it; the Host header stays
 * HOST. A port that is not a number from 0 to 65535 and a URL without a host are curl's
 * error (3), as its URL parser reports them.
 * `https://` speaks the sandbox's TLS (sim/tls.ts: the HTTP exchange travels in clear inside
 * records marked as TLS) on port 443 by default: the server's certificate must be in the
 * `--cacert` file (a self-signed one is otherwise `(60) SSL certificate problem: self-signed
 * certificate`) and carry the host name as its CN, unless `-k` skips both checks; a server
 * that speaks no TLS is error (35) `wrong version number`; an unreadable CA file (77). A
 * server that sends its whole chain ending in its own root (the kubelet's self-signed pair)
 * fails as `self-signed certificate in certificate chain`. A server that closes without a
 * word is (52) `Empty reply from server`; one whose answer is not HTTP (sshd's banner) is (1)
 * `Received HTTP/0.9 when not allowed`, curl's default since 7.66.
 * Left out: the TLS handshake lines of -v, the system's CA store (it trusts none of the
 * sandbox's certificates), redirects (-L is accepted and ignored), uploads, the progress meter curl
 * shows when its output is not a terminal, -w variables other than those above, curl's
 * wrapping of long warnings at the terminal width.
 */
import type { Command } from '../command';
import { CommandError } from '../errors';
import { formatIp, parseIp } from '../../sim/ipv4';
import { text } from '../../sim/apps';
import { nsIdOf, resolveHost } from '../resolver';
import { absolute, placeOf, readAny, writeError } from '../sandbox-fs';
import { certificateNames, certificatesIn, commonName, tlsClientRead, tlsClientStream, trusted } from '../../sim/tls';
import { writeFile } from '../../sim/files';
import { SYN_GIVE_UP_MS } from '../../sim/tcp-stack';

const USAGE = `Usage: curl [options...] <url>
 -H, --header <header/@file>   Pass custom header(s) to server
 -i, --include                 Include response headers in output
 -I, --head                    Show document info only
 -m, --max-time <seconds>      Maximum time allowed for transfer
     --connect-timeout <secs>  Maximum time allowed to connect
     --resolve <[+]host:port:addr[,addr]...> Resolve the host+port to this address
 -k, --insecure                Allow insecure server connections
     --cacert <file>           CA certificate to verify peer against
 -o, --output <file>           Write to file instead of stdout
 -s, --silent                  Silent mode
 -v, --verbose                 Make the operation more talkative
 -w, --write-out <format>      Output FORMAT after completion
 -X, --request <method>        Specify request method to use`;

/** What curl adds to a certificate error (tool_operate.c CURL_CA_CERT_ERRORMSG, curl 8.5). */
const CA_CERT_HELP = `More details here: https://curl.se/docs/sslcerts.html

curl failed to verify the legitimacy of the server and therefore could not
establish a secure connection to it. To learn more about this situation and
how to fix it, please visit the web page mentioned above.`;

function fail(code: number, message: string): CommandError {
  return new CommandError('EXEC_FAILED', `curl: (${code}) ${message}`, code);
}

/**
 * The --write-out text: `%{variable}`, `%%`, and the escapes \n, \r and \t (any other
 * backslash pair is printed as it is). An unknown variable is reported on stderr and skipped.
 */
export function formatWriteOut(format: string, info: { status: string; remoteIp: string; remotePort: number; totalMs: number }, warn: (text: string) => void): string {
  const vars: Record<string, string> = {
    http_code: info.status,
    response_code: info.status,
    remote_ip: info.remoteIp,
    remote_port: String(info.remotePort),
    time_total: (info.totalMs / 1000).toFixed(6),
  };
  let out = '';
  for (let i = 0; i < format.length; ) {
    const c = format[i]!;
    const next = format[i + 1];
    if (c === '%' && next !== undefined) {
      if (next === '%') {
        out += '%';
        i += 2;
      } else if (next === '{') {
        const end = format.indexOf('}', i + 2);
        if (end < 0) {
          out += '%{';
          i += 2;
          continue;
        }
        const name = format.slice(i + 2, end);
        if (Object.hasOwn(vars, name)) out += vars[name];
        else warn(`curl: unknown --write-out variable: '${name}'\n`);
        i = end + 1;
      } else {
        out += c + next;
        i += 2;
      }
    } else if (c === '\\' && next !== undefined) {
      out += next === 'n' ? '\n' : next === 'r' ? '\r' : next === 't' ? '\t' : c + next;
      i += 2;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Short options that take a value; the other letters curl knows here are switches. */
const SHORT_WITH_VALUE = 'HXmow';
const SHORT_SWITCHES = 'sSvIiLkf';

/**
 * curl's grouping of short options: switches combine (`-sS`, `-fsSL`), and a letter that takes
 * a value takes the rest of its word (`-o/dev/null`, `-so/dev/null`) or else the next word
 * (`-so /dev/null`, `-sw '%{http_code}'`).
 */
export function splitShortOptions(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!/^-[^-]/.test(a) || a.length === 2) {
      out.push(a);
      continue;
    }
    let j = 1;
    for (; j < a.length; j++) {
      const c = a[j]!;
      if (SHORT_WITH_VALUE.includes(c)) {
        out.push(`-${c}`);
        if (j + 1 < a.length) out.push(a.slice(j + 1));
        else if (i + 1 < argv.length) out.push(argv[++i]!);
        break;
      }
      // An unknown letter is reported as curl does, with the whole word.
      if (!SHORT_SWITCHES.includes(c)) {
        out.push(a);
        break;
      }
      out.push(`-${c}`);
    }
  }
  return out;
}

export const curl: Command = {
  name: 'curl',
  summary: 'send an HTTP request: curl http://web/ (-v, -i, -H, -m, -w)',
  usage: USAGE,
  where: ['workstation', 'node', 'pod'],
  async run(ctx) {
    const args = splitShortOptions(ctx.argv.slice(1));
    let showError = false;
    let failOnError = false;
    let url: string | undefined;
    let silent = false;
    let verbose = false;
    let include = false;
    let head = false;
    let method = 'GET';
    let maxTime: number | undefined;
    let connectTimeout: number | undefined;
    let outFile: string | undefined;
    let writeOut: string | undefined;
    let insecure = false;
    let caFile: string | undefined;
    const headers: [string, string][] = [];
    /** --resolve entries: `host:port` (port `*` for any) to the first address given. */
    const pinned: { host: string; port: string; addr: string; entry: string }[] = [];
    const value = (i: number, flag: string): string => {
      const v = args[i];
      if (v === undefined) throw new CommandError('USAGE', `curl: option ${flag}: requires parameter\ncurl: try 'curl --help' or 'curl --manual' for more information`, 2);
      return v;
    };
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a === '-s' || a === '--silent' || a === '-S' || a === '--show-error' || a === '-L' || a === '--location' || a === '-k' || a === '--insecure' || a === '-f' || a === '--fail') {
        if (a === '-k' || a === '--insecure') insecure = true;
        if (a === '-s' || a === '--silent') silent = true;
        if (a === '-S' || a === '--show-error') showError = true;
        if (a === '-f' || a === '--fail') failOnError = true;
      } else if (a === '-v' || a === '--verbose') verbose = true;
      else if (a === '-i' || a === '--include') include = true;
      else if (a === '-I' || a === '--head') {
        head = true;
        method = 'HEAD';
      } else if (a === '-H' || a === '--header') {
        const h = value(++i, a);
        const colon = h.indexOf(':');
        if (colon > 0) headers.push([h.slice(0, colon).trim(), h.slice(colon + 1).trim()]);
      } else if (a === '-X' || a === '--request') method = value(++i, a).toUpperCase();
      else if (a === '-m' || a === '--max-time') maxTime = Number(value(++i, a));
      else if (a === '--connect-timeout') connectTimeout = Number(value(++i, a));
      else if (a === '-o' || a === '--output') outFile = value(++i, a);
      else if (a === '-w' || a === '--write-out') writeOut = value(++i, a);
      else if (a === '--cacert') caFile = value(++i, a);
      else if (a === '--resolve') {
        const entry = value(++i, a);
        const r = /^\+?([^:]+):(\d+|\*):(\[[0-9a-fA-F:.]+\]|[^,\s]+)(,.*)?$/.exec(entry);
        if (!r) throw new CommandError('USAGE', `curl: (49) Couldn't parse CURLOPT_RESOLVE entry '${entry}'`, 49);
        pinned.push({ host: r[1]!.toLowerCase(), port: r[2]!, addr: r[3]!, entry: entry.replace(/^\+/, '') });
      }
      else if (a.startsWith('-')) throw new CommandError('USAGE', `curl: option ${a}: is unknown\ncurl: try 'curl --help' or 'curl --manual' for more information`, 2);
      else url = a;
    }
    if (!url) throw new CommandError('USAGE', "curl: no URL specified!\ncurl: try 'curl --help' or 'curl --manual' for more information", 2);
    const m = /^(?:([a-zA-Z][a-zA-Z0-9+.-]*):\/\/)?([^/:?#]*)(?::([^/?#]*))?([^#]*)/.exec(url);
    if (!m) throw fail(3, 'URL rejected: Malformed input to a URL function');
    const scheme = (m[1] ?? 'http').toLowerCase();
    if (m[2] === '') throw fail(3, 'URL rejected: No host part in the URL');
    if (m[3] !== undefined && m[3] !== '' && !(/^\d{1,5}$/.test(m[3]) && Number(m[3]) <= 65535)) throw fail(3, 'URL rejected: Port number was not a decimal number between 0 and 65535');
    if (scheme !== 'http' && scheme !== 'https') throw fail(1, `Protocol "${scheme}" not supported`);
    const tls = scheme === 'https';
    const hostName = m[2]!;
    const defaultPort = tls ? 443 : 80;
    const port = m[3] ? Number(m[3]) : defaultPort;
    const path = m[4] || '/';
    const pin = pinned.find((p) => p.host === hostName.toLowerCase() && (p.port === '*' || Number(p.port) === port));
    const log = (line: string): void => {
      if (verbose) ctx.stderr.write(line + '\n');
    };
    // What -w reports: the status (000 until a response came), the peer once connected, the time spent.
    const info = { status: '000', remoteIp: '', remotePort: 0, totalMs: 0 };
    try {
      return await transfer();
    } catch (e) {
      if (!(e instanceof CommandError) || e.code !== 'EXEC_FAILED') throw e;
      // curl prints its error, then the --write-out text, and exits with the error's code.
      if (writeOut === undefined) {
        if (silent && !showError) return e.exitCode;
        throw e;
      }
      if (!silent || showError) ctx.stderr.write(e.message + '\n');
      ctx.stdout.write(formatWriteOut(writeOut, info, (w) => ctx.stderr.write(w)));
      return e.exitCode;
    }

    /** The certificates of the --cacert file; curl's error 77 when it cannot be read. */
    function readCaFile(name: string): Uint8Array[] {
      const place = placeOf(ctx.env);
      const body = readAny(ctx.env, place, absolute(place, name));
      const certs = body === undefined ? [] : certificatesIn(body);
      if (certs.length === 0) throw fail(77, `error setting certificate file: ${name}`);
      return certs;
    }

    /**
     * The HTTP response inside the server's TLS stream, once its certificate passed: trusted
     * (byte for byte one of the CA file's; the system's store holds none of the sandbox's) and
     * issued to the host name asked for (the subject's CN: the sandbox's certificates have no
     * SAN, and an address never matches a CN). With -k neither is checked.
     */
    function tlsResponse(data: Uint8Array, trustedCerts: Uint8Array[]): Uint8Array {
      const got = tlsClientRead(data);
      if (!got) throw fail(35, 'OpenSSL/3.0.13: error:0A00010B:SSL routines::wrong version number');
      if (got.alert || got.certificate === undefined) throw fail(35, 'OpenSSL/3.0.13: error:0A000410:SSL routines::sslv3 alert handshake failure');
      const chain = certificatesIn(got.certificate);
      const der = chain[0];
      if (!insecure) {
        const names = der ? certificateNames(der) : undefined;
        if (!der || !trusted(der, trustedCerts)) {
          const isSelfSigned = (c: Uint8Array | undefined): boolean => {
            const n = c ? certificateNames(c) : undefined;
            return n !== undefined && JSON.stringify(n.issuer) === JSON.stringify(n.subject);
          };
          // A chain the server sends whole, ending in its own root (the kubelet's), is OpenSSL's SELF_SIGNED_CERT_IN_CHAIN.
          const problem = chain.length > 1 && isSelfSigned(chain[chain.length - 1]) ? 'self-signed certificate in certificate chain' : isSelfSigned(der) && names ? 'self-signed certificate' : 'unable to get local issuer certificate';
          throw fail(60, `SSL certificate problem: ${problem}\n${CA_CERT_HELP}`);
        }
        const cn = commonName(der);
        if (parseIp(hostName) !== undefined || cn === undefined || cn.toLowerCase() !== hostName.toLowerCase()) {
          throw fail(60, `SSL: certificate subject name '${cn ?? ''}' does not match target host name '${hostName}'\n${CA_CERT_HELP}`);
        }
      }
      return got.response;
    }

    async function transfer(): Promise<number> {
      for (const p of pinned) log(`* Added ${p.entry} to DNS cache`);
      const pinnedIp = pin ? parseIp(pin.addr.replace(/^\[|\]$/g, '')) : undefined;
      if (pin) log(`* Hostname ${hostName} was found in DNS cache`);
      const resolved = pinnedIp !== undefined ? { ok: true as const, ip: pinnedIp } : resolveHost(ctx.env, hostName);
      if (!resolved.ok) throw fail(6, `Could not resolve host: ${hostName}`);
      const addr = formatIp(resolved.ip);
      log(`*   Trying ${addr}:${port}...`);
      const reqHeaders: [string, string][] = [
        ['Host', port === defaultPort ? hostName : `${hostName}:${port}`],
        ['User-Agent', 'curl/8.5.0'],
        ['Accept', '*/*'],
      ];
      for (const [k, v] of headers) {
        const at = reqHeaders.findIndex(([x]) => x.toLowerCase() === k.toLowerCase());
        if (at >= 0) reqHeaders[at] = [reqHeaders[at]![0], v];
        else reqHeaders.push([k, v]);
      }
      const requestText = `${method} ${path} HTTP/1.1\r\n${reqHeaders.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`;
      const requestBytes = Uint8Array.from(requestText, (c) => c.charCodeAt(0));
      // The CA file is read before connecting, as curl sets up its TLS context first.
      const cas = tls && !insecure && caFile !== undefined ? readCaFile(caFile) : [];
      // curl's own limit cuts the connect short only when it comes before the kernel gives up.
      const limit = Math.min(maxTime ?? Infinity, connectTimeout ?? Infinity);
      const curlFirst = limit * 1000 <= SYN_GIVE_UP_MS;
      const r = await ctx.env.sim.tcpSession(nsIdOf(ctx.env), resolved.ip, port, tls ? tlsClientStream(hostName, requestBytes) : requestBytes, {
        wait: (ms) => ctx.sleep(ms),
        ...(curlFirst ? { limitMs: limit * 1000 } : {}),
      });
      if (r.interrupted) return 130;
      if (r.kind === 'timeout' || r.kind === 'local-error') {
        const wait = curlFirst ? limit * 1000 : SYN_GIVE_UP_MS;
        if (wait > r.waitedMs && !(await ctx.sleep(wait - r.waitedMs))) return 130;
        if (r.kind === 'local-error' && r.errno === 'ENETUNREACH') throw fail(7, `Failed to connect to ${hostName} port ${port} after 0 ms: Couldn't connect to server`);
        info.totalMs = wait + 1;
        if (curlFirst) throw fail(28, maxTime !== undefined && (connectTimeout === undefined || maxTime <= connectTimeout) ? `Connection timed out after ${wait + 1} milliseconds` : `Failed to connect to ${hostName} port ${port} after ${wait + 1} ms: Timeout was reached`);
        info.totalMs = SYN_GIVE_UP_MS;
        throw fail(28, `Failed to connect to ${hostName} port ${port} after ${SYN_GIVE_UP_MS} ms: Couldn't connect to server`);
      }
      if (r.kind === 'refused' || (r.kind === 'icmp-error' && r.code === 3)) throw fail(7, `Failed to connect to ${hostName} port ${port} after 0 ms: Couldn't connect to server`);
      if (r.kind === 'icmp-error') {
        info.totalMs = 3071;
        throw fail(7, `Failed to connect to ${hostName} port ${port} after 3071 ms: No route to host`);
      }
      info.remoteIp = addr;
      info.remotePort = port;
      info.totalMs = r.totalMs;
      log(`* Connected to ${hostName} (${addr}) port ${port}`);
      if (tls) r.data = tlsResponse(r.data, cas);
      // Header lines reach the trace and the output as they went over the wire, CRLF included.
      for (const l of requestText.split('\r\n').slice(0, -1)) log(`> ${l}\r`);
      const response = text(r.data);
      // Not an HTTP response: nothing at all, or a server speaking another protocol (sshd's banner).
      if (response === '') {
        log('* Empty reply from server');
        log('* Closing connection');
        throw fail(52, 'Empty reply from server');
      }
      if (!/^HTTP\/\d/.test(response)) {
        log('* Received HTTP/0.9 when not allowed');
        log('* Closing connection');
        throw fail(1, 'Received HTTP/0.9 when not allowed');
      }
      const split = response.indexOf('\r\n\r\n');
      const headText = split >= 0 ? response.slice(0, split) : response;
      // A response to HEAD has no body whatever its Content-Length says.
      const body = split >= 0 && !head && method !== 'HEAD' ? response.slice(split + 4) : '';
      for (const l of headText.split('\r\n')) log(`< ${l}\r`);
      log('< \r');
      info.status = /^HTTP\/1\.[01] (\d{3})/.exec(headText)?.[1] ?? '000';
      // --fail: an HTTP error is curl's error 22, and nothing of the response is output.
      if (failOnError && Number(info.status) >= 400) throw fail(22, `The requested URL returned error: ${info.status}`);
      const output = (include || head ? headText + '\r\n\r\n' : '') + body;
      if (outFile === undefined) ctx.stdout.write(output);
      else if (output !== '') {
        // -o FILE: created when the first bytes arrive, as curl opens it lazily.
        const place = placeOf(ctx.env);
        const abs = absolute(place, outFile);
        if (abs !== '/dev/null') {
          const why = writeError(ctx.env, place, abs);
          if (why !== undefined) {
            if (!silent) ctx.stderr.write(`Warning: Failed to open the file ${outFile}: ${why}\n`);
            throw fail(23, 'Failure writing output to destination');
          }
          writeFile(ctx.env.sim.state, place.machine, abs, output, ctx.env.sim.clock.now());
        }
      }
      log(`* Connection #0 to host ${hostName} left intact`);
      if (writeOut !== undefined) ctx.stdout.write(formatWriteOut(writeOut, info, (w) => ctx.stderr.write(w)));
      return 0;
    }
  },
};
