/**
 * CoreDNS as its Corefile configures it: the `coredns` ConfigMap read, reloaded and served.
 *
 * Design notes: CoreDNS reads /etc/coredns/Corefile, the `Corefile` key of the kube-system
 * `coredns` ConfigMap (system-objects.ts). Parsing follows coredns/caddy's Caddyfile parser
 * (server blocks `ZONE[:PORT] { ... }`, one directive per line, nested `{ }` blocks, `#`
 * comments, quotes) with its messages (`/etc/coredns/Corefile:N - Error during parsing:
 * Unexpected '}' because no matching opening brace`, `Unexpected EOF`, `Unknown directive
 * 'x'`); each modelled plugin's setup checks its arguments (`plugin/forward: ...Wrong argument
 * count or unexpected line ending after 'forward'`).
 *
 * Reload (plugin/reload, CoreDNS v1.11.3 reload.go and setup.go): the ticker fires every
 * `interval` (30s) shifted once by a jitter drawn from [-jitter/2, +jitter/2) (15s, so 22.5 to
 * 37.5s; one draw per cluster here, from the seed), counted from CoreDNS's start. At each tick
 * the Corefile is parsed: a syntax error logs `[WARNING] plugin/reload: Corefile parse failed:
 * ...` at every tick and keeps the running configuration; a changed file restarts the server:
 * success logs `[INFO] Reloading`, the new configuration's `[INFO] plugin/reload: Running
 * configuration SHA512 = ...` and `[INFO] Reloading complete`, and empties the cache; a failed
 * setup logs `[ERROR] plugin/reload: Corefile changed but reload failed: ...` once and keeps
 * the old configuration. A configuration without `reload` never reloads again.
 * Simplified: the kubelet's delay in updating the ConfigMap volume (up to its sync period,
 * about a minute) is left out, so a change is seen at the next tick; both CoreDNS replicas
 * share one configuration, ticker and cache, and both write the reload lines; the SHA512
 * shown is a stand-in digest of the file, not SHA-512 of the parsed blocks.
 *
 * Serving: the server block whose zone is the longest suffix of the name answers (`.:53` in
 * kubeadm's file; a stub domain such as `example.org:53 { forward . 10.0.0.53 }` takes its
 * zone). Plugins run in CoreDNS's compiled order (plugin.cfg), not the file's: errors, log,
 * cache, rewrite, hosts, kubernetes, forward.
 * - log: one `[INFO]` line per query in the common format (`10.244.1.3:52866 - 5349 "A IN
 *   web.default.svc.cluster.local. udp 64 false 1232" NOERROR qr,aa,rd 106 0.000112s`); the
 *   duration is a stable stand-in (the sandbox answers instantly).
 * - errors: `[ERROR] plugin/errors: 2 NAME. TYPE: ...` for failed forwards.
 * - cache TTL: answers are cached up to TTL seconds (capped by the record TTLs; denials
 *   without an SOA for 5s), served with their TTL counting down, and the first reply already
 *   carries the capped TTL, as cache.go does; `disable success|denial ZONES` keeps those
 *   answers out (kubeadm: the cluster domain).
 * - rewrite [stop|continue] name [exact|prefix|suffix|substring|regex] FROM TO [answer auto]:
 *   the question is rewritten before the later plugins and restored in the reply; answer
 *   names are mapped back for exact rules and `answer auto`.
 * - hosts [FILE] { IP NAME...; ttl; fallthrough; no_reverse }: inline entries and the
 *   container's /etc/hosts (localhost); a name it does not have is SERVFAIL unless
 *   `fallthrough` (hosts.go: it has no SOA for an NXDOMAIN).
 * - kubernetes ZONES { pods insecure|verified|disabled; fallthrough [ZONES]; ttl N } (coredns.ts).
 * - forward . /etc/resolv.conf|ADDR...: the node's resolver (the LAN's router) answers; any
 *   other address is unreachable from the sandbox: SERVFAIL and an errors line.
 * - loadbalance, health, ready, prometheus, loop: accepted; they change no answer here.
 * No plugin answering (no forward for a name outside the zones) is SERVFAIL.
 */
import { DNS_TYPES, RCODES, decodeDns, dnsResponse, encodeDns, fqdn, typeName, type DnsMessage, type DnsRecord } from '../dns';
import { formatIp, parseIp } from '../ipv4';
import { deriveRng } from '../rng';
import type { SimState } from '../state';
import { resolveCluster, type KubernetesOptions } from './coredns';
import { appendLog } from './logs';
import { fnv32a } from './names';
import { getStored } from './objects';
import { kubeadmCorefile } from './system-objects';
import type { CoreDnsRuntime, Pod } from './types';

