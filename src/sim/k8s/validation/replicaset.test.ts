import { describe, expect, it } from 'vitest';
import { validateReplicaSetSpec, validateScale } from './replicaset';
import { texts } from './test-util';

describe('ReplicaSet validation (the scale subresource)', () => {
  it('a replica count may not be negative', () => {
    expect(texts(validateScale(0))).toEqual([]);
    expect(texts(validateScale(-3))).toEqual(['spec.replicas: Invalid value: -3: must be greater than or equal to 0']);
  });

  it('the spec follows the Deployment rules, named for a replicaset', () => {
    const spec = { replicas: 1, selector: {}, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } };
    expect(texts(validateReplicaSetSpec(spec))).toEqual(['spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for replicaset']);
  });
});
