import { beforeAll, describe, expect, it } from 'vitest';
import { defineLab } from '../schema';
import type { LabSession } from '../session';
import type { SessionEvent } from '../contract';
import { openSession, type RunResult } from '../../../tests/support/session';
import { task, webLab } from '../../../tests/fixtures/labs/small';

const probes = {
  'ping-pod': { probe: { from: '@client', ping: '{{target.ip}}' } },
  'ping-clusterip': { probe: { from: '@client', ping: 'web', expect: 'no-reply' } },
  'ping-clusterip-reply': { probe: { from: '@client', ping: '{{web.ip}}' } },
  'tcp-open': { probe: { from: '@client', tcp: 'web:80' } },
  'tcp-no-port': { probe: { from: '@client', tcp: 'web:81', expect: 'closed' } },
  'tcp-refused': { probe: { from: 'workstation', tcp: '{{target.nodeIp}}:80' } },
  'http-ok': { probe: { from: '@client', http: 'http://web/', expect: 200, body: 'Welcome to nginx' } },
  'http-body': { probe: { from: '@client', http: 'http://web/', body: 'Welcome to Apache' } },
  'http-status': { probe: { from: '@client', http: 'http://web/nosuch', expect: 404 } },
  'dns-web': { probe: { from: '@client', dns: 'web', to: '{{web.ip}}' } },
  'dns-wrong': { probe: { from: '@client', dns: 'web', to: '{{target.ip}}' } },
  'dns-nosuch': { probe: { from: '@client', dns: 'nosuch', expect: 'fails' } },
  'dns-nosuch-resolves': { probe: { from: '@client', dns: 'nosuch' } },
};
const lab = webLab(
  'probes',
  Object.entries(probes).map(([id, check]) => task(id, check)),
);

let session: LabSession;
let run: (line: string) => Promise<RunResult>;
beforeAll(async () => {
  ({ session, run } = await openSession({ lab }));
});
const says = (id: string) => {
  const v = session.check(id);
  expect(v.labError, id).toBeUndefined();
  return { status: v.status, feedback: v.feedback };
};

describe('probe', () => {
  it('pings from a place', async () => {
    const t = session.bindings.target!;
    expect((await run(`kubectl exec client -- ping -c 1 ${t.ip}`)).stdout).toContain(`64 bytes from ${t.ip}`);
    expect(says('ping-pod')).toEqual({ status: 'passed', feedback: `${t.ip} answers pings from pod client.` });
  });

  it('says where a ping that gets no reply was lost', async () => {
    const ip = session.bindings.web!.ip;
    expect((await run(`kubectl exec client -- ping -c 1 -W 1 ${ip}`)).stdout).toContain('100% packet loss');
    const why = `You pinged ${ip} (the ClusterIP of Service default/web); it was dropped in gateway: ${ip} leaves the simulated network here and is lost. No interface has a Service address, so nothing answers a ping to it: kube-proxy rewrites only TCP, UDP and SCTP to the Service's ports.`;
    expect(says('ping-clusterip')).toEqual({ status: 'passed', feedback: `web does not answer pings from pod client. ${why}` });
    expect(says('ping-clusterip-reply')).toEqual({ status: 'failed', feedback: `A ping from pod client to ${ip} gets no reply. ${why}` });
  });

  it('opens TCP connections by name, and explains one that cannot', async () => {
    expect(says('tcp-open')).toEqual({ status: 'passed', feedback: 'A TCP connection from pod client to web:80 opens.' });
    expect(says('tcp-no-port')).toEqual({ status: 'passed', feedback: 'A TCP connection from pod client to web:81 times out.' });
    const node = session.bindings.target!;
    expect((await run(`curl -sS http://${node.nodeIp}/`)).stderr).toBe(`curl: (7) Failed to connect to ${node.nodeIp} port 80 after 0 ms: Couldn't connect to server\n`);
    expect(says('tcp-refused')).toEqual({
      status: 'failed',
      feedback: `A TCP connection from the workstation to ${node.nodeIp}:80 is refused. Your TCP segment to ${node.nodeIp} port 80 (node ${node.node}); ${node.node} refused it: it answered with a TCP reset, as nothing listens on port 80 there.`,
    });
  });

  it('fetches a page over HTTP, checking the status and the body', async () => {
    expect((await run('kubectl exec client -- wget -qO- http://web/')).stdout).toContain('<title>Welcome to nginx!</title>');
    expect(says('http-ok')).toEqual({ status: 'passed', feedback: 'GET http://web/ from pod client is answered with HTTP 200.' });
    expect(says('http-body')).toEqual({ status: 'failed', feedback: 'GET http://web/ from pod client is answered with HTTP 200, but the page does not contain "Welcome to Apache".' });
    expect((await run('kubectl exec client -- wget -qO- http://web/nosuch')).stderr).toContain('404 Not Found');
    expect(says('http-status')).toEqual({ status: 'passed', feedback: 'GET http://web/nosuch from pod client is answered with HTTP 404.' });
  });

  it('looks names up as the place would', async () => {
    const web = session.bindings.web!.ip;
    expect((await run('kubectl exec client -- nslookup web')).stdout).toContain(`Address: ${web}`);
    expect(says('dns-web')).toEqual({ status: 'passed', feedback: `web resolves from pod client to ${web}.` });
    expect(says('dns-wrong')).toEqual({ status: 'failed', feedback: `web resolves from pod client to ${web}, not ${session.bindings.target!.ip}.` });
    expect(says('dns-nosuch')).toEqual({ status: 'passed', feedback: 'nosuch does not resolve from pod client.' });
    expect(says('dns-nosuch-resolves')).toEqual({ status: 'failed', feedback: 'nosuch does not resolve from pod client.' });
  });
});

