/**
 * The three patch types `kubectl patch` sends, applied as the API server applies them.
 *
 * Design notes: JSON merge patch (RFC 7386): objects merge key by key, `null` deletes, any
 * other value (lists included) replaces. Strategic merge patch: the same, except that the
 * lists the Kubernetes types mark with a merge key are merged item by item on that key
 * (containers, initContainers, ephemeralContainers, env, volumes, imagePullSecrets by
 * `name`; container ports by `containerPort`; Service ports by `port`; volumeMounts by
 * `mountPath`; hostAliases by `ip`), and the `$patch: replace` / `$patch: delete`
 * directives are honoured. JSON patch (RFC 6902): add, remove, replace, move, copy, test
 * with JSON pointers (`~0`, `~1`, `-` for the end of a list).
 * Left out: `$setElementOrder` and `$retainKeys` (dropped), `$deleteFromPrimitiveList`.
 */

type Json = unknown;
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

export class PatchError extends Error {}

export function mergePatch(target: Json, patch: Json): Json {
  if (!isObj(patch)) return patch;
  const out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  imagePullSecrets: 'name',
  volumeMounts: 'mountPath',
  hostAliases: 'ip',
};

function mergeKeyOf(field: string, items: unknown[]): string | undefined {
  if (field === 'ports') return items.some((i) => isObj(i) && 'containerPort' in i) ? 'containerPort' : 'port';
  return MERGE_KEYS[field];
}

export function strategicMergePatch(target: Json, patch: Json): Json {
  if (!isObj(patch)) return patch;
  if (patch.$patch === 'replace') {
    const rest = { ...patch };
    delete rest.$patch;
    return stripDirectives(rest);
  }
  if (patch.$patch === 'delete') return undefined;
  const out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) continue;
    if (v === null) {
      delete out[k];
      continue;
    }
    if (Array.isArray(v)) {
      const live = out[k];
      const mk = mergeKeyOf(k, [...v, ...(Array.isArray(live) ? live : [])]);
      if (mk && Array.isArray(live)) out[k] = mergeList(live, v, mk);
      else out[k] = v.filter((i) => !(isObj(i) && i.$patch === 'delete')).map(stripDirectives);
      continue;
    }
    const merged = strategicMergePatch(out[k], v);
    if (merged === undefined) delete out[k];
    else out[k] = merged;
  }
  return out;
}

function mergeList(live: unknown[], patch: unknown[], mk: string): unknown[] {
  if (patch.some((i) => isObj(i) && i.$patch === 'replace')) return patch.filter((i) => !(isObj(i) && i.$patch === 'replace')).map(stripDirectives);
  const out = [...live];
  for (const item of patch) {
    if (!isObj(item) || !(mk in item)) {
      out.push(item);
      continue;
    }
    const at = out.findIndex((l) => isObj(l) && l[mk] === item[mk]);
    if (item.$patch === 'delete') {
      if (at >= 0) out.splice(at, 1);
      continue;
    }
    if (at >= 0) out[at] = strategicMergePatch(out[at], item);
    else out.push(stripDirectives(item));
  }
  return out;
}

function stripDirectives(v: Json): Json {
  if (Array.isArray(v)) return v.map(stripDirectives);
  if (!isObj(v)) return v;
  return Object.fromEntries(Object.entries(v).filter(([k]) => !k.startsWith('$')).map(([k, x]) => [k, stripDirectives(x)]));
}

interface Op {
  op: string;
  path: string;
  value?: unknown;
  from?: string;
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new PatchError(`invalid path ${path}`);
  return path
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function jsonPatch(target: Json, ops: unknown): Json {
  if (!Array.isArray(ops)) throw new PatchError('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let doc = structuredCloneJson(target);
  const parentOf = (parts: string[]): { parent: Obj | unknown[]; last: string } => {
    let cur: unknown = doc;
    for (const p of parts.slice(0, -1)) {
      if (Array.isArray(cur)) cur = cur[Number(p)];
      else if (isObj(cur)) cur = cur[p];
      else cur = undefined;
      if (cur === undefined) throw new PatchError(`doc is missing path: "/${parts.join('/')}"`);
    }
    if (!isObj(cur) && !Array.isArray(cur)) throw new PatchError(`doc is missing path: "/${parts.join('/')}"`);
    return { parent: cur, last: parts[parts.length - 1]! };
  };
  const get = (path: string): unknown => {
    let cur: unknown = doc;
    for (const p of pointer(path)) {
      cur = Array.isArray(cur) ? cur[Number(p)] : isObj(cur) ? cur[p] : undefined;
      if (cur === undefined) throw new PatchError(`doc is missing key: ${path}`);
    }
    return cur;
  };
  const remove = (path: string): unknown => {
    const parts = pointer(path);
    const { parent, last } = parentOf(parts);
    if (Array.isArray(parent)) {
      const i = Number(last);
      if (!(i >= 0 && i < parent.length)) throw new PatchError(`remove operation does not apply: doc is missing key: ${path}`);
      return parent.splice(i, 1)[0];
    }
    if (!(last in parent)) throw new PatchError(`remove operation does not apply: doc is missing key: ${path}`);
    const v = parent[last];
    delete parent[last];
    return v;
  };
  const add = (path: string, value: unknown, replace: boolean): void => {
    const parts = pointer(path);
    if (parts.length === 0) {
      doc = value;
      return;
    }
    const { parent, last } = parentOf(parts);
    if (Array.isArray(parent)) {
      const i = last === '-' ? parent.length : Number(last);
      if (!(i >= 0 && i <= parent.length) || (replace && i >= parent.length)) throw new PatchError(`${replace ? 'replace' : 'add'} operation does not apply: doc is missing key: ${path}`);
      parent.splice(i, replace ? 1 : 0, value);
      return;
    }
    if (replace && !(last in parent)) throw new PatchError(`replace operation does not apply: doc is missing key: ${path}`);
    parent[last] = value;
  };
  for (const raw of ops) {
    if (!isObj(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string') throw new PatchError('operation missing path or op');
    const op = raw as unknown as Op;
    switch (op.op) {
      case 'add':
        add(op.path, structuredCloneJson(op.value), false);
        break;
      case 'remove':
        remove(op.path);
        break;
      case 'replace':
        add(op.path, structuredCloneJson(op.value), true);
        break;
      case 'move':
        add(op.path, remove(op.from ?? ''), false);
        break;
      case 'copy':
        add(op.path, structuredCloneJson(get(op.from ?? '')), false);
        break;
      case 'test':
        if (JSON.stringify(get(op.path)) !== JSON.stringify(op.value)) throw new PatchError(`testing value ${op.path} failed: test failed`);
        break;
      default:
        throw new PatchError(`Unexpected kind: ${op.op}`);
    }
  }
  return doc;
}

function structuredCloneJson<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}
