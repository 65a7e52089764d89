/**
 * The files a container sees through its volume mounts: a ConfigMap's or a Secret's keys as
 * files under the mount path, as the kubelet projects them.
 *
 * Design notes: each key of a mounted ConfigMap (data, then binaryData) or Secret (data,
 * base64-decoded) is a file `<mountPath>/<key>` with the value as content; the content is read
 * when asked, so a changed object shows at once. The projection is read-only in the real
 * kubelet; writes here land in the container's own files and shadow it.
 * Simplified: the kubelet's atomic-writer layout (`..data` and the timestamped directory the
 * key files link to), `items`, `subPath`, `defaultMode`, and the kubelet's sync delay for
 * changed objects are left out (coredns-config.ts models that delay for the Corefile).
 */
import type { SimState } from '../state';
import { getStored } from './objects';
import type { Container, Pod } from './types';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/** Base64 to the bytes as a string of char codes 0-255; undefined when it is not base64. */
function decodeBase64(b64: string): string | undefined {
  const clean = b64.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 !== 0) return undefined;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let out = '';
  let bits = 0;
  let value = 0;
  for (const ch of clean.replace(/=+$/, '')) {
    value = (value << 6) | alphabet.indexOf(ch);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += String.fromCharCode((value >> bits) & 0xff);
    }
  }
  return out;
}

/** The files `container` sees through its mounts, by absolute path. */
export function mountedFiles(state: SimState, pod: Pod, container: Container | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const ns = pod.metadata.namespace ?? 'default';
  for (const m of container?.volumeMounts ?? []) {
    const v = pod.spec.volumes?.find((x) => x.name === m.name);
    if (!v) continue;
    const dir = m.mountPath.replace(/\/+$/, '');
    if (v.configMap) {
      const cm = getStored(state, 'configmaps', ns, v.configMap.name) as Obj | undefined;
      for (const field of ['data', 'binaryData'] as const) {
        const data = cm?.[field];
        if (!isObj(data)) continue;
        for (const [k, val] of Object.entries(data)) out[`${dir}/${k}`] = field === 'data' ? String(val) : (decodeBase64(String(val)) ?? '');
      }
    }
    if (v.secret) {
      const s = getStored(state, 'secrets', ns, v.secret.secretName) as Obj | undefined;
      if (isObj(s?.data)) for (const [k, val] of Object.entries(s.data)) out[`${dir}/${k}`] = decodeBase64(String(val)) ?? '';
    }
  }
  return out;
}