describe("the learner's sandbox under probes", () => {
  it('is left exactly as it was: state, conntrack, neighbour tables, observations, counters and captures', async () => {
    const { session: s, run: r } = await openSession({ lab });
    await r(`kubectl exec client -- ping -c 1 ${s.bindings.target!.ip}`);
    const traces: SessionEvent[] = [];
    s.subscribe((e) => void (e.type === 'trace' && traces.push(e)));
    const before = JSON.stringify(s.sim.state);
    const clientNs = s.sim.state.netns[`pod/default/client`]!;
    const neigh = JSON.stringify(clientNs.neigh);
    const conntrack = JSON.stringify(Object.values(s.sim.state.netns).map((n) => n.conntrack ?? []));
    const observations = s.sim.state.observations.length;
    const ipId = clientNs.ipId;
    const rng = JSON.stringify(s.sim.state.rng);
    for (const id of Object.keys(probes)) s.check(id);
    expect(s.tasks().filter((t) => t.labError)).toEqual([]);
    expect(s.sim.state.netns[`pod/default/client`]!.neigh).toEqual(JSON.parse(neigh));
    expect(JSON.stringify(Object.values(s.sim.state.netns).map((n) => n.conntrack ?? []))).toBe(conntrack);
    expect(s.sim.state.observations).toHaveLength(observations);
    expect(s.sim.state.netns[`pod/default/client`]!.ipId).toBe(ipId);
    expect(JSON.stringify(s.sim.state.rng)).toBe(rng);
    expect(JSON.stringify(s.sim.state)).toBe(before);
    // No packet of a probe reaches the learner's captures or the path view.
    expect(traces).toEqual([]);
    // And no conntrack entry of a probe shows on the node.
    await r(`ssh ${s.bindings.client!.node}`);
    expect((await r('conntrack -L')).stdout).not.toContain('dport=81');
  });
});

describe('probe after a fix', () => {
  it('fails while the Service selects nothing, and passes at the command that fixes it', async () => {
    const broken = webLab('probe-fix', [task('page', { probe: { from: '@client', http: 'http://web/', body: 'Welcome to nginx' } })], {
      faults: [{ kind: 'wrong-selector', service: 'web', selector: { app: 'wrong' } }],
    });
    const { session: s, run: r } = await openSession({ lab: broken });
    await r('kubectl get svc web');
    const ip = s.bindings.web!.ip;
    expect((await r('kubectl exec client -- wget -qO- http://web/')).stderr).toContain(`wget: can't connect to remote host (${ip}): Connection refused`);
    expect(s.check('page').feedback).toBe(
      `GET http://web/ from pod client: the connection is refused. Your TCP segment to ${ip} port 80 (the ClusterIP of Service default/web); ${s.bindings.client!.node} rejected it (filter FORWARD: REJECT (icmp-port-unreachable)), by the rule for "default/web has no endpoints".`,
    );
    await r(`kubectl apply -f - <<'EOF'\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: web\n  ports:\n  - port: 80\nEOF`);
    const v = s.tasks()[0]!;
    expect(v.status).toBe('passed');
    expect(v.feedback).toBe('GET http://web/ from pod client is answered with HTTP 200.');
  });
});