export const COREFILE_PATH = '/etc/coredns/Corefile';

// ---------------------------------------------------------------------------------- parsing

interface Token {
  text: string;
  line: number;
  quoted: boolean;
}

export interface Directive {
  name: string;
  args: string[];
  line: number;
  /** The lines of a `{ }` block after the directive, each as a directive of its own. */
  block?: Directive[];
}

export interface ServerBlock {
  keys: string[];
  directives: Directive[];
}

export class CorefileError extends Error {}

const perr = (line: number, msg: string): CorefileError => new CorefileError(`${COREFILE_PATH}:${line} - Error during parsing: ${msg}`);

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n') {
      line++;
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (c === '"') {
      let s = '';
      const start = line;
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && text[i + 1] === '"') i++;
        if (text[i] === '\n') line++;
        s += text[i];
        i++;
      }
      i++;
      out.push({ text: s, line: start, quoted: true });
      continue;
    }
    let s = '';
    while (i < text.length && !/[\s]/.test(text[i]!)) s += text[i++];
    out.push({ text: s, line, quoted: false });
  }
  return out;
}

/** coredns/caddy's parser, without import and env replacement: server blocks of directives. */
export function parseCorefile(text: string): ServerBlock[] {
  const toks = tokenize(text);
  const blocks: ServerBlock[] = [];
  let i = 0;
  const lastLine = toks.length ? toks[toks.length - 1]!.line : 1;
  while (i < toks.length) {
    // Keys: the tokens up to `{` (or the end of the line when the file has a single block without braces).
    const keys: string[] = [];
    const keyLine = toks[i]!.line;
    while (i < toks.length && toks[i]!.text !== '{') {
      if (toks[i]!.text === '}') throw perr(toks[i]!.line, "Unexpected '}' because no matching opening brace");
      if (toks[i]!.line !== keyLine && !keys[keys.length - 1]?.endsWith(',')) break;
      keys.push(...toks[i]!.text.split(',').filter((k) => k !== ''));
      i++;
    }
    const braced = i < toks.length && toks[i]!.text === '{';
    if (braced) i++;
    const directives: Directive[] = [];
    for (;;) {
      if (i >= toks.length) {
        if (braced) throw perr(lastLine, 'Unexpected EOF');
        break;
      }
      const t = toks[i]!;
      if (t.text === '}' && !t.quoted) {
        if (!braced) throw perr(t.line, "Unexpected '}' because no matching opening brace");
        i++;
        break;
      }
      // A directive: the rest of its line, and a nested block if the line ends with `{`.
      const d: Directive = { name: t.text, args: [], line: t.line };
      i++;
      while (i < toks.length && toks[i]!.line === t.line && !(toks[i]!.text === '{' && !toks[i]!.quoted) && !(toks[i]!.text === '}' && !toks[i]!.quoted)) d.args.push(toks[i++]!.text);
      if (i < toks.length && toks[i]!.text === '{' && !toks[i]!.quoted) {
        i++;
        d.block = [];
        for (;;) {
          if (i >= toks.length) throw perr(lastLine, 'Unexpected EOF');
          const u = toks[i]!;
          if (u.text === '}' && !u.quoted) {
            i++;
            break;
          }
          if (u.text === '{' && !u.quoted) throw perr(u.line, "Unexpected '{' on a new line; did you mean to place the '{' on the previous line?");
          const sub: Directive = { name: u.text, args: [], line: u.line };
          i++;
          while (i < toks.length && toks[i]!.line === u.line && !(toks[i]!.text === '}' && !toks[i]!.quoted)) {
            if (toks[i]!.text === '{' && !toks[i]!.quoted) throw perr(toks[i]!.line, 'Unexpected EOF');
            sub.args.push(toks[i++]!.text);
          }
          d.block.push(sub);
        }
      }
      directives.push(d);
    }
    blocks.push({ keys, directives });
  }
  return blocks;
}

// ---------------------------------------------------------------------------------- setup

