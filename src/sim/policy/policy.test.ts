import { describe, expect, it } from 'vitest';
import '../apps';
import { buildCluster } from '../cluster';
import { podNetns } from '../cni';
import { inject } from '../forward';
import { ip } from '../ipv4';
import { dnsQuery, encodeDns } from '../dns';
import { udp, ipv4 } from '../packet';
import { rngOver } from '../rng';
import type { SimState } from '../state';
import { tcpExchange } from '../tcp-stack';
import { createPod, type ApiContext } from '../k8s/api';
import { createStored, deleteStored, storedKind } from '../k8s/objects';
import { normalise, parseSelector, matches, selectorText } from './selector';
import { selectorSetId, ipsetName, ruleHashes, lengthLimited } from './felix';
import { calicoIface } from './calico';

const T0 = Date.UTC(2025, 2, 14, 9, 0, 0);
const NOW = T0 + 600_000;

/**
 * default: web (app=web, container port 80 named http) on node-1, a (role=frontend) on node-2,
 * b (role=other) on node-1; prod (team=prod): c (role=frontend) and p (no role) on node-2;
 * dev: d (role=frontend) on node-1.
 */
function cluster(cni: SimState['config']['cni'] = 'canal'): { state: SimState; ctx: ApiContext } {
  const state = buildCluster({ cni, namespaces: ['prod', 'dev'] }, 3, T0);
  state.k8s.namespaces.prod!.metadata.labels = { ...state.k8s.namespaces.prod!.metadata.labels, team: 'prod' };
  const ctx: ApiContext = { state, rng: rngOver(state.rng), now: T0 + 300_000 };
  const pod = (name: string, namespace: string, node: string, labels: Record<string, string>, image = 'busybox:1.36') =>
    createPod(ctx, {
      name,
      namespace,
      labels,
      spec: { nodeName: node, containers: [{ name, image, ...(image.startsWith('nginx') ? { ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' as const }] } : { command: ['sleep', '3600'] }) }] },
    });
  pod('web', 'default', 'node-1', { app: 'web' }, 'nginx:1.27');
  pod('a', 'default', 'node-2', { role: 'frontend' });
  pod('b', 'default', 'node-1', { role: 'other' });
  pod('c', 'prod', 'node-2', { role: 'frontend' });
  pod('p', 'prod', 'node-2', {});
  pod('d', 'dev', 'node-1', { role: 'frontend' });
  return { state, ctx };
}

let nextPort = 40000;
const GET = Uint8Array.from('GET / HTTP/1.0\r\n\r\n', (c) => c.charCodeAt(0));

const POD_NS: Record<string, string> = { web: 'default', a: 'default', b: 'default', c: 'prod', p: 'prod', d: 'dev' };
const podOf = (state: SimState, name: string) => state.k8s.pods[`${POD_NS[name]}/${name}`]!;

/** A TCP connection from pod `from` to web's port: true when the HTTP answer comes back. */
function connects(state: SimState, from: string, port = 80, to = 'web'): boolean {
  const ns = podNetns(state, podOf(state, from))!;
  const env = { state, rng: rngOver(state.rng), now: NOW, send: (id: string, p: Parameters<typeof inject>[2], o: { openPorts: Set<string> }) => inject(state, id, p, NOW, o) };
  const r = tcpExchange(env, ns.id, ip(podOf(state, to).status.podIP!), port, GET, nextPort++);
  return r.kind === 'response';
}

/** A DNS query from pod `from` to kube-dns (a new source port each time): true when an answer comes back. */
function resolves(state: SimState, from: string): boolean {
  const sport = nextPort++;
  const ns = podNetns(state, podOf(state, from))!;
  const src = ip(podOf(state, from).status.podIP!);
  const q = encodeDns(dnsQuery(0x1234, 'kubernetes.default.svc.cluster.local', 'A'));
  const t = inject(state, ns.id, ipv4({ src, dst: ip('10.96.0.10'), id: 5, payload: udp(src, ip('10.96.0.10'), sport, 53, q) }), NOW);
  return t.deliveries.some((d) => d.ns === ns.id && d.packet.payload.kind === 'udp');
}

function policy(ctx: ApiContext, namespace: string, name: string, spec: Record<string, unknown>): void {
  createStored(ctx, storedKind('NetworkPolicy')!, namespace, name, { spec });
}

const CLIENTS = ['a', 'b', 'c', 'd', 'p'] as const;

type Case = { name: string; policies: [string, string, Record<string, unknown>][]; open: (typeof CLIENTS)[number][]; port?: number };

const CASES: Case[] = [
  { name: 'no policy: every pod reaches web', policies: [], open: ['a', 'b', 'c', 'd', 'p'] },
  { name: 'default deny ingress (podSelector {}) closes web to everyone', policies: [['default', 'deny', { podSelector: {}, policyTypes: ['Ingress'] }]], open: [] },
  { name: 'a policy selecting other pods leaves web open', policies: [['default', 'other', { podSelector: { matchLabels: { app: 'db' } } }]], open: ['a', 'b', 'c', 'd', 'p'] },
  { name: 'podSelector peer: only role=frontend of the same namespace', policies: [['default', 'fe', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ podSelector: { matchLabels: { role: 'frontend' } } }] }] }]], open: ['a'] },
  { name: 'namespaceSelector peer: every pod of team=prod namespaces', policies: [['default', 'prod', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'prod' } } }] }] }]], open: ['c', 'p'] },
  {
    name: 'namespaceSelector and podSelector in one peer: both must match',
    policies: [['default', 'both', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'prod' } }, podSelector: { matchLabels: { role: 'frontend' } } }] }] }]],
    open: ['c'],
  },
  {
    name: 'the same two as separate peers: either matches',
    policies: [['default', 'either', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'prod' } } }, { podSelector: { matchLabels: { role: 'frontend' } } }] }] }]],
    open: ['a', 'c', 'p'],
  },
  { name: 'namespaceSelector {} with a podSelector: role=frontend in every namespace', policies: [['default', 'all-ns', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { role: 'frontend' } } }] }] }]], open: ['a', 'c', 'd'] },
  { name: 'matchExpressions In', policies: [['default', 'expr', { podSelector: {}, ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'role', operator: 'In', values: ['other', 'x'] }] } }] }] }]], open: ['b'] },
  { name: 'ipBlock with except: node-1 pods only', policies: [['default', 'cidr', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.244.0.0/16', except: ['10.244.2.0/24'] } }] }] }]], open: ['b', 'd'] },
  { name: 'ports: TCP 80 allowed from anywhere', policies: [['default', 'p80', { podSelector: {}, ingress: [{ ports: [{ port: 80 }] }] }]], open: ['a', 'b', 'c', 'd', 'p'] },
  { name: 'ports: only 8080 allowed, 80 closed', policies: [['default', 'p8080', { podSelector: {}, ingress: [{ ports: [{ port: 8080, protocol: 'TCP' }] }] }]], open: [] },
  { name: 'ports: UDP 80 does not open TCP 80', policies: [['default', 'udp', { podSelector: {}, ingress: [{ ports: [{ port: 80, protocol: 'UDP' }] }] }]], open: [] },
  { name: 'named port http', policies: [['default', 'named', { podSelector: {}, ingress: [{ ports: [{ port: 'http' }] }] }]], open: ['a', 'b', 'c', 'd', 'p'] },
  { name: 'named port nobody has', policies: [['default', 'named2', { podSelector: {}, ingress: [{ ports: [{ port: 'https' }] }] }]], open: [] },
  { name: 'endPort range 70-90 includes 80', policies: [['default', 'range', { podSelector: {}, ingress: [{ ports: [{ port: 70, endPort: 90 }] }] }]], open: ['a', 'b', 'c', 'd', 'p'] },
  { name: 'endPort range 81-90 excludes 80', policies: [['default', 'range2', { podSelector: {}, ingress: [{ ports: [{ port: 81, endPort: 90 }] }] }]], open: [] },
  {
    name: 'peers and ports in one rule: role=frontend on port 80',
    policies: [['default', 'pp', { podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { role: 'frontend' } } }], ports: [{ port: 80 }, { port: 'https' }] }] }]],
    open: ['a'],
  },
  {
    name: 'policies add up: two policies each allowing one client',
    policies: [
      ['default', 'p1', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ podSelector: { matchLabels: { role: 'other' } } }] }] }],
      ['default', 'p2', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'dev' } } }] }] }],
    ],
    open: ['b', 'd'],
  },
  { name: 'egress policies of other namespaces do not close web', policies: [['dev', 'egress-deny', { podSelector: {}, policyTypes: ['Egress'] }]], open: ['a', 'b', 'c', 'p'] },
  {
    name: 'egress from prod allowed only to app=web in default',
    policies: [['prod', 'egress', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'default' } }, podSelector: { matchLabels: { app: 'web' } } }] }] }]],
    open: ['a', 'b', 'c', 'd', 'p'],
  },
  { name: 'egress from prod only to port 443', policies: [['prod', 'egress443', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 443 }] }] }]], open: ['a', 'b', 'd'] },
];

