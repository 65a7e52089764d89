import { describe, expect, it } from 'vitest';
import { VirtualClock } from './clock';
import { podNetns } from './cni';
import { inject } from './forward';
import { ip } from './ipv4';
import { ipv4, udp } from './packet';
import { applyFault, FaultError } from './faults';
import { serviceEndpoints } from './k8s/endpoints';
import { Sim } from './sim';

const T0 = Date.UTC(2025, 2, 14, 9, 0, 0);
const spec = {
  workloads: {
    deployments: [{ name: 'web', replicas: 2, image: 'nginx:1.27' }],
    pods: [{ name: 'client', image: 'busybox:1.36' }],
    services: [{ name: 'web', selector: { app: 'web' }, ports: [{ port: 80 }] }],
  },
};

function setup() {
  const clock = new VirtualClock(T0 + 600_000);
  const sim = Sim.create(spec, 3, clock, T0);
  const client = sim.pod('default', 'client')!;
  const cns = sim.podNetns(client)!.id;
  const web = Object.values(sim.state.k8s.pods).filter((p) => p.metadata.labels?.app === 'web');
  const remote = web.find((p) => p.spec.nodeName !== client.spec.nodeName)!;
  const ping = (dst: string) => sim.ping(cns, ip(dst), { id: 9, seq: 1 }).outcome;
  return { sim, clock, client, cns, web, remote, ping };
}

describe('faults', () => {
  it('node-down: the node stops answering and forwarding, and turns NotReady/Unknown', () => {
    const { sim, remote, ping } = setup();
    expect(ping(remote.status.podIP!).kind).toBe('reply');
    applyFault(sim.state, { kind: 'node-down', node: remote.spec.nodeName! }, T0 + 601_000);
    expect(ping(remote.status.podIP!).kind).not.toBe('reply');
    const ready = sim.state.k8s.nodes[remote.spec.nodeName!]!.status.conditions.find((c) => c.type === 'Ready')!;
    expect([ready.status, ready.reason]).toEqual(['Unknown', 'NodeStatusUnknown']);
  });

  it('route-deleted: the route to a remote pod CIDR is gone, so packets go to the default gateway and are lost', () => {
    const { sim, client, remote, ping } = setup();
    const remoteCidr = sim.state.k8s.nodes[remote.spec.nodeName!]!.spec.podCIDR;
    applyFault(sim.state, { kind: 'route-deleted', node: client.spec.nodeName!, dst: remoteCidr }, T0);
    expect(ping(remote.status.podIP!).kind).toBe('lost');
    expect(() => applyFault(sim.state, { kind: 'route-deleted', node: client.spec.nodeName!, dst: remoteCidr }, T0)).toThrow(FaultError);
  });

  it('wrong-selector and pod-not-ready take pods out of the Service', () => {
    const { sim, web } = setup();
    const svc = sim.state.k8s.services['default/web']!;
    expect(serviceEndpoints(sim.state, svc).filter((e) => e.ready)).toHaveLength(2);
    applyFault(sim.state, { kind: 'pod-not-ready', pod: web[0]!.metadata.name }, T0);
    expect(serviceEndpoints(sim.state, svc).filter((e) => e.ready).map((e) => e.pod)).toEqual([web[1]!.metadata.name]);
    applyFault(sim.state, { kind: 'wrong-selector', service: 'web', selector: { app: 'wbe' } }, T0);
    expect(serviceEndpoints(sim.state, svc)).toEqual([]);
  });

  it('coredns-down: kube-dns has no endpoints, so DNS queries are rejected with port unreachable', () => {
    const { sim, client, cns } = setup();
    applyFault(sim.state, { kind: 'coredns-down' }, T0);
    const src = ip(client.status.podIP!);
    const dns = ip('10.96.0.10');
    const t = inject(sim.state, cns, ipv4({ src, dst: dns, payload: udp(src, dns, 40000, 53, new Uint8Array([1])) }), T0 + 700_000);
    const err = t.deliveries.find((d) => d.ns === cns && d.packet.payload.kind === 'icmp')!;
    expect(err.packet.payload.kind === 'icmp' && [err.packet.payload.type, err.packet.payload.code]).toEqual([3, 3]);
    expect(t.hops.some((h) => h.action === 'filter' && h.rules?.some((r) => r.includes('kube-system/kube-dns:dns has no endpoints')))).toBe(true);
    expect(Object.keys(sim.state.netns).some((k) => k.startsWith('pod/kube-system/coredns'))).toBe(false);
  });

  it('kube-proxy-stopped: the node keeps the rules it had, which go stale when endpoints move', () => {
    const { sim, client, cns, web } = setup();
    applyFault(sim.state, { kind: 'kube-proxy-stopped', node: client.spec.nodeName! }, T0);
    // Both web pods become unready: live kube-proxy would REJECT, the stale rules still DNAT.
    for (const p of web) applyFault(sim.state, { kind: 'pod-not-ready', pod: p.metadata.name }, T0);
    const src = ip(client.status.podIP!);
    const svcIp = ip(sim.state.k8s.services['default/web']!.spec.clusterIP!);
    const t = inject(sim.state, cns, ipv4({ src, dst: svcIp, payload: udp(src, svcIp, 40001, 80, new Uint8Array([1])) }), T0);
    expect(t.hops.some((h) => h.action === 'filter')).toBe(false); // no REJECT on this node: it never heard
    const kp = Object.values(sim.state.k8s.pods).find((p) => p.metadata.labels?.['k8s-app'] === 'kube-proxy' && p.spec.nodeName === client.spec.nodeName)!;
    expect(kp.status.containerStatuses![0]!.state.waiting?.reason).toBe('CrashLoopBackOff');
  });

  it('mtu-mismatch and interface-down change the device', () => {
    const { sim, client, remote, ping } = setup();
    applyFault(sim.state, { kind: 'interface-down', target: { node: remote.spec.nodeName! }, device: 'flannel.1' }, T0);
    expect(ping(remote.status.podIP!).kind).not.toBe('reply');
    applyFault(sim.state, { kind: 'mtu-mismatch', target: { pod: 'client' }, device: 'eth0', mtu: 1500 }, T0);
    expect(podNetns(sim.state, client)!.devices.find((d) => d.name === 'eth0')!.mtu).toBe(1500);
    expect(() => applyFault(sim.state, { kind: 'interface-down', target: { pod: 'client' }, device: 'eth9' }, T0)).toThrow(/Cannot find device "eth9"/);
  });
});
