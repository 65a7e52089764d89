import { beforeAll, describe, expect, it } from 'vitest';
import type { LabSession } from '../session';
import { openSession, type RunResult } from '../../../tests/support/session';
import { task, webLab, WEB_BINDINGS } from '../../../tests/fixtures/labs/small';

/**
 * Every state predicate, asked through a `state` check: once on the healthy web sandbox (it
 * holds, and says what holds), once on a sandbox with the faults that break it (it does not,
 * and says why from the model). Each explanation is compared with what the sandbox's own
 * commands print.
 */
const checks = {
  'ep-min': { state: { endpoints: { service: 'web', min: 1 } } },
  'ep-ready': { state: { endpoints: { service: 'web', ready: 3 } } },
  'ep-includes': { state: { endpoints: { service: 'web', includes: '@target' } } },
  'ep-includes-ip': { state: { endpoints: { service: 'web', includes: '{{target.ip}}' } } },
  'ep-missing': { state: { endpoints: { service: 'nosuch', min: 1 } } },
  'ep-dns': { state: { endpoints: { service: 'kube-dns', namespace: 'kube-system', min: 1 } } },
  'route-flannel': { state: { route: { on: 'node:node-1', dst: '10.244.2.0/24', via: '10.244.2.0', dev: 'flannel.1' } } },
  'route-wrong-dev': { state: { route: { on: 'node:node-1', dst: '10.244.2.0/24', dev: 'eth0' } } },
  'route-default': { state: { route: { on: '@client', dst: 'default', via: '{{client.nodeIp}}' } } },
  'route-absent': { state: { route: { on: 'node:node-1', dst: '10.244.2.0/24', absent: true } } },
  'link-mtu': { state: { link: { on: '@client', dev: 'eth0', mtu: 1450 } } },
  'link-up': { state: { link: { on: 'node:node-2', dev: 'cni0', up: true } } },
  'link-missing': { state: { link: { on: '@client', dev: 'eth1', up: true } } },
  'ready-target': { state: { 'pod-ready': { pod: '@target' } } },
  'ready-first': { state: { 'pod-ready': { pod: '@first' } } },
  'ready-client': { state: { 'pod-ready': { pod: 'client' } } },
  'ready-missing': { state: { 'pod-ready': { pod: 'nosuch', namespace: 'kube-system' } } },
  'field-equals': { state: { field: { object: 'svc/web', path: 'spec.selector.app', equals: 'web' } } },
  'field-jsonpath': { state: { field: { object: 'service/web', path: '{.spec.ports[0].port}', equals: 80 } } },
  'field-replicas': { state: { field: { object: 'deployment/web', path: 'spec.replicas', equals: 3 } } },
  'field-matches': { state: { field: { object: 'node/node-1', path: 'spec.podCIDR', matches: '10\\.244\\.\\d+\\.0/24' } } },
  'field-exists': { state: { field: { object: 'svc/web', path: 'spec.externalTrafficPolicy', exists: false } } },
  'field-missing': { state: { field: { object: 'svc/nosuch', path: 'spec.type', exists: false } } },
  'resolves-web': { state: { resolves: { from: '@client', name: 'web', to: '{{web.ip}}' } } },
  'resolves-fqdn': { state: { resolves: { from: '@client', name: 'web.default.svc.cluster.local' } } },
  'resolves-nosuch': { state: { resolves: { from: '@client', name: 'nosuch', fails: true } } },
  'neigh-known': { state: { neighbour: { on: '@client', ip: '{{peer.ip}}', mac: '{{peer.mac}}' } } },
  'neigh-reachable': { state: { neighbour: { on: '@client', ip: '{{peer.ip}}', dev: 'eth0', state: 'REACHABLE' } } },
  'neigh-absent-before': { state: { neighbour: { on: '@client', ip: '{{peer.ip}}', absent: true } } },
  'neigh-absent': { state: { neighbour: { on: '@client', ip: '{{peer.ip}}', absent: true } } },
  'neigh-absent-after-ping': { state: { neighbour: { on: '@client', ip: '{{peer.ip}}', absent: true } } },
  'neigh-reachable-later': { state: { neighbour: { on: '@client', ip: '{{peer.ip}}', state: 'REACHABLE' } } },
  'neigh-known-later': { state: { neighbour: { on: '@client', ip: '{{peer.ip}}' } } },
  'neigh-wrong-mac': { state: { neighbour: { on: '@client', ip: '{{peer.ip}}', mac: '{{client.mac}}' } } },
  'fdb-learned': { state: { fdb: { on: 'node:{{client.node}}', bridge: 'cni0', mac: '{{peer.mac}}', port: '{{peer.veth}}', learned: true } } },
  'fdb-wrong-port': { state: { fdb: { on: 'node:{{client.node}}', bridge: 'cni0', mac: '{{peer.mac}}', port: '{{client.veth}}' } } },
  'fdb-absent-before': { state: { fdb: { on: 'node:{{client.node}}', bridge: 'cni0', mac: '{{peer.mac}}', absent: true } } },
  'fdb-absent': { state: { fdb: { on: 'node:{{client.node}}', bridge: 'cni0', mac: '{{peer.mac}}', absent: true } } },
  'fdb-no-bridge': { state: { fdb: { on: 'node:{{client.node}}', bridge: 'eth0', mac: '{{peer.mac}}' } } },
};