/** CoreDNS v1.11's compiled-in plugins (plugin.cfg), in execution order. */
const PLUGINS = ['metadata', 'geoip', 'cancel', 'tls', 'timeouts', 'reload', 'nsid', 'bufsize', 'bind', 'debug', 'trace', 'ready', 'health', 'pprof', 'prometheus', 'errors', 'log', 'dnstap', 'local', 'dns64', 'acl', 'any', 'chaos', 'loadbalance', 'tsig', 'cache', 'rewrite', 'header', 'dnssec', 'autopath', 'minimal', 'template', 'transfer', 'hosts', 'route53', 'azure', 'clouddns', 'k8s_external', 'kubernetes', 'file', 'auto', 'secondary', 'etcd', 'loop', 'forward', 'grpc', 'erratic', 'whoami', 'on', 'sign', 'view'];

export interface RewriteRule {
  match: 'exact' | 'prefix' | 'suffix' | 'substring' | 'regex';
  from: string;
  to: string;
  answerAuto: boolean;
  stop: boolean;
}

export interface ServerConfig {
  zones: string[];
  port: number;
  log: boolean;
  errors: boolean;
  cache?: { ttl: number; disableSuccess: string[]; disableDenial: string[] };
  rewrites: RewriteRule[];
  hosts?: { entries: Record<string, string[]>; ttl: number; fallthrough?: string[]; noReverse: boolean; zones: string[] };
  kubernetes?: Required<Pick<KubernetesOptions, 'ttl' | 'pods' | 'zones'>> & { fallthrough?: string[] };
  forward?: { from: string; to: string[] };
  reload?: { interval: number; jitter: number };
}

const argErr = (plugin: string, d: Directive): CorefileError => new CorefileError(`plugin/${plugin}: ${perr(d.line, `Wrong argument count or unexpected line ending after '${d.name}'`).message}`);
const propErr = (plugin: string, d: Directive): CorefileError => new CorefileError(`plugin/${plugin}: ${perr(d.line, `unknown property '${d.name}'`).message}`);

const normZone = (z: string): string => {
  const s = z.toLowerCase().replace(/^dns:\/\//, '').replace(/:\d+$/, '');
  return s === '.' || s === '' ? '.' : s.replace(/\.$/, '') + '.';
};

/** Go duration text (`30s`, `1m`, `500ms`) in milliseconds, or undefined. */
function goDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
}

