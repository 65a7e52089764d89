/**
 * What the cluster's CoreDNS answers, and what a pod's resolver asks it.
 *
 * Design notes: kubeadm's Corefile (`kubernetes cluster.local in-addr.arpa ip6.arpa { pods
 * insecure; fallthrough in-addr.arpa ip6.arpa; ttl 30 }`, `forward . /etc/resolv.conf`,
 * `cache 30`, `loadbalance`) is modelled as a pure function of SimState that follows the
 * kubernetes plugin of CoreDNS v1.11 step by step (plugin/kubernetes/handler.go ServeDNS,
 * kubernetes.go Services/Records/findServices/findPods, parse.go parseRequest, reverse.go,
 * ns.go, and plugin/backend_lookup.go A/AAAA/SRV/PTR/TXT/CNAME/NS/SOA):
 *
 * - Names are matched case-insensitively (CoreDNS lower-cases the question); answers keep
 *   the question's spelling as their owner name, and the zone part of generated names
 *   (SRV targets, the SOA) keeps the spelling the question used for the zone, as CoreDNS
 *   does ("maintain case of original query"). A trailing dot is accepted.
 * - `<svc>.<ns>.svc.<zone>`: A per ClusterIP (TTL 30). Headless (clusterIP None): one A per
 *   ready endpoint, and NXDOMAIN when there is none (CoreDNS finds no items). ExternalName:
 *   CNAME to spec.externalName (TTL 30); a target inside the zone is chased there and the
 *   CNAME kept only if the chase finds addresses; a target outside the zone is looked up by
 *   CoreDNS through its own server (so through `forward .`) and the upstream's answers are
 *   appended after the CNAME: the result then carries `upstream` for the caller to model,
 *   and the rcode stays NOERROR whatever the upstream says.
 * - `_<port>._<proto>.<svc>.<ns>.svc.<zone>` SRV: `<port>` is the port's *name* (Kubernetes
 *   DNS spec; unnamed ports have no SRV of their own), matched with the protocol
 *   case-insensitively. Leaving out `_<port>._<proto>` (SRV for the Service name) lists every
 *   port. Priority 0; weight 100/n (floor) over the n records, so 100 for a single record and
 *   33 each for three headless endpoints (backend_lookup.go SRV); ClusterIP Services give
 *   the Service port and target `<svc>.<ns>.svc.<zone>`, headless ones the endpoint's target
 *   port and target `<a-b-c-d>.<svc>.<ns>.svc.<zone>`; the targets' A records go in the
 *   additional section. `<a-b-c-d>.<svc>.<ns>.svc.<zone>` itself answers with that endpoint.
 *   An endpoint whose pod has `spec.hostname` and `spec.subdomain` = the Service's name is
 *   named `<hostname>.<svc>.<ns>.svc.<zone>` instead, in A, SRV and PTR answers (dns-records.ts).
 * - `pods insecure`: `a-b-c-d.<ns>.pod.<zone>` answers A a.b.c.d for any well-formed address
 *   if the namespace exists, whether or not a pod has it (a name with dashes but not three
 *   of them is read as IPv6, as CoreDNS does).
 * - Reverse: PTR for a ClusterIP (or external IP) -> `<svc>.<ns>.svc.<zone>`, else for a
 *   ready endpoint address -> `<a-b-c-d>.<svc>.<ns>.svc.<zone>` per Service that has it.
 *   Anything not found under in-addr.arpa/ip6.arpa falls through to `forward`.
 * - Negative answers: a name in the zone that does not exist is NXDOMAIN, an existing name
 *   with no data of the asked type (AAAA in this IPv4 cluster, SRV for an ExternalName, MX)
 *   is NODATA (NOERROR, no answers); both carry the zone's SOA in the authority section:
 *   `cluster.local. 30 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. <serial> 7200
 *   1800 86400 30`. The zone apex, `svc.<zone>`, `pod.<zone>` and the names of existing
 *   namespaces (`<ns>.svc.<zone>`, `<ns>.pod.<zone>`) are empty non-terminals: NODATA, not
 *   NXDOMAIN (parse.go "return NODATA for apex queries"; findServices/findPods "handle empty
 *   service name"; coredns/coredns#846 and #1228). Names with more labels than the schema
 *   allows, or a namespace that does not exist, are NXDOMAIN.
 * - Quirks kept: TXT answers only `dns-version.<zone>` ("1.1.0", TTL 28800); any other TXT
 *   query is NODATA when the name has records of another type and NXDOMAIN otherwise
 *   (coredns/coredns#5736, fixed in 1.10.1), so TXT for a namespace name is NXDOMAIN. SOA is
 *   answered only at the apex; an SOA query for any other name in the zone is NODATA, even
 *   for names that do not exist (handler.go). NS at the apex names the Service in front of
 *   CoreDNS (`kube-dns.kube-system.svc.<zone>`, its ClusterIP in additional, ns.go) and
 *   `ns.dns.<zone>` has that address. AXFR/IXFR are REFUSED.
 * - Flags: everything the kubernetes plugin answers is authoritative (AA) without RA, as a
 *   real `dig` shows (`flags: qr aa rd`, "recursion requested but not available") and
 *   CoreDNS's log prints (`NXDOMAIN qr,aa,rd`, coredns/coredns#6937).
 * - The SOA serial is CoreDNS's "last modified" time of Services and Endpoints in Unix
 *   seconds: the latest Service creation or endpoint readiness change the state records.
 *
 * Names outside the zones return `{ kind: 'forward' }`: the caller models the next plugin.
 * The plugin's settings (`pods`, `ttl`, `fallthrough`, zones) come from the Corefile through
 * `KubernetesOptions`; without them, kubeadm's. The rest of the Corefile (cache, rewrite, hosts,
 * forward, log, reload) is coredns-config.ts. Left out: `loadbalance` (it shuffles
 * the order of A records per answer; here they come sorted by address), publishNotReadyAddresses, dual-stack Services, autopath,
 * and answers before CoreDNS has synced (SERVFAIL).
 *
 * The client side: `resolvConf` writes the ClusterFirst /etc/resolv.conf as containerd writes
 * it (search, nameserver, options lines, each ending in a newline), and `searchCandidates`
 * lists the names a libc resolver tries. glibc (resolv/res_query.c __res_context_search):
 * a trailing dot -> the name only; fewer than ndots dots -> every search domain, then the
 * name as is; ndots or more -> the name as is first, then the search domains. musl
 * (src/network/lookup_name.c name_from_dns_search) is the same except that with ndots or
 * more dots it tries the name as is only, and it stops at the first answer that is not
 * NXDOMAIN (glibc goes on after NODATA). busybox nslookup (>= 1.29, docs/reference/fidelity.md section 7)
 * does not use the libc resolver: it applies the search list only to names without any
 * dot, so `nslookup kubernetes.default` fails there although getaddrinfo finds it.
 */
