/**
 * Deployments as the API server validates them (ValidateDeployment and
 * ValidateDeploymentUpdate in pkg/apis/apps/validation/validation.go): replicas >= 0, a
 * selector that is required, valid and non-empty, a pod template whose labels the selector
 * matches and whose restartPolicy is Always, and a selector that never changes.
 *
 * Design notes: replicas defaults to 1 before validation, as in the API server. Left out:
 * strategy, minReadySeconds and progressDeadlineSeconds are not checked.
 */
import { invalid, notSupported, required, type FieldError } from './field';
import { canonicalJson } from '../names';
import { isObj, labelsValue, objAt, selectorMatches, selectorValue, stringMap, validateLabelSelector, validateObjectMeta, type Obj } from './meta';
import { nameIsDnsSubdomain } from './names';
import { validatePodTemplate } from './pod';

export function validateNonNegative(v: unknown, field: string): FieldError[] {
  return typeof v === 'number' && v < 0 ? [invalid(field, v, 'must be greater than or equal to 0')] : [];
}

/** The spec of a Deployment or ReplicaSet (the same rules in apps validation). */
export function validateReplicatedSpec(spec: Obj, kind: 'deployment' | 'replicaset'): FieldError[] {
  const errs: FieldError[] = [...validateNonNegative(spec.replicas, 'spec.replicas')];
  const sel = isObj(spec.selector) ? spec.selector : undefined;
  if (!sel) errs.push(required('spec.selector'));
  else {
    errs.push(...validateLabelSelector(sel, 'spec.selector'));
    const n = Object.keys(isObj(sel.matchLabels) ? sel.matchLabels : {}).length + (Array.isArray(sel.matchExpressions) ? sel.matchExpressions.length : 0);
    if (n === 0) errs.push(invalid('spec.selector', selectorValue(sel), `empty selector is invalid for ${kind}`));
  }
  if (!isObj(spec.template)) {
    errs.push(required('spec.template'));
    return errs;
  }
  const tpl = spec.template;
  const labels = stringMap(objAt(tpl, 'metadata').labels);
  // No selector converts to one that matches nothing; an empty one to one that matches everything.
  const selEmpty = !!sel && Object.keys(isObj(sel.matchLabels) ? sel.matchLabels : {}).length === 0 && !(Array.isArray(sel.matchExpressions) && sel.matchExpressions.length);
  if (!selEmpty && (!sel || !selectorMatches(sel, labels))) errs.push(invalid('spec.template.metadata.labels', labelsValue(labels), '`selector` does not match template `labels`'));
  errs.push(...validatePodTemplate(tpl, 'spec.template'));
  const rp = objAt(tpl, 'spec').restartPolicy;
  if (rp !== undefined && rp !== 'Always') errs.push(notSupported('spec.template.spec.restartPolicy', String(rp), ['Always']));
  return errs;
}

export function validateDeployment(obj: Obj): FieldError[] {
  return [...validateObjectMeta(objAt(obj, 'metadata'), { nameCheck: nameIsDnsSubdomain, namespaced: true }), ...validateReplicatedSpec(objAt(obj, 'spec'), 'deployment')];
}

/** ValidateDeploymentUpdate: the selector is immutable. */
export function validateDeploymentUpdate(obj: Obj, oldSelector: Obj): FieldError[] {
  const sel = objAt(objAt(obj, 'spec'), 'selector');
  const norm = (s: Obj): string => canonicalJson({ matchLabels: stringMap(s.matchLabels) ?? {}, matchExpressions: Array.isArray(s.matchExpressions) ? s.matchExpressions : [] });
  return norm(sel) === norm(oldSelector) ? [] : [invalid('spec.selector', selectorValue(sel), 'field is immutable')];
}
