import { describe, expect, it } from 'vitest';
import { VirtualClock } from './clock';
import { decodeDns, dnsQuery, encodeDns } from './dns';
import { formatIp, ip } from './ipv4';
import { checksumsValid } from './packet';
import { Sim } from './sim';

const T0 = Date.UTC(2025, 2, 14, 9, 0, 0);

function setup() {
  const clock = new VirtualClock(T0 + 600_000);
  const sim = Sim.create(
    {
      workloads: {
        deployments: [{ name: 'web', replicas: 2, image: 'nginx:1.27' }],
        pods: [{ name: 'client', image: 'busybox:1.36' }],
        services: [{ name: 'web', selector: { app: 'web' }, ports: [{ port: 80 }] }],
      },
    },
    4,
    clock,
    T0,
  );
  const ns = sim.podNetns(sim.pod('default', 'client')!)!.id;
  return { sim, ns };
}

describe('DNS over the wire', () => {
  it('a query to 10.96.0.10 is DNATed to a CoreDNS pod, answered, and comes back from 10.96.0.10:53', () => {
    const { sim, ns } = setup();
    const r = sim.udpRequest(ns, ip('10.96.0.10'), 53, encodeDns(dnsQuery(77, 'web.default.svc.cluster.local', 'A')), 41234);
    expect(r.kind).toBe('reply');
    if (r.kind !== 'reply') return;
    expect([formatIp(r.from), r.sport]).toEqual(['10.96.0.10', 53]);
    const m = decodeDns(r.data);
    expect(m.id).toBe(77);
    expect(m.answers).toEqual([expect.objectContaining({ type: 'A', address: ip(sim.state.k8s.services['default/web']!.spec.clusterIP!) })]);
    const hops = r.trace.hops.map((h) => h.action);
    expect(hops).toContain('dnat');
    expect(hops).toContain('reply');
    expect(hops).toContain('un-dnat');
    for (const c of r.trace.captures) if (c.frame.payload.kind === 'ipv4') expect(checksumsValid(c.frame.payload)).toBe(true);
  });

  it('answers NXDOMAIN for a missing Service and forwards other names upstream', () => {
    const { sim, ns } = setup();
    const ask = (name: string) => {
      const r = sim.udpRequest(ns, ip('10.96.0.10'), 53, encodeDns(dnsQuery(1, name, 'A')));
      return r.kind === 'reply' ? decodeDns(r.data) : undefined;
    };
    expect(ask('nope.default.svc.cluster.local')!.rcode).toBe(3);
    expect(ask('example.com')!.answers).toHaveLength(1);
    expect(ask('no-such-host.example.org')!.rcode).toBe(3);
  });

  it('a datagram to a port nobody listens on is refused with ICMP port unreachable', () => {
    const { sim, ns } = setup();
    const web = Object.values(sim.state.k8s.pods).find((p) => p.metadata.labels?.app === 'web')!;
    const r = sim.udpRequest(ns, ip(web.status.podIP!), 9999, new Uint8Array([1]));
    expect(r.kind === 'icmp-error' && [r.type, r.code, formatIp(r.from)]).toEqual([3, 3, web.status.podIP]);
  });
});
