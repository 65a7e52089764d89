/**
 * Secrets as the API server validates them (ValidateSecret), after `stringData` is merged
 * into `data`: keys as config keys, at most 1 MiB of data in all
 * (`data: Too long: must have at most 1048576 bytes`), and the keys a type requires
 * (`kubernetes.io/tls`: tls.crt and tls.key).
 */
import { invalid, required, tooLong, type FieldError } from './field';
import { base64Length, MAX_CONFIG_SIZE } from './configmap';
import { isObj, objAt, validateObjectMeta, type Obj } from './meta';
import { isConfigMapKey, nameIsDnsSubdomain } from './names';

/** `obj.data` holds base64 values (stringData already merged in). */
export function validateSecret(obj: Obj): FieldError[] {
  const errs = validateObjectMeta(objAt(obj, 'metadata'), { nameCheck: nameIsDnsSubdomain, namespaced: true });
  const data = isObj(obj.data) ? obj.data : {};
  let size = 0;
  for (const k of Object.keys(data).sort()) {
    errs.push(...isConfigMapKey(k).map((m) => invalid(`data[${k}]`, k, m)));
    size += typeof data[k] === 'string' ? base64Length(data[k]) : 0;
  }
  if (size > MAX_CONFIG_SIZE) errs.push(tooLong('data', MAX_CONFIG_SIZE));
  if (obj.type === 'kubernetes.io/tls') for (const k of ['tls.crt', 'tls.key']) if (!(k in data)) errs.push(required(`data[${k}]`));
  return errs;
}