// Tasks judged only from a given moment on: each waits for a gate the test opens by answering it.
const gated: Record<string, string> = { 'neigh-reachable': 'after-ping', 'neigh-absent-after-ping': 'after-ping', 'fdb-absent': 'after-ping', 'neigh-reachable-later': 'after-ageing', 'neigh-absent': 'after-flush', 'neigh-known-later': 'after-flush' };
const gates = [...new Set(Object.values(gated))].map((id) => task(id, { answer: { expect: 'go' } }));
const tasks = [...gates, ...Object.entries(checks).map(([id, check]) => task(id, check, gated[id] ? { needs: [gated[id]!] } : {}))];
// The first web pod in name order: the one a pod-not-ready fault with app=web hits.
// peer: the web pod on the client's node.
const bindings = { ...WEB_BINDINGS, first: { pod: { labels: { app: 'web' } } }, peer: { pod: { labels: { app: 'web' }, onNodeOf: 'client' } } };
const healthy = webLab('predicates-healthy', tasks, { bindings });
const broken = webLab('predicates-broken', tasks, {
  bindings,
  faults: [
    { kind: 'wrong-selector', service: 'web', selector: { app: 'wrong' } },
    { kind: 'pod-not-ready', labels: { app: 'web' } },
    { kind: 'route-deleted', node: 'node-1', dst: '10.244.2.0/24' },
    { kind: 'mtu-mismatch', target: { pod: 'client' }, device: 'eth0', mtu: 1500 },
    { kind: 'interface-down', target: { node: 'node-2' }, device: 'cni0' },
    { kind: 'coredns-down' },
  ],
});

interface Opened {
  session: LabSession;
  run: (line: string) => Promise<RunResult>;
  /** What `check ID` says now. */
  says: (id: string) => { status: string; feedback: string };
}

async function open(lab: typeof healthy): Promise<Opened> {
  const { session, run } = await openSession({ lab });
  session.grade();
  return {
    session,
    run,
    says: (id) => {
      const v = session.check(id);
      if (v.labError) throw new Error(`${id}: ${v.labError}`);
      return { status: v.status, feedback: v.feedback };
    },
  };
}

let ok: Opened;
let bad: Opened;
beforeAll(async () => {
  [ok, bad] = await Promise.all([open(healthy), open(broken)]);
});