import { CLASS_IN, DNS_TYPES, RCODES, formatIpv6, parseIpv6, typeCode, type DnsRecord, type DnsTypeName } from '../dns';
import { formatIp, nth, parseIp } from '../ipv4';
import type { SimState } from '../state';
import { endpointHostname } from './dns-records';
import { endpointPort, serviceEndpoints, type Endpoint } from './endpoints';
import type { Service } from './types';

/** `ttl 30` in kubeadm's Corefile. */
export const CLUSTER_DNS_TTL = 30;
/** The Kubernetes DNS schema version CoreDNS serves at `dns-version.<zone>`. */
export const DNS_SCHEMA_VERSION = '1.1.0';
const DNS_VERSION_TTL = 28800;
const REVERSE_ZONES = ['in-addr.arpa', 'ip6.arpa'];
/** The options line kubelet adds for ClusterFirst pods. */
export const CLUSTER_FIRST_NDOTS = 5;

export interface ClusterAnswer {
  kind: 'answer';
  rcode: number;
  /** AA; the kubernetes plugin never sets RA. */
  authoritative: boolean;
  answers: DnsRecord[];
  authority: DnsRecord[];
  additional: DnsRecord[];
  /**
   * Set when the answer ends in a CNAME that leaves the zone (an ExternalName Service):
   * CoreDNS looks this name up through its own server, i.e. `forward .`, and appends the
   * upstream's answer records to `answers`.
   */
  upstream?: { name: string; type: number };
}

export type ClusterDnsResult = ClusterAnswer | { kind: 'forward' };

const FORWARD: ClusterDnsResult = { kind: 'forward' };

// ---------------------------------------------------------------------------------- helpers

const asciiLower = (s: string): string => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
const inZone = (name: string, zone: string): boolean => name === zone || name.endsWith(`.${zone}`);
const isHeadless = (svc: Service): boolean => svc.spec.clusterIP === 'None';
const sortedServices = (state: SimState): Service[] =>
  Object.keys(state.k8s.services)
    .sort()
    .map((k) => state.k8s.services[k]!);

