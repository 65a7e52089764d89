import { describe, expect, it } from 'vitest';
import { buildCluster, type ClusterSpec } from '../cluster';
import { decodeDns, dnsQuery, dnsResponse, encodeDns, formatRecord, RCODES, type DnsMessage } from '../dns';
import { parseIp } from '../ipv4';
import { configDigest, corednsStartup, loadCorefile, serveCoreDns, syncCoreDns } from './coredns-config';
import { recordedLog } from './logs';
import { getStored, updateStored, storedKind } from './objects';
import { kubeadmCorefile } from './system-objects';

const T0 = Date.UTC(2025, 2, 14, 9, 30, 0);
const SPEC: ClusterSpec = {
  nodes: 2,
  workloads: {
    deployments: [{ name: 'web', replicas: 1, image: 'nginx:1.27', ports: [80] }],
    services: [{ name: 'web', selector: { app: 'web' }, ports: [{ port: 80 }] }],
  },
};

const ROUTER_ANSWER = (q: DnsMessage): DnsMessage =>
  q.questions[0]!.name.replace(/\.$/, '') === 'example.com'
    ? dnsResponse(q, [{ name: q.questions[0]!.name, type: 'A', class: 1, ttl: 300, address: parseIp('93.184.215.14')! }], 'NOERROR', [], { ra: true })
    : dnsResponse(q, [], 'NXDOMAIN', [], { ra: true });

function setup() {
  const s = buildCluster(SPEC, 3, T0);
  const pod = Object.values(s.k8s.pods).find((p) => p.metadata.labels?.['k8s-app'] === 'kube-dns')!;
  let id = 1;
  const ask = (name: string, at: number, type: Parameters<typeof dnsQuery>[2] = 'A') => {
    const bytes = serveCoreDns(s, encodeDns(dnsQuery(id++, name, type)), { upstream: ROUTER_ANSWER, upstreamIp: '192.168.49.1', peer: { ip: parseIp('10.244.1.5')!, port: 40000 }, proto: 'udp', pod, now: at })!;
    return decodeDns(bytes);
  };
  const setCorefile = (text: string, at: number) => {
    const cm = getStored(s, 'configmaps', 'kube-system', 'coredns')!;
    updateStored({ state: s, rng: undefined as never, now: at }, storedKind('ConfigMap')!, 'kube-system', 'coredns', { data: { ...(cm.data as object), Corefile: text } });
  };
  const log = () => recordedLog(s, pod, 'coredns')?.lines.map((l) => l.text) ?? [];
  return { s, ask, setCorefile, log };
}

const withPlugins = (domain: string, extra: string): string => kubeadmCorefile(domain).replace('    errors\n', `    errors\n${extra}`);

describe('Corefile parsing and setup', () => {
  it('reads kubeadm\'s Corefile, and reports syntax and setup errors as CoreDNS does', () => {
    const ok = loadCorefile(kubeadmCorefile('cluster.local'));
    expect(ok.ok).toBe(true);
    if (ok.ok) expect(ok.servers[0]).toMatchObject({ zones: ['.'], port: 53, errors: true, log: false, kubernetes: { pods: 'insecure', ttl: 30, fallthrough: ['in-addr.arpa.', 'ip6.arpa.'] }, cache: { ttl: 30, disableSuccess: ['cluster.local.'], disableDenial: ['cluster.local.'] }, forward: { from: '.', to: ['/etc/resolv.conf'] } });
    expect(loadCorefile('.:53 {\n    errors\n}\n}\n')).toEqual({ ok: false, syntax: true, error: "/etc/coredns/Corefile:4 - Error during parsing: Unexpected '}' because no matching opening brace" });
    expect(loadCorefile('.:53 {\n    errors\n    cache 30 {\n')).toEqual({ ok: false, syntax: true, error: '/etc/coredns/Corefile:3 - Error during parsing: Unexpected EOF' });
    expect(loadCorefile('.:53 {\n    errors\n    bogus\n}\n')).toEqual({ ok: false, syntax: false, error: "/etc/coredns/Corefile:3 - Error during parsing: Unknown directive 'bogus'" });
    expect(loadCorefile('.:53 {\n    forward .\n}\n')).toEqual({ ok: false, syntax: false, error: "plugin/forward: /etc/coredns/Corefile:2 - Error during parsing: Wrong argument count or unexpected line ending after 'forward'" });
    expect(loadCorefile('.:53 {\n    kubernetes cluster.local {\n        pods sometimes\n    }\n}\n')).toMatchObject({ ok: false, error: "plugin/kubernetes: /etc/coredns/Corefile:3 - Error during parsing: Wrong argument count or unexpected line ending after 'pods'" });
  });
});