describe('endpoints', () => {
  it('holds, naming the ready endpoints as kubectl lists them', async () => {
    const eps = (await ok.run('kubectl get endpoints web -o jsonpath={.subsets[0].addresses[*].ip}')).stdout.trim().split(' ').join(', ');
    expect(ok.says('ep-min')).toEqual({ status: 'passed', feedback: `Service web has 3 ready endpoints (${eps}).` });
    expect(ok.says('ep-ready').status).toBe('passed');
    expect(ok.says('ep-includes').status).toBe('passed');
    expect(ok.says('ep-includes-ip').status).toBe('passed');
    expect(ok.says('ep-dns').feedback).toMatch(/^Service kube-system\/kube-dns has 2 ready endpoints \(10\.244\.0\.\d+, 10\.244\.0\.\d+\)\.$/);
  });

  it('explains a selector that matches no pod, with the labels the pods do have', () => {
    expect(bad.says('ep-min')).toEqual({ status: 'failed', feedback: 'Service web has 0 ready endpoints, fewer than 1. Service web selects app=wrong; no pod in its namespace has that label, so it has no endpoints. Pods there have app=web.' });
    expect(bad.says('ep-ready').feedback).toMatch(/^Service web has 0 ready endpoints, not 3\. Service web selects app=wrong;/);
    expect(bad.says('ep-includes').feedback).toMatch(new RegExp(`^Service web has 0 ready endpoints\\. ${bad.session.bindings.target!.name} is not one of them\\. Service web selects app=wrong;`));
    expect(bad.says('ep-includes-ip').feedback).toContain(`${bad.session.bindings.target!.ip} is not one of them.`);
  });

  it('explains a Service with no ready endpoints because nothing serves DNS', () => {
    expect(bad.says('ep-dns').feedback).toMatch(/^Service kube-system\/kube-dns has 0 ready endpoints, fewer than 1\. Service kube-dns selects k8s-app=kube-dns; no pod in its namespace has that label, so it has no endpoints\./);
  });

  it('explains a Service that does not exist', () => {
    expect(ok.says('ep-missing').feedback).toBe('There is no Service nosuch.');
  });

  it('names the matching pod that is not ready', async () => {
    const { run, says } = await open(webLab('predicates-unready', [task('ep', checks['ep-ready'])], { faults: [{ kind: 'pod-not-ready', labels: { app: 'web' } }] }));
    const unready = (await run('kubectl get pods'))
      .stdout.split('\n')
      .filter((l) => / 0\/1 /.test(l))
      .map((l) => l.split(' ')[0]);
    expect(unready).toHaveLength(1);
    expect(says('ep')).toEqual({
      status: 'failed',
      feedback: expect.stringMatching(new RegExp(`^Service web has 2 ready endpoints \\([\\d., ]+\\), not 3\\. Service web selects app=web: 3 pods match, of which ${unready[0]} is not ready \\(a pod that is not Ready is no endpoint\\)\\.$`)),
    });
  });
});

describe('route', () => {
  it('holds for a route ip route lists, and says which', async () => {
    await ok.run('ssh node-1');
    const table = (await ok.run('ip route')).stdout;
    await ok.run('exit');
    expect(table).toContain('10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink');
    expect(ok.says('route-flannel')).toEqual({ status: 'passed', feedback: 'Node node-1 has the route 10.244.2.0/24 via 10.244.2.0 dev flannel.1.' });
    expect(ok.says('route-default')).toEqual({ status: 'failed', feedback: `Pod client has default via ${ok.session.bindings.client!.ip!.replace(/\.\d+$/, '.1')} dev eth0, not default via ${ok.session.bindings.client!.nodeIp}.` });
  });

  it('explains a route to the same place by another way', () => {
    expect(ok.says('route-wrong-dev').feedback).toBe('Node node-1 has 10.244.2.0/24 via 10.244.2.0 dev flannel.1, not 10.244.2.0/24 dev eth0.');
    expect(ok.says('route-absent').feedback).toBe('Node node-1 still has the route 10.244.2.0/24 via 10.244.2.0 dev flannel.1.');
  });

  it('explains a deleted route, and absent holds', async () => {
    await bad.run('ssh node-1');
    expect((await bad.run('ip route')).stdout).not.toContain('10.244.2.0/24');
    await bad.run('exit');
    expect(bad.says('route-flannel')).toEqual({ status: 'failed', feedback: 'Node node-1 has no route to 10.244.2.0/24; `ip route` there lists its table.' });
    expect(bad.says('route-absent')).toEqual({ status: 'passed', feedback: 'Node node-1 has no route 10.244.2.0/24.' });
  });
});

