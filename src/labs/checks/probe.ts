/**
 * `probe`: the grader sends traffic itself, from a place, and checks what came back.
 *
 * The traffic (a ping of a given size, a TCP connection, an HTTP request with a Host header, a DNS lookup)
 * crosses a scratch copy of the learner's sandbox, made fresh for every probe, so it sees
 * exactly their routes, rules, endpoints and faults while leaving their sandbox, its
 * counters, caches and captures untouched. This is how "the learner fixed it" is graded when
 * the fix is "it works now". Names are resolved as the C library at that place would
 * (resolv.conf, search list, CoreDNS through the Service). A failing probe says what
 * happened and where the traffic stopped, from the trace. Probes are not run at every packet,
 * only between commands (`live: false`).
 */
import { z } from 'zod';
import { VirtualClock } from '../../sim/clock';
import type { TraceResult } from '../../sim/forward';
import { formatIp, parseIp, type Ip } from '../../sim/ipv4';
import type { Sim } from '../../sim/sim';
import { resolveHost } from '../../shell/resolver';
import { explainTrace } from '../explain';
import { placeProblems, type ResolvedPlace } from '../places';
import { defineCheckKind, fail, pass, type CheckContext, type Verdict } from './types';

const HTTP_URL = /^http:\/\/[^/\s]+(\/\S*)?$/;
const WRITE_URL = 'write http://HOST[:PORT]/PATH';

const http = z
  .object({
    /** `http://HOST[:PORT]/PATH`; HOST is a name or an address (templated). */
    url: z.string().regex(HTTP_URL, WRITE_URL),
    /** The Host header to send, when it differs from the URL's host (Ingress rules). */
    host: z.string().optional(),
  })
  .strict();

const params = z
  .object({
    /** Where the traffic starts: a place (`@client`, `workstation`, `node:node-1`). */
    from: z.string(),
    /** Send one echo request to this address or name. */
    ping: z.string().optional(),
    /** ping: the echo request's data bytes, as `ping -s` gives them (default 56); a packet bigger than the path allows tests the MTUs on the way. */
    size: z.number().int().min(0).max(65507).optional(),
    /** Open a TCP connection to `HOST:PORT`. */
    tcp: z.string().regex(/^\S+:\d+$/, 'write HOST:PORT').optional(),
    /** Send an HTTP GET. */
    http: z.union([z.string(), http]).optional(),
    /** Look a name up (A record), as a program at `from` would. */
    dns: z.string().optional(),
    /**
     * What must happen: ping `reply` (default) or `no-reply`; tcp `open` (default),
     * `refused`, `timeout` or `closed` (refused or timeout); http `ok` (a 2xx, default),
     * a status code, or `fail` (no HTTP answer at all); dns `resolves` (default) or `fails`.
     */
    expect: z.union([z.string(), z.number().int()]).optional(),
    /** http: text the response body must contain (templated). */
    body: z.string().optional(),
    /** dns: the address the name must resolve to (templated). */
    to: z.string().optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    const actions = (['ping', 'tcp', 'http', 'dns'] as const).filter((a) => p[a] !== undefined);
    if (actions.length !== 1) ctx.addIssue({ code: 'custom', message: `give exactly one of ping, tcp, http and dns (found ${actions.length ? actions.join(', ') : 'none'})` });
    const allowed: Record<string, (string | number)[] | 'status'> = { ping: ['reply', 'no-reply'], tcp: ['open', 'refused', 'timeout', 'closed'], http: 'status', dns: ['resolves', 'fails'] };
    const a = actions[0];
    if (a && p.expect !== undefined) {
      const ok = allowed[a] === 'status' ? p.expect === 'ok' || p.expect === 'fail' || (typeof p.expect === 'number' && p.expect >= 100 && p.expect <= 599) : (allowed[a] as (string | number)[]).includes(p.expect);
      if (!ok) ctx.addIssue({ code: 'custom', message: `expect for ${a} is ${allowed[a] === 'status' ? 'ok, fail or an HTTP status code' : (allowed[a] as string[]).join(', ')}`, path: ['expect'] });
    }
    if (typeof p.http === 'string' && !HTTP_URL.test(p.http)) ctx.addIssue({ code: 'custom', message: WRITE_URL, path: ['http'] });
    if (p.body !== undefined && a !== 'http') ctx.addIssue({ code: 'custom', message: 'body applies to http probes only', path: ['body'] });
    if (p.to !== undefined && a !== 'dns') ctx.addIssue({ code: 'custom', message: 'to applies to dns probes only', path: ['to'] });
    if (p.size !== undefined && a !== 'ping') ctx.addIssue({ code: 'custom', message: 'size applies to ping probes only', path: ['size'] });
  });

