import { describe, expect, it } from 'vitest';
import { duplicate, errorText, forbidden, GoValue, goQuote, goStringMap, InvalidError, invalid, notSupported, required, tooLong } from './field';

describe('field errors as apimachinery prints them', () => {
  it('prints each type with or without its value', () => {
    expect(errorText(invalid('spec.replicas', -1, 'must be greater than or equal to 0'))).toBe('spec.replicas: Invalid value: -1: must be greater than or equal to 0');
    expect(errorText(invalid('metadata.name', 'Web', 'bad'))).toBe('metadata.name: Invalid value: "Web": bad');
    expect(errorText(required('spec.selector'))).toBe('spec.selector: Required value');
    expect(errorText(required('metadata.name', 'name or generateName is required'))).toBe('metadata.name: Required value: name or generateName is required');
    expect(errorText(forbidden('spec', 'no'))).toBe('spec: Forbidden: no');
    expect(errorText(duplicate('spec.ports[1].name', 'http'))).toBe('spec.ports[1].name: Duplicate value: "http"');
    expect(errorText(tooLong('metadata.annotations', 262144))).toBe('metadata.annotations: Too long: must have at most 262144 bytes');
    expect(errorText(notSupported('spec.type', 'X', ['A', 'B']))).toBe('spec.type: Unsupported value: "X": supported values: "A", "B"');
    expect(errorText(invalid('spec.template.metadata.labels', new GoValue(goStringMap({ b: '2', a: '1' })), 'x'))).toBe('spec.template.metadata.labels: Invalid value: map[string]string{"a":"1", "b":"2"}: x');
  });

  it('quotes strings as Go %q does', () => {
    expect(goQuote('a"b\\c\nd\te\u0001')).toBe('"a\\"b\\\\c\\nd\\te\\x01"');
  });

  it('aggregates an object\'s errors into one Invalid status, without repeats', () => {
    const one = new InvalidError('Deployment', 'apps', 'web', [invalid('spec.replicas', -1, 'must be greater than or equal to 0')]);
    expect(one.reason).toBe('Invalid');
    expect(one.message).toBe('Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
    expect(one.text).toBe('The Deployment "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
    const two = new InvalidError('Service', '', 's', [required('spec.ports'), required('spec.ports'), notSupported('spec.type', 'X', ['A'])]);
    expect(two.message).toBe('Service "s" is invalid: [spec.ports: Required value, spec.type: Unsupported value: "X": supported values: "A"]');
    expect(two.text).toBe('The Service "s" is invalid: \n* spec.ports: Required value\n* spec.type: Unsupported value: "X": supported values: "A"');
  });
});