/** Each server block set up as CoreDNS's plugin setup functions would; throws their error. */
export function setupCorefile(blocks: ServerBlock[]): ServerConfig[] {
  const out: ServerConfig[] = [];
  for (const b of blocks) {
    const zones = b.keys.map(normZone);
    const portMatch = /:(\d+)$/.exec(b.keys[0] ?? '');
    const cfg: ServerConfig = { zones, port: portMatch ? Number(portMatch[1]) : 53, log: false, errors: false, rewrites: [] };
    for (const d of b.directives) {
      if (!PLUGINS.includes(d.name)) throw perr(d.line, `Unknown directive '${d.name}'`);
      switch (d.name) {
        case 'log':
          cfg.log = true;
          break;
        case 'errors':
          cfg.errors = true;
          break;
        case 'reload': {
          const interval = d.args[0] !== undefined ? goDuration(d.args[0]) : 30_000;
          const jitter = d.args[1] !== undefined ? goDuration(d.args[1]) : 15_000;
          if (interval === undefined || jitter === undefined || d.args.length > 2) throw argErr('reload', d);
          if (interval < 2000) throw new CorefileError('plugin/reload: interval value must be greater or equal to 2s');
          if (jitter < 1000) throw new CorefileError('plugin/reload: jitter value must be greater or equal to 1s');
          cfg.reload = { interval, jitter: Math.min(jitter, interval / 2) };
          break;
        }
        case 'cache': {
          if (d.args.length > 0 && !/^\d+$/.test(d.args[0]!)) throw new CorefileError(`plugin/cache: ${perr(d.line, `cache: invalid TTL "${d.args[0]}"`).message}`);
          const c = { ttl: d.args[0] ? Number(d.args[0]) : 3600, disableSuccess: [] as string[], disableDenial: [] as string[] };
          for (const o of d.block ?? []) {
            if (o.name === 'disable') {
              if (o.args[0] !== 'success' && o.args[0] !== 'denial') throw new CorefileError(`plugin/cache: ${perr(o.line, `cache type for disable must be "success" or "denial"`).message}`);
              (o.args[0] === 'success' ? c.disableSuccess : c.disableDenial).push(...(o.args.length > 1 ? o.args.slice(1).map(normZone) : zones));
            } else if (!['success', 'denial', 'prefetch', 'serve_stale', 'servfail', 'keepttl'].includes(o.name)) throw propErr('cache', o);
          }
          cfg.cache = c;
          break;
        }
        case 'rewrite': {
          const a = [...d.args];
          let stop = true;
          if (a[0] === 'stop' || a[0] === 'continue') stop = a.shift() === 'stop';
          if (a[0] !== 'name') throw new CorefileError(`plugin/rewrite: ${perr(d.line, `the sandbox models only 'rewrite name' rules, not '${a[0] ?? ''}'`).message}`);
          a.shift();
          let match: RewriteRule['match'] = 'exact';
          if (['exact', 'prefix', 'suffix', 'substring', 'regex'].includes(a[0] ?? '')) match = a.shift() as RewriteRule['match'];
          if (a.length < 2) throw new CorefileError(`plugin/rewrite: ${perr(d.line, 'too few arguments for name rule').message}`);
          const [from, to, ...opts] = a as [string, string, ...string[]];
          if (match === 'regex') {
            try {
              new RegExp(from);
            } catch {
              throw new CorefileError(`plugin/rewrite: ${perr(d.line, `invalid regex pattern in a name rule: ${from}`).message}`);
            }
          }
          cfg.rewrites.push({ match, from: match === 'exact' ? normZone(from) : from.toLowerCase(), to: match === 'exact' ? normZone(to) : to, answerAuto: opts.join(' ') === 'answer auto', stop });
          break;
        }
        case 'hosts': {
          const h = { entries: {} as Record<string, string[]>, ttl: 3600, noReverse: false, zones: d.args.length > 1 ? d.args.slice(1).map(normZone) : zones } as NonNullable<ServerConfig['hosts']>;
          for (const o of d.block ?? []) {
            if (o.name === 'ttl') {
              if (!/^\d+$/.test(o.args[0] ?? '')) throw argErr('hosts', o);
              h.ttl = Number(o.args[0]);
            } else if (o.name === 'fallthrough') h.fallthrough = o.args.map(normZone);
            else if (o.name === 'no_reverse') h.noReverse = true;
            else if (o.name === 'reload') continue;
            else if (parseIp(o.name) !== undefined) {
              for (const n of o.args) (h.entries[normZone(n)] ??= []).push(o.name);
            } else throw propErr('hosts', o);
          }
          cfg.hosts = h;
          break;
        }
        case 'kubernetes': {
          const k: NonNullable<ServerConfig['kubernetes']> = { ttl: 5, pods: 'disabled', zones: d.args.length ? d.args.map(normZone) : zones };
          for (const o of d.block ?? []) {
            if (o.name === 'pods') {
              if (o.args.length !== 1 || !['disabled', 'insecure', 'verified'].includes(o.args[0]!)) throw argErr('kubernetes', o);
              k.pods = o.args[0] as 'disabled' | 'insecure' | 'verified';
            } else if (o.name === 'fallthrough') k.fallthrough = o.args.map(normZone);
            else if (o.name === 'ttl') {
              const n = Number(o.args[0]);
              if (o.args.length !== 1 || !/^\d+$/.test(o.args[0]!)) throw argErr('kubernetes', o);
              if (n > 3600) throw new CorefileError(`plugin/kubernetes: ${perr(o.line, `ttl must be in range [0, 3600]: ${n}`).message}`);
              k.ttl = n;
            } else if (!['endpoint', 'tls', 'kubeconfig', 'namespaces', 'labels', 'namespace_labels', 'endpoint_pod_names', 'noendpoints', 'ignore', 'multicluster', 'startup_timeout'].includes(o.name)) throw propErr('kubernetes', o);
          }
          cfg.kubernetes = k;
          break;
        }
        case 'forward': {
          if (d.args.length < 2) throw argErr('forward', d);
          const to = d.args.slice(1);
          for (const t of to) {
            if (t !== '/etc/resolv.conf' && parseIp(t.replace(/^dns:\/\//, '').replace(/:\d+$/, '')) === undefined) throw new CorefileError(`plugin/forward: not an IP address or file: "${t}"`);
          }
          for (const o of d.block ?? []) {
            if (!['max_concurrent', 'except', 'force_tcp', 'prefer_udp', 'expire', 'max_fails', 'health_check', 'policy', 'tls', 'tls_servername', 'next', 'failfast_all_unhealthy_upstreams'].includes(o.name)) throw propErr('forward', o);
          }
          cfg.forward = { from: normZone(d.args[0]!), to };
          break;
        }
        default:
          break;
      }
    }
    out.push(cfg);
  }
  return out;
}

type Loaded = { ok: true; servers: ServerConfig[] } | { ok: false; syntax: boolean; error: string };

/** Set-up configurations by Corefile text (a few texts at most: every query reads one). */
const loadedCache = new Map<string, Loaded>();

/** Parses and sets up a Corefile; the error text CoreDNS would report, or the configuration. */
export function loadCorefile(text: string): Loaded {
  const hit = loadedCache.get(text);
  if (hit) return hit;
  const r = loadUncached(text);
  if (loadedCache.size > 16) loadedCache.clear();
  loadedCache.set(text, r);
  return r;
}

function loadUncached(text: string): Loaded {
  let blocks: ServerBlock[];
  try {
    blocks = parseCorefile(text);
  } catch (e) {
    if (e instanceof CorefileError) return { ok: false, syntax: true, error: e.message };
    throw e;
  }
  try {
    return { ok: true, servers: setupCorefile(blocks) };
  } catch (e) {
    if (e instanceof CorefileError) return { ok: false, syntax: false, error: e.message };
    throw e;
  }
}

// ---------------------------------------------------------------------------------- running state

export type { CoreDnsRuntime } from './types';

function currentCorefile(state: SimState): string | undefined {
  const cm = getStored(state, 'configmaps', 'kube-system', 'coredns');
  const data = cm?.data as Record<string, unknown> | undefined;
  return typeof data?.Corefile === 'string' ? data.Corefile : undefined;
}

function corednsPods(state: SimState): Pod[] {
  return Object.values(state.k8s.pods)
    .filter((p) => p.metadata.namespace === 'kube-system' && p.metadata.labels?.['k8s-app'] === 'kube-dns' && p.status.phase === 'Running')
    .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
}

/** A stand-in for the SHA512 CoreDNS prints: 128 hex digits derived from the file. */
export function configDigest(text: string): string {
  let out = '';
  for (let i = 0; out.length < 128; i++) out += fnv32a(`${i}:${text}`).toString(16).padStart(8, '0');
  return out;
}

/** CoreDNS's version line and build line (registry.k8s.io/coredns/coredns:v1.11.3, kubeadm v1.32's). */
export const COREDNS_BUILD = ['CoreDNS-1.11.3', 'linux/amd64, go1.21.11, a6338e9'];

/**
 * What a CoreDNS container prints as it starts: each server's address (`.:53`), the reload
 * plugin's digest line when the file has `reload`, then the version and build lines. The
 * file is the one CoreDNS started with: the first one for a pod started before the first
 * reload, the running one after.
 */
export function corednsStartup(state: SimState, started: number): string[] {
  const rt = state.k8s.coredns;
  const text = rt ? (rt.firstReload === undefined || started < rt.firstReload ? (rt.initial ?? rt.running) : rt.running) : currentCorefile(state);
  if (text === undefined) return [];
  const loaded = loadCorefile(text);
  if (!loaded.ok) return [];
  const addrs = [...new Set(loaded.servers.flatMap((s) => s.zones.map((z) => `${z}:${s.port}`)))];
  const reload = loaded.servers.some((s) => s.reload) ? [`[INFO] plugin/reload: Running configuration SHA512 = ${configDigest(text)}`] : [];
  return [...addrs, ...reload, ...COREDNS_BUILD];
}

function logAll(state: SimState, at: number, lines: string[]): void {
  for (const p of corednsPods(state)) appendLog(state, p, 'coredns', at, lines);
}

const MAX_TICKS_PER_SYNC = 200;

/**
 * Brings CoreDNS's configuration up to `now`: runs the reload ticks that fell due since the
 * last call against the ConfigMap's current Corefile (it only changes through the API, which
 * calls this first). Returns the configuration in force.
 */
export function syncCoreDns(state: SimState, now: number): CoreDnsRuntime | undefined {
  const text = currentCorefile(state);
  let rt = state.k8s.coredns;
  if (!rt) {
    if (text === undefined) return undefined;
    const start = Math.min(...corednsPods(state).map((p) => Date.parse(p.status.startTime ?? '') || now), now);
    const loaded = loadCorefile(text);
    const reload = loaded.ok ? loaded.servers.find((s) => s.reload)?.reload : undefined;
    const rng = deriveRng(state.seed, 'coredns-reload');
    const interval = (reload?.interval ?? 30_000) + Math.floor(rng.int(reload?.jitter ?? 15_000)) - Math.floor((reload?.jitter ?? 15_000) / 2);
    rt = state.k8s.coredns = { running: text, initial: text, seen: text, interval, cache: {}, ...(reload ? { nextTick: start + interval } : {}) };
  }
  if (rt.nextTick === undefined || text === undefined) return rt;
  if (text === rt.seen) {
    // Nothing to do at the ticks: jump to the first one after now.
    if (rt.nextTick <= now) rt.nextTick += Math.ceil((now - rt.nextTick + 1) / rt.interval) * rt.interval;
    return rt;
  }
  let n = 0;
  while (rt.nextTick !== undefined && rt.nextTick <= now && n++ < MAX_TICKS_PER_SYNC) {
    const at: number = rt.nextTick;
    rt.nextTick = at + rt.interval;
    if (text === rt.seen) continue;
    const loaded = loadCorefile(text);
    if (!loaded.ok && loaded.syntax) {
      logAll(state, at, [`[WARNING] plugin/reload: Corefile parse failed: ${loaded.error}`]);
      continue;
    }
    rt.seen = text;
    if (!loaded.ok) {
      logAll(state, at, [`[ERROR] plugin/reload: Corefile changed but reload failed: ${loaded.error}`]);
      continue;
    }
    rt.running = text;
    rt.firstReload ??= at;
    rt.cache = {};
    logAll(state, at, ['[INFO] Reloading', `[INFO] plugin/reload: Running configuration SHA512 = ${configDigest(text)}`, '[INFO] Reloading complete']);
    if (!loaded.servers.some((s) => s.reload)) delete rt.nextTick;
  }
  if (rt.nextTick !== undefined && rt.nextTick <= now) rt.nextTick += Math.ceil((now - rt.nextTick + 1) / rt.interval) * rt.interval;
  return rt;
}

// ---------------------------------------------------------------------------------- serving

const lower = (s: string): string => s.toLowerCase();
const inZone = (name: string, zone: string): boolean => zone === '.' || name === zone || name.endsWith('.' + zone);

function rewriteName(rules: RewriteRule[], name: string): { name: string; rule?: RewriteRule } {
  let cur = name;
  let used: RewriteRule | undefined;
  for (const r of rules) {
    let next: string | undefined;
    const n = lower(cur);
    if (r.match === 'exact' && n === r.from) next = r.to;
    else if (r.match === 'prefix' && n.startsWith(r.from)) next = r.to + cur.slice(r.from.length);
    else if (r.match === 'suffix' && n.endsWith(r.from)) next = cur.slice(0, cur.length - r.from.length) + r.to;
    else if (r.match === 'substring' && n.includes(r.from)) next = cur.replace(new RegExp(r.from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i'), r.to);
    else if (r.match === 'regex') {
      const m = new RegExp(r.from, 'i').exec(cur);
      if (m) next = r.to.replace(/\{(\d+)\}/g, (_, i: string) => m[Number(i)] ?? '');
    }
    if (next === undefined) continue;
    cur = next;
    used = r;
    if (r.stop) break;
  }
  return { name: cur, ...(used ? { rule: used } : {}) };
}

export interface ServeContext {
  /** The upstream resolver's answer (the LAN's router) for `forward . /etc/resolv.conf`. */
  upstream(q: DnsMessage): DnsMessage;
  /** The router's address: a forward to it reaches the upstream; any other does not. */
  upstreamIp: string;
  peer: { ip: number; port: number };
  proto: 'udp' | 'tcp';
  /** The CoreDNS pod answering (for its logs), if known. */
  pod?: Pod;
  now: number;
}

interface Outcome {
  rcode: number;
  answers: DnsRecord[];
  authority: DnsRecord[];
  additional: DnsRecord[];
  aa: boolean;
  ra: boolean;
  error?: string;
}

const SERVFAIL = (error?: string): Outcome => ({ rcode: RCODES.SERVFAIL, answers: [], authority: [], additional: [], aa: false, ra: false, ...(error ? { error } : {}) });

/** One server block's plugin chain from rewrite on. */
function chain(state: SimState, cfg: ServerConfig, q: DnsMessage, sc: ServeContext): Outcome {
  const question = q.questions[0]!;
  const qname = fqdn(question.name);
  const name = lower(qname);
  const h = cfg.hosts;
  if (h && (h.zones.some((z) => inZone(name, z)) || question.type === DNS_TYPES.PTR)) {
    const file: Record<string, string[]> = { 'localhost.': ['127.0.0.1'], ...(sc.pod?.status.podIP ? { [`${sc.pod.metadata.name}.`]: [sc.pod.status.podIP] } : {}) };
    const ips = [...(h.entries[name] ?? []), ...(file[name] ?? [])];
    if (question.type === DNS_TYPES.PTR) {
      const rev = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\.in-addr\.arpa\.$/.exec(name);
      const ip = rev ? `${rev[4]}.${rev[3]}.${rev[2]}.${rev[1]}` : '';
      const names = h.noReverse ? [] : Object.entries(h.entries).filter(([, v]) => v.includes(ip)).map(([k]) => k);
      if (names.length) return { rcode: 0, answers: names.map((t) => ({ name: qname, type: 'PTR', class: 1, ttl: h.ttl, target: t })), authority: [], additional: [], aa: true, ra: false };
    } else {
      const v4 = ips.map((x) => parseIp(x)).filter((x): x is number => x !== undefined);
      if (v4.length > 0) {
        const answers: DnsRecord[] = question.type === DNS_TYPES.A ? v4.map((address) => ({ name: qname, type: 'A' as const, class: 1, ttl: h.ttl, address })) : [];
        return { rcode: 0, answers, authority: [], additional: [], aa: true, ra: false };
      }
      const falls = h.fallthrough !== undefined && (h.fallthrough.length === 0 || h.fallthrough.some((z) => inZone(name, z)));
      if (!falls) return SERVFAIL();
    }
  }
  const k = cfg.kubernetes;
  if (k) {
    const r = resolveCluster(state, question.name, question.type, { ttl: k.ttl, pods: k.pods, zones: k.zones.map((z) => z.replace(/\.$/, '')), ...(k.fallthrough ? { fallthrough: k.fallthrough.map((z) => z.replace(/\.$/, '')) } : {}) });
    if (r.kind === 'answer') {
      let answers = r.answers;
      if (r.upstream) answers = [...answers, ...forward(cfg, { ...q, questions: [{ name: r.upstream.name, type: r.upstream.type, class: 1 }] }, sc).answers];
      return { rcode: r.rcode, answers, authority: r.authority, additional: r.additional, aa: r.authoritative, ra: false };
    }
  }
  if (cfg.forward && inZone(name, cfg.forward.from)) return forward(cfg, q, sc);
  return SERVFAIL(`plugin/${k ? 'kubernetes' : h ? 'hosts' : 'forward'}: no next plugin found`);
}

function forward(cfg: ServerConfig, q: DnsMessage, sc: ServeContext): Outcome {
  const to = cfg.forward?.to ?? [];
  const reachable = to.some((t) => t === '/etc/resolv.conf' || t.replace(/^dns:\/\//, '').replace(/:\d+$/, '') === sc.upstreamIp);
  if (!reachable) {
    const target = (to[0] ?? '').replace(/^dns:\/\//, '').replace(/:\d+$/, '');
    const local = sc.pod?.status.podIP ?? '0.0.0.0';
    const port = 32768 + (fnv32a(`${q.id}/${target}`) % 28000);
    return SERVFAIL(`read udp ${local}:${port}->${target}:53: i/o timeout`);
  }
  const a = sc.upstream(q);
  return { rcode: a.rcode, answers: a.answers, authority: a.authority, additional: [], aa: false, ra: true };
}

function cacheable(cfg: ServerConfig, name: string, o: Outcome): 'success' | 'denial' | undefined {
  if (o.rcode === RCODES.NOERROR && o.answers.length > 0) return cfg.cache!.disableSuccess.some((z) => inZone(name, z)) ? undefined : 'success';
  if (o.rcode === RCODES.NXDOMAIN || (o.rcode === RCODES.NOERROR && o.answers.length === 0)) return cfg.cache!.disableDenial.some((z) => inZone(name, z)) ? undefined : 'denial';
  return undefined;
}

const withTtl = (rs: DnsRecord[], ttl: number): DnsRecord[] => rs.map((r) => ({ ...r, ttl }));

/** The server block for a name: the longest matching zone on port 53. */
function serverFor(servers: ServerConfig[], name: string): ServerConfig | undefined {
  let best: ServerConfig | undefined;
  let len = -1;
  for (const s of servers) {
    if (s.port !== 53) continue;
    for (const z of s.zones) if (inZone(name, z) && z.length > len) [best, len] = [s, z === '.' ? 0 : z.length];
  }
  return best;
}

/** `dig`-style response flags as CoreDNS's log prints them (`qr,aa,rd`). */
function rflags(m: DnsMessage): string {
  return [m.qr && 'qr', m.aa && 'aa', m.tc && 'tc', m.rd && 'rd', m.ra && 'ra'].filter(Boolean).join(',');
}

/** What CoreDNS answers to one query (wire bytes), with its log and errors lines. */
export function serveCoreDns(state: SimState, req: Uint8Array, sc: ServeContext): Uint8Array | undefined {
  let q: DnsMessage;
  try {
    q = decodeDns(req);
  } catch {
    return undefined;
  }
  const question = q.questions[0];
  if (!question) return encodeDns(dnsResponse(q, [], 'FORMERR'));
  const rt = syncCoreDns(state, sc.now);
  const loaded = rt ? loadCorefile(rt.running) : undefined;
  // Without a Corefile (a sandbox saved before CoreDNS had one), kubeadm's.
  const fallback = loadCorefile(kubeadmCorefile(state.config.dnsDomain));
  const servers = loaded?.ok ? loaded.servers : fallback.ok ? fallback.servers : [];
  const name = lower(fqdn(question.name));
  const cfg = serverFor(servers, name);
  let out: Outcome;
  let original = question.name;
  if (!cfg) out = { rcode: RCODES.REFUSED, answers: [], authority: [], additional: [], aa: false, ra: false };
  else {
    const key = `${name}|${question.type}`;
    const hit = cfg.cache && rt ? rt.cache[key] : undefined;
    if (hit && hit.expires > sc.now) {
      const left = Math.max(0, hit.ttl - Math.floor((sc.now - hit.stored) / 1000));
      out = { rcode: hit.rcode, answers: withTtl(hit.answers, left), authority: withTtl(hit.authority, left), additional: [], aa: hit.aa, ra: hit.ra };
    } else {
      const rw = rewriteName(cfg.rewrites, fqdn(question.name));
      const inner = rw.rule ? { ...q, questions: [{ ...question, name: rw.name }] } : q;
      out = chain(state, cfg, inner, sc);
      if (rw.rule) {
        original = question.name;
        const back = rw.rule.match === 'exact' || rw.rule.answerAuto;
        if (back) out = { ...out, answers: out.answers.map((r) => (lower(fqdn(r.name)) === lower(rw.name) ? { ...r, name: fqdn(original) } : r)) };
      }
      if (cfg.cache && rt) {
        const kind = cacheable(cfg, name, out);
        if (kind) {
          const recTtl = kind === 'success' ? Math.min(...out.answers.map((r) => r.ttl)) : (out.authority.find((r) => r.type === 'SOA') as { minimum?: number } | undefined)?.minimum ?? 5;
          const ttl = Math.min(recTtl, cfg.cache.ttl);
          rt.cache[key] = { expires: sc.now + ttl * 1000, stored: sc.now, ttl, rcode: out.rcode, answers: out.answers, authority: out.authority, aa: out.aa, ra: out.ra };
          out = { ...out, answers: withTtl(out.answers, ttl), authority: withTtl(out.authority, ttl) };
        }
      }
    }
  }
  const resp = dnsResponse(q, out.answers, out.rcode, out.authority, { aa: out.aa, ra: out.ra, additional: out.additional });
  const bytes = encodeDns(resp);
  if (cfg && sc.pod) {
    const lines: string[] = [];
    if (cfg.errors && out.rcode === RCODES.SERVFAIL && out.error) lines.push(`[ERROR] plugin/errors: 2 ${fqdn(original)} ${typeName(question.type)}: ${out.error}`);
    if (cfg.log) {
      const opt = q.additional.find((r) => r.type === 'raw' && r.code === DNS_TYPES.OPT);
      const bufsize = opt ? opt.class : 512;
      const dob = opt ? (opt.ttl & 0x8000) !== 0 : false;
      const micros = 60 + (fnv32a(`${q.id}/${name}/${sc.now}`) % 400);
      const dur = `0.000${String(micros).padStart(3, '0')}${String(fnv32a(`${name}/${q.id}`) % 1000).padStart(3, '0')}`.replace(/0+$/, '');
      lines.push(`[INFO] ${formatIp(sc.peer.ip)}:${sc.peer.port} - ${q.id} "${typeName(question.type)} IN ${fqdn(question.name)} ${sc.proto} ${req.length} ${dob} ${bufsize}" ${rcodeText(out.rcode)} ${rflags(resp)} ${bytes.length} ${dur}s`);
    }
    if (lines.length) appendLog(state, sc.pod, 'coredns', sc.now, lines);
  }
  return bytes;
}

function rcodeText(code: number): string {
  return Object.entries(RCODES).find(([, v]) => v === code)?.[0] ?? String(code);
}
