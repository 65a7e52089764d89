import { describe, expect, it } from 'vitest';
import { buildCluster } from '../cluster';
import { rngOver } from '../rng';
import { applyEach, applyManifests, errorLines } from './manifests';

const T0 = Date.UTC(2025, 2, 14, 9, 0, 0);
const setup = () => {
  const state = buildCluster({}, 3, T0);
  return { state, ctx: { state, rng: rngOver(state.rng), now: T0 + 60_000 } };
};

const deployment = (replicas = 2) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } } },
});
const service = (port = 80) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port, targetPort: 80 }] } });

describe('applying manifests', () => {
  it('creates, then reports unchanged, then configured', () => {
    const { state, ctx } = setup();
    expect(applyManifests(ctx, [deployment(), service()])).toEqual([
      { ref: 'deployment.apps/web', action: 'created' },
      { ref: 'service/web', action: 'created' },
    ]);
    expect(Object.values(state.k8s.pods).filter((p) => p.metadata.labels?.app === 'web')).toHaveLength(2);
    expect(applyManifests(ctx, [deployment(), service()]).map((r) => r.action)).toEqual(['unchanged', 'unchanged']);
    expect(applyManifests(ctx, [service(8080)])).toEqual([{ ref: 'service/web', action: 'configured' }]);
    expect(state.k8s.services['default/web']!.spec.ports![0]!.port).toBe(8080);
  });

  it('applies document by document: an invalid middle document changes nothing, the others are applied', () => {
    const { state, ctx } = setup();
    const bad = { ...deployment(-1), metadata: { name: 'api', labels: { tier: '<script>' } } };
    const out = applyEach(ctx, [deployment(), bad, service()]);
    expect(out.results).toEqual([
      { ref: 'deployment.apps/web', action: 'created' },
      { ref: 'service/web', action: 'created' },
    ]);
    expect(out.errors.map((e) => e.text)).toEqual([
      'The Deployment "api" is invalid: \n* metadata.labels: Invalid value: "<script>": a valid label must be an empty string or consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character (e.g. \'MyValue\',  or \'my_value\',  or \'12345\', regex used for validation is \'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?\')\n* spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    ]);
    expect(errorLines(out.errors)).toEqual([out.errors[0]!.text]);
    expect(state.k8s.deployments['default/api']).toBeUndefined();
    expect(Object.values(state.k8s.replicasets).filter((r) => r.metadata.name.startsWith('api-'))).toEqual([]);
    expect(Object.values(state.k8s.pods).filter((p) => p.metadata.name.startsWith('api-'))).toEqual([]);
    expect(state.k8s.deployments['default/web']).toBeDefined();
    expect(state.k8s.services['default/web']).toBeDefined();
  });

  it('a refused Service allocates no ClusterIP and no node port', () => {
    const { state, ctx } = setup();
    const before = JSON.stringify(state.k8s.alloc);
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'np' }, spec: { type: 'NodePort', clusterIP: '10.96.200.200', selector: { app: 'web' }, ports: [{ port: 80, nodePort: 30080 }, { port: 81, nodePort: 70000 }] } };
    const out = applyEach(ctx, [svc]);
    expect(out.errors.map((e) => e.text)).toEqual(['The Service "np" is invalid: \n* spec.ports[0].name: Required value\n* spec.ports[1].name: Required value']);
    const one = { ...svc, spec: { ...svc.spec, ports: [{ port: 80, nodePort: 70000 }] } };
    expect(applyEach(ctx, [one]).errors.map((e) => e.text)).toEqual(['The Service "np" is invalid: spec.ports[0].nodePort: Invalid value: 70000: provided port is not in the valid range. The range of valid ports is 30000-32767']);
    expect(JSON.stringify(state.k8s.alloc)).toBe(before);
    expect(state.k8s.services['default/np']).toBeUndefined();
  });

  it('prints several failures as kubectl does: client-side ones first, server ones wrapped with their source', () => {
    const { ctx } = setup();
    const out = applyEach(ctx, [{ obj: { ...deployment(-1) }, source: 'a.yaml' }, { obj: { metadata: { name: 'x' } }, source: 'a.yaml' }, { obj: { ...service(), spec: { ...service().spec, type: 'Weird' } }, source: 'a.yaml' }]);
    expect(errorLines(out.errors)).toEqual([
      'error validating "a.yaml": error validating data: [apiVersion not set, kind not set]; if you choose to ignore these errors, turn validation off with --validate=false',
      'Error from server (Invalid): error when creating "a.yaml": Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
      'Error from server (Invalid): error when creating "a.yaml": Service "web" is invalid: spec.type: Unsupported value: "Weird": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
    ]);
  });

  it('refuses what the API server refuses, in its words', () => {
    const { ctx } = setup();
    expect(() => applyManifests(ctx, [{ metadata: { name: 'x' } }])).toThrow('error validating data: [apiVersion not set, kind not set]');
    expect(() => applyManifests(ctx, [{ ...deployment(), spec: { ...deployment().spec, selector: undefined } }])).toThrow(
      'Deployment.apps "web" is invalid: [spec.selector: Required value, spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`]',
    );
    expect(() => applyManifests(ctx, [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'Bad_Name' }, spec: { containers: [{ name: 'a', image: 'b' }] } }])).toThrow(/metadata.name: Invalid value: "Bad_Name"/);
    expect(() => applyManifests(ctx, [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'nope' }, spec: { containers: [{ name: 'a', image: 'b' }] } }])).toThrow('namespaces "nope" not found');
    expect(() => applyManifests(ctx, [{ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }])).toThrow(/no matches for kind "Widget" in version "example.com\/v1"/);
  });
});

describe('a pod spec keeps what the API server stores', () => {
  it('keeps resources, host ports, restartPolicy, the service account and tolerations from the manifest', () => {
    const { state, ctx } = setup();
    applyManifests(ctx, [{
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: {
        restartPolicy: 'Never',
        serviceAccountName: 'builder',
        tolerations: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }],
        containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80, hostPort: 8080 }], resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { memory: '128Mi' } } }],
      },
    }]);
    const spec = state.k8s.pods['default/p']!.spec;
    expect(spec.restartPolicy).toBe('Never');
    expect(spec.serviceAccountName).toBe('builder');
    expect(spec.tolerations).toEqual([{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(spec.containers[0]!.ports).toEqual([{ containerPort: 80, protocol: 'TCP', hostPort: 8080 }]);
    expect(spec.containers[0]!.resources).toEqual({ requests: { cpu: '250m', memory: '64Mi' }, limits: { memory: '128Mi' } });
  });
});
