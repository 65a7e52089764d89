/**
 * `kubectl apply|create|delete -f URL` in a sandbox without internet.
 *
 * Design notes: the documentation's example manifests are bundled (examples/, loaded as text
 * through examples/bundle.ts) and answer the addresses the pages use:
 * `https://k8s.io/examples/<path>` and `https://kubernetes.io/examples/<path>` (the first
 * redirects to the second), and `https://raw.githubusercontent.com/kubernetes/website/
 * <main|master>/content/en/examples/<path>`; the URL names the documents in messages, as
 * kubectl names them. Any other address fails as kubectl v1.32 fails without a network
 * (cli-runtime's URLVisitor: http.Get, three attempts, then the error): the workstation's
 * resolver asks the LAN's router, which knows no such name, so `error: Get "URL": dial tcp:
 * lookup HOST on ROUTER:53: no such host`; a name the router does know (example.com) has no
 * route behind it: `dial tcp ADDR:443: i/o timeout`. A documentation address the bundle lacks
 * says so rather than pretend the documentation has no such file.
 */
import { resolveHost } from '../../resolver';
import type { CommandContext } from '../../command';
import { CommandError } from '../../errors';
import type { SourcedDoc } from '../../../sim/k8s/manifests';
import { EXAMPLES } from './examples/bundle';
import { parseManifest } from './mutate';

export const isUrl = (f: string): boolean => /^https?:\/\//i.test(f);

const DOC_PREFIXES = [
  /^https?:\/\/(?:www\.)?k8s\.io\/examples\//i,
  /^https?:\/\/(?:www\.)?kubernetes\.io\/examples\//i,
  /^https:\/\/raw\.githubusercontent\.com\/kubernetes\/website\/(?:main|master)\/content\/en\/examples\//i,
];

/** The bundled example a URL names, by its path under content/en/examples. */
export function examplePath(url: string): { docs: boolean; path?: string } {
  for (const p of DOC_PREFIXES) {
    const m = p.exec(url);
    if (!m) continue;
    const path = url.slice(m[0].length).split(/[?#]/)[0]!;
    return { docs: true, ...(EXAMPLES[path] !== undefined ? { path } : {}) };
  }
  return { docs: false };
}

const dotted = (ip: number): string => `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`;

/** The documents at a URL, or kubectl's error for an address it cannot read. */
export function readUrlManifest(ctx: CommandContext, url: string): SourcedDoc[] {
  const found = examplePath(url);
  if (found.path) return parseManifest(EXAMPLES[found.path]!, url);
  if (found.docs) {
    throw new CommandError('NOT_FOUND', `error: unable to read URL ${JSON.stringify(url)}: the sandbox has no internet; it keeps copies of the documentation's example manifests used in these lessons, and this is not one of them`);
  }
  const m = /^https?:\/\/(?:[^@/]*@)?(\[[^\]]*\]|[^:/?#]*)(?::(\d+))?/i.exec(url);
  const host = m?.[1] ?? '';
  const port = m?.[2] ?? (url.toLowerCase().startsWith('https') ? '443' : '80');
  const gw = ctx.env.sim.state.config.gateway;
  const r = resolveHost(ctx.env, host);
  if (r.ok) throw new CommandError('NOT_FOUND', `error: Get ${JSON.stringify(url)}: dial tcp ${dotted(r.ip)}:${port}: i/o timeout`);
  throw new CommandError('NOT_FOUND', `error: Get ${JSON.stringify(url)}: dial tcp: lookup ${host} on ${dotted(gw)}:53: ${r.reason === 'timeout' ? 'i/o timeout' : 'no such host'}`);
}