type HostType = 'A' | 'AAAA' | 'CNAME';
function hostType(host: string): HostType {
  if (parseIp(host) !== undefined) return 'A';
  if (parseIpv6(host) !== undefined) return 'AAAA';
  return 'CNAME';
}

function addressRecord(name: string, ttl: number, host: string): DnsRecord {
  const v4 = parseIp(host);
  if (v4 !== undefined) return { name, type: 'A', class: CLASS_IN, ttl, address: v4 };
  return { name, type: 'AAAA', class: CLASS_IN, ttl, address: parseIpv6(host)! };
}

/** The kube-dns Service's ClusterIP: the nameserver of every ClusterFirst pod. */
export function clusterDnsIp(state: SimState): string {
  const svc = state.k8s.services['kube-system/kube-dns'];
  const ip = svc?.spec.clusterIP;
  return ip && ip !== 'None' ? ip : formatIp(nth(state.config.serviceCidr, 10));
}

/** CoreDNS's SOA serial: when Services or Endpoints last changed (Unix seconds). */
export function soaSerial(state: SimState): number {
  let latest = state.createdAt;
  const seen = (ts: string | undefined): void => {
    const t = ts ? Date.parse(ts) : NaN;
    if (!Number.isNaN(t) && t > latest) latest = t;
  };
  for (const svc of Object.values(state.k8s.services)) {
    seen(svc.metadata.creationTimestamp);
    for (const ep of serviceEndpoints(state, svc)) {
      const pod = state.k8s.pods[`${svc.metadata.namespace ?? 'default'}/${ep.pod}`];
      seen(pod?.metadata.creationTimestamp);
      seen(pod?.status.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime);
    }
  }
  return Math.floor(latest / 1000) >>> 0;
}

// ---------------------------------------------------------------------------------- lookup model

/** The kubernetes plugin's settings from the Corefile (coredns-config.ts); kubeadm's by default. */
export interface KubernetesOptions {
  /** `ttl` (default 5 in CoreDNS; kubeadm sets 30). */
  ttl?: number;
  /** `pods disabled|insecure|verified` (kubeadm: insecure). */
  pods?: 'disabled' | 'insecure' | 'verified';
  /** `fallthrough [ZONES...]`: names in these zones that do not exist go on to the next plugin ([] = every zone); kubeadm: in-addr.arpa ip6.arpa. */
  fallthrough?: string[];
  /** The zones the plugin serves (kubeadm: the cluster domain, in-addr.arpa, ip6.arpa). */
  zones?: string[];
}

interface Ctx {
  state: SimState;
  ttl: number;
  pods: 'disabled' | 'insecure' | 'verified';
  /** The matched zone, lower case. */
  zone: string;
  /** The zone as the question spelled it. */
  zoneQ: string;
  /** The cluster domain (kubernetes plugin's primary zone), lower case. */
  primary: string;
}

/** A msg.Service: a host (address or name) with a port, found under a name (`key`). */
interface Item {
  host: string;
  port: number;
  key: string;
  text?: string;
  ttl: number;
}

/** Items, or `nameError` (errNoItems / errNsNotExposed / errInvalidRequest -> NXDOMAIN). */
interface Found {
  items: Item[];
  nameError: boolean;
}

const ok = (items: Item[] = []): Found => ({ items, nameError: false });
const NAME_ERROR: Found = { items: [], nameError: true };

interface Req {
  podOrSvc: string;
  namespace: string;
  service: string;
  endpoint: string;
  port: string;
  protocol: string;
}

const stripUnderscore = (s: string): string => (s.startsWith('_') ? s.slice(1) : s);

/** parse.go parseRequest; `undefined` for errInvalidRequest. */
function parseRequest(name: string, zone: string): Req | undefined {
  const r: Req = { podOrSvc: '', namespace: '', service: '', endpoint: '', port: '', protocol: '' };
  const base = name === zone ? '' : name.slice(0, name.length - zone.length - 1);
  // "return NODATA for apex queries"
  if (base === '' || base === 'svc' || base === 'pod') return r;
  const segs = base.split('.');
  let last = segs.length - 1;
  r.podOrSvc = segs[last]!;
  if (r.podOrSvc !== 'pod' && r.podOrSvc !== 'svc') return undefined;
  if (--last < 0) return r;
  r.namespace = segs[last]!;
  if (--last < 0) return r;
  r.service = segs[last]!;
  if (--last < 0) return r;
  if (last === 0) r.endpoint = segs[0]!;
  else if (last === 1) {
    r.protocol = stripUnderscore(segs[1]!);
    r.port = stripUnderscore(segs[0]!);
  } else return undefined; // too long
  return r;
}

