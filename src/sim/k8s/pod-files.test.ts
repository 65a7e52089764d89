import { describe, expect, it } from 'vitest';
import { buildCluster } from '../cluster';
import { rngOver } from '../rng';
import { createPod, createService } from './api';
import { resolveCluster } from './coredns';
import { applyManifests } from './manifests';
import { podHostname, podHostsFile, podResolvConf } from './pod-files';
import type { PodSpec } from './types';

const T0 = Date.UTC(2025, 2, 14, 9, 0, 0);

function setup() {
  const state = buildCluster({ nodes: 3 }, 5, T0);
  const ctx = { state, rng: rngOver(state.rng), now: T0 + 60_000 };
  const pod = (name: string, spec: Partial<PodSpec>, labels?: Record<string, string>) =>
    createPod(ctx, { name, namespace: 'default', ...(labels ? { labels } : {}), spec: { containers: [{ name: 'c', image: 'busybox:1.36' }], ...spec } });
  return { state, ctx, pod };
}

describe('host name and /etc/hosts', () => {
  it('writes the managed hosts file with <hostname>.<subdomain>.<ns>.svc.cluster.local for a pod with a subdomain', () => {
    const { state, pod } = setup();
    const p = pod('db-0', { hostname: 'primary', subdomain: 'db' });
    expect(podHostname(p)).toBe('primary');
    expect(podHostsFile(state, p)).toBe(
      `# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n${p.status.podIP}\tprimary.db.default.svc.cluster.local\tprimary\n`,
    );
    const plain = pod('plain', {});
    expect(podHostsFile(state, plain).endsWith(`\n${plain.status.podIP}\tplain\n`)).toBe(true);
  });

  it("gives a host-network pod its node's name and hosts file", () => {
    const { state, pod } = setup();
    const p = pod('hn', { hostNetwork: true, nodeName: 'node-2' });
    expect(podHostname(p)).toBe('node-2');
    expect(podHostsFile(state, p)).toMatch(/^# Kubernetes-managed hosts file \(host network\)\.\n127\.0\.0\.1 localhost\n127\.0\.1\.1 node-2\n/);
  });
});

describe('resolv.conf by dnsPolicy', () => {
  it('ClusterFirst: cluster DNS, the namespace search list, ndots:5', () => {
    const { state, pod } = setup();
    expect(podResolvConf(state, pod('a', {}))).toBe('search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n');
  });

  it("Default, and ClusterFirst on the host network: the node's resolver", () => {
    const { state, pod } = setup();
    expect(podResolvConf(state, pod('d', { dnsPolicy: 'Default' }))).toBe('nameserver 192.168.49.1\n');
    expect(podResolvConf(state, pod('h', { hostNetwork: true, nodeName: 'node-1' }))).toBe('nameserver 192.168.49.1\n');
    expect(podResolvConf(state, pod('hc', { hostNetwork: true, nodeName: 'node-1', dnsPolicy: 'ClusterFirstWithHostNet' }))).toBe(
      'search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n',
    );
  });

  it('None takes dnsConfig alone; other policies append it, options merged by name', () => {
    const { state, pod } = setup();
    const dnsConfig = { nameservers: ['1.1.1.1'], searches: ['example.com'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] };
    expect(podResolvConf(state, pod('n', { dnsPolicy: 'None', dnsConfig }))).toBe('search example.com\nnameserver 1.1.1.1\noptions ndots:2 edns0\n');
    expect(podResolvConf(state, pod('m', { dnsConfig }))).toBe(
      'search default.svc.cluster.local svc.cluster.local cluster.local example.com\nnameserver 10.96.0.10\nnameserver 1.1.1.1\noptions ndots:2 edns0\n',
    );
  });
});

describe('CoreDNS names for pods with a hostname and subdomain', () => {
  it('answers <hostname>.<svc> for the headless Service named like the subdomain, in A, SRV and PTR', () => {
    const { state, ctx, pod } = setup();
    createService(ctx, { name: 'db', namespace: 'default', clusterIP: 'None', selector: { app: 'db' }, ports: [{ name: 'pg', protocol: 'TCP', port: 5432, targetPort: 5432 }] });
    const p = pod('db-0', { hostname: 'db-0', subdomain: 'db' }, { app: 'db' });
    const other = pod('db-x', {}, { app: 'db' });
    const a = resolveCluster(state, 'db-0.db.default.svc.cluster.local', 'A');
    expect(a.kind === 'answer' && a.answers.map((r) => (r.type === 'A' ? r.address : 0))).toHaveLength(1);
    const srv = resolveCluster(state, '_pg._tcp.db.default.svc.cluster.local', 'SRV');
    expect(srv.kind === 'answer' && srv.answers.map((r) => (r.type === 'SRV' ? `${r.port} ${r.target}` : '')).sort()).toEqual([
      `5432 ${other.status.podIP!.replace(/\./g, '-')}.db.default.svc.cluster.local`,
      '5432 db-0.db.default.svc.cluster.local',
    ]);
    const ptr = resolveCluster(state, `${p.status.podIP!.split('.').reverse().join('.')}.in-addr.arpa`, 'PTR');
    expect(ptr.kind === 'answer' && ptr.answers.map((r) => (r.type === 'PTR' ? r.target : ''))).toEqual(['db-0.db.default.svc.cluster.local']);
    // The dashed address is no longer its name there.
    const dashed = resolveCluster(state, `${p.status.podIP!.replace(/\./g, '-')}.db.default.svc.cluster.local`, 'A');
    expect(dashed.kind === 'answer' && dashed.rcode).toBe(3);
  });

  it('keeps dashed names when the subdomain names another Service', () => {
    const { state, ctx, pod } = setup();
    createService(ctx, { name: 'db', namespace: 'default', clusterIP: 'None', selector: { app: 'db' }, ports: [{ name: 'pg', protocol: 'TCP', port: 5432, targetPort: 5432 }] });
    const p = pod('db-0', { hostname: 'db-0', subdomain: 'elsewhere' }, { app: 'db' });
    const a = resolveCluster(state, `${p.status.podIP!.replace(/\./g, '-')}.db.default.svc.cluster.local`, 'A');
    expect(a.kind === 'answer' && a.answers).toHaveLength(1);
    const named = resolveCluster(state, 'db-0.db.default.svc.cluster.local', 'A');
    expect(named.kind === 'answer' && named.rcode).toBe(3);
  });
});

describe('pod DNS fields in manifests', () => {
  const doc = (spec: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }], ...spec } });
  const refusal = (spec: Record<string, unknown>): string => {
    const { ctx } = setup();
    try {
      applyManifests(ctx, [doc(spec)], 'default');
      return 'accepted';
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  };

  it('refuses what the API server refuses, in its words', () => {
    expect(refusal({ dnsPolicy: 'None' })).toBe('Pod "p" is invalid: spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None');
    expect(refusal({ dnsPolicy: 'None', dnsConfig: { searches: ['a'] } })).toBe('Pod "p" is invalid: spec.dnsConfig.nameservers: Required value: must provide at least one DNS nameserver when `dnsPolicy` is None');
    expect(refusal({ dnsPolicy: 'Cluster' })).toBe('Pod "p" is invalid: spec.dnsPolicy: Unsupported value: "Cluster": supported values: "ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"');
    expect(refusal({ hostname: 'Web_1' })).toMatch(/^Pod "p" is invalid: spec\.hostname: Invalid value: "Web_1": a lowercase RFC 1123 label must consist of/);
    expect(refusal({ hostname: 'web-1', subdomain: 'db', dnsPolicy: 'Default' })).toBe('accepted');
  });

  it('keeps the fields on the stored pod', () => {
    const { state, ctx } = setup();
    applyManifests(ctx, [doc({ hostname: 'web-1', subdomain: 'db', dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'], options: [{ name: 'ndots', value: 1 }] }, volumes: [{ name: 'v', secret: { secretName: 's' } }] })], 'default');
    const spec = state.k8s.pods['default/p']!.spec;
    expect(spec).toMatchObject({ hostname: 'web-1', subdomain: 'db', dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'], options: [{ name: 'ndots', value: '1' }] }, volumes: [{ name: 'v', secret: { secretName: 's' } }] });
  });
});
