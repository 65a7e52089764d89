import { describe, expect, it } from 'vitest';
import { validateDeployment, validateDeploymentUpdate } from './deployment';
import { LABEL_VALUE, PORT_RANGE, texts } from './test-util';

const deploy = (spec: Record<string, unknown> = {}, metadata: Record<string, unknown> = { name: 'web' }) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata,
  spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web', tier: 'fe' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } }, ...spec },
});

describe('Deployment validation', () => {
  it('accepts a valid deployment, with matchLabels or matchExpressions', () => {
    expect(texts(validateDeployment(deploy()))).toEqual([]);
    expect(texts(validateDeployment(deploy({ selector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe', 'be'] }] } })))).toEqual([]);
    expect(texts(validateDeployment(deploy({ replicas: 0 })))).toEqual([]);
  });

  it('replicas >= 0', () => {
    expect(texts(validateDeployment(deploy({ replicas: -1 })))).toEqual(['spec.replicas: Invalid value: -1: must be greater than or equal to 0']);
  });

  it('a selector is required, valid and not empty', () => {
    expect(texts(validateDeployment(deploy({ selector: undefined })))).toEqual([
      'spec.selector: Required value',
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web", "tier":"fe"}: `selector` does not match template `labels`',
    ]);
    expect(texts(validateDeployment(deploy({ selector: {} })))).toEqual([
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
    ]);
    expect(texts(validateDeployment(deploy({ selector: { matchLabels: {} } })))).toEqual([
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
    ]);
    expect(texts(validateDeployment(deploy({ selector: { matchLabels: { app: 'web', bad: '<x>' } } })))).toEqual([
      `spec.selector.matchLabels: Invalid value: "<x>": ${LABEL_VALUE}`,
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web", "tier":"fe"}: `selector` does not match template `labels`',
    ]);
    expect(texts(validateDeployment(deploy({ selector: { matchExpressions: [{ key: 'tier', operator: 'Near' }] } }))).slice(0, 1)).toEqual(['spec.selector.matchExpressions[0].operator: Invalid value: "Near": not a valid selector operator']);
  });

  it('template labels must match the selector; the template is a pod template that always restarts', () => {
    expect(texts(validateDeployment(deploy({ template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 70000 }] }], restartPolicy: 'Never' } } })))).toEqual([
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"api"}: `selector` does not match template `labels`',
      `spec.template.spec.containers[0].ports[0].containerPort: Invalid value: 70000: ${PORT_RANGE}`,
      'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
    ]);
    expect(texts(validateDeployment(deploy({ template: { spec: { containers: [{ name: 'web', image: 'nginx' }] } } })))).toEqual([
      'spec.template.metadata.labels: Invalid value: map[string]string(nil): `selector` does not match template `labels`',
    ]);
  });

  it('on update the selector is immutable', () => {
    expect(texts(validateDeploymentUpdate(deploy(), { matchLabels: { app: 'web' } }))).toEqual([]);
    expect(texts(validateDeploymentUpdate(deploy({ selector: { matchLabels: { app: 'web', v: '2' } } }), { matchLabels: { app: 'web' } }))).toEqual([
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "v":"2"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    ]);
  });
});

describe('selectors print as Go prints a v1.LabelSelector', () => {
  it('with match expressions', () => {
    const d = deploy({ selector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe'] }] } });
    expect(texts(validateDeploymentUpdate(d, { matchLabels: { app: 'web' } }))).toEqual([
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"tier", Operator:"In", Values:[]string{"fe"}}}}: field is immutable',
    ]);
  });
});
