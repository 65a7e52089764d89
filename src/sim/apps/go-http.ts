/**
 * Go's net/http server as the Kubernetes components use it: the bytes of its responses and
 * its TLS listener's answer to plain HTTP.
 *
 * Design notes: a Go server writes the status line, the headers the handler set in sorted
 * order (http.Header.Write sorts by key), then the ones it adds itself: `Date` (RFC 1123 in
 * GMT, from the sandbox clock), `Content-Length`, and a `Content-Type` sniffed from the body
 * when the handler set none (http.DetectContentType: plain text is `text/plain;
 * charset=utf-8`); that is net/http's extraHeader order. An HTTP/1.0 request gets an
 * `HTTP/1.0` status line. http.Error and the 404 of a ServeMux
 * set Content-Type and X-Content-Type-Options and end the text with a newline. A HEAD request
 * gets the headers and no body. A TLS listener that reads plain HTTP answers as crypto/tls's
 * server does through net/http: `HTTP/1.0 400 Bad Request` and `Client sent an HTTP request to
 * an HTTPS server.`, then closes.
 * Left out: HTTP/2 (curl and Go's TLS servers would agree on h2 by ALPN; the sandbox's TLS has
 * no ALPN, so every exchange is HTTP/1.1), keep-alive, chunked bodies.
 */
import { looksLikeTls, tlsAlert, tlsServerRead, tlsServerStream } from '../tls';
import { ascii, parseRequest, type Listener, type RequestContext } from './http';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** http.TimeFormat: `Tue, 04 Mar 2025 09:05:06 GMT`. */
export function httpDate(ms: number): string {
  const d = new Date(ms);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]}, ${two(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} GMT`;
}

/** One Go response: the handler's headers sorted, then Date, Content-Length and a sniffed Content-Type. */
export function goResponse(status: string, headers: [string, string][], body: string, now: number, head = false): Uint8Array {
  const sorted = [...headers].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const sniffed = headers.some(([k]) => k === 'Content-Type') || body === '' ? [] : [['Content-Type', 'text/plain; charset=utf-8']];
  const lines = [`HTTP/1.1 ${status}`, ...sorted.map(([k, v]) => `${k}: ${v}`), `Date: ${httpDate(now)}`, `Content-Length: ${body.length}`, ...sniffed.map(([k, v]) => `${k}: ${v}`), '', ''];
  return ascii(lines.join('\r\n') + (head ? '' : body));
}

/** The plain text headers http.Error and the healthz handlers set. */
export const TEXT_HEADERS: [string, string][] = [['Content-Type', 'text/plain; charset=utf-8'], ['X-Content-Type-Options', 'nosniff']];

/** A ServeMux's answer for a path it has no handler for. */
export function goNotFound(now: number, head = false): Uint8Array {
  return goResponse('404 Not Found', TEXT_HEADERS, '404 page not found\n', now, head);
}

/** When a request arrived, for the Date header: the context's time or the sandbox's creation. */
export function requestTime(ctx: RequestContext): number {
  return ctx.now ?? ctx.state.createdAt;
}

/** Whether the request is HEAD (the response carries no body). */
export function isHead(req: Uint8Array): boolean {
  return parseRequest(req)?.method === 'HEAD';
}

/** What a Go TLS server answers to a client speaking plain HTTP. */
export const PLAIN_HTTP_TO_TLS = ascii('HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n');

/** A Go HTTP server's handler: an HTTP/1.0 request is answered with an HTTP/1.0 status line (net/http's writeStatusLine). */
export function goServe(handle: Listener['handle']): Listener['handle'] {
  return (req, ctx) => {
    const resp = handle(req, ctx);
    if (!resp || parseRequest(req)?.version !== 'HTTP/1.0' || resp[7] !== 0x31) return resp;
    const out = resp.slice();
    out[7] = 0x30;
    return out;
  };
}

/** A Go HTTPS server: TLS with `certificate` (PEM, the chain it presents) around `handle`. */
export function goTls(certificate: () => string, handle: Listener['handle']): Listener['handle'] {
  const inner = goServe(handle);
  return (req, ctx) => {
    if (!looksLikeTls(req)) return PLAIN_HTTP_TO_TLS;
    const hello = tlsServerRead(req);
    if (!hello) return tlsAlert();
    return tlsServerStream(certificate(), inner(hello.request, ctx));
  };
}
