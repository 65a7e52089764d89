import { describe, it, expect } from 'vitest';
import { buildCluster, type ClusterSpec } from '../cluster';
import { decodeDns, dnsQuery, dnsResponse, encodeDns, formatRecord, RCODES, type DnsRecord } from '../dns';
import type { SimState } from '../state';
import { clusterSoa, parseResolvConf, resolvConf, resolveCluster, searchCandidates, type ClusterAnswer, type ClusterDnsResult } from './coredns';
import type { Pod, Service } from './types';

const T0 = Date.UTC(2025, 2, 14, 9, 30, 0);

/** Three nginx pods behind `web` (named port http, 8080 -> 80), a busybox client, and `ext`, `db` to be reshaped. */
const SPEC: ClusterSpec = {
  nodes: 3,
  namespaces: ['shop'],
  workloads: {
    deployments: [
      { name: 'web', replicas: 3, image: 'nginx:1.27', ports: [80] },
      { name: 'db', namespace: 'shop', replicas: 2, image: 'postgres:17', labels: { app: 'db' }, ports: [5432] },
    ],
    pods: [{ name: 'client', image: 'busybox:1.36', command: ['sleep', '3600'] }],
    services: [
      { name: 'web', selector: { app: 'web' }, ports: [{ port: 8080, targetPort: 80, name: 'http' }] },
      { name: 'db', namespace: 'shop', selector: { app: 'db' }, ports: [{ port: 5432, name: 'postgres' }] },
      { name: 'ext', selector: { app: 'none' }, ports: [{ port: 80 }] },
    ],
  },
};

const build = (): SimState => buildCluster(SPEC, 7, T0);
const svc = (s: SimState, key: string): Service => s.k8s.services[key]!;
const podsOf = (s: SimState, app: string): Pod[] =>
  Object.values(s.k8s.pods)
    .filter((p) => p.metadata.labels?.app === app)
    .sort((a, b) => a.status.podIP!.localeCompare(b.status.podIP!, 'en', { numeric: true }));
const ipsOf = (s: SimState, app: string): string[] => podsOf(s, app).map((p) => p.status.podIP!);
const sortIps = (ips: string[]): string[] => [...ips].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));

const answer = (r: ClusterDnsResult): ClusterAnswer => {
  if (r.kind !== 'answer') throw new Error('expected an answer, got forward');
  return r;
};
const lines = (rs: DnsRecord[]): string[] => rs.map(formatRecord);
const ask = (s: SimState, name: string, type: string | number): ClusterAnswer => answer(resolveCluster(s, name, type));
const soaLine = (s: SimState): string => formatRecord(clusterSoa(s));

const makeHeadless = (s: SimState, key: string): void => {
  const sv = svc(s, key);
  sv.spec.clusterIP = 'None';
  sv.spec.clusterIPs = ['None'];
};
const makeExternal = (s: SimState, key: string, target: string): void => {
  const sv = svc(s, key);
  sv.spec.type = 'ExternalName';
  sv.spec.externalName = target;
  delete sv.spec.selector;
  delete sv.spec.clusterIP;
  delete sv.spec.clusterIPs;
};
const setReady = (p: Pod, ready: boolean): void => {
  for (const c of p.status.conditions ?? []) if (c.type === 'Ready') c.status = ready ? 'True' : 'False';
};