const matchPortAndProtocol = (r: Req, name: string, protocol: string): boolean =>
  (r.port === '' || r.port === asciiLower(name)) && (r.protocol === '' || r.protocol === asciiLower(protocol));

const namespaceExists = (ctx: Ctx, ns: string): boolean => ctx.state.k8s.namespaces[ns] !== undefined;

function readyEndpoints(ctx: Ctx, svc: Service): Endpoint[] {
  return serviceEndpoints(ctx.state, svc).filter((e) => e.ready);
}

/** The ports of one endpoint, as the EndpointSlice lists them (a Service without ports: one sentinel). */
function endpointPorts(ctx: Ctx, svc: Service, ep: Endpoint): { name: string; protocol: string; port: number }[] {
  const ports = svc.spec.ports ?? [];
  if (ports.length === 0) return [{ name: '', protocol: '', port: -1 }];
  const pod = ctx.state.k8s.pods[`${svc.metadata.namespace ?? 'default'}/${ep.pod}`];
  const out: { name: string; protocol: string; port: number }[] = [];
  for (const p of ports) {
    const target = endpointPort(p, ep, pod);
    if (target !== undefined) out.push({ name: p.name ?? '', protocol: p.protocol, port: target });
  }
  return out;
}

function findServices(ctx: Ctx, r: Req): Found {
  if (r.service === '') return ok(); // the namespace exists: NODATA
  const svc = ctx.state.k8s.services[`${r.namespace}/${r.service}`];
  if (!svc) return NAME_ERROR;
  const ns = svc.metadata.namespace ?? 'default';
  const svcName = `${svc.metadata.name}.${ns}.svc.${ctx.zoneQ}`;
  const ttl = ctx.ttl;

  if (svc.spec.type === 'ExternalName') {
    if (r.endpoint !== '') return NAME_ERROR;
    const host = (svc.spec.externalName ?? '').replace(/\.$/, '');
    if (host === '' || hostType(host) !== 'CNAME') return NAME_ERROR;
    return ok([{ host, port: 0, key: svcName, ttl }]);
  }

  const items: Item[] = [];
  let found = false;
  if (isHeadless(svc) || r.endpoint !== '') {
    for (const ep of readyEndpoints(ctx, svc)) {
      const hostname = endpointHostname(ctx.state, svc, ep);
      if (r.endpoint !== '' && r.endpoint !== hostname) continue;
      for (const p of endpointPorts(ctx, svc, ep)) {
        if (!matchPortAndProtocol(r, p.name, p.protocol)) continue;
        found = true;
        items.push({ host: ep.ip, port: p.port, key: `${hostname}.${svcName}`, ttl });
      }
    }
    return found ? ok(items) : NAME_ERROR;
  }

  const ports = svc.spec.ports?.length ? svc.spec.ports.map((p) => ({ name: p.name ?? '', protocol: p.protocol as string, port: p.port })) : [{ name: '', protocol: '', port: -1 }];
  const ips = svc.spec.clusterIPs ?? (svc.spec.clusterIP ? [svc.spec.clusterIP] : []);
  for (const p of ports) {
    if (!matchPortAndProtocol(r, p.name, p.protocol)) continue;
    found = true;
    for (const ip of ips) items.push({ host: ip, port: p.port, key: svcName, ttl });
  }
  return found ? ok(items) : NAME_ERROR;
}

function findPods(ctx: Ctx, r: Req): Found {
  const podname = r.service;
  if (podname === '') return ok(); // NODATA
  const host = (podname.match(/-/g) ?? []).length === 3 && !podname.includes('--') ? podname.replace(/-/g, '.') : podname.replace(/-/g, ':');
  if (hostType(host) === 'CNAME') return NAME_ERROR;
  if (ctx.pods === 'disabled') return NAME_ERROR;
  if (ctx.pods === 'verified' && !Object.values(ctx.state.k8s.pods).some((p) => p.metadata.namespace === r.namespace && p.status.podIP === host)) return NAME_ERROR;
  return ok([{ host, port: 0, key: `${podname}.${r.namespace}.pod.${ctx.zoneQ}`, ttl: ctx.ttl }]);
}

