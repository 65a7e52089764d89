import { describe, expect, it } from 'vitest';
import { validateConfigMap } from './configmap';
import { CONFIG_KEY, texts } from './test-util';

const cm = (body: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, ...body });

describe('ConfigMap validation', () => {
  it('accepts config keys in data and binaryData', () => {
    expect(texts(validateConfigMap(cm({ data: { 'app.properties': 'a=b', KEY_1: 'x' }, binaryData: { 'logo.png': 'iVBORw0K' } })))).toEqual([]);
  });

  it('keys: the config key syntax, no dot-dot prefix, not in both maps', () => {
    expect(texts(validateConfigMap(cm({ data: { 'a b': 'x', '..data': 'y', both: 'z' }, binaryData: { both: 'AA==' } })))).toEqual([
      "data[..data]: Invalid value: \"..data\": must not start with '..'",
      `data[a b]: Invalid value: "a b": ${CONFIG_KEY}`,
      'data[both]: Invalid value: "both": duplicate of key present in binaryData',
      'binaryData[both]: Invalid value: "both": duplicate of key present in data',
    ]);
  });

  it('at most 1 MiB of values in all', () => {
    expect(texts(validateConfigMap(cm({ data: { a: 'x'.repeat(1048576) } })))).toEqual([]);
    expect(texts(validateConfigMap(cm({ data: { a: 'x'.repeat(1048576), b: 'y' } })))).toEqual([': Too long: must have at most 1048576 bytes']);
  });
});