describe('link', () => {
  it('holds for the MTU and state ip link shows', async () => {
    const link = (await ok.run('kubectl exec client -- ip link show eth0')).stdout;
    expect(link).toContain(' mtu 1450 ');
    expect(ok.says('link-mtu')).toEqual({ status: 'passed', feedback: 'eth0 on pod client is up with MTU 1450.' });
    expect(ok.says('link-up').status).toBe('passed');
  });

  it('explains a wrong MTU, a device set down and a device that is not there', async () => {
    expect((await bad.run('kubectl exec client -- ip link show eth0')).stdout).toContain(' mtu 1500 ');
    expect(bad.says('link-mtu').feedback).toBe('eth0 on pod client has MTU 1500, not 1450.');
    expect(bad.says('link-up').feedback).toBe('cni0 on node node-2 is down.');
    expect(ok.says('link-missing').feedback).toBe('Pod client has no interface eth1.');
  });
});

describe('pod-ready', () => {
  it('holds for a pod kubectl shows 1/1', async () => {
    expect((await ok.run(`kubectl get pod ${ok.session.bindings.target!.name}`)).stdout).toMatch(/ 1\/1 +Running /);
    expect(ok.says('ready-target')).toEqual({ status: 'passed', feedback: `Pod ${ok.session.bindings.target!.name} is Running and Ready.` });
  });

  it('explains a pod whose readiness probe fails', async () => {
    const name = bad.session.bindings.first!.name;
    expect((await bad.run(`kubectl get pod ${name}`)).stdout).toMatch(/ 0\/1 +Running /);
    expect(bad.says('ready-first')).toEqual({ status: 'failed', feedback: `Pod ${name} is Running, and its Ready condition is False.` });
    expect(bad.says('ready-client').status).toBe('passed');
    expect(ok.says('ready-first').status).toBe('passed');
  });

  it('explains a pod that does not exist', () => {
    expect(ok.says('ready-missing').feedback).toBe('There is no pod nosuch in namespace kube-system.');
  });
});

describe('field', () => {
  it('reads a field as kubectl -o jsonpath does', async () => {
    expect((await ok.run("kubectl get svc web -o jsonpath='{.spec.ports[0].port}'")).stdout).toBe('80');
    expect(ok.says('field-equals')).toEqual({ status: 'passed', feedback: 'Service web has spec.selector.app = web.' });
    expect(ok.says('field-jsonpath')).toEqual({ status: 'passed', feedback: 'Service web has {.spec.ports[0].port} = 80.' });
    expect(ok.says('field-replicas').status).toBe('passed');
    expect(ok.says('field-matches')).toEqual({ status: 'passed', feedback: 'Node node-1 has spec.podCIDR = 10.244.1.0/24.' });
    expect(ok.says('field-exists')).toEqual({ status: 'passed', feedback: 'Service web has no spec.externalTrafficPolicy.' });
    expect(ok.says('field-missing')).toEqual({ status: 'passed', feedback: 'There is no service nosuch in namespace default.' });
  });

  it('says what the field is when it is not what is wanted', () => {
    expect(bad.says('field-equals').feedback).toBe('Service web has spec.selector.app = wrong, not web.');
  });
});

describe('resolves', () => {
  it('resolves a name as the pod\'s C library would, through its search list', async () => {
    const ns = (await ok.run('kubectl exec client -- nslookup web')).stdout;
    expect(ns).toContain(`Address: ${ok.session.bindings.web!.ip}`);
    expect(ok.says('resolves-web')).toEqual({ status: 'passed', feedback: `web resolves from pod client to ${ok.session.bindings.web!.ip} (as web.default.svc.cluster.local).` });
    expect(ok.says('resolves-fqdn').status).toBe('passed');
    expect(ok.says('resolves-nosuch')).toEqual({ status: 'passed', feedback: 'nosuch does not resolve from pod client.' });
  });

  it('explains a lookup that nothing answers', () => {
    expect(bad.says('resolves-web').feedback).toBe('Looking up web from pod client timed out: no DNS server answered.');
    expect(bad.says('resolves-nosuch').status).toBe('passed');
  });
});

