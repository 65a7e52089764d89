import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../clock';
import { ip } from '../ipv4';
import { Sim } from '../sim';
import { createService } from './api';
import { appendLog, containerLog, MAX_LOG_LINES, nginxTimeLocal, rfc3339Nano } from './logs';
import type { Pod } from './types';

const T0 = Date.UTC(2025, 2, 14, 9, 0, 0);

function setup() {
  const clock = new VirtualClock(T0 + 600_000);
  const sim = Sim.create(
    {
      workloads: {
        deployments: [
          { name: 'web', replicas: 1, image: 'nginx:1.27' },
        ],
        pods: [
          { name: 'client', image: 'busybox:1.36', command: ['sleep', '3600'] },
          { name: 'echo', image: 'registry.k8s.io/e2e-test-images/agnhost:2.53', command: ['/agnhost', 'netexec', '--http-port=8080'] },
        ],
      },
    },
    4,
    clock,
    T0,
  );
  const pod = (prefix: string): Pod => Object.values(sim.state.k8s.pods).find((p) => p.metadata.name.startsWith(prefix))!;
  const get = (path: string, host = 'x') => new TextEncoder().encode(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n`);
  return { sim, clock, pod, get };
}

const texts = (sim: Sim, pod: Pod, c: string): string[] => containerLog(sim.state, pod, c).map((l) => l.text);

describe('container logs', () => {
  it('formats timestamps as Go does: RFC3339Nano without trailing zeros, nginx $time_local', () => {
    expect(rfc3339Nano(Date.UTC(2025, 2, 14, 9, 5, 6, 120), 450_000)).toBe('2025-03-14T09:05:06.12045Z');
    expect(rfc3339Nano(Date.UTC(2025, 2, 14, 9, 5, 6, 0))).toBe('2025-03-14T09:05:06Z');
    expect(nginxTimeLocal(Date.UTC(2026, 10, 23, 1, 12, 3))).toBe('23/Nov/2026:01:12:03 +0000');
  });

  it("starts with the nginx image's entrypoint and notice lines, timed from the container's start", () => {
    const { sim, pod } = setup();
    const web = pod('web-');
    const lines = containerLog(sim.state, web, 'nginx');
    expect(lines[0]!.text).toBe('/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration');
    expect(lines.map((l) => l.text)).toContain('/docker-entrypoint.sh: Configuration complete; ready for start up');
    const started = web.status.containerStatuses![0]!.state.running!.startedAt;
    const day = started.slice(0, 10).replace(/-/g, '/');
    expect(lines.map((l) => l.text)).toContain(`${day} ${started.slice(11, 19)} [notice] 1#1: nginx/1.27.5`);
    expect(lines.at(-1)!.text).toMatch(/\[notice\] 1#1: start worker process \d+$/);
    // Timestamps never go backwards.
    const ts = lines.map((l) => l.ts);
    expect([...ts].sort()).toEqual(ts);
    expect(texts(sim, pod('client'), 'client')).toEqual([]);
  });

  it('logs each request with the address the pod saw: the client pod itself, with no NAT between pods', () => {
    const { sim, pod, get } = setup();
    const web = pod('web-');
    const client = pod('client');
    const r = sim.tcpRequest(`pod/default/client`, ip(web.status.podIP!), 80, get('/'));
    if (r.kind !== 'response') throw new Error(r.kind);
    const body = new TextDecoder().decode(r.data).split('\r\n\r\n')[1]!;
    expect(texts(sim, web, 'nginx').at(-1)).toBe(`${client.status.podIP} - - [14/Mar/2025:09:10:00 +0000] "GET / HTTP/1.1" 200 ${body.length} "-" "curl/8.5.0" "-"`);
  });

  it('a NodePort reached from outside the node is masqueraded to the node-side address', () => {
    const { sim, pod, get, clock } = setup();
    const web = pod('web-');
    const svc = createService({ state: sim.state, rng: sim.rng, now: clock.now() }, { name: 'web-np', namespace: 'default', type: 'NodePort', selector: { app: 'web' }, ports: [{ protocol: 'TCP', port: 80, targetPort: 80 }] });
    sim.state.proxyDirty = true;
    const nodePort = svc.spec.ports![0]!.nodePort!;
    // From the workstation to the node that runs the pod: SNAT to that node's cni0 address.
    const own = sim.state.k8s.nodes[web.spec.nodeName!]!.status.addresses.find((a) => a.type === 'InternalIP')!.address;
    expect(sim.tcpRequest('workstation', ip(own), nodePort, get('/')).kind).toBe('response');
    const gateway = web.status.podIP!.replace(/\.\d+$/, '.1');
    expect(texts(sim, web, 'nginx').at(-1)).toMatch(new RegExp(`^${gateway.replace(/\./g, '\\.')} - - \\[`));
    // Through another node: SNAT to that node's flannel.1 address (x.x.N.0), the packet crossing the overlay.
    const other = Object.values(sim.state.k8s.nodes).find((n) => n.metadata.name !== web.spec.nodeName)!;
    const otherIp = other.status.addresses.find((a) => a.type === 'InternalIP')!.address;
    expect(sim.tcpRequest('workstation', ip(otherIp), nodePort, get('/missing', otherIp)).kind).toBe('response');
    const flannel = other.spec.podCIDR.replace(/\/24$/, '');
    const lines = texts(sim, web, 'nginx');
    expect(lines.at(-1)).toMatch(new RegExp(`^${flannel.replace(/\./g, '\\.')} - - \\[[^\\]]+\\] "GET /missing HTTP/1.1" 404 \\d+ "-" "curl/8.5.0" "-"$`));
    expect(lines.at(-2)).toMatch(new RegExp(`\\[error\\] \\d+#\\d+: \\*2 open\\(\\) "/usr/share/nginx/html/missing" failed \\(2: No such file or directory\\), client: ${flannel.replace(/\./g, '\\.')}, server: localhost, request: "GET /missing HTTP/1.1", host: "${otherIp.replace(/\./g, '\\.')}"$`));
  });

  it("agnhost netexec logs Go log lines for each handler", () => {
    const { sim, pod, get } = setup();
    const echo = pod('echo');
    sim.tcpRequest('pod/default/client', ip(echo.status.podIP!), 8080, get('/echo?msg=hi%20there'));
    sim.tcpRequest('pod/default/client', ip(echo.status.podIP!), 8080, get('/clientip'));
    const lines = texts(sim, echo, 'echo');
    expect(lines[0]).toMatch(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d Started HTTP server on port 8080$/);
    expect(lines.slice(-2)).toEqual(['2025/03/14 09:10:00 GET /echo?msg=hi there&code=', '2025/03/14 09:10:00 GET /clientip']);
  });

  it('keeps the newest lines of a full log, and forgets the logs of deleted pods', () => {
    const { sim, pod } = setup();
    const web = pod('web-');
    for (let i = 0; i < MAX_LOG_LINES + 5; i++) appendLog(sim.state, web, 'nginx', T0 + i, [`line ${i}`]);
    const lines = texts(sim, web, 'nginx');
    expect(lines).toHaveLength(MAX_LOG_LINES);
    expect(lines[0]).toBe('line 5');
    const k = `${web.metadata.uid}/nginx`;
    delete sim.state.k8s.pods[`default/${web.metadata.name}`];
    appendLog(sim.state, pod('client'), 'client', T0, ['x']);
    expect(sim.state.k8s.logs![k]).toBeUndefined();
  });
});