const isReverse = (name: string): boolean => REVERSE_ZONES.some((z) => inZone(name, z));

/** kubernetes.go Records. */
function records(ctx: Ctx, name: string): Found {
  const r = parseRequest(name, ctx.zone);
  if (!r) return NAME_ERROR;
  if (r.podOrSvc === '') return ok();
  if (isReverse(name)) return NAME_ERROR;
  if (!namespaceExists(ctx, r.namespace)) return NAME_ERROR;
  return r.podOrSvc === 'pod' ? findPods(ctx, r) : findServices(ctx, r);
}

/** Where the CoreDNS pods are reachable: the Services in front of them (ns.go nsAddrs). */
function nsAddrs(ctx: Ctx): { name: string; host: string }[] {
  const dnsPods = Object.values(ctx.state.k8s.pods)
    .filter((p) => p.metadata.namespace === 'kube-system' && p.metadata.labels?.['k8s-app'] === 'kube-dns' && p.status.podIP)
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  const local = dnsPods[0]?.status.podIP;
  if (!local) return [];
  const out: { name: string; host: string }[] = [];
  let foundEndpoint = false;
  for (const svc of sortedServices(ctx.state)) {
    const eps = readyEndpoints(ctx, svc);
    if (!eps.some((e) => e.ip === local)) continue;
    foundEndpoint = true;
    const svcName = `${svc.metadata.name}.${svc.metadata.namespace ?? 'default'}.svc.${ctx.zoneQ}`;
    if (isHeadless(svc)) for (const e of eps) out.push({ name: `${endpointHostname(ctx.state, svc, e)}.${svcName}`, host: e.ip });
    else for (const ip of svc.spec.clusterIPs ?? []) out.push({ name: svcName, host: ip });
  }
  if (!foundEndpoint) out.push({ name: `ns.dns.${ctx.zoneQ}`, host: local });
  return out;
}

/** kubernetes.go Services: the special names first, then Records. */
function services(ctx: Ctx, name: string, qtype: number): Found {
  if (qtype === DNS_TYPES.TXT) {
    const base = name === ctx.zone ? '' : name.slice(0, name.length - ctx.zone.length - 1);
    if (base === 'dns-version') return ok([{ host: '', port: 0, key: name, text: DNS_SCHEMA_VERSION, ttl: DNS_VERSION_TTL }]);
    // "Check if we have an existing record for this query of another type"
    return records(ctx, name).items.length > 0 ? ok() : NAME_ERROR;
  }
  if (qtype === DNS_TYPES.NS) return ok(nsAddrs(ctx).map((a) => ({ host: a.host, port: 0, key: a.name, ttl: ctx.ttl })));
  if (name === `ns.dns.${ctx.zone}`) {
    return ok(nsAddrs(ctx)
      .filter((a) => hostType(a.host) === (qtype === DNS_TYPES.AAAA ? 'AAAA' : 'A') && (qtype === DNS_TYPES.A || qtype === DNS_TYPES.AAAA))
      .map((a) => ({ host: a.host, port: 0, key: name, ttl: ctx.ttl })));
  }
  const found = records(ctx, name);
  // "SRV for external services is not yet implemented"
  if (qtype === DNS_TYPES.SRV) return { ...found, items: found.items.filter((i) => hostType(i.host) !== 'CNAME') };
  return found;
}

interface Built {
  records: DnsRecord[];
  additional: DnsRecord[];
  nameError: boolean;
  upstream?: { name: string; type: number };
}

/** backend_lookup.go A / AAAA, CNAMEs included. `qname` keeps the question's spelling. */
function addresses(ctx: Ctx, qname: string, qtype: number, previous: DnsRecord[]): Built {
  const lower = asciiLower(qname);
  const found = services(ctx, lower, qtype);
  if (found.nameError) return { records: [], additional: [], nameError: true };
  const want: HostType = qtype === DNS_TYPES.AAAA ? 'AAAA' : 'A';
  const out: DnsRecord[] = [];
  const seen = new Set<string>();
  let upstream: Built['upstream'];
  for (const item of found.items) {
    const what = hostType(item.host);
    if (what === 'CNAME') {
      if (asciiLower(item.host) === lower) continue; // x CNAME x
      if (previous.length > 7) continue;
      const cname: DnsRecord = { name: qname, type: 'CNAME', class: CLASS_IN, ttl: item.ttl, target: item.host };
      if (previous.some((p) => p.type === 'CNAME' && asciiLower(p.name) === lower && asciiLower(p.target) === asciiLower(item.host))) continue;
      if (inZone(asciiLower(item.host), ctx.zone)) {
        const next = addresses(ctx, item.host, qtype, [...previous, cname]);
        if (!next.nameError && next.records.length > 0) out.push(cname, ...next.records);
        upstream ??= next.upstream;
        continue;
      }
      out.push(cname);
      upstream ??= { name: item.host, type: qtype };
      continue;
    }
    if (what === want && !seen.has(item.host)) {
      seen.add(item.host);
      out.push(addressRecord(qname, item.ttl, item.host));
    }
  }
  return { records: out, additional: [], nameError: false, ...(upstream ? { upstream } : {}) };
}

