import { describe, expect, it } from 'vitest';
import { buildCluster } from '../../cluster';
import { rngOver } from '../../rng';
import { applyEach } from '../manifests';
import { EXAMPLES } from '../../../shell/commands/kubectl/examples/bundle';
import { parseManifest } from '../../../shell/commands/kubectl/mutate';
import { LABS } from '../../../../labs/index';
import { FIXTURE_LABS } from '../../../../tests/fixtures/labs/index';
import { validationErrors, type AdmitKind } from './index';

const T0 = Date.UTC(2025, 2, 14, 9, 0, 0);
const KINDS = ['Namespace', 'Pod', 'Deployment', 'Service', 'Ingress', 'ConfigMap', 'Secret', 'NetworkPolicy', 'Endpoints', 'EndpointSlice'];

const sources: [string, string][] = [
  ...Object.entries(EXAMPLES),
  ...[...LABS, ...FIXTURE_LABS].filter((l) => l.manifests.trim() !== '').map((l): [string, string] => [`${l.id}.yaml`, l.manifests]),
];

describe('admission passes every example manifest and every lab\'s manifests', () => {
  it.each(sources)('%s', (source, text) => {
    const docs = parseManifest(text, source);
    expect(docs.filter((d) => d.error !== undefined)).toEqual([]);
    const state = buildCluster({}, 1, T0);
    for (const d of docs) {
      const obj = d.obj as Record<string, unknown>;
      if (KINDS.includes(String(obj.kind))) expect(validationErrors(state, obj.kind as AdmitKind, obj)).toEqual([]);
    }
    const out = applyEach({ state, rng: rngOver(state.rng), now: T0 + 60_000 }, docs);
    // Only kinds the server does not serve (Gateway API kinds without their CRDs) are refused.
    expect(out.errors.map((e) => e.text).filter((t) => !/no matches for kind "(Gateway|HTTPRoute)"/.test(t))).toEqual([]);
  });

  it('covers the kinds the sandbox serves', () => {
    const kinds = new Set(sources.flatMap(([s, t]) => parseManifest(t, s).map((d) => String((d.obj as Record<string, unknown>).kind))));
    for (const k of ['Pod', 'Deployment', 'Service', 'Ingress', 'NetworkPolicy']) expect(kinds).toContain(k);
  });
});