describe('Services', () => {
  const s = build();
  const webIp = svc(s, 'default/web').spec.clusterIP!;

  it('<svc>.<ns>.svc.cluster.local A -> the ClusterIP, TTL 30, authoritative', () => {
    const r = ask(s, 'web.default.svc.cluster.local', 'A');
    expect(r.rcode).toBe(RCODES.NOERROR);
    expect(r.authoritative).toBe(true);
    expect(lines(r.answers)).toEqual([`web.default.svc.cluster.local. 30 IN A ${webIp}`]);
    expect(r.authority).toEqual([]);
    expect(lines(ask(s, 'kubernetes.default.svc.cluster.local', 'A').answers)).toEqual(['kubernetes.default.svc.cluster.local. 30 IN A 10.96.0.1']);
    expect(lines(ask(s, 'kube-dns.kube-system.svc.cluster.local', 'A').answers)).toEqual(['kube-dns.kube-system.svc.cluster.local. 30 IN A 10.96.0.10']);
  });

  it('is case-insensitive, accepts a trailing dot, and answers with the question spelling', () => {
    const r = ask(s, 'WEB.Default.SVC.cluster.LOCAL.', 'a');
    expect(lines(r.answers)).toEqual([`WEB.Default.SVC.cluster.LOCAL. 30 IN A ${webIp}`]);
    const neg = ask(s, 'Nope.default.svc.Cluster.Local', 'A');
    expect(neg.rcode).toBe(RCODES.NXDOMAIN);
    // the zone in the SOA keeps the spelling the question used for it, as CoreDNS does
    expect(neg.authority[0]!.name).toBe('Cluster.Local');
  });

  it('SRV _<port-name>._<proto>: priority 0, weight 100, the Service port, target the Service name, its A in additional', () => {
    const r = ask(s, '_http._tcp.web.default.svc.cluster.local', 'SRV');
    expect(lines(r.answers)).toEqual(['_http._tcp.web.default.svc.cluster.local. 30 IN SRV 0 100 8080 web.default.svc.cluster.local.']);
    expect(lines(r.additional)).toEqual([`web.default.svc.cluster.local. 30 IN A ${webIp}`]);
    expect(lines(ask(s, '_HTTP._TCP.Web.default.svc.cluster.local', 'SRV').answers)).toEqual([
      '_HTTP._TCP.Web.default.svc.cluster.local. 30 IN SRV 0 100 8080 web.default.svc.cluster.local.',
    ]);
  });

  it('SRV: a port name or protocol the Service does not have is NXDOMAIN; a port number is not a port name', () => {
    for (const n of ['_http._udp.web.default.svc.cluster.local', '_https._tcp.web.default.svc.cluster.local', '_8080._tcp.web.default.svc.cluster.local']) {
      expect(ask(s, n, 'SRV').rcode).toBe(RCODES.NXDOMAIN);
    }
  });

  it('SRV for the bare Service name lists every port; records with the same target and port collapse', () => {
    // kube-dns: dns 53/UDP, dns-tcp 53/TCP, metrics 9153/TCP -> three items, weight floor(100/3)
    const r = ask(s, 'kube-dns.kube-system.svc.cluster.local', 'SRV');
    expect(lines(r.answers)).toEqual([
      'kube-dns.kube-system.svc.cluster.local. 30 IN SRV 0 33 53 kube-dns.kube-system.svc.cluster.local.',
      'kube-dns.kube-system.svc.cluster.local. 30 IN SRV 0 33 9153 kube-dns.kube-system.svc.cluster.local.',
    ]);
    expect(lines(ask(s, '_dns._udp.kube-dns.kube-system.svc.cluster.local', 'SRV').answers)).toEqual([
      '_dns._udp.kube-dns.kube-system.svc.cluster.local. 30 IN SRV 0 100 53 kube-dns.kube-system.svc.cluster.local.',
    ]);
  });

  it('an endpoint name under a ClusterIP Service answers with that endpoint', () => {
    const ip = ipsOf(s, 'web')[0]!;
    const name = `${ip.replace(/\./g, '-')}.web.default.svc.cluster.local`;
    expect(lines(ask(s, name, 'A').answers)).toEqual([`${name}. 30 IN A ${ip}`]);
    expect(ask(s, `10-1-2-3.web.default.svc.cluster.local`, 'A').rcode).toBe(RCODES.NXDOMAIN);
  });
});

