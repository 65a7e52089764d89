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

describe('HTTP servers', () => {
  const request = (sim: Sim, ns: string, dst: string, port: number, line: string): string => {
    const r = sim.tcpRequest(ns, ip(dst), port, Uint8Array.from(`${line}\r\nHost: ${dst}\r\nUser-Agent: test\r\n\r\n`, (c) => c.charCodeAt(0)));
    if (r.kind !== 'response') throw new Error(`no response: ${r.kind}`);
    return String.fromCharCode(...r.data);
  };
  const split = (resp: string): { head: string; body: string } => ({ head: resp.slice(0, resp.indexOf('\r\n\r\n') + 4), body: resp.slice(resp.indexOf('\r\n\r\n') + 4) });

  it('nginx answers HEAD with the headers of GET, Content-Length included, and no body', () => {
    const { sim, ns } = setup();
    const web = Object.values(sim.state.k8s.pods).find((p) => p.metadata.labels?.app === 'web')!.status.podIP!;
    for (const path of ['/', '/missing']) {
      const get = split(request(sim, ns, web, 80, `GET ${path} HTTP/1.1`));
      const head = request(sim, ns, web, 80, `HEAD ${path} HTTP/1.1`);
      expect(head).toBe(get.head);
      expect(head).toContain(`\r\nContent-Length: ${get.body.length}\r\n`);
    }
  });

  it('nginx error pages are its built-in ones, with CRLF line ends; other methods than GET and HEAD get 405', () => {
    const { sim, ns } = setup();
    const web = Object.values(sim.state.k8s.pods).find((p) => p.metadata.labels?.app === 'web')!.status.podIP!;
    const missing = split(request(sim, ns, web, 80, 'GET /missing HTTP/1.1'));
    expect(missing.head.startsWith('HTTP/1.1 404 Not Found\r\n')).toBe(true);
    expect(missing.body).toBe('<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx/1.27.5</center>\r\n</body>\r\n</html>\r\n');
    expect(missing.head).toContain('\r\nContent-Length: 153\r\n');
    const post = split(request(sim, ns, web, 80, 'POST / HTTP/1.1'));
    expect(post.head.startsWith('HTTP/1.1 405 Not Allowed\r\n')).toBe(true);
    expect(post.body).toContain('<center><h1>405 Not Allowed</h1></center>\r\n');
  });
});