describe('probe with a Host header', () => {
  it('reaches the backend an Ingress rule names only with that host', async () => {
    const ingressLab = defineLab({
      id: 'fixture-probe-ingress',
      title: 'Fixture: probes through an Ingress',
      summary: 'ingress-nginx in front of web, for the host web.example.com.',
      topology: { name: 'kubernetes', ingress: true },
      manifests: `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [{ name: nginx, image: "nginx:1.27", ports: [{ containerPort: 80 }] }] }
---
apiVersion: v1
kind: Service
metadata: { name: web }
spec: { selector: { app: web }, ports: [{ port: 80 }] }
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: web }
spec:
  ingressClassName: nginx
  rules:
  - host: web.example.com
    http:
      paths:
      - { path: /, pathType: Prefix, backend: { service: { name: web, port: { number: 80 } } } }
`,
      bindings: { lb: { service: { namespace: 'ingress-nginx', name: 'ingress-nginx-controller' } } },
      tasks: [
        task('with-host', { probe: { from: 'workstation', http: { url: 'http://{{lb.lbIp}}/', host: 'web.example.com' }, body: 'Welcome to nginx' } }),
        task('without-host', { probe: { from: 'workstation', http: 'http://{{lb.lbIp}}/', expect: 404 } }),
      ],
    });
    const { session: s, run: r } = await openSession({ lab: ingressLab });
    const lb = s.bindings.lb!.lbIp;
    expect((await r(`curl -s -H 'Host: web.example.com' http://${lb}/`)).stdout).toContain('<title>Welcome to nginx!</title>');
    expect((await r(`curl -s http://${lb}/`)).stdout).toContain('<title>404 Not Found</title>');
    expect(s.check('with-host').feedback).toBe(`GET http://${lb}/ (Host: web.example.com) from the workstation is answered with HTTP 200.`);
    expect(s.check('without-host').feedback).toBe(`GET http://${lb}/ from the workstation is answered with HTTP 404.`);
  });
});

describe('a ping probe of a given size', () => {
  // The client's eth0 at MTU 9000 while its veth peer on the node keeps the pod MTU: the peer
  // drops every frame longer than its MTU allows, so only small pings get through.
  const jumbo = webLab('big-ping', [task('big', { probe: { from: '@client', ping: '{{target.ip}}', size: 2000 } }), task('small', { probe: { from: '@client', ping: '{{target.ip}}' } })], {
    faults: [{ kind: 'mtu-mismatch', target: { pod: 'client' }, device: 'eth0', mtu: 9000 }],
  });
  it('fails while big packets vanish at the veth, passes once the MTU is right', async () => {
    const t = await openSession({ lab: jumbo });
    const check = (id: string) => t.session.check(id);
    expect(check('small').status).toBe('passed');
    const big = check('big');
    expect(big.status).toBe('failed');
    expect(big.feedback).toMatch(/^A ping of 2000 data bytes from pod client to 10\.244\.\d+\.\d+ gets no reply\. /);
    expect(big.feedback).toMatch(/the veth peer drops the frame/);
    const c = t.session.bindings.client!;
    await t.run(`ssh ${c.node} ip netns exec ${c.netns} ip link set eth0 mtu 1450`);
    expect(check('big')).toMatchObject({ status: 'passed', feedback: expect.stringMatching(/answers pings of 2000 data bytes from pod client\.$/) });
  });
});

describe('probe parameters', () => {
  const bad = (check: unknown) => () => webLab('bad-probe', [task('t', check)]);
  it('takes exactly one action, with an expectation that fits it', () => {
    expect(bad({ probe: { from: '@client' } })).toThrow('tasks.0.check.probe: give exactly one of ping, tcp, http and dns (found none)');
    expect(bad({ probe: { from: '@client', ping: 'web', dns: 'web' } })).toThrow('tasks.0.check.probe: give exactly one of ping, tcp, http and dns (found ping, dns)');
    expect(bad({ probe: { from: '@client', ping: 'web', expect: 'open' } })).toThrow('tasks.0.check.probe.expect: expect for ping is reply, no-reply');
    expect(bad({ probe: { from: '@client', http: 'http://web/', expect: 700 } })).toThrow('tasks.0.check.probe.expect: expect for http is ok, fail or an HTTP status code');
    expect(bad({ probe: { from: '@client', ping: 'web', body: 'x' } })).toThrow('tasks.0.check.probe.body: body applies to http probes only');
    expect(bad({ probe: { from: '@client', http: 'http://web/', to: '1.2.3.4' } })).toThrow('tasks.0.check.probe.to: to applies to dns probes only');
    expect(bad({ probe: { from: '@client', tcp: 'web:80', size: 2000 } })).toThrow('tasks.0.check.probe.size: size applies to ping probes only');
  });
  it('names the field of a malformed target', () => {
    expect(bad({ probe: { from: '@client', tcp: 'web' } })).toThrow('tasks.0.check.probe.tcp: write HOST:PORT');
    expect(bad({ probe: { from: '@client', http: 'https://web/' } })).toThrow('tasks.0.check.probe.http: write http://HOST[:PORT]/PATH');
    expect(bad({ probe: { from: '@client', http: { url: 'http://web/', hots: 'x' } } })).toThrow("tasks.0.check.probe.http: Unrecognized key(s) in object: 'hots'");
  });
  it('wants its place to be a place', () => {
    expect(bad({ probe: { from: '@web', ping: 'web' } })).toThrow('tasks.0.check.probe: "@web" is a service binding, which is not a place');
    expect(bad({ probe: { from: 'nod:node-1', ping: 'web' } })).toThrow('tasks.0.check.probe.from: "nod:node-1" is not a place; write workstation, node:NAME, host:NAME, pod:[NAMESPACE/]NAME, container:HOST/NAME or @binding');
  });
});