describe('headless Services', () => {
  it('one A per ready endpoint, sorted by address; none ready -> NXDOMAIN', () => {
    const s = build();
    makeHeadless(s, 'default/web');
    const ips = ipsOf(s, 'web');
    expect(ips).toHaveLength(3);
    expect(lines(ask(s, 'web.default.svc.cluster.local', 'A').answers)).toEqual(sortIps(ips).map((ip) => `web.default.svc.cluster.local. 30 IN A ${ip}`));

    const [first, ...rest] = podsOf(s, 'web');
    setReady(first!, false);
    expect(ask(s, 'web.default.svc.cluster.local', 'A').answers.map((a) => (a.type === 'A' ? a.address : 0))).toHaveLength(2);
    expect(lines(ask(s, 'web.default.svc.cluster.local', 'A').answers)).toEqual(sortIps(rest.map((p) => p.status.podIP!)).map((ip) => `web.default.svc.cluster.local. 30 IN A ${ip}`));

    for (const p of rest) setReady(p, false);
    const none = ask(s, 'web.default.svc.cluster.local', 'A');
    expect(none.rcode).toBe(RCODES.NXDOMAIN);
    expect(lines(none.authority)).toEqual([soaLine(s)]);
  });

  it('SRV: one record per endpoint, target <pod-ip-dashed>.<svc>..., the target port, weight 100/n', () => {
    const s = build();
    makeHeadless(s, 'default/web');
    const ips = sortIps(ipsOf(s, 'web'));
    const r = ask(s, '_http._tcp.web.default.svc.cluster.local', 'SRV');
    const target = (ip: string): string => `${ip.replace(/\./g, '-')}.web.default.svc.cluster.local`;
    expect(lines(r.answers)).toEqual(ips.map((ip) => `_http._tcp.web.default.svc.cluster.local. 30 IN SRV 0 33 80 ${target(ip)}.`));
    expect(lines(r.additional)).toEqual(ips.map((ip) => `${target(ip)}. 30 IN A ${ip}`));
    // and each target resolves
    for (const ip of ips) expect(lines(ask(s, target(ip), 'A').answers)).toEqual([`${target(ip)}. 30 IN A ${ip}`]);
  });

  it('two endpoints: weight 50 each', () => {
    const s = build();
    makeHeadless(s, 'shop/db');
    const r = ask(s, '_postgres._tcp.db.shop.svc.cluster.local', 'SRV');
    expect(r.answers.map((a) => (a.type === 'SRV' ? [a.priority, a.weight, a.port] : []))).toEqual([
      [0, 50, 5432],
      [0, 50, 5432],
    ]);
  });
});

describe('ExternalName Services', () => {
  it('CNAME to spec.externalName (TTL 30); the target outside the zone is left to the upstream', () => {
    const s = build();
    makeExternal(s, 'default/ext', 'example.com');
    const a = ask(s, 'ext.default.svc.cluster.local', 'A');
    expect(a.rcode).toBe(RCODES.NOERROR);
    expect(lines(a.answers)).toEqual(['ext.default.svc.cluster.local. 30 IN CNAME example.com.']);
    expect(a.upstream).toEqual({ name: 'example.com', type: 1 });
    expect(ask(s, 'ext.default.svc.cluster.local', 'AAAA').upstream).toEqual({ name: 'example.com', type: 28 });
    const c = ask(s, 'ext.default.svc.cluster.local', 'CNAME');
    expect(lines(c.answers)).toEqual(['ext.default.svc.cluster.local. 30 IN CNAME example.com.']);
    expect(c.upstream).toBeUndefined();
    // "SRV for external services is not yet implemented": NODATA
    const srv = ask(s, 'ext.default.svc.cluster.local', 'SRV');
    expect([srv.rcode, srv.answers.length, srv.authority.length]).toEqual([RCODES.NOERROR, 0, 1]);
  });

  it('a target inside the zone is chased there, and dropped when it has no addresses', () => {
    const s = build();
    makeExternal(s, 'default/ext', 'web.default.svc.cluster.local.');
    const webIp = svc(s, 'default/web').spec.clusterIP!;
    const r = ask(s, 'ext.default.svc.cluster.local', 'A');
    expect(lines(r.answers)).toEqual(['ext.default.svc.cluster.local. 30 IN CNAME web.default.svc.cluster.local.', `web.default.svc.cluster.local. 30 IN A ${webIp}`]);
    expect(r.upstream).toBeUndefined();
    // AAAA: web has no IPv6 address, so not even the CNAME is returned: NODATA
    const v6 = ask(s, 'ext.default.svc.cluster.local', 'AAAA');
    expect([v6.rcode, v6.answers]).toEqual([RCODES.NOERROR, []]);
  });
});

