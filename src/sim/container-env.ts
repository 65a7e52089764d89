/**
 * The environment a container's process starts with: what `env` prints in `kubectl exec POD --
 * env` and what a program in the container reads.
 *
 * Design notes: a pod's container gets, in this order, what containerd's CRI plugin puts in the
 * OCI spec: PATH (its default, replaced in place by the image's own), `HOSTNAME` (the pod's
 * hostname), the image configuration's Env in Dockerfile order (nginx: NGINX_VERSION,
 * NJS_VERSION, NJS_RELEASE, PKG_RELEASE, DYNPKG_RELEASE), then the variables the kubelet hands
 * over (an existing name is replaced in place). The kubelet's are the container spec's `env`
 * (a `value`, in which `$(NAME)` refers to a variable declared before it or a service
 * variable, `$$` escapes; or a `valueFrom.fieldRef` for metadata.name, metadata.namespace,
 * metadata.uid, metadata.labels['k'], metadata.annotations['k'], spec.nodeName,
 * spec.serviceAccountName, status.podIP, status.podIPs, status.hostIP), then the service
 * links (pkg/kubelet/envvars/envvars.go) of every Service with a cluster IP that existed when
 * the pod started: those of the pod's namespace unless `enableServiceLinks: false`, and
 * always the default namespace's `kubernetes` Service. Per Service: `<NAME>_SERVICE_HOST`,
 * `<NAME>_SERVICE_PORT` (the first port), `<NAME>_SERVICE_PORT_<PORTNAME>` for each named port,
 * `<NAME>_PORT` (the first port as `tcp://ip:port`), then per port `<NAME>_PORT_<port>_<PROTO>`
 * and its `_PROTO`, `_PORT` and `_ADDR`; NAME is the Service's name in capitals with `-` as
 * `_`. An exec with a terminal (`kubectl exec -t`) adds `TERM=xterm` (containerd), and runc
 * appends `HOME` (the image user's home, /root) when nothing set it.
 * The kubelet builds its part from Go maps, so on a real node the order of those variables
 * differs from container to container; the sandbox keeps one: the spec's `env` in declared
 * order, then the Services sorted by name, each in envvars.go's order.
 * A Docker container (docker run) gets PATH, HOSTNAME (its short id), TERM=xterm with -t, the
 * image's Env, then HOME, as dockerd's CreateDaemonEnvironment and runc write them.
 * Simplified: a Service counts as existing when the pod started if its creationTimestamp is not
 * later than the pod's startTime (same-second creations count as before), and a Service
 * deleted after the pod started no longer appears (a real process keeps what it was given).
 * Left out: envFrom (ConfigMaps, Secrets), resourceFieldRef, secretKeyRef/configMapKeyRef.
 */
import { imageEnv, imageHome } from './apps/index';
import { podHostname } from './apps/image';
import type { Container, EnvVar, Pod, Service } from './k8s/types';
import type { SimState } from './state';

export type Env = [string, string][];

/** Sets NAME in place when it is there, else appends it (containerd's replaceOrAppendEnvValues). */
function put(env: Env, name: string, value: string): void {
  const at = env.findIndex(([k]) => k === name);
  if (at >= 0) env[at] = [name, value];
  else env.push([name, value]);
}

function envName(s: string): string {
  return s.toUpperCase().replace(/-/g, '_');
}

/** The service-link variables of the Services given, in envvars.go's order. */
export function serviceLinkVars(services: Service[]): Env {
  const out: Env = [];
  for (const svc of services) {
    const ip = svc.spec.clusterIP;
    const ports = svc.spec.ports ?? [];
    if (!ip || ip === 'None' || ports.length === 0) continue;
    const prefix = envName(svc.metadata.name);
    out.push([`${prefix}_SERVICE_HOST`, ip]);
    out.push([`${prefix}_SERVICE_PORT`, String(ports[0]!.port)]);
    for (const p of ports) if (p.name) out.push([`${prefix}_SERVICE_PORT_${envName(p.name)}`, String(p.port)]);
    ports.forEach((p, i) => {
      const proto = (p.protocol || 'TCP').toLowerCase();
      if (i === 0) out.push([`${prefix}_PORT`, `${proto}://${ip}:${p.port}`]);
      const pp = `${prefix}_PORT_${p.port}_${proto.toUpperCase()}`;
      out.push([pp, `${proto}://${ip}:${p.port}`], [`${pp}_PROTO`, proto], [`${pp}_PORT`, String(p.port)], [`${pp}_ADDR`, ip]);
    });
  }
  return out;
}

