import { describe, expect, it } from 'vitest';
import { applyWorkloads, buildCluster } from '../cluster';
import { podNetns } from '../cni';
import { inject } from '../forward';
import { formatIp, ip, parseIp } from '../ipv4';
import { ipv4, udp, type Ipv4Packet } from '../packet';
import { rngOver } from '../rng';
import { createService } from './api';
import { LB_NS, WORKSTATION_NS } from './cloud';
import { endpointSliceObject, endpointsObject } from './endpoints';

const T0 = Date.UTC(2025, 2, 14, 9, 0, 0);

function cluster() {
  const state = buildCluster({ workloads: { deployments: [{ name: 'web', replicas: 2, image: 'nginx:1.27', labels: { app: 'web' } }] } }, 11, T0);
  const ctx = { state, rng: rngOver(state.rng), now: T0 + 300_000 };
  applyWorkloads(ctx, {});
  const np = createService(ctx, { name: 'web-np', namespace: 'default', type: 'NodePort', selector: { app: 'web' }, ports: [{ protocol: 'UDP', port: 80, targetPort: 8080 }] });
  const lb = createService(ctx, { name: 'web-lb', namespace: 'default', type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ protocol: 'UDP', port: 80, targetPort: 8080 }] });
  const headless = createService(ctx, { name: 'web-headless', namespace: 'default', clusterIP: 'None', selector: { app: 'web' }, ports: [{ protocol: 'TCP', port: 80, targetPort: 80 }] });
  const ext = createService(ctx, { name: 'docs', namespace: 'default', type: 'ExternalName', externalName: 'kubernetes.io', ports: [] });
  return { state, np, lb, headless, ext };
}

function send(state: ReturnType<typeof cluster>['state'], nsId: string, src: number, dst: number, sport: number, dport: number, t: number) {
  return inject(state, nsId, ipv4({ src, dst, id: 1, payload: udp(src, dst, sport, dport, new Uint8Array([7])) }), t);
}

const webIps = (state: ReturnType<typeof cluster>['state']) => Object.values(state.k8s.pods).filter((p) => p.metadata.labels?.app === 'web').map((p) => p.status.podIP!);