type Params = z.output<typeof params>;

interface Env {
  sim: Sim;
  place: ResolvedPlace;
  ctx: CheckContext;
}

/** Resolves a host as the C library at the place would; undefined with a reason when it cannot. */
function lookup(env: Env, host: string): { ip: Ip } | { why: string } {
  const literal = parseIp(host);
  if (literal !== undefined) return { ip: literal };
  const r = resolveHost({ sim: env.sim, scheduler: new VirtualClock(env.ctx.now()), location: env.place.location, vars: {} }, host);
  if (r.ok) return { ip: r.ip };
  return { why: r.reason === 'timeout' ? `looking up ${host} from ${env.place.label} timed out (no DNS server answered)` : `${host} does not resolve from ${env.place.label}` };
}

function lastOf(traces: TraceResult[]): TraceResult | undefined {
  return traces.at(-1);
}

function probePing(p: Params, env: Env): Verdict {
  const target = env.ctx.render(p.ping!);
  const want = p.expect ?? 'reply';
  const addr = lookup(env, target);
  if ('why' in addr) return want === 'no-reply' ? pass(`No reply: ${addr.why}.`) : fail(`A ping from ${env.place.label} to ${target} could not be sent: ${addr.why}.`);
  const r = env.sim.ping(env.place.ns, addr.ip, { id: 0x4c41, seq: 1, ...(p.size !== undefined ? { size: p.size } : {}) });
  const replied = r.outcome.kind === 'reply';
  const story = explainTrace(env.sim, r.trace);
  const pings = p.size !== undefined ? `pings of ${p.size} data bytes` : 'pings';
  const aPing = p.size !== undefined ? `A ping of ${p.size} data bytes` : 'A ping';
  if (replied === (want === 'reply')) return pass(replied ? `${target} answers ${pings} from ${env.place.label}.` : `${target} does not answer ${pings} from ${env.place.label}. ${story}`);
  return fail(replied ? `${target} still answers ${pings} from ${env.place.label}.` : `${aPing} from ${env.place.label} to ${target} gets no reply. ${story}`);
}

function probeTcp(p: Params, env: Env): Verdict {
  const text = env.ctx.render(p.tcp!);
  const colon = text.lastIndexOf(':');
  const host = text.slice(0, colon);
  const port = Number(text.slice(colon + 1));
  const want = p.expect ?? 'open';
  const addr = lookup(env, host);
  if ('why' in addr) return want === 'open' ? fail(`Cannot connect from ${env.place.label} to ${text}: ${addr.why}.`) : pass(`No connection: ${addr.why}.`);
  const r = env.sim.tcpRequest(env.place.ns, addr.ip, port, new Uint8Array(0));
  const got = r.kind === 'response' ? 'open' : r.kind === 'refused' || r.kind === 'icmp-error' ? 'refused' : r.kind === 'local-error' ? 'refused' : 'timeout';
  const ok = want === 'closed' ? got !== 'open' : got === want;
  const story = explainTrace(env.sim, r.traces[0]!);
  const said = got === 'open' ? `a TCP connection from ${env.place.label} to ${text} opens` : got === 'refused' ? `a TCP connection from ${env.place.label} to ${text} is refused` : `a TCP connection from ${env.place.label} to ${text} times out`;
  return ok ? pass(`${capital(said)}.`) : fail(`${capital(said)}${got === 'open' ? '' : `. ${story}`}`.trim() + (got === 'open' ? '.' : ''));
}

