/**
 * Namespaces as the API server validates them (ValidateNamespace): the name an RFC 1123
 * label, no namespace of their own, labels and annotations.
 */
import type { FieldError } from './field';
import { objAt, validateObjectMeta, type Obj } from './meta';
import { nameIsDnsLabel } from './names';

export function validateNamespace(obj: Obj): FieldError[] {
  return validateObjectMeta(objAt(obj, 'metadata'), { nameCheck: nameIsDnsLabel, namespaced: false });
}