describe('neighbour and fdb', () => {
  it('before any traffic between the two pods: no neighbour entry, nothing learned', async () => {
    const b = ok.session.bindings;
    expect((await ok.run('kubectl exec client -- ip neigh')).stdout).not.toContain(b.peer!.ip);
    expect(ok.says('neigh-known')).toEqual({ status: 'failed', feedback: `Pod client has no neighbour entry for ${b.peer!.ip}; \`ip neigh\` there lists its table.` });
    expect(ok.says('neigh-absent-before')).toEqual({ status: 'passed', feedback: `Pod client has no neighbour entry for ${b.peer!.ip}.` });
    expect(ok.says('fdb-learned')).toEqual({ status: 'failed', feedback: `cni0 on node ${b.client!.node} has no entry for ${b.peer!.mac}: no frame from that MAC has crossed it yet. \`bridge fdb show br cni0\` there lists its table.` });
    expect(ok.says('fdb-absent-before')).toEqual({ status: 'passed', feedback: `cni0 on node ${b.client!.node} has no entry for ${b.peer!.mac}.` });
    expect(ok.says('fdb-no-bridge').feedback).toBe(`Node ${b.client!.node} has no bridge eth0.`);
  });

  it('after a ping: the entry ip neigh shows in the pod, and the one bridge fdb shows on the node', async () => {
    const b = ok.session.bindings;
    await ok.run(`kubectl exec client -- ping -c 1 ${b.peer!.ip}`);
    ok.session.answer('after-ping', 'go');
    // busybox prints the entry with its statistics; the predicate says it as iproute2 does.
    expect((await ok.run('kubectl exec client -- ip neigh')).stdout).toMatch(new RegExp(`^${b.peer!.ip!.replace(/\./g, '\\.')} dev eth0 lladdr ${b.peer!.mac} .* REACHABLE$`, 'm'));
    expect(ok.says('neigh-known')).toEqual({ status: 'passed', feedback: `Pod client has ${b.peer!.ip} dev eth0 lladdr ${b.peer!.mac} REACHABLE.` });
    expect(ok.says('neigh-reachable').status).toBe('passed');
    expect(ok.says('neigh-absent-after-ping')).toEqual({ status: 'failed', feedback: `Pod client still has ${b.peer!.ip} dev eth0 lladdr ${b.peer!.mac} REACHABLE.` });
    expect(ok.says('neigh-wrong-mac').feedback).toBe(`Pod client has ${b.peer!.ip} dev eth0 lladdr ${b.peer!.mac} REACHABLE, not with lladdr ${b.client!.mac}.`);
    await ok.run(`ssh ${b.client!.node}`);
    const fdb = (await ok.run('bridge fdb show br cni0')).stdout;
    await ok.run('exit');
    expect(fdb).toContain(`${b.peer!.mac} dev ${b.peer!.veth} master cni0 \n`);
    expect(ok.says('fdb-learned')).toEqual({ status: 'passed', feedback: `cni0 on node ${b.client!.node} has ${b.peer!.mac} dev ${b.peer!.veth} master cni0: it learned the MAC from a frame that came in on that port.` });
    expect(ok.says('fdb-wrong-port').feedback).toBe(`cni0 on node ${b.client!.node} has ${b.peer!.mac} dev ${b.peer!.veth} master cni0: not behind ${b.client!.veth}.`);
    expect(ok.says('fdb-absent').status).toBe('failed');
  });

  it('ages the entry as ip neigh does, and sees it flushed from the node', async () => {
    const b = ok.session.bindings;
    await ok.run('sleep 60');
    expect((await ok.run('kubectl exec client -- ip neigh')).stdout).toMatch(/ STALE\n$/);
    ok.session.answer('after-ageing', 'go');
    expect(ok.says('neigh-reachable-later')).toEqual({ status: 'failed', feedback: `Pod client has ${b.peer!.ip} dev eth0 lladdr ${b.peer!.mac} STALE, not REACHABLE.` });
    await ok.run(`ssh ${b.client!.node}`);
    const link = (await ok.run(`ip link show ${b.client!.veth}`)).stdout;
    const netns = /link-netns (\S+)/.exec(link)![1]!;
    expect((await ok.run(`ip -n ${netns} neigh flush all`)).status).toBe(0);
    await ok.run('exit');
    expect((await ok.run('kubectl exec client -- ip neigh')).stdout).toBe('');
    ok.session.answer('after-flush', 'go');
    expect(ok.says('neigh-absent')).toEqual({ status: 'passed', feedback: `Pod client has no neighbour entry for ${b.peer!.ip}.` });
    expect(ok.says('neigh-known-later').status).toBe('failed');
  });
});