describe('NetworkPolicy on Canal: policies x probes', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const { state, ctx } = cluster();
      for (const [ns, name, spec] of c.policies) policy(ctx, ns, name, spec);
      const open = CLIENTS.filter((from) => connects(state, from, c.port ?? 80));
      expect(open).toEqual(c.open);
    });
  }
});

describe('NetworkPolicy on Canal: behaviour', () => {
  it('replies of an allowed connection pass though the client side denies all ingress (conntrack)', () => {
    const { state, ctx } = cluster();
    policy(ctx, 'default', 'deny-all-ingress', { podSelector: {}, policyTypes: ['Ingress'] });
    policy(ctx, 'default', 'web-from-a', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ podSelector: { matchLabels: { role: 'frontend' } } }] }] });
    policy(ctx, 'default', 'web-no-egress', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'] });
    expect(connects(state, 'a')).toBe(true);
    expect(connects(state, 'b')).toBe(false);
  });

  it('policyTypes inferred: egress rules without policyTypes also make the pods ingress-isolated', () => {
    const { state, ctx } = cluster();
    policy(ctx, 'default', 'egress-only', { podSelector: { matchLabels: { app: 'web' } }, egress: [{}] });
    expect(state.k8s.objects!.networkpolicies!['default/egress-only']!.spec).toMatchObject({ policyTypes: ['Ingress', 'Egress'] });
    expect(connects(state, 'a')).toBe(false);
  });

  it('egress isolation blocks DNS until the policy allows UDP 53 to kube-dns', () => {
    const { state, ctx } = cluster();
    expect(resolves(state, 'c')).toBe(true);
    policy(ctx, 'prod', 'to-web', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 80 }] }] });
    expect(resolves(state, 'c')).toBe(false);
    expect(connects(state, 'c')).toBe(true);
    policy(ctx, 'prod', 'dns', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] }] });
    expect(resolves(state, 'c')).toBe(true);
  });

  it('a policy change applies to the next packet, and a removed policy reopens', () => {
    const { state, ctx } = cluster();
    expect(connects(state, 'a')).toBe(true);
    policy(ctx, 'default', 'deny', { podSelector: {}, policyTypes: ['Ingress'] });
    expect(connects(state, 'a')).toBe(false);
    state.k8s.pods['default/a']!.metadata.labels = { role: 'frontend', allowed: 'yes' };
    policy(ctx, 'default', 'allow', { podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { allowed: 'yes' } } }] }] });
    expect(connects(state, 'a')).toBe(true);
    deleteStored(state, 'networkpolicies', 'default', 'allow');
    expect(connects(state, 'a')).toBe(false);
    deleteStored(state, 'networkpolicies', 'default', 'deny');
    expect(connects(state, 'a')).toBe(true);
  });

  it('a dropped SYN is silent: no RST, no ICMP, and the trace names the DROP rule', () => {
    const { state, ctx } = cluster();
    policy(ctx, 'default', 'deny', { podSelector: {}, policyTypes: ['Ingress'] });
    const ns = podNetns(state, podOf(state, 'a'))!;
    const env = { state, rng: rngOver(state.rng), now: NOW, send: (id: string, p: Parameters<typeof inject>[2], o: { openPorts: Set<string> }) => inject(state, id, p, NOW, o) };
    const r = tcpExchange(env, ns.id, ip(podOf(state, 'web').status.podIP!), 80, new Uint8Array(0), 41000);
    expect(r.kind).toBe('timeout');
    const hops = r.traces.flatMap((t) => t.hops);
    const drop = hops.find((h) => h.action === 'filter')!;
    // The sentence names the endpoint chain that dropped and the rule's own comment.
    expect(drop.detail).toBe(`filter FORWARD: DROP in cali-tw-${calicoIface('default', 'web')} ("Drop if no policies passed packet")`);
    expect(drop.ns).toBe('node/node-1');
    expect(drop.rules![drop.rules!.length - 1]).toMatch(/^-A cali-tw-cali[0-9a-f]{11} -m comment --comment "cali:[\w-]{16}" -m comment --comment "Drop if no policies passed packet" -m mark --mark 0x0\/0x20000 -j DROP$/);
    expect(r.traces.flatMap((t) => t.deliveries).some((d) => d.ns === ns.id)).toBe(false);
  });

  it('an egress drop happens on the sender\'s node, in its cali-fw- chain', () => {
    const { state, ctx } = cluster();
    policy(ctx, 'default', 'no-egress', { podSelector: { matchLabels: { role: 'frontend' } }, policyTypes: ['Egress'] });
    const ns = podNetns(state, podOf(state, 'a'))!;
    const env = { state, rng: rngOver(state.rng), now: NOW, send: (id: string, p: Parameters<typeof inject>[2], o: { openPorts: Set<string> }) => inject(state, id, p, NOW, o) };
    const r = tcpExchange(env, ns.id, ip(podOf(state, 'web').status.podIP!), 80, new Uint8Array(0), 41003);
    expect(r.kind).toBe('timeout');
    const drop = r.traces.flatMap((t) => t.hops).find((h) => h.action === 'filter')!;
    expect([drop.ns, drop.detail]).toEqual(['node/node-2', `filter FORWARD: DROP in cali-fw-${calicoIface('default', 'a')} ("Drop if no policies passed packet")`]);
  });

  it('the host reaches its local pods whatever their ingress policy (Felix does not police host to workload)', () => {
    const { state, ctx } = cluster();
    policy(ctx, 'default', 'deny', { podSelector: {}, policyTypes: ['Ingress'] });
    const env = { state, rng: rngOver(state.rng), now: NOW, send: (id: string, p: Parameters<typeof inject>[2], o: { openPorts: Set<string> }) => inject(state, id, p, NOW, o) };
    expect(tcpExchange(env, 'node/node-1', ip(podOf(state, 'web').status.podIP!), 80, GET, 41001).kind).toBe('response');
    // From another node the packet is forwarded into the pod's cali device: policed.
    expect(tcpExchange(env, 'node/node-2', ip(podOf(state, 'web').status.podIP!), 80, GET, 41002).kind).toBe('timeout');
  });
});

