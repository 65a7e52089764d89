/**
 * The API server's warnings about a pod spec it accepts (pkg/api/pod/warnings.go,
 * GetWarningsForPod and GetWarningsForPodTemplate): returned with the created object and
 * printed by kubectl as `Warning: ...` before its own line.
 *
 * Design notes: only the port checks are modelled. Every container's ports (init containers
 * first, then containers, then ephemeral ones, as VisitContainersWithPath walks them) are
 * compared by containerPort and protocol (TCP when not given): the same hostIP and hostPort is
 * a `duplicate port definition`, a hostPort of 0 on either side an `overlapping` one, the same
 * hostPort with one hostIP empty a `dangerously ambiguous` one; a hostIP without a hostPort is
 * warned about too. On a host-network pod a port's hostPort defaults to its containerPort
 * first (pod templates no longer get that default). The server warns when an object is
 * created; it skips the checks when a pod is updated.
 * Left out: the other warnings of GetWarningsForPod (deprecated fields, node labels,
 * fractional quantities, duplicate env names, affinity terms).
 */
type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

interface Port {
  name?: string;
  hostPort: number;
  containerPort: number;
  protocol: string;
  hostIP: string;
}

/** Go's %+v of an api.ContainerPort. */
function portText(p: Port): string {
  return `{Name:${p.name ?? ''} HostPort:${p.hostPort} ContainerPort:${p.containerPort} Protocol:${p.protocol} HostIP:${p.hostIP}}`;
}

/**
 * The port warnings for a pod spec at `specPath` (`spec` for a Pod, `spec.template.spec` for a
 * workload's template); `pod` says whether a Pod's defaulting (hostPort on the host network) applies.
 */
export function podSpecWarnings(spec: unknown, specPath: string, pod: boolean): string[] {
  if (!isObj(spec)) return [];
  const hostNetwork = pod && spec.hostNetwork === true;
  const warnings: string[] = [];
  const all = new Map<string, { field: string; port: Port }[]>();
  for (const list of ['initContainers', 'containers', 'ephemeralContainers']) {
    const containers = Array.isArray(spec[list]) ? (spec[list] as unknown[]) : [];
    containers.forEach((c, ci) => {
      if (!isObj(c) || !Array.isArray(c.ports)) return;
      c.ports.forEach((raw, i) => {
        if (!isObj(raw)) return;
        const containerPort = Number(raw.containerPort ?? 0);
        const hostPort = typeof raw.hostPort === 'number' ? raw.hostPort : hostNetwork ? containerPort : 0;
        const port: Port = { ...(typeof raw.name === 'string' ? { name: raw.name } : {}), hostPort, containerPort, protocol: typeof raw.protocol === 'string' ? raw.protocol : 'TCP', hostIP: typeof raw.hostIP === 'string' ? raw.hostIP : '' };
        const field = `${specPath}.${list}[${ci}].ports[${i}]`;
        if (port.hostIP !== '' && port.hostPort === 0) warnings.push(`${field}: hostIP set without hostPort: ${portText(port)}`);
        const k = `${port.containerPort}/${port.protocol}`;
        const others = all.get(k);
        if (!others) {
          all.set(k, [{ field, port }]);
          return;
        }
        for (const other of others) {
          if (port.hostIP === other.port.hostIP && port.hostPort === other.port.hostPort) warnings.push(`${field}: duplicate port definition with ${other.field}`);
          else if (port.hostPort === 0 || other.port.hostPort === 0) warnings.push(`${field}: overlapping port definition with ${other.field}`);
          else if (port.hostPort === other.port.hostPort && (port.hostIP === '') !== (other.port.hostIP === '')) warnings.push(`${field}: dangerously ambiguous port definition with ${other.field}`);
        }
        others.push({ field, port });
      });
    });
  }
  return warnings;
}

/** The warnings for a new object of `kind`: a Pod's spec, or the pod template of a workload. */
export function objectWarnings(kind: string, obj: Obj): string[] {
  const spec = isObj(obj.spec) ? obj.spec : undefined;
  if (!spec) return [];
  if (kind === 'Pod') return podSpecWarnings(spec, 'spec', true);
  if (['Deployment', 'ReplicaSet', 'DaemonSet', 'StatefulSet', 'Job', 'ReplicationController'].includes(kind)) {
    const template = isObj(spec.template) ? spec.template : undefined;
    return podSpecWarnings(template?.spec, 'spec.template.spec', false);
  }
  return [];
}