/** backend_lookup.go SRV: weights 100/n per priority, targets' addresses in additional. */
function srv(ctx: Ctx, qname: string): Built {
  const found = services(ctx, asciiLower(qname), DNS_TYPES.SRV);
  if (found.nameError) return { records: [], additional: [], nameError: true };
  const total = found.items.length * 100;
  const out: DnsRecord[] = [];
  const additional: DnsRecord[] = [];
  const dup = new Set<string>();
  for (const item of found.items) {
    if (item.port === -1) continue;
    const weight = Math.max(1, Math.floor((100 / total) * 100));
    if (!dup.has(`${item.key}|${item.port}`)) {
      dup.add(`${item.key}|${item.port}`);
      out.push({ name: qname, type: 'SRV', class: CLASS_IN, ttl: item.ttl, priority: 0, weight, port: item.port, target: item.key });
    }
    if (!dup.has(`${item.key}|addr|${item.host}`)) {
      dup.add(`${item.key}|addr|${item.host}`);
      additional.push(addressRecord(item.key, item.ttl, item.host));
    }
  }
  return { records: out, additional, nameError: false };
}

/** dnsutil.ExtractAddressFromReverse. */
function reverseAddress(name: string): string | undefined {
  if (name.endsWith('.in-addr.arpa')) {
    const ip = parseIp(name.slice(0, -'.in-addr.arpa'.length).split('.').reverse().join('.'));
    return ip === undefined ? undefined : formatIp(ip);
  }
  if (name.endsWith('.ip6.arpa')) {
    const nibbles = name.slice(0, -'.ip6.arpa'.length).split('.').reverse();
    if (nibbles.length !== 32 || !nibbles.every((n) => /^[0-9a-f]$/.test(n))) return undefined;
    const groups = Array.from({ length: 8 }, (_, i) => nibbles.slice(4 * i, 4 * i + 4).join(''));
    const b = parseIpv6(groups.join(':'));
    return b ? formatIpv6(b) : undefined;
  }
  return undefined;
}

const sameIp = (a: string, b: string): boolean => {
  if (a === b) return true;
  const x = parseIpv6(a);
  const y = parseIpv6(b);
  return !!x && !!y && formatIpv6(x) === formatIpv6(y);
};

/** reverse.go serviceRecordForIP: a Service's IP first, else the endpoints that have it. */
function ptrTargets(ctx: Ctx, ip: string): string[] {
  const all = sortedServices(ctx.state);
  for (const svc of all) {
    if (svc.spec.type === 'ExternalName' || isHeadless(svc)) continue;
    const ips = [...(svc.spec.clusterIPs ?? []), ...(svc.spec.externalIPs ?? [])];
    if (ips.some((x) => sameIp(x, ip))) return [`${svc.metadata.name}.${svc.metadata.namespace ?? 'default'}.svc.${ctx.primary}`];
  }
  const out: string[] = [];
  for (const svc of all) {
    if (svc.spec.type === 'ExternalName') continue;
    for (const ep of readyEndpoints(ctx, svc)) {
      if (sameIp(ep.ip, ip)) out.push(`${endpointHostname(ctx.state, svc, ep)}.${svc.metadata.name}.${svc.metadata.namespace ?? 'default'}.svc.${ctx.primary}`);
    }
  }
  return out;
}

function ptr(ctx: Ctx, qname: string): Built {
  const lower = asciiLower(qname);
  const ip = reverseAddress(lower);
  if (ip === undefined) return { records: [], additional: [], nameError: records(ctx, lower).nameError };
  const targets = [...new Set(ptrTargets(ctx, ip))];
  if (targets.length === 0) return { records: [], additional: [], nameError: true };
  return { records: targets.map((t) => ({ name: qname, type: 'PTR', class: CLASS_IN, ttl: ctx.ttl, target: t })), additional: [], nameError: false };
}

