/**
 * ReplicaSets: the sandbox writes them only through the scale subresource (`kubectl scale
 * rs`), whose replica count the API server checks as ValidateReplicaSetSpec does; the same
 * rules as a Deployment's spec otherwise (deployment.ts).
 */
import { validateNonNegative, validateReplicatedSpec } from './deployment';
import type { FieldError } from './field';
import type { Obj } from './meta';

export function validateReplicaSetSpec(spec: Obj): FieldError[] {
  return validateReplicatedSpec(spec, 'replicaset');
}

/** The scale subresource of a Deployment or ReplicaSet: `spec.replicas` >= 0. */
export function validateScale(replicas: number): FieldError[] {
  return validateNonNegative(replicas, 'spec.replicas');
}