describe('pods (pods insecure)', () => {
  const s = build();

  it('a-b-c-d.<ns>.pod.cluster.local A -> a.b.c.d, whether or not a pod has the address', () => {
    const ip = ipsOf(s, 'web')[0]!;
    const name = `${ip.replace(/\./g, '-')}.default.pod.cluster.local`;
    expect(lines(ask(s, name, 'A').answers)).toEqual([`${name}. 30 IN A ${ip}`]);
    expect(lines(ask(s, '10-244-0-11.default.pod.cluster.local', 'A').answers)).toEqual(['10-244-0-11.default.pod.cluster.local. 30 IN A 10.244.0.11']);
    expect(lines(ask(s, '1-2-3-4.kube-system.pod.cluster.local', 'A').answers)).toEqual(['1-2-3-4.kube-system.pod.cluster.local. 30 IN A 1.2.3.4']);
  });

  it('a malformed address or a namespace that does not exist -> NXDOMAIN; AAAA -> NODATA', () => {
    for (const n of ['10-244-1.default.pod.cluster.local', '10-244-1-256.default.pod.cluster.local', 'web.default.pod.cluster.local', '10-244-1-2.nosuch.pod.cluster.local']) {
      expect(ask(s, n, 'A').rcode, n).toBe(RCODES.NXDOMAIN);
    }
    const v6 = ask(s, '10-244-1-2.default.pod.cluster.local', 'AAAA');
    expect([v6.rcode, v6.answers.length]).toEqual([RCODES.NOERROR, 0]);
  });

  it('a dashed IPv6 address answers AAAA', () => {
    expect(lines(ask(s, 'fd00--a-1.default.pod.cluster.local', 'AAAA').answers)).toEqual(['fd00--a-1.default.pod.cluster.local. 30 IN AAAA fd00::a:1']);
  });
});

describe('reverse lookups', () => {
  const s = build();
  const rev = (ip: string): string => `${ip.split('.').reverse().join('.')}.in-addr.arpa`;

  it('PTR for a ClusterIP -> <svc>.<ns>.svc.cluster.local', () => {
    const webIp = svc(s, 'default/web').spec.clusterIP!;
    expect(lines(ask(s, rev(webIp), 'PTR').answers)).toEqual([`${rev(webIp)}. 30 IN PTR web.default.svc.cluster.local.`]);
    expect(lines(ask(s, '10.0.96.10.in-addr.arpa.', 'PTR').answers)).toEqual(['10.0.96.10.in-addr.arpa. 30 IN PTR kube-dns.kube-system.svc.cluster.local.']);
    expect(lines(ask(s, '1.0.96.10.IN-ADDR.ARPA', 'PTR').answers)).toEqual(['1.0.96.10.IN-ADDR.ARPA. 30 IN PTR kubernetes.default.svc.cluster.local.']);
  });

  it('PTR for an endpoint address -> <ip-dashed>.<svc>.<ns>.svc.cluster.local', () => {
    const ip = ipsOf(s, 'web')[0]!;
    expect(lines(ask(s, rev(ip), 'PTR').answers)).toEqual([`${rev(ip)}. 30 IN PTR ${ip.replace(/\./g, '-')}.web.default.svc.cluster.local.`]);
  });

  it('anything else under in-addr.arpa falls through to forward', () => {
    const client = s.k8s.pods['default/client']!.status.podIP!;
    expect(resolveCluster(s, rev(client), 'PTR')).toEqual({ kind: 'forward' });
    expect(resolveCluster(s, '4.3.2.1.in-addr.arpa', 'PTR')).toEqual({ kind: 'forward' });
    expect(resolveCluster(s, '10.0.96.10.in-addr.arpa', 'A')).toEqual({ kind: 'forward' });
    expect(resolveCluster(s, '96.10.in-addr.arpa', 'PTR')).toEqual({ kind: 'forward' });
  });
});