function probeHttp(p: Params, env: Env): Verdict {
  const spec = typeof p.http === 'string' ? { url: p.http } : p.http!;
  const url = env.ctx.render(spec.url);
  const m = /^http:\/\/([^/:]+)(?::(\d+))?(\/.*)?$/.exec(url);
  if (!m) return fail(`The lab's probe URL ${url} is not an http:// URL.`);
  const host = m[1]!;
  const port = m[2] ? Number(m[2]) : 80;
  const path = m[3] ?? '/';
  const hostHeader = spec.host !== undefined ? env.ctx.render(spec.host) : m[2] ? `${host}:${port}` : host;
  const want = p.expect ?? 'ok';
  const label = `GET ${url}${spec.host !== undefined ? ` (Host: ${hostHeader})` : ''} from ${env.place.label}`;
  const addr = lookup(env, host);
  if ('why' in addr) return want === 'fail' ? pass(`${label} fails: ${addr.why}.`) : fail(`${label} fails: ${addr.why}.`);
  const req = `GET ${path} HTTP/1.1\r\nHost: ${hostHeader}\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n`;
  const r = env.sim.tcpRequest(env.place.ns, addr.ip, port, Uint8Array.from(req, (c) => c.charCodeAt(0) & 0xff));
  if (r.kind !== 'response') {
    const story = explainTrace(env.sim, r.traces[0] ?? lastOf(r.traces)!);
    // An ICMP port unreachable (a REJECT rule) is what `Connection refused` reports too.
    const refused = r.kind === 'refused' || (r.kind === 'icmp-error' && r.code === 3);
    const how = refused ? 'the connection is refused' : r.kind === 'timeout' ? 'the connection times out' : 'the connection fails';
    return want === 'fail' ? pass(`${label}: ${how}.`) : fail(`${label}: ${how}. ${story}`.trim());
  }
  const text = String.fromCharCode(...r.data);
  const sm = /^HTTP\/1\.[01] (\d{3})/.exec(text);
  if (!sm) return want === 'fail' ? pass(`${label}: no HTTP answer.`) : fail(`${label}: the connection opens but no HTTP answer comes back.`);
  const status = Number(sm[1]);
  if (want === 'fail') return fail(`${label} is answered with HTTP ${status}.`);
  const statusOk = want === 'ok' ? status >= 200 && status < 300 : status === want;
  if (!statusOk) return fail(`${label} is answered with HTTP ${status}, not ${want === 'ok' ? 'a 2xx success' : want}.`);
  if (p.body !== undefined) {
    const needle = env.ctx.render(p.body);
    const body = text.slice(text.indexOf('\r\n\r\n') + 4);
    if (!body.includes(needle)) return fail(`${label} is answered with HTTP ${status}, but the page does not contain "${needle}".`);
  }
  return pass(`${label} is answered with HTTP ${status}.`);
}

function probeDns(p: Params, env: Env): Verdict {
  const name = env.ctx.render(p.dns!);
  const want = p.expect ?? 'resolves';
  const r = resolveHost({ sim: env.sim, scheduler: new VirtualClock(env.ctx.now()), location: env.place.location, vars: {} }, name);
  if (!r.ok) {
    const why = r.reason === 'timeout' ? `looking up ${name} from ${env.place.label} times out: no DNS server answers` : `${name} does not resolve from ${env.place.label}`;
    // A name starts the sentence as it is written (`nosuch does not resolve`).
    const said = r.reason === 'timeout' ? capital(why) : why;
    return want === 'fails' ? pass(`${said}.`) : fail(`${said}.`);
  }
  if (want === 'fails') return fail(`${name} resolves from ${env.place.label} to ${formatIp(r.ip)}.`);
  if (p.to !== undefined && parseIp(env.ctx.render(p.to)) !== r.ip) return fail(`${name} resolves from ${env.place.label} to ${formatIp(r.ip)}, not ${env.ctx.render(p.to)}.`);
  return pass(`${name} resolves from ${env.place.label} to ${formatIp(r.ip)}.`);
}

export const probeCheck = defineCheckKind<Params>({
  name: 'probe',
  doc: 'The grader sends traffic itself from a place (a ping, a TCP connection, an HTTP GET with an optional Host header, a DNS lookup) in a scratch copy of the sandbox and checks what comes back; the learner\'s sandbox is untouched. Use it to grade "it works now" after a fix.',
  example: { probe: { from: '@client', http: 'http://web/', expect: 200, body: 'Welcome to nginx' } },
  params: () => params,
  live: false,
  lint: (p) => placeProblems([['from', p.from]]),
  evaluate(p, ctx) {
    const place = ctx.place(p.from);
    const env: Env = { sim: ctx.scratch(), place, ctx };
    if (p.ping !== undefined) return probePing(p, env);
    if (p.tcp !== undefined) return probeTcp(p, env);
    if (p.http !== undefined) return probeHttp(p, env);
    return probeDns(p, env);
  },
});

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