/** The zone's SOA (backend_lookup.go SOA), as it appears in answers and negative responses. */
function soa(ctx: Ctx): DnsRecord {
  return {
    name: ctx.zoneQ,
    type: 'SOA',
    class: CLASS_IN,
    ttl: Math.min(ctx.ttl, 300),
    mname: `ns.dns.${ctx.zoneQ}`,
    rname: `hostmaster.${ctx.zoneQ}`,
    serial: soaSerial(ctx.state),
    refresh: 7200,
    retry: 1800,
    expire: 86400,
    minimum: ctx.ttl,
  };
}

/** The SOA record CoreDNS serves for the cluster domain. */
export function clusterSoa(state: SimState): DnsRecord {
  const zone = asciiLower(state.config.dnsDomain);
  return soa({ state, zone, zoneQ: zone, primary: zone, ttl: CLUSTER_DNS_TTL, pods: 'insecure' });
}

// ---------------------------------------------------------------------------------- resolveCluster

/** Whether `fallthrough` passes a name that does not exist on to the next plugin. */
function falls(opts: KubernetesOptions, lower: string): boolean {
  const zones = opts.fallthrough ?? (opts.zones === undefined ? REVERSE_ZONES : undefined);
  if (zones === undefined) return false;
  return zones.length === 0 || zones.some((z) => inZone(lower, asciiLower(z).replace(/\.$/, '')));
}

/**
 * What CoreDNS answers for `name`/`type`, or `{ kind: 'forward' }` when the kubernetes plugin
 * passes the question on to `forward .` (names outside cluster.local, and reverse names it
 * does not know).
 */
export function resolveCluster(state: SimState, name: string, type: DnsTypeName | string | number, opts: KubernetesOptions = {}): ClusterDnsResult {
  const qtype = typeCode(type);
  const qname = name.endsWith('.') ? name.slice(0, -1) : name;
  if (qname === '') return FORWARD;
  const lower = asciiLower(qname);
  const primary = asciiLower(state.config.dnsDomain).replace(/\.$/, '');
  const zones = (opts.zones ?? [primary, ...REVERSE_ZONES]).map((z) => asciiLower(z).replace(/\.$/, ''));
  const zone = zones.filter((z) => z === '' || inZone(lower, z)).sort((a, b) => b.length - a.length)[0];
  if (zone === undefined) return FORWARD;
  if (zone !== primary && !REVERSE_ZONES.includes(zone)) {
    // A zone other than the cluster domain holds no Kubernetes names: NXDOMAIN with its SOA.
    const c: Ctx = { state, zone, zoneQ: qname.slice(qname.length - zone.length), primary, ttl: opts.ttl ?? CLUSTER_DNS_TTL, pods: opts.pods ?? 'insecure' };
    if (falls(opts, lower)) return FORWARD;
    return { kind: 'answer', rcode: RCODES.NXDOMAIN, authoritative: true, answers: [], authority: [soa(c)], additional: [] };
  }
  const ctx: Ctx = { state, zone, zoneQ: qname.slice(qname.length - zone.length), primary, ttl: opts.ttl ?? CLUSTER_DNS_TTL, pods: opts.pods ?? 'insecure' };

  let built: Built;
  switch (qtype) {
    case DNS_TYPES.A:
    case DNS_TYPES.AAAA:
      built = addresses(ctx, qname, qtype, []);
      break;
    case DNS_TYPES.TXT: {
      const found = services(ctx, lower, qtype);
      const recs: DnsRecord[] = found.items.filter((i) => i.text !== undefined).map((i) => ({ name: qname, type: 'TXT', class: CLASS_IN, ttl: i.ttl, strings: [i.text!] }));
      built = { records: recs, additional: [], nameError: found.nameError };
      break;
    }
    case DNS_TYPES.CNAME: {
      const found = services(ctx, lower, qtype);
      const first = found.items[0];
      const recs: DnsRecord[] = first && hostType(first.host) === 'CNAME' ? [{ name: qname, type: 'CNAME', class: CLASS_IN, ttl: first.ttl, target: first.host }] : [];
      built = { records: recs, additional: [], nameError: found.nameError };
      break;
    }
    case DNS_TYPES.PTR:
      built = ptr(ctx, qname);
      break;
    case DNS_TYPES.MX:
      // Kubernetes names never carry mail records: NODATA or NXDOMAIN.
      built = { records: [], additional: [], nameError: services(ctx, lower, qtype).nameError };
      break;
    case DNS_TYPES.SRV:
      built = srv(ctx, qname);
      break;
    case DNS_TYPES.SOA:
      built = { records: lower === zone ? [soa(ctx)] : [], additional: [], nameError: false };
      break;
    case DNS_TYPES.AXFR:
    case DNS_TYPES.IXFR:
      return { kind: 'answer', rcode: RCODES.REFUSED, authoritative: false, answers: [], authority: [], additional: [] };
    case DNS_TYPES.NS:
      if (lower === zone) {
        const addrs = services(ctx, `ns.dns.${zone}`, qtype).items;
        const seen = new Set<string>();
        const recs: DnsRecord[] = [];
        const additional: DnsRecord[] = [];
        for (const a of addrs) {
          additional.push(addressRecord(a.key, a.ttl, a.host));
          if (seen.has(a.key)) continue;
          seen.add(a.key);
          recs.push({ name: qname, type: 'NS', class: CLASS_IN, ttl: a.ttl, host: a.key });
        }
        built = { records: recs, additional, nameError: false };
        break;
      }
    // falls through: NS below the apex is answered like any other type
    default:
      // "Do a fake A lookup, so we can distinguish between NODATA and NXDOMAIN"
      built = { records: [], additional: [], nameError: addresses(ctx, qname, DNS_TYPES.A, []).nameError };
  }

  if (built.nameError) {
    if (falls(opts, lower)) return FORWARD; // kubeadm: fallthrough in-addr.arpa ip6.arpa
    return { kind: 'answer', rcode: RCODES.NXDOMAIN, authoritative: true, answers: [], authority: [soa(ctx)], additional: [] };
  }
  if (built.records.length === 0) return { kind: 'answer', rcode: RCODES.NOERROR, authoritative: true, answers: [], authority: [soa(ctx)], additional: [] };
  return {
    kind: 'answer',
    rcode: RCODES.NOERROR,
    authoritative: true,
    answers: built.records,
    authority: [],
    additional: built.additional,
    ...(built.upstream ? { upstream: built.upstream } : {}),
  };
}

