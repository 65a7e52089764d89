import { describe, expect, it } from 'vitest';
import { isConfigMapKey, isDns1123Label, isQualifiedName, isValidPortName, nameIsDnsSubdomain } from './names';
import { validateAnnotations, validateLabels, validateObjectMeta } from './meta';
import { DNS1123_LABEL, DNS1123_SUBDOMAIN, LABEL_VALUE, NAME_PART, texts } from './test-util';

describe('object metadata as ValidateObjectMeta checks it', () => {
  it('names by the kind\'s rule, and generateName as a prefix', () => {
    const meta = (m: Record<string, unknown>) => texts(validateObjectMeta(m, { nameCheck: nameIsDnsSubdomain, namespaced: true }));
    expect(meta({ name: 'web.v1' })).toEqual([]);
    expect(meta({})).toEqual(['metadata.name: Required value: name or generateName is required']);
    expect(meta({ name: 'Web' })).toEqual([`metadata.name: Invalid value: "Web": ${DNS1123_SUBDOMAIN}`]);
    expect(meta({ name: 'a'.repeat(254) })).toEqual([`metadata.name: Invalid value: "${'a'.repeat(254)}": must be no more than 253 characters`]);
    expect(meta({ generateName: 'web-', name: 'web-x1' })).toEqual([]);
    expect(meta({ generateName: 'Web-', name: 'web-x1' })).toEqual([`metadata.generateName: Invalid value: "Web-": ${DNS1123_SUBDOMAIN}`]);
    expect(texts(validateObjectMeta({ name: 'ns', namespace: 'x' }, { nameCheck: nameIsDnsSubdomain, namespaced: false }))).toEqual(['metadata.namespace: Forbidden: not allowed on this type']);
  });

  it('labels: keys as qualified names, values as label values, every message', () => {
    expect(texts(validateLabels({ app: 'web', 'example.com/tier': '', 'a.b_c-d': 'X.y_z-1' }, 'metadata.labels'))).toEqual([]);
    expect(texts(validateLabels({ app: '<script>' }, 'metadata.labels'))).toEqual([`metadata.labels: Invalid value: "<script>": ${LABEL_VALUE}`]);
    expect(texts(validateLabels({ app: `-${'x'.repeat(63)}` }, 'metadata.labels'))).toEqual([
      `metadata.labels: Invalid value: "-${'x'.repeat(63)}": must be no more than 63 characters`,
      `metadata.labels: Invalid value: "-${'x'.repeat(63)}": ${LABEL_VALUE}`,
    ]);
    expect(texts(validateLabels({ 'bad key': 'x' }, 'metadata.labels'))).toEqual([`metadata.labels: Invalid value: "bad key": ${NAME_PART}`]);
    expect(isQualifiedName('/x')).toEqual(['prefix part must be non-empty']);
    expect(isQualifiedName('a/')).toEqual(['name part must be non-empty', NAME_PART]);
    expect(isQualifiedName('a/b/c')[0]).toMatch(/^a qualified name must consist of .* with an optional DNS subdomain prefix and '\/' \(e\.g\. 'example\.com\/MyName'\)$/);
  });

  it('annotations: keys case-insensitively, and 262144 bytes in all', () => {
    expect(texts(validateAnnotations({ 'Example.com/Note': 'x' }, 'metadata.annotations'))).toEqual([]);
    expect(texts(validateAnnotations({ 'bad key': 'x' }, 'metadata.annotations'))).toEqual([`metadata.annotations: Invalid value: "bad key": ${NAME_PART}`]);
    expect(texts(validateAnnotations({ a: 'x'.repeat(262143) }, 'metadata.annotations'))).toEqual([]);
    expect(texts(validateAnnotations({ a: 'x'.repeat(262144) }, 'metadata.annotations'))).toEqual(['metadata.annotations: Too long: must have at most 262144 bytes']);
    // Bytes, not characters: é is two bytes in UTF-8.
    expect(texts(validateAnnotations({ a: 'é'.repeat(131072) }, 'metadata.annotations'))).toEqual(['metadata.annotations: Too long: must have at most 262144 bytes']);
  });

  it('the string rules behind them', () => {
    expect(isDns1123Label('a.b')).toEqual(['must not contain dots']);
    expect(isDns1123Label('-a')).toEqual([DNS1123_LABEL]);
    expect(isValidPortName('my_port--')).toEqual([
      'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      'must not contain consecutive hyphens',
      'must not begin or end with a hyphen',
    ]);
    expect(isValidPortName('12345')).toEqual(['must contain at least one letter (a-z)']);
    expect(isValidPortName('a-very-long-port-name')).toEqual(['must be no more than 15 characters']);
    expect(isConfigMapKey('..a')).toEqual(["must not start with '..'"]);
    expect(isConfigMapKey('.')).toEqual(["must not be '.'"]);
  });
});
