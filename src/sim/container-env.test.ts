import { describe, expect, it } from 'vitest';
import { openSession } from '../../tests/support/session';
import { dockerContainerEnv, expandRefs, serviceLinkVars } from './container-env';
import type { Service } from './k8s/types';

const svc = (name: string, ports: Service['spec']['ports'], clusterIP = '10.96.5.5'): Service =>
  ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default', uid: 'u', resourceVersion: '1', creationTimestamp: '2025-01-01T00:00:00Z' }, spec: { type: 'ClusterIP', clusterIP, ports, sessionAffinity: 'None', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', internalTrafficPolicy: 'Cluster' } }) as Service;

describe('service links (envvars.go)', () => {
  it('names each Service in capitals with - as _, the first port unnamed, every named port, and the Docker link variables per port', () => {
    const vars = serviceLinkVars([svc('my-db', [{ port: 5432, protocol: 'TCP', targetPort: 5432, name: 'pg' }, { port: 9187, protocol: 'UDP', targetPort: 9187, name: 'metrics' }])]);
    expect(vars).toEqual([
      ['MY_DB_SERVICE_HOST', '10.96.5.5'],
      ['MY_DB_SERVICE_PORT', '5432'],
      ['MY_DB_SERVICE_PORT_PG', '5432'],
      ['MY_DB_SERVICE_PORT_METRICS', '9187'],
      ['MY_DB_PORT', 'tcp://10.96.5.5:5432'],
      ['MY_DB_PORT_5432_TCP', 'tcp://10.96.5.5:5432'],
      ['MY_DB_PORT_5432_TCP_PROTO', 'tcp'],
      ['MY_DB_PORT_5432_TCP_PORT', '5432'],
      ['MY_DB_PORT_5432_TCP_ADDR', '10.96.5.5'],
      ['MY_DB_PORT_9187_UDP', 'udp://10.96.5.5:9187'],
      ['MY_DB_PORT_9187_UDP_PROTO', 'udp'],
      ['MY_DB_PORT_9187_UDP_PORT', '9187'],
      ['MY_DB_PORT_9187_UDP_ADDR', '10.96.5.5'],
    ]);
  });

  it('skips headless Services', () => {
    expect(serviceLinkVars([svc('h', [{ port: 80, protocol: 'TCP', targetPort: 80 }], 'None')])).toEqual([]);
  });

  it('expands $(VAR) from what is defined, keeps unknown references, and $$ escapes', () => {
    const env = new Map([['A', '1']]);
    expect(expandRefs('x$(A)y$(B)z$$(A)$', (n) => env.get(n))).toBe('x1y$(B)z$(A)$');
  });
});

describe('a pod process environment', () => {
  const manifest = `apiVersion: v1
kind: Pod
metadata: {name: app, labels: {tier: front}}
spec:
  containers:
  - name: app
    image: nginx:1.27
    env:
    - {name: PATH, value: /opt/bin}
    - {name: WHERE, value: "on $(MY_NODE) at $(WEB_SERVICE_HOST)"}
    - name: MY_NODE
      valueFrom: {fieldRef: {fieldPath: spec.nodeName}}
    - name: TIER
      valueFrom: {fieldRef: {fieldPath: "metadata.labels['tier']"}}
---
apiVersion: v1
kind: Pod
metadata: {name: quiet}
spec:
  enableServiceLinks: false
  containers:
  - {name: quiet, image: busybox:1.36, command: [sleep, "3600"]}
`;

  it("is the runtime's: PATH in place, HOSTNAME, image Env, declared env, service links, HOME last", async () => {
    const t = await openSession({ topology: 'kubernetes-web' });
    t.session.apply(manifest);
    const env = (await t.run('kubectl exec app -- env')).stdout.trimEnd().split('\n');
    expect(env.slice(0, 3)).toEqual(['PATH=/opt/bin', 'HOSTNAME=app', 'NGINX_VERSION=1.27.5']);
    const node = (await t.run("kubectl get pod app -o jsonpath='{.spec.nodeName}'")).stdout;
    // MY_NODE is declared after WHERE: the reference stays as written, as the kubelet leaves it
    expect(env).toContain('WHERE=on $(MY_NODE) at 10.105.61.149');
    expect(env).toContain(`MY_NODE=${node}`);
    expect(env).toContain('TIER=front');
    expect(env.indexOf('TIER=front')).toBeLessThan(env.indexOf('KUBERNETES_SERVICE_HOST=10.96.0.1'));
    expect(env).toContain('WEB_PORT_80_TCP_ADDR=10.105.61.149');
    expect(env.at(-1)).toBe('HOME=/root');
    expect((await t.run('kubectl exec -t app -- env')).stdout).toContain('\nTERM=xterm\nHOME=/root\n');
  });

  it('enableServiceLinks: false keeps only the kubernetes Service; a Service made after the pod started is not there', async () => {
    const t = await openSession({ topology: 'kubernetes-web' });
    t.session.apply(manifest);
    const quiet = (await t.run('kubectl exec quiet -- env')).stdout;
    expect(quiet).toContain('KUBERNETES_SERVICE_PORT_HTTPS=443\n');
    expect(quiet).not.toContain('WEB_');
    await t.run('sleep 5');
    await t.run('kubectl expose pod app --name=late --port=8080 --target-port=80');
    expect((await t.run('kubectl exec app -- env')).stdout).not.toContain('LATE_');
    await t.run('kubectl run after --image=busybox:1.36 --command -- sleep 3600');
    await t.run('sleep 5');
    expect((await t.run('kubectl exec after -- printenv LATE_SERVICE_PORT')).stdout).toBe('8080\n');
  });
});

describe('a Docker container process environment', () => {
  it("is dockerd's: PATH, HOSTNAME (the short id), TERM with -t, the image's Env, then HOME", () => {
    expect(dockerContainerEnv('nginx', 'c3d29b1a2af9058fd14a43f1', { tty: true })).toEqual([
      ['PATH', '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      ['HOSTNAME', 'c3d29b1a2af9'],
      ['TERM', 'xterm'],
      ['NGINX_VERSION', '1.27.5'],
      ['NJS_VERSION', '0.8.10'],
      ['NJS_RELEASE', '1~bookworm'],
      ['PKG_RELEASE', '1~bookworm'],
      ['DYNPKG_RELEASE', '1~bookworm'],
      ['HOME', '/root'],
    ]);
    expect(dockerContainerEnv('curlimages/curl', 'abcdef0123456789').at(-1)).toEqual(['HOME', '/home/curl_user']);
  });
});
