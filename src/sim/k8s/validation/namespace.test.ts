import { describe, expect, it } from 'vitest';
import { validateNamespace } from './namespace';
import { DNS1123_LABEL, LABEL_VALUE, texts } from './test-util';

describe('Namespace validation', () => {
  it('the name is an RFC 1123 label; labels are checked', () => {
    expect(texts(validateNamespace({ metadata: { name: 'team-a', labels: { team: 'a' } } }))).toEqual([]);
    expect(texts(validateNamespace({ metadata: { name: 'Team_A' } }))).toEqual([`metadata.name: Invalid value: "Team_A": ${DNS1123_LABEL}`]);
    expect(texts(validateNamespace({ metadata: { name: 'team.a' } }))).toEqual(['metadata.name: Invalid value: "team.a": must not contain dots']);
    expect(texts(validateNamespace({ metadata: { name: 'a', labels: { x: 'a b' } } }))).toEqual([`metadata.labels: Invalid value: "a b": ${LABEL_VALUE}`]);
  });
});