describe('reload', () => {
  it('a changed Corefile takes effect at the next tick of the reload ticker (30s +- 7.5s), not before', () => {
    const { s, ask, setCorefile, log } = setup();
    const t = T0 + 3_600_000;
    expect(ask('example.com', t).rcode).toBe(RCODES.NOERROR);
    syncCoreDns(s, t);
    const tick = s.k8s.coredns!.nextTick!;
    expect(s.k8s.coredns!.interval).toBeGreaterThanOrEqual(22_500);
    expect(s.k8s.coredns!.interval).toBeLessThan(37_500);
    setCorefile(withPlugins('cluster.local', '    log\n    hosts {\n        10.1.2.3 legacy.example.com\n        fallthrough\n    }\n'), t);
    // Before the tick: the old configuration (the upstream knows no legacy.example.com).
    expect(ask('legacy.example.com', tick - 1).rcode).toBe(RCODES.NXDOMAIN);
    expect(log()).toEqual([]);
    // hosts says TTL 3600; the cache plugin, which runs before it, caps the TTL at 30.
    const after = ask('legacy.example.com', tick);
    expect(after.answers.map(formatRecord)).toEqual(['legacy.example.com. 30 IN A 10.1.2.3']);
    expect(after.aa).toBe(true);
    const lines = log();
    expect(lines.slice(0, 3)).toEqual(['[INFO] Reloading', expect.stringMatching(/^\[INFO\] plugin\/reload: Running configuration SHA512 = [0-9a-f]{128}$/), '[INFO] Reloading complete']);
    expect(lines[3]).toMatch(/^\[INFO\] 10\.244\.1\.5:40000 - \d+ "A IN legacy\.example\.com\. udp \d+ false 512" NOERROR qr,aa,rd \d+ 0\.000\d+s$/);
  });

  it('a Corefile that does not parse keeps the old configuration and is reported at every tick; one that fails setup once', () => {
    const { s, ask, setCorefile, log } = setup();
    const t = T0 + 3_600_000;
    syncCoreDns(s, t);
    const { nextTick: tick, interval } = s.k8s.coredns!;
    setCorefile('.:53 {\n    errors\n    kubernetes cluster.local\n', t);
    expect(ask('web.default.svc.cluster.local', tick! + 2 * interval).answers).toHaveLength(1);
    expect(log()).toEqual(Array(3).fill('[WARNING] plugin/reload: Corefile parse failed: /etc/coredns/Corefile:3 - Error during parsing: Unexpected EOF'));
    setCorefile('.:53 {\n    errors\n    bogus\n}\n', tick! + 2 * interval);
    expect(ask('web.default.svc.cluster.local', tick! + 5 * interval).answers).toHaveLength(1);
    expect(log().slice(3)).toEqual(["[ERROR] plugin/reload: Corefile changed but reload failed: /etc/coredns/Corefile:3 - Error during parsing: Unknown directive 'bogus'"]);
  });
});