describe('negative answers', () => {
  const s = build();
  const soa = soaLine(s);

  it("the SOA is CoreDNS's: ns.dns / hostmaster, serial = last Service/endpoint change, 7200 1800 86400 30, TTL 30", () => {
    const latest = Math.max(...Object.values(s.k8s.services).map((x) => Date.parse(x.metadata.creationTimestamp)), ...Object.values(s.k8s.pods).map((p) => Date.parse(p.metadata.creationTimestamp)));
    const serial = Math.floor(latest / 1000);
    expect(soa).toBe(`cluster.local. 30 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. ${serial} 7200 1800 86400 30`);
    expect(serial).toBe(Math.floor((T0 + 240_000) / 1000));
  });

  it('a name in the zone that does not exist -> NXDOMAIN with the SOA in authority', () => {
    for (const n of [
      'nope.default.svc.cluster.local',
      'web.nosuch.svc.cluster.local',
      'nosuch.svc.cluster.local',
      'foo.cluster.local',
      'web.default.cluster.local',
      'a.b.c.web.default.svc.cluster.local',
      'x.y.z.svc.cluster.local.svc.cluster.local',
    ]) {
      const r = ask(s, n, 'A');
      expect(r.rcode, n).toBe(RCODES.NXDOMAIN);
      expect(r.answers).toEqual([]);
      expect(lines(r.authority)).toEqual([soa]);
    }
  });

  it('an existing name without data of the type -> NODATA (NOERROR, no answers, SOA)', () => {
    const cases: [string, string][] = [
      ['web.default.svc.cluster.local', 'AAAA'],
      ['web.default.svc.cluster.local', 'MX'],
      ['web.default.svc.cluster.local', 'TXT'],
      ['web.default.svc.cluster.local', 'CNAME'],
      ['web.default.svc.cluster.local', 'NS'],
      ['default.svc.cluster.local', 'A'],
      ['kube-system.svc.cluster.local', 'SRV'],
      ['shop.pod.cluster.local', 'A'],
      ['svc.cluster.local', 'A'],
      ['pod.cluster.local', 'AAAA'],
      ['cluster.local', 'A'],
      // SOA is only answered at the apex: any other name gets NODATA, even one that does not exist
      ['nope.default.svc.cluster.local', 'SOA'],
    ];
    for (const [n, t] of cases) {
      const r = ask(s, n, t);
      expect([r.rcode, r.answers.length], `${n} ${t}`).toEqual([RCODES.NOERROR, 0]);
      expect(lines(r.authority)).toEqual([soa]);
    }
  });

  it('TXT: dns-version answers; other names NXDOMAIN unless they hold other records (coredns#5736)', () => {
    expect(lines(ask(s, 'dns-version.cluster.local', 'TXT').answers)).toEqual(['dns-version.cluster.local. 28800 IN TXT "1.1.0"']);
    expect(ask(s, 'default.svc.cluster.local', 'TXT').rcode).toBe(RCODES.NXDOMAIN);
    expect(ask(s, 'nope.default.svc.cluster.local', 'TXT').rcode).toBe(RCODES.NXDOMAIN);
  });
});

describe('the zone apex and the rest of the name space', () => {
  const s = build();

  it('SOA and NS at the apex; ns.dns.<zone> is the kube-dns address; AXFR is refused', () => {
    expect(lines(ask(s, 'cluster.local', 'SOA').answers)).toEqual([soaLine(s)]);
    const ns = ask(s, 'cluster.local.', 'NS');
    expect(lines(ns.answers)).toEqual(['cluster.local. 30 IN NS kube-dns.kube-system.svc.cluster.local.']);
    expect(lines(ns.additional)).toEqual(['kube-dns.kube-system.svc.cluster.local. 30 IN A 10.96.0.10']);
    expect(lines(ask(s, 'ns.dns.cluster.local', 'A').answers)).toEqual(['ns.dns.cluster.local. 30 IN A 10.96.0.10']);
    const axfr = ask(s, 'cluster.local', 'AXFR');
    expect([axfr.rcode, axfr.authoritative]).toEqual([RCODES.REFUSED, false]);
  });

  it('names outside the zone are forwarded, short names included', () => {
    for (const n of ['example.com', 'example.com.', 'kubernetes.default', 'web', 'cluster.local.example.com', 'local']) {
      expect(resolveCluster(s, n, 'A'), n).toEqual({ kind: 'forward' });
    }
  });

  it('answers survive the wire: encode the response, decode it, same records', () => {
    const q = dnsQuery(0x4b1d, 'web.default.svc.cluster.local', 'A');
    const r = ask(s, q.questions[0]!.name, q.questions[0]!.type);
    const msg = dnsResponse(q, r.answers, r.rcode, r.authority, { aa: r.authoritative, additional: r.additional });
    const bytes = encodeDns(msg);
    expect(decodeDns(bytes)).toEqual(msg);
    // header: id, flags qr aa rd (0x8500), 1 question, 1 answer; the answer's owner is c00c
    expect([...bytes.subarray(0, 12)]).toEqual([0x4b, 0x1d, 0x85, 0x00, 0, 1, 0, 1, 0, 0, 0, 0]);
    expect([...bytes.subarray(12 + 31 + 4, 12 + 31 + 6)]).toEqual([0xc0, 0x0c]);
  });
});