describe('predicate parameters', () => {
  const bad = (check: unknown) => () => webLab('bad-predicate', [task('t', check)]);
  it('names the field of a bad parameter', () => {
    expect(bad({ state: { endpoints: { service: 'web' } } })).toThrow('tasks.0.check.state.endpoints: give ready, min or includes');
    expect(bad({ state: { endpoints: { service: 'web', ready: -1 } } })).toThrow('tasks.0.check.state.endpoints.ready: Number must be greater than or equal to 0');
    expect(bad({ state: { link: { on: '@client', dev: 'eth0' } } })).toThrow('tasks.0.check.state.link: give up or mtu');
    expect(bad({ state: { field: { object: 'web', path: 'spec', exists: true } } })).toThrow('tasks.0.check.state.field.object: write TYPE/NAME, such as deployment/web');
    expect(bad({ state: { field: { object: 'svc/web', path: 'spec', exists: true, equals: 'x' } } })).toThrow('tasks.0.check.state.field: give one of equals, matches and exists');
    expect(bad({ state: { route: { on: 'node:node-1', dst: '10.244.2.0/24', gw: '1.2.3.4' } } })).toThrow("tasks.0.check.state.route: Unrecognized key(s) in object: 'gw'");
    expect(bad({ state: { 'pod-ready': {} } })).toThrow('tasks.0.check.state.pod-ready.pod: Required');
    expect(bad({ state: { neighbour: { on: '@client', ip: '10.244.1.2', absent: true, state: 'STALE' } } })).toThrow('tasks.0.check.state.neighbour: absent takes neither state nor mac');
    expect(bad({ state: { neighbour: { on: '@client', ip: '10.244.1.2', state: 'GONE' } } })).toThrow('tasks.0.check.state.neighbour.state: Invalid enum value');
    expect(bad({ state: { neighbour: { on: '@client', ip: 'peer' } } })).toThrow('tasks.0.check.state.neighbour.ip: "peer" is not an IPv4 address');
    expect(bad({ state: { fdb: { on: 'node:node-1', bridge: 'cni0', mac: 'aa:bb:cc:dd:ee:ff', absent: true, port: 'veth0' } } })).toThrow('tasks.0.check.state.fdb: absent takes neither port nor learned');
    expect(bad({ state: { fdb: { on: 'node-1', bridge: 'cni0', mac: 'aa:bb:cc:dd:ee:ff' } } })).toThrow('tasks.0.check.state.fdb.on: "node-1" is not a place');
  });
  it('names an unknown predicate and lists the known ones', () => {
    expect(bad({ state: { endpoint: { service: 'web', min: 1 } } })).toThrow('tasks.0.check.state.endpoint: unknown state predicate "endpoint"; known: endpoints, route, link, pod-ready, field, resolves, neighbour, fdb');
    expect(bad({ state: { endpoints: { service: 'web', min: 1 }, route: {} } })).toThrow('tasks.0.check.state: a state predicate has exactly one key (one of endpoints, route, link, pod-ready, field, resolves, neighbour, fdb); this one has endpoints, route');
  });
  it('refuses paths and destinations it could never read', () => {
    expect(bad({ state: { field: { object: 'svc/web', path: '{.spec.ports[0}', exists: true } } })).toThrow('tasks.0.check.state.field: path "{.spec.ports[0}" is not a JSONPath kubectl reads: ');
    expect(bad({ state: { route: { on: 'node:node-1', dst: '10.244.2.7/24' } } })).toThrow('tasks.0.check.state.route: dst "10.244.2.7/24" is not a destination (write a CIDR such as 10.244.2.0/24, or default)');
    expect(bad({ state: { link: { on: 'node-1', dev: 'eth0', up: true } } })).toThrow('tasks.0.check.state.link.on: "node-1" is not a place; write workstation, node:NAME');
    expect(bad({ state: { resolves: { from: 'client', name: 'web' } } })).toThrow('tasks.0.check.state.resolves.from: "client" is not a place');
  });
});
