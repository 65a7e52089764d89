/**
 * `--dry-run=client|server` and `-o` for the commands that create objects (create, run,
 * expose).
 *
 * Design notes: a client dry run prints the object kubectl built without sending it, with
 * the empty fields kubectl's typed objects carry (`creationTimestamp: null`, `resources: {}`,
 * `status: {}`); a server dry run creates the object in a copy of the cluster and prints it
 * as the API server would have stored it (uid, ClusterIP, defaults); without `-o` they print
 * `deployment.apps/web created (dry run)` / `(server dry run)`. Without a dry run, `-o` prints
 * the created object. Every creation but a client dry run passes admission first (the API
 * server's validation, k8s/validation), so a refused object changes nothing.
 */
import { apiView } from '../../../sim/k8s/defaults';
import { clone } from '../../../sim/clone';
import type { ApiContext } from '../../../sim/k8s/api';
import { rngOver } from '../../../sim/rng';
import type { SimState } from '../../../sim/state';
import type { CommandContext } from '../../command';
import type { DryRun } from './apply';
import { api, apiContext } from './mutate';
import { admit, type AdmitKind } from '../../../sim/k8s/validation';

export interface Creation {
  ref: string;
  /** The kind admission checks the object as (the client object, as sent). */
  kind: AdmitKind;
  /** The namespace the object is created in (for a namespaced kind). */
  namespace?: string;
  verb: string;
  /** The object kubectl builds (what a client dry run prints). */
  client: () => unknown;
  create: (api: ApiContext) => void;
  /** The stored object, read back after `create`. */
  stored: (state: SimState) => unknown;
  wrap?: Parameters<typeof api>[1];
}

/** The object as the request carries it: the client's object in its namespace. */
export function requestOf(c: Creation): Record<string, unknown> {
  const obj = c.client() as Record<string, unknown>;
  const meta = (obj.metadata ?? {}) as Record<string, unknown>;
  return { ...obj, metadata: { ...meta, ...(c.namespace !== undefined ? { namespace: c.namespace } : {}) } };
}

export function finishCreate(ctx: CommandContext, dry: DryRun, print: ((obj: unknown, ref: string) => void) | undefined, c: Creation): void {
  if (dry === 'client') {
    if (print) print(c.client(), c.ref);
    else ctx.stdout.write(`${c.ref} ${c.verb} (dry run)\n`);
    return;
  }
  const base = apiContext(ctx);
  const target: ApiContext = dry === 'server' ? { ...base, state: clone(base.state), rng: rngOver(clone(base.state.rng)) } : base;
  api(() => {
    admit(target.state, c.kind, requestOf(c));
    c.create(target);
  }, c.wrap);
  if (print) print(apiView(target.state, c.stored(target.state)), c.ref);
  else ctx.stdout.write(`${c.ref} ${c.verb}${dry === 'server' ? ' (server dry run)' : ''}\n`);
}