// ---------------------------------------------------------------------------------- the pod's side

export interface ResolvConf {
  nameservers: string[];
  search: string[];
  ndots: number;
}

/** /etc/resolv.conf of a ClusterFirst pod in `podNamespace`, byte for byte as containerd writes it. */
export function resolvConf(state: SimState, podNamespace: string): string {
  const d = state.config.dnsDomain;
  return `search ${podNamespace}.svc.${d} svc.${d} ${d}\nnameserver ${clusterDnsIp(state)}\noptions ndots:${CLUSTER_FIRST_NDOTS}\n`;
}

/** Reads resolv.conf as glibc does: last `search`/`domain` wins, ndots defaults to 1 and caps at 15. */
export function parseResolvConf(text: string): ResolvConf {
  const conf: ResolvConf = { nameservers: [], search: [], ndots: 1 };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const [key, ...args] = line.split(/\s+/);
    if (key === 'nameserver' && args[0]) conf.nameservers.push(args[0]);
    else if (key === 'search') conf.search = args;
    else if (key === 'domain' && args[0]) conf.search = [args[0]];
    else if (key === 'options') {
      for (const o of args) {
        const m = /^ndots:(\d+)$/.exec(o);
        if (m) conf.ndots = Math.min(Number(m[1]), 15);
      }
    }
  }
  return conf;
}

/**
 * The names a stub resolver queries, in order, for `name` (each is tried until one answers;
 * see the design notes for what counts as an answer). Names are returned without the
 * trailing dot. `libc` picks glibc's or musl's rule for names with ndots or more dots.
 */
export function searchCandidates(name: string, conf: ResolvConf | string, libc: 'glibc' | 'musl' = 'glibc'): string[] {
  const c = typeof conf === 'string' ? parseResolvConf(conf) : conf;
  if (name === '' || name === '.') return [];
  if (name.endsWith('.')) return [name.slice(0, -1)];
  const dots = (name.match(/\./g) ?? []).length;
  const searched = c.search.map((d) => `${name}.${d.replace(/\.$/, '')}`);
  if (dots >= c.ndots) return libc === 'musl' ? [name] : [name, ...searched];
  return [...searched, name];
}