describe('flannel alone enforces nothing', () => {
  for (const cni of ['flannel-vxlan', 'flannel-host-gw'] as const) {
    it(`${cni}: a default deny leaves web open and writes no cali chains`, () => {
      const { state, ctx } = cluster(cni);
      policy(ctx, 'default', 'deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
      expect(CLIENTS.filter((from) => connects(state, from))).toEqual([...CLIENTS]);
      expect(Object.keys(state.netns['node/node-1']!.nf!.filter.chains).some((c) => c.startsWith('cali-'))).toBe(false);
    });
  }
});

describe('Calico selectors and names', () => {
  it('prints selectors in libcalico-go canonical form', () => {
    expect(normalise("(projectcalico.org/orchestrator == 'k8s' && app == 'web') && projectcalico.org/namespace == 'default'")).toBe(
      '((projectcalico.org/orchestrator == "k8s" && app == "web") && projectcalico.org/namespace == "default")',
    );
    expect(normalise("role in { 'b', 'a', 'b' } && ! has(x) || all()")).toBe('((role in {"a", "b"} && !has(x)) || all())');
    expect(normalise('')).toBe('all()');
    expect(selectorText(parseSelector("v == 'say \"hi\"'"))).toBe(`v == 'say "hi"'`);
    expect(matches(parseSelector("a != 'x' && b not in { 'y' }"), {})).toBe(true);
    expect(matches(parseSelector("has(a) && a in { 'x' }"), { a: 'x' })).toBe(true);
  });

  it('names ipsets cali40 + s: + base64url(sha224) of the selector, cut to 31 characters', () => {
    const id = selectorSetId("projectcalico.org/namespace == 'default'");
    expect(id).toMatch(/^s:[A-Za-z0-9_-]{38}$/);
    expect(ipsetName(id)).toHaveLength(31);
    expect(ipsetName(id)).toBe(`cali40${id}`.slice(0, 31));
  });

  it('hashes rules as Felix does (values from a real node)', () => {
    expect(ruleHashes('FORWARD', [{ action: { k: 'jump', chain: 'cali-FORWARD' } }])).toEqual(['wUHhoiAYhphO9Mso']);
    expect(ruleHashes('cali-FORWARD', [{ action: { k: 'mark', mark: 0, mask: 0xe0000, clear: true } }, { match: [{ k: 'markClear', mask: 0x10000 }], action: { k: 'jump', chain: 'cali-from-hep-forward' } }])).toEqual(['vjrMJCRpqwy5oRoX', 'A_sPAO0mcxbT9mOV']);
  });

  it('shortens long chain names with a hash, as GetLengthLimitedID does', () => {
    expect(lengthLimited('cali-pri-', 'kns.default')).toBe('cali-pri-kns.default');
    expect(lengthLimited('cali-pri-', 'ksa.default.default')).toBe('cali-pri-ksa.default.default');
    expect(lengthLimited('cali-pri-', 'ksa.kube-system.coredns')).toMatch(/^cali-pri-_[A-Za-z0-9_-]{18}$/);
  });
});
