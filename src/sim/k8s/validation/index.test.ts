import { describe, expect, it } from 'vitest';
import { buildCluster } from '../../cluster';
import { ApiError } from '../api-error';
import { admit, InvalidError, requestTooLarge } from './index';

const T0 = Date.UTC(2025, 2, 14, 9, 0, 0);

const refusal = (f: () => void): string => {
  try {
    f();
  } catch (e) {
    if (e instanceof InvalidError) return e.text;
    if (e instanceof ApiError) return `${e.reason}: ${e.message}`;
    throw e;
  }
  return 'admitted';
};

describe('admission', () => {
  it('refuses a request body over 3 MiB before validating it', () => {
    const state = buildCluster({}, 1, T0);
    const big = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Big_Name' }, data: { a: 'x'.repeat(3 * 1024 * 1024) } };
    expect(refusal(() => admit(state, 'ConfigMap', big))).toBe('RequestEntityTooLarge: Request entity too large: limit is 3145728');
    expect(requestTooLarge({ a: 'x'.repeat(1000) })).toBe(false);
  });

  it('aggregates every field error of the object into one Invalid status', () => {
    const state = buildCluster({}, 1, T0);
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'Web' }, spec: { type: 'Fancy', ports: [{ port: 0 }] } };
    expect(refusal(() => admit(state, 'Service', svc))).toBe(
      'The Service "Web" is invalid: \n' +
        "* metadata.name: Invalid value: \"Web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')\n" +
        '* spec.type: Unsupported value: "Fancy": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"\n' +
        '* spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive',
    );
  });

  it('applies the update rules against the live object', () => {
    const state = buildCluster({ workloads: { deployments: [{ name: 'web', replicas: 1, image: 'nginx', ports: [80] }], services: [{ name: 'web', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 80 }] }] } }, 1, T0);
    const live = state.k8s.services['default/web']!;
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { clusterIP: '10.96.77.77', selector: { app: 'web' }, ports: [{ port: 80 }] } };
    expect(refusal(() => admit(state, 'Service', svc, { update: true }))).toBe('The Service "web" is invalid: spec.clusterIPs[0]: Invalid value: []string{"10.96.77.77"}: may not change once set');
    expect(refusal(() => admit(state, 'Service', { ...svc, spec: { ...svc.spec, clusterIP: live.spec.clusterIP } }, { update: true }))).toBe('admitted');
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'a', image: 'b' }] } };
    expect(refusal(() => admit(state, 'Pod', pod, { update: true, podSpecChanged: true }))).toMatch(/^The Pod "p" is invalid: spec: Forbidden: pod updates may not change fields other than `spec.containers\[\*\].image`,/);
  });
});