describe('resolv.conf and the search list', () => {
  const s = build();

  it('ClusterFirst /etc/resolv.conf byte for byte (docs/reference/fidelity.md 7)', () => {
    expect(resolvConf(s, 'default')).toBe('search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n');
    expect(resolvConf(s, 'shop')).toBe('search shop.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n');
    expect(parseResolvConf(resolvConf(s, 'default'))).toEqual({ nameservers: ['10.96.0.10'], search: ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], ndots: 5 });
  });

  const conf = resolvConf(s, 'default');

  it('fewer than 5 dots: the search list first, then the name as is', () => {
    expect(searchCandidates('web', conf)).toEqual(['web.default.svc.cluster.local', 'web.svc.cluster.local', 'web.cluster.local', 'web']);
    expect(searchCandidates('web.default', conf)).toEqual(['web.default.default.svc.cluster.local', 'web.default.svc.cluster.local', 'web.default.cluster.local', 'web.default']);
    expect(searchCandidates('web.default.svc.cluster.local', conf)).toEqual([
      'web.default.svc.cluster.local.default.svc.cluster.local',
      'web.default.svc.cluster.local.svc.cluster.local',
      'web.default.svc.cluster.local.cluster.local',
      'web.default.svc.cluster.local',
    ]);
    expect(searchCandidates('example.com', conf)).toEqual(['example.com.default.svc.cluster.local', 'example.com.svc.cluster.local', 'example.com.cluster.local', 'example.com']);
  });

  it('a trailing dot: only the name', () => {
    expect(searchCandidates('web.default.svc.cluster.local.', conf)).toEqual(['web.default.svc.cluster.local']);
    expect(searchCandidates('example.com.', conf)).toEqual(['example.com']);
  });

  it('5 dots or more: the name first; glibc then searches, musl does not', () => {
    const n = 'a.b.c.d.e.f';
    expect(searchCandidates(n, conf)).toEqual([n, `${n}.default.svc.cluster.local`, `${n}.svc.cluster.local`, `${n}.cluster.local`]);
    expect(searchCandidates(n, conf, 'musl')).toEqual([n]);
    // ndots defaults to 1 without an options line
    expect(searchCandidates('web.default', 'search default.svc.cluster.local\nnameserver 10.96.0.10\n')).toEqual(['web.default', 'web.default.default.svc.cluster.local']);
  });

  it('walking the candidates through CoreDNS: the first name that has the record wins', () => {
    const resolve = (name: string): { tried: string[]; answer?: string[] } => {
      const tried: string[] = [];
      for (const c of searchCandidates(name, conf)) {
        tried.push(c);
        const r = resolveCluster(s, c, 'A');
        if (r.kind === 'answer' && r.rcode === RCODES.NOERROR && r.answers.length > 0) return { tried, answer: lines(r.answers) };
      }
      return { tried };
    };
    const webIp = svc(s, 'default/web').spec.clusterIP!;
    expect(resolve('web')).toEqual({ tried: ['web.default.svc.cluster.local'], answer: [`web.default.svc.cluster.local. 30 IN A ${webIp}`] });
    expect(resolve('kubernetes.default').tried).toEqual(['kubernetes.default.default.svc.cluster.local', 'kubernetes.default.svc.cluster.local']);
    expect(resolve('db.shop').answer).toEqual([`db.shop.svc.cluster.local. 30 IN A ${svc(s, 'shop/db').spec.clusterIP}`]);
    // an external name costs three NXDOMAINs from CoreDNS before it is forwarded
    const ext = searchCandidates('example.com', conf).map((c) => {
      const r = resolveCluster(s, c, 'A');
      return r.kind === 'forward' ? 'forward' : r.rcode;
    });
    expect(ext).toEqual([RCODES.NXDOMAIN, RCODES.NXDOMAIN, RCODES.NXDOMAIN, 'forward']);
  });
});