describe('plugins', () => {
  async function running(extra: string, replaceAll?: string) {
    const env = setup();
    const t = T0 + 3_600_000;
    syncCoreDns(env.s, t);
    env.setCorefile(replaceAll ?? withPlugins('cluster.local', extra), t);
    const at = env.s.k8s.coredns!.nextTick!;
    syncCoreDns(env.s, at);
    return { ...env, at };
  }

  it('hosts without fallthrough answers SERVFAIL for every name it lacks', async () => {
    const { ask, at } = await running('    hosts {\n        10.1.2.3 legacy.example.com\n    }\n');
    expect(ask('legacy.example.com', at).answers).toHaveLength(1);
    expect(ask('web.default.svc.cluster.local', at).rcode).toBe(RCODES.SERVFAIL);
  });

  it('rewrite name exact answers for the target and restores the question and answer names', async () => {
    const { ask, at, s } = await running('    rewrite name exact db.internal web.default.svc.cluster.local\n');
    const r = ask('db.internal', at);
    expect(r.questions[0]!.name).toBe('db.internal');
    expect(r.answers.map(formatRecord)).toEqual([`db.internal. 30 IN A ${s.k8s.services['default/web']!.spec.clusterIP}`]);
  });

  it('cache: forwarded answers carry the capped TTL and count down; cluster names are cached once the disable lines go', async () => {
    const { ask, at, s } = await running('', kubeadmCorefile('cluster.local').replace(/    cache 30 \{[^}]*\}\n/, '    cache 30\n'));
    expect(ask('example.com', at).answers[0]!.ttl).toBe(30);
    expect(ask('example.com', at + 12_000).answers[0]!.ttl).toBe(18);
    const ip = s.k8s.services['default/web']!.spec.clusterIP;
    expect(ask('web.default.svc.cluster.local', at).answers.map(formatRecord)).toEqual([`web.default.svc.cluster.local. 30 IN A ${ip}`]);
    delete s.k8s.services['default/web'];
    // The deleted Service still resolves from the cache until its entry expires.
    expect(ask('web.default.svc.cluster.local', at + 10_000).answers.map(formatRecord)).toEqual([`web.default.svc.cluster.local. 20 IN A ${ip}`]);
    expect(ask('web.default.svc.cluster.local', at + 31_000).rcode).toBe(RCODES.NXDOMAIN);
  });

  it('forward to an address the sandbox cannot reach is SERVFAIL, with the errors plugin\'s line', async () => {
    const { ask, at, log } = await running('', kubeadmCorefile('cluster.local').replace('forward . /etc/resolv.conf', 'forward . 8.8.8.8'));
    expect(ask('example.com', at).rcode).toBe(RCODES.SERVFAIL);
    expect(log().at(-1)).toMatch(/^\[ERROR\] plugin\/errors: 2 example\.com\. A: read udp 10\.244\.\d+\.\d+:\d+->8\.8\.8\.8:53: i\/o timeout$/);
  });

  it('pods verified answers only for addresses a pod in that namespace has; ttl sets the TTL', async () => {
    const { ask, at, s } = await running('', kubeadmCorefile('cluster.local').replace('pods insecure', 'pods verified').replace('ttl 30', 'ttl 5'));
    const web = Object.values(s.k8s.pods).find((p) => p.metadata.labels?.app === 'web')!;
    const dashed = web.status.podIP!.replace(/\./g, '-');
    expect(ask(`${dashed}.default.pod.cluster.local`, at).answers.map((r) => r.ttl)).toEqual([5]);
    expect(ask('10-9-9-9.default.pod.cluster.local', at).rcode).toBe(RCODES.NXDOMAIN);
  });
});

describe('startup banner', () => {
  it('prints the server address, the reload digest and the version lines; a pod started after a reload shows the new file', () => {
    const { s, setCorefile } = setup();
    const first = corednsStartup(s, T0);
    expect(first).toEqual(['.:53', `[INFO] plugin/reload: Running configuration SHA512 = ${configDigest(kubeadmCorefile('cluster.local'))}`, 'CoreDNS-1.11.3', 'linux/amd64, go1.21.11, a6338e9']);
    const changed = withPlugins('cluster.local', '    log\n') + 'example.org:53 {\n    forward . 10.0.0.53\n}\n';
    syncCoreDns(s, T0);
    setCorefile(changed, T0 + 1000);
    syncCoreDns(s, T0 + 60_000);
    // A pod that was running keeps the banner of the file it started with.
    expect(corednsStartup(s, T0)).toEqual(first);
    const later = corednsStartup(s, T0 + 120_000);
    expect(later.slice(0, 2)).toEqual(['.:53', 'example.org.:53']);
    expect(later[2]).toBe(`[INFO] plugin/reload: Running configuration SHA512 = ${configDigest(changed)}`);
  });
});
