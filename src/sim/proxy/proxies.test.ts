import { applyFault } from '../faults';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { text } from '../apps';
import { clone } from '../clone';
import { VirtualClock } from '../clock';
import { parseIp } from '../ipv4';
import { Sim } from '../sim';
import { PROXIES, proxyMode, syncServiceProxy } from './index';
import type { ProxyMode } from './types';

// The contract every service proxy fulfils (docs/how-to-add.md, "A service proxy"): a new mode's
// entry in PROXIES is run through these tests as it is.

const T0 = Date.UTC(2025, 2, 14, 9, 0, 0);
const get = Uint8Array.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n', (c) => c.charCodeAt(0));

function cluster(mode: ProxyMode): Sim {
  const sim = Sim.create(
    {
      proxyMode: mode,
      workloads: {
        deployments: [{ name: 'web', replicas: 2, image: 'registry.k8s.io/serve_hostname', ports: [9376] }],
        pods: [{ name: 'client', image: 'busybox:1.36', command: ['sleep', '3600'] }],
        services: [{ name: 'web', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 9376 }] }],
      },
    },
    2,
    new VirtualClock(T0 + 600_000),
    T0,
  );
  sim.advance();
  return sim;
}

describe.each(Object.keys(PROXIES) as ProxyMode[])('the %s service proxy', (mode) => {
  it('names its own mode, and a cluster built with it runs it', () => {
    expect(PROXIES[mode].mode).toBe(mode);
    expect(proxyMode(cluster(mode).state)).toBe(mode);
  });

  it('takes a pod to the Service\'s pods through the ClusterIP, and nowhere once they are gone', () => {
    const sim = cluster(mode);
    const vip = parseIp(sim.state.k8s.services['default/web']!.spec.clusterIP!)!;
    const client = sim.podNetns(sim.pod('default', 'client')!)!.id;
    const r = sim.tcpRequest(client, vip, 80, get);
    expect(r.kind === 'response' && text(r.data)).toMatch(/\r\n\r\nweb-/);
    for (const p of Object.values(sim.state.k8s.pods)) if (p.metadata.labels?.app === 'web') delete sim.state.k8s.pods[`default/${p.metadata.name}`];
    sim.state.proxyDirty = true;
    expect(sim.tcpRequest(client, vip, 80, get).kind).not.toBe('response');
  });

  it('writes nothing when nothing changed, and leaves a node whose proxy is stopped alone', () => {
    const sim = cluster(mode);
    syncServiceProxy(sim.state, T0 + 600_000);
    const before = JSON.stringify(sim.state);
    syncServiceProxy(sim.state, T0 + 600_000);
    expect(JSON.stringify(sim.state)).toBe(before);
    applyFault(sim.state, { kind: 'kube-proxy-stopped', node: 'node-1' }, T0 + 600_000);
    const frozen = sim.state.netns['node/node-1']!;
    const own = JSON.stringify(frozen);
    delete sim.state.k8s.services['default/web'];
    sim.state.proxyDirty = true;
    syncServiceProxy(sim.state, T0 + 600_000);
    expect(JSON.stringify(frozen)).toBe(own);
  });

  it('runs again on a node once a kube-proxy pod there is ready', () => {
    const sim = cluster(mode);
    applyFault(sim.state, { kind: 'kube-proxy-stopped', node: 'node-1' }, T0 + 600_000);
    const node = sim.state.netns['node/node-1']!;
    const pod = Object.values(sim.state.k8s.pods).find((p) => p.spec.nodeName === 'node-1' && p.metadata.labels?.['k8s-app'] === 'kube-proxy')!;
    syncServiceProxy(sim.state, T0 + 600_000);
    expect(node.kubeProxy?.mode).toBe('frozen');
    pod.status.conditions = pod.status.conditions!.map((c) => (c.type === 'Ready' ? { ...c, status: 'True' } : c));
    syncServiceProxy(sim.state, T0 + 600_000);
    expect(node.kubeProxy?.mode).toBe('live');
  });

  it('runs again on a copy of the state too (a restored snapshot), and stays stopped on the original', () => {
    const sim = cluster(mode);
    syncServiceProxy(sim.state, T0 + 600_000);
    applyFault(sim.state, { kind: 'kube-proxy-stopped', node: 'node-1' }, T0 + 600_000);
    const copy = clone(sim.state);
    const pod = Object.values(copy.k8s.pods).find((p) => p.spec.nodeName === 'node-1' && p.metadata.labels?.['k8s-app'] === 'kube-proxy')!;
    pod.status.conditions = pod.status.conditions!.map((c) => (c.type === 'Ready' ? { ...c, status: 'True' } : c));
    syncServiceProxy(copy, T0 + 600_000);
    expect(copy.netns['node/node-1']!.kubeProxy?.mode).toBe('live');
    syncServiceProxy(sim.state, T0 + 600_000);
    expect(sim.state.netns['node/node-1']!.kubeProxy?.mode).toBe('frozen');
  });
});

describe('the Linux data path', () => {
  it('imports nothing from Kubernetes or the service proxies', () => {
    for (const file of ['forward.ts', 'daemons.ts', 'ipvs.ts', 'ipset.ts', 'netfilter.ts', 'conntrack.ts', 'netns.ts']) {
      const src = readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');
      const imports = [...src.matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1]!);
      expect(imports.filter((i) => i.startsWith('./k8s') || i.startsWith('./proxy')), file).toEqual([]);
    }
  });
});