describe('Service types', () => {
  it('NodePort: allocated from 30086-32767 and shown as port:nodePort', () => {
    const { np } = cluster();
    const nodePort = np.spec.ports![0]!.nodePort!;
    expect(nodePort).toBeGreaterThanOrEqual(30086);
    expect(nodePort).toBeLessThanOrEqual(32767);
  });

  it('NodePort: the workstation reaches a web pod through any node, masqueraded on the way in', () => {
    const { state, np } = cluster();
    const ws = state.netns[WORKSTATION_NS]!;
    const wsIp = ws.devices.find((d) => d.name === 'eth0')!.addrs[0]!.ip;
    const nodePort = np.spec.ports![0]!.nodePort!;
    for (const node of ['control-plane', 'node-1', 'node-2']) {
      const nodeIp = ip(state.k8s.nodes[node]!.status.addresses[0]!.address);
      const t = send(state, WORKSTATION_NS, wsIp, nodeIp, 45000, nodePort, T0 + 400_000);
      const d = t.deliveries.find((x) => x.packet.payload.kind === 'udp')!;
      expect(webIps(state)).toContain(formatIp(d.packet.dst));
      expect((d.packet.payload as { dstPort: number }).dstPort).toBe(8080);
      // KUBE-EXT marks the packet and KUBE-POSTROUTING masquerades it: the pod sees a node-side address.
      expect(d.packet.src).not.toBe(wsIp);
      expect(t.hops.some((h) => h.action === 'snat' && h.rules?.some((r) => r.includes('kubernetes service traffic requiring SNAT')))).toBe(true);
      // The pod's answer comes back to the workstation from the node's address and the node port.
      const pod = Object.values(state.k8s.pods).find((p) => p.status.podIP === formatIp(d.packet.dst))!;
      const pl = d.packet.payload as { srcPort: number; dstPort: number };
      const back = send(state, podNetns(state, pod)!.id, d.packet.dst, d.packet.src, 8080, pl.srcPort, T0 + 400_100);
      const r = back.deliveries.find((x) => x.ns === WORKSTATION_NS)!;
      expect(r.packet.src).toBe(nodeIp);
      expect((r.packet.payload as { srcPort: number; dstPort: number }).srcPort).toBe(nodePort);
      expect((r.packet.payload as { dstPort: number }).dstPort).toBe(45000);
    }
  });

  it('LoadBalancer: gets an address from the cloud pool; traffic to it goes through the load balancer to a NodePort', () => {
    const { state, lb } = cluster();
    const lbIp = lb.status.loadBalancer.ingress![0]!.ip!;
    expect(lbIp).toBe('192.168.49.240');
    const ws = state.netns[WORKSTATION_NS]!;
    const wsIp = ws.devices.find((d) => d.name === 'eth0')!.addrs[0]!.ip;
    const t = send(state, WORKSTATION_NS, wsIp, ip(lbIp), 46000, 80, T0 + 500_000);
    const d = t.deliveries.find((x) => x.packet.payload.kind === 'udp')!;
    expect(webIps(state)).toContain(formatIp(d.packet.dst));
    expect(t.hops.some((h) => h.ns === LB_NS && h.action === 'dnat')).toBe(true);
    const pod = Object.values(state.k8s.pods).find((p) => p.status.podIP === formatIp(d.packet.dst))!;
    const pl = d.packet.payload as { srcPort: number };
    const back = send(state, podNetns(state, pod)!.id, d.packet.dst, d.packet.src, 8080, pl.srcPort, T0 + 500_100);
    const r = back.deliveries.find((x) => x.ns === WORKSTATION_NS)! as { packet: Ipv4Packet };
    expect(formatIp(r.packet.src)).toBe(lbIp);
    expect((r.packet.payload as { srcPort: number }).srcPort).toBe(80);
  });

  it('headless and ExternalName Services have no ClusterIP and no kube-proxy rules', () => {
    const { state, headless, ext } = cluster();
    expect(headless.spec.clusterIP).toBe('None');
    expect(ext.spec.clusterIP).toBeUndefined();
    send(state, WORKSTATION_NS, parseIp('192.168.49.100')!, parseIp('192.168.49.2')!, 1, 1, T0 + 600_000);
    const all = JSON.stringify(state.kubeProxy);
    expect(all).not.toContain('default/web-headless');
    expect(all).not.toContain('default/docs');
  });

  it('Endpoints and EndpointSlices of a headless Service carry the headless label; a ClusterIP one\'s do not', () => {
    const { state, np, headless } = cluster();
    const labels = (o: unknown) => (o as { metadata: { labels?: Record<string, string> } }).metadata.labels ?? {};
    expect(labels(endpointsObject(state, headless))).toEqual({ 'service.kubernetes.io/headless': '' });
    expect(labels(endpointSliceObject(state, headless))).toMatchObject({ 'service.kubernetes.io/headless': '', 'kubernetes.io/service-name': 'web-headless' });
    expect(labels(endpointsObject(state, np))).not.toHaveProperty(['service.kubernetes.io/headless']);
    expect(labels(endpointSliceObject(state, np))).not.toHaveProperty(['service.kubernetes.io/headless']);
  });

  it('Endpoints and EndpointSlices follow the selector and readiness', () => {
    const { state, np } = cluster();
    const ep = endpointsObject(state, np) as { subsets: { addresses: { ip: string }[]; ports: { port: number }[] }[] };
    expect(ep.subsets[0]!.addresses.map((a) => a.ip).sort()).toEqual(webIps(state).sort());
    expect(ep.subsets[0]!.ports[0]!.port).toBe(8080);
    const slice = endpointSliceObject(state, np) as { metadata: { name: string }; endpoints: unknown[] };
    expect(slice.metadata.name).toMatch(/^web-np-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(slice.endpoints).toHaveLength(2);
    // A pod that stops being ready leaves the ready set (and kube-proxy's rules).
    const pod = Object.values(state.k8s.pods).find((p) => p.metadata.labels?.app === 'web')!;
    pod.status.conditions = pod.status.conditions!.map((c) => (c.type === 'Ready' ? { ...c, status: 'False' as const } : c));
    const after = endpointsObject(state, np) as { subsets: { addresses?: unknown[]; notReadyAddresses?: unknown[] }[] };
    expect(after.subsets[0]!.addresses).toHaveLength(1);
    expect(after.subsets[0]!.notReadyAddresses).toHaveLength(1);
  });
});

describe('externalTrafficPolicy: Local', () => {
  it('keeps the client address on nodes with a local endpoint, drops on the others, and writes kube-proxy\'s rule text', async () => {
    const { syncProxyRules, externalChain, localChain, serviceChain } = await import('./kube-proxy');
    const { formatTable, layered } = await import('../netfilter');
    const state = buildCluster({ workloads: { deployments: [{ name: 'web', replicas: 1, image: 'nginx:1.27' }] } }, 12, T0);
    const ctx = { state, rng: rngOver(state.rng), now: T0 + 300_000 };
    const svc = createService(ctx, { name: 'web-local', namespace: 'default', type: 'NodePort', externalTrafficPolicy: 'Local', selector: { app: 'web' }, ports: [{ protocol: 'UDP', port: 80, targetPort: 8080 }] });
    syncProxyRules(state);
    const np = svc.spec.ports![0]!.nodePort!;
    const pod = Object.values(state.k8s.pods).find((p) => p.metadata.labels?.app === 'web')!;
    const wsIp = ip('192.168.49.100');
    const spn = 'default/web-local';
    for (const node of ['node-1', 'node-2']) {
      const nodeIp = ip(state.k8s.nodes[node]!.status.addresses[0]!.address);
      const t = send(state, WORKSTATION_NS, wsIp, nodeIp, 47000, np, T0 + 400_000);
      const d = t.deliveries.find((x) => x.packet.payload.kind === 'udp' && x.ns.startsWith('pod/'));
      const nat = formatTable(layered(state.netns[`node/${node}`]!.nf!, state.kubeProxy), 'nat', 'x');
      const filter = formatTable(layered(state.netns[`node/${node}`]!.nf!, state.kubeProxy), 'filter', 'x');
      expect(nat).toContain(`-A ${externalChain(spn, 'udp')} -s 10.244.0.0/16 -m comment --comment "pod traffic for ${spn} external destinations" -j ${serviceChain(spn, 'udp')}`);
      expect(nat).toContain(`-A ${externalChain(spn, 'udp')} -m comment --comment "masquerade LOCAL traffic for ${spn} external destinations" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ`);
      expect(nat).toContain(`-A ${externalChain(spn, 'udp')} -j ${localChain(spn, 'udp')}`);
      if (node === pod.spec.nodeName) {
        expect(d!.packet.src).toBe(wsIp); // no masquerade: the pod sees the workstation
        expect(nat).toContain(`-A ${localChain(spn, 'udp')} -m comment --comment "${spn} -> ${pod.status.podIP}:8080" -j KUBE-SEP-`);
      } else {
        expect(d).toBeUndefined();
        expect(filter).toContain(`-A KUBE-EXTERNAL-SERVICES -p udp -m comment --comment "${spn} has no local endpoints" -m addrtype --dst-type LOCAL -m udp --dport ${np} -j DROP`);
        expect(t.hops.some((h) => h.action === 'filter' && h.detail.includes('DROP'))).toBe(true);
      }
    }
  });
});

describe('loadBalancerSourceRanges', () => {
  it('sends the load balancer IP through KUBE-FW and drops sources outside the ranges', async () => {
    const { syncProxyRules, externalChain, firewallChain } = await import('./kube-proxy');
    const { formatTable, layered } = await import('../netfilter');
    const { podNetns } = await import('../cni');
    const state = buildCluster({ workloads: { deployments: [{ name: 'web', replicas: 1, image: 'nginx:1.27' }], pods: [{ name: 'client', image: 'busybox:1.36' }] } }, 13, T0);
    const ctx = { state, rng: rngOver(state.rng), now: T0 + 300_000 };
    const svc = createService(ctx, { name: 'web-fw', namespace: 'default', type: 'LoadBalancer', loadBalancerSourceRanges: ['192.168.49.0/24'], selector: { app: 'web' }, ports: [{ protocol: 'UDP', port: 80, targetPort: 8080 }] });
    syncProxyRules(state);
    const lbIp = svc.status.loadBalancer.ingress![0]!.ip!;
    const spn = 'default/web-fw';
    const fw = firewallChain(spn, 'udp');
    const node = state.netns['node/node-1']!;
    const nat = formatTable(layered(node.nf!, state.kubeProxy), 'nat', 'x');
    expect(nat).toContain(`-A KUBE-SERVICES -d ${lbIp}/32 -p udp -m comment --comment "${spn} loadbalancer IP" -m udp --dport 80 -j ${fw}`);
    expect(nat).toContain(`-A ${fw} -s 192.168.49.0/24 -m comment --comment "${spn} loadbalancer IP" -j ${externalChain(spn, 'udp')}`);
    expect(nat).toContain(`-A ${fw} -m comment --comment "other traffic to ${spn} will be dropped by KUBE-PROXY-FIREWALL"\n`);
    const filter = formatTable(layered(node.nf!, state.kubeProxy), 'filter', 'x');
    expect(filter).toContain(`-A KUBE-PROXY-FIREWALL -d ${lbIp}/32 -p udp -m comment --comment "${spn} traffic not accepted by ${fw}" -m udp --dport 80 -j DROP`);
    // A pod (10.244.x.y, outside the allowed range) sending to the load balancer IP is dropped on its node.
    const client = state.k8s.pods['default/client']!;
    const src = ip(client.status.podIP!);
    const t = send(state, podNetns(state, client)!.id, src, ip(lbIp), 48000, 80, T0 + 400_000);
    expect(t.hops.some((h) => h.action === 'filter' && h.rules?.some((r) => r.includes('KUBE-PROXY-FIREWALL')))).toBe(true);
    expect(t.deliveries.some((d) => d.ns.startsWith('pod/default/web'))).toBe(false);
  });
});
