import { describe, expect, it } from 'vitest';
import { buildCluster } from '../cluster';
import { rngOver } from '../rng';
import { applyManifests } from './manifests';

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

  it('is all or nothing: a bad document later in the list leaves the cluster untouched', () => {
    const { state, ctx } = setup();
    const before = JSON.stringify(state);
    const bad = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db' }, spec: { type: 'Weird', ports: [{ port: 5432 }] } };
    expect(() => applyManifests(ctx, [deployment(), bad])).toThrow('Service "db" is invalid: spec.type: Unsupported value: "Weird"');
    expect(JSON.stringify(state)).toBe(before);
  });

  it('refuses what the API server refuses, in its words', () => {
    const { ctx } = setup();
    expect(() => applyManifests(ctx, [{ metadata: { name: 'x' } }])).toThrow('error validating data: [apiVersion not set, kind not set]');
    expect(() => applyManifests(ctx, [{ ...deployment(), spec: { ...deployment().spec, selector: undefined } }])).toThrow('Deployment.apps "web" is invalid: spec.selector: Required value');
    expect(() => applyManifests(ctx, [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'Bad_Name' }, spec: { containers: [{ name: 'a', image: 'b' }] } }])).toThrow(/metadata.name: Invalid value: "Bad_Name"/);
    expect(() => applyManifests(ctx, [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'nope' }, spec: { containers: [{ name: 'a', image: 'b' }] } }])).toThrow('namespaces "nope" not found');
    expect(() => applyManifests(ctx, [{ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }])).toThrow(/no matches for kind "Widget" in version "example.com\/v1"/);
  });
});
