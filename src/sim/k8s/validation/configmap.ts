/**
 * ConfigMaps as the API server validates them (ValidateConfigMap): keys of `data` and
 * `binaryData` as config keys (IsConfigMapKey), no key in both, and at most 1 MiB of values
 * in all (`: Too long: must have at most 1048576 bytes`, the error naming the whole object).
 *
 * Design notes: the sizes are UTF-8 bytes of `data` values and the decoded bytes of
 * `binaryData` (base64: three bytes per four characters, less the padding).
 */
import { invalid, tooLong, type FieldError } from './field';
import { isObj, objAt, validateObjectMeta, type Obj } from './meta';
import { isConfigMapKey, nameIsDnsSubdomain, utf8Length } from './names';

export const MAX_CONFIG_SIZE = 1048576;

export const base64Length = (v: string): number => Math.floor((v.length * 3) / 4) - (v.endsWith('==') ? 2 : v.endsWith('=') ? 1 : 0);

export function validateConfigMap(obj: Obj): FieldError[] {
  const errs = validateObjectMeta(objAt(obj, 'metadata'), { nameCheck: nameIsDnsSubdomain, namespaced: true });
  const data = isObj(obj.data) ? obj.data : {};
  const binary = isObj(obj.binaryData) ? obj.binaryData : {};
  let size = 0;
  for (const k of Object.keys(data).sort()) {
    errs.push(...isConfigMapKey(k).map((m) => invalid(`data[${k}]`, k, m)));
    if (k in binary) errs.push(invalid(`data[${k}]`, k, 'duplicate of key present in binaryData'));
    size += typeof data[k] === 'string' ? utf8Length(data[k]) : 0;
  }
  for (const k of Object.keys(binary).sort()) {
    errs.push(...isConfigMapKey(k).map((m) => invalid(`binaryData[${k}]`, k, m)));
    if (k in data) errs.push(invalid(`binaryData[${k}]`, k, 'duplicate of key present in data'));
    size += typeof binary[k] === 'string' ? base64Length(binary[k]) : 0;
  }
  if (size > MAX_CONFIG_SIZE) errs.push(tooLong('', MAX_CONFIG_SIZE));
  return errs;
}
