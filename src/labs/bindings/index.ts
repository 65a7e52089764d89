/**
 * Every binding kind, by the key a lab writes. Adding one: a file in this folder exporting a
 * `defineBindingKind({...})`, listed here, with a test in bindings.test.ts; the lab schema,
 * the build-time check of placeholders and the author's guide pick it up from this list.
 */
import { containerBinding } from './container';
import { deploymentBinding } from './deployment';
import { hostBinding } from './host';
import { interfaceBinding } from './interface';
import { nodeBinding } from './node';
import { podBinding } from './pod';
import { serviceBinding } from './service';
import type { BindingKind } from './types';

export const BINDING_KINDS: readonly BindingKind<never>[] = [podBinding, serviceBinding, nodeBinding, interfaceBinding, containerBinding, hostBinding, deploymentBinding] as unknown as BindingKind<never>[];

export function bindingKind(name: string): BindingKind<unknown> | undefined {
  return BINDING_KINDS.find((k) => k.name === name) as BindingKind<unknown> | undefined;
}

export { BindingError } from './types';
export type { BindingKind } from './types';
