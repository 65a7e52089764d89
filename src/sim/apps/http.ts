/**
 * What every program in the sandbox's images shares: the listener shape (sockets.ts), and the
 * bytes of HTTP/1.1 as the servers write them.
 *
 * Design notes: a request is the whole byte stream the client sent; a server reads its request
 * line, Host and other headers, and answers with one response and `Connection: close`. HEAD
 * gets GET's status and headers (Content-Length included) and no body. Go servers (agnhost,
 * hello-app) log through Go's `log` package: `2025/03/04 09:05:06 message`.
 * Left out: keep-alive, chunked bodies. TLS wraps these exchanges in sim/tls.ts.
 */
import { appendLog, logTime } from '../k8s/logs';
import type { Pod } from '../k8s/types';
import type { Listener, RequestContext, SocketFacts } from '../sockets';
import type { SimState } from '../state';

export type { Listener, RequestContext, SocketFacts };

export function ascii(text: string): Uint8Array {
  const b = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) b[i] = text.charCodeAt(i) & 0xff;
  return b;
}

export function text(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

/** One HTTP/1.1 response: status line, Server (when given), Content-Type, Content-Length, Connection: close. */
export function http(status: string, body: string, server?: string, contentType = 'text/plain; charset=utf-8'): Uint8Array {
  const head = [`HTTP/1.1 ${status}`, ...(server ? [`Server: ${server}`] : []), `Content-Type: ${contentType}`, `Content-Length: ${body.length}`, 'Connection: close', '', ''].join('\r\n');
  return ascii(head + body);
}

/**
 * An HTTP server's handler made to answer HEAD as HTTP says: the same status and headers as
 * GET, Content-Length included, and no body.
 */
export function headAware(handle: Listener['handle']): Listener['handle'] {
  return (req, ctx) => {
    const resp = handle(req, ctx);
    if (!resp || parseRequest(req)?.method !== 'HEAD') return resp;
    const t = text(resp);
    const end = t.indexOf('\r\n\r\n');
    return end < 0 ? resp : resp.slice(0, end + 4);
  };
}

/** nginx's built-in error page (ngx_http_special_response.c): CRLF line ends, the version in the tail. */
export function nginxErrorPage(status: string, server: string): string {
  return `<html>\r\n<head><title>${status}</title></head>\r\n<body>\r\n<center><h1>${status}</h1></center>\r\n<hr><center>${server}</center>\r\n</body>\r\n</html>\r\n`;
}

/** The request line's method, target and version, and the Host header. */
export function parseRequest(req: Uint8Array): { method: string; path: string; host: string; version: string } | undefined {
  const t = text(req);
  const end = t.indexOf('\r\n');
  if (end < 0) return undefined;
  const [method, path, version = 'HTTP/1.0'] = t.slice(0, end).split(' ');
  if (!method || !path) return undefined;
  const host = /\r\nhost:\s*([^\r\n]*)/i.exec(t)?.[1]?.trim() ?? '';
  return { method, path, host, version };
}

/** The request's header lines as [name, value], in the order sent. */
export function requestHeaders(req: Uint8Array): [string, string][] {
  const t = text(req);
  const end = t.indexOf('\r\n\r\n');
  const lines = (end < 0 ? t : t.slice(0, end)).split('\r\n').slice(1);
  const out: [string, string][] = [];
  for (const l of lines) {
    const colon = l.indexOf(':');
    if (colon > 0) out.push([l.slice(0, colon), l.slice(colon + 1).trim()]);
  }
  return out;
}

/** The request's body (what follows the blank line). */
export function requestBody(req: Uint8Array): string {
  const t = text(req);
  const end = t.indexOf('\r\n\r\n');
  return end < 0 ? '' : t.slice(end + 4);
}

/** A percent-encoded URI part decoded; left as is when it is not valid encoding. */
export function unescapeUri(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** A header's value from a request head, or undefined. */
export function header(req: string, name: string): string | undefined {
  return new RegExp(`\r\n${name}:[ \t]*([^\r\n]*)`, 'i').exec(req)?.[1]?.trim();
}

/** A line from a Go program's standard `log` package: `2025/03/04 09:05:06 message`. */
export function goLog(state: SimState, pod: Pod, container: string, now: number | undefined, message: string): void {
  const at = now ?? state.createdAt;
  appendLog(state, pod, container, at, [`${logTime(at)} ${message}`]);
}