/** The Services the kubelet links into a pod's containers (getServiceEnvVarMap), sorted by name. */
export function linkedServices(state: SimState, pod: Pod): Service[] {
  const ns = pod.metadata.namespace ?? 'default';
  const started = Date.parse(pod.status.startTime ?? pod.metadata.creationTimestamp);
  const existed = (s: Service): boolean => !(Date.parse(s.metadata.creationTimestamp) > started);
  const byName = new Map<string, Service>();
  for (const svc of Object.values(state.k8s.services)) {
    if (!existed(svc) || !svc.spec.clusterIP || svc.spec.clusterIP === 'None') continue;
    const sns = svc.metadata.namespace ?? 'default';
    if (sns === 'default' && svc.metadata.name === 'kubernetes') {
      if (!byName.has(svc.metadata.name)) byName.set(svc.metadata.name, svc);
    } else if (sns === ns && pod.spec.enableServiceLinks !== false) byName.set(svc.metadata.name, svc);
  }
  return [...byName.values()].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
}

/** A downward-API field of the pod, as the kubelet reads it ('' when unset). */
export function podField(pod: Pod, path: string): string | undefined {
  const m = /^metadata\.(labels|annotations)\['([^']*)'\]$/.exec(path);
  if (m) return (m[1] === 'labels' ? pod.metadata.labels : pod.metadata.annotations)?.[m[2]!] ?? '';
  switch (path) {
    case 'metadata.name':
      return pod.metadata.name;
    case 'metadata.namespace':
      return pod.metadata.namespace ?? 'default';
    case 'metadata.uid':
      return pod.metadata.uid;
    case 'spec.nodeName':
      return pod.spec.nodeName ?? '';
    case 'spec.serviceAccountName':
      return (pod.spec as { serviceAccountName?: string }).serviceAccountName ?? 'default';
    case 'status.podIP':
      return pod.status.podIP ?? '';
    case 'status.podIPs':
      return (pod.status.podIPs ?? []).map((p) => p.ip).join(',');
    case 'status.hostIP':
      return pod.status.hostIP ?? '';
    default:
      return undefined;
  }
}

/** Kubernetes' `$(VAR)` expansion (third_party/forked/golang/expansion): unknown references stay as written. */
export function expandRefs(value: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c !== '$' || i + 1 >= value.length) {
      out += c;
      continue;
    }
    const next = value[i + 1]!;
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const end = value.indexOf(')', i + 2);
      if (end < 0) {
        out += value.slice(i);
        break;
      }
      const name = value.slice(i + 2, end);
      const v = lookup(name);
      out += v ?? `$(${name})`;
      i = end;
    } else out += c;
  }
  return out;
}

/** The kubelet's variables for a container: its `env`, then the service links it did not declare. */
export function kubeletEnv(state: SimState, pod: Pod, container: Container): Env {
  const services = serviceLinkVars(linkedServices(state, pod));
  const svcMap = new Map(services);
  const declared = new Map<string, string>();
  for (const e of container.env ?? ([] as EnvVar[])) {
    const ref = e.valueFrom?.fieldRef?.fieldPath;
    const v = ref !== undefined ? (podField(pod, ref) ?? '') : expandRefs(e.value ?? '', (n) => declared.get(n) ?? svcMap.get(n));
    declared.set(e.name, v);
  }
  return [...declared.entries(), ...services.filter(([k]) => !declared.has(k))];
}

/** The environment of a process the runtime starts in a pod's container (`tty`: an exec with -t). */
export function podContainerEnv(state: SimState, pod: Pod, container: Container, opts: { tty?: boolean } = {}): Env {
  const image = imageEnv(container.image);
  const env: Env = [];
  put(env, 'PATH', image.find(([k]) => k === 'PATH')?.[1] ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
  put(env, 'HOSTNAME', podHostname(pod));
  for (const [k, v] of image) put(env, k, v);
  for (const [k, v] of kubeletEnv(state, pod, container)) put(env, k, v);
  if (opts.tty) put(env, 'TERM', 'xterm');
  if (!env.some(([k]) => k === 'HOME')) env.push(['HOME', imageHome(container.image)]);
  return env;
}

/** The environment of a process in a Docker container (`tty`: run or exec with -t). */
export function dockerContainerEnv(image: string, id: string, opts: { tty?: boolean } = {}): Env {
  const env: Env = [['PATH', '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], ['HOSTNAME', id.slice(0, 12)]];
  if (opts.tty) env.push(['TERM', 'xterm']);
  for (const [k, v] of imageEnv(image)) put(env, k, v);
  if (!env.some(([k]) => k === 'HOME')) env.push(['HOME', imageHome(image)]);
  return env;
}
