/**
 * Services as the API server validates them (ValidateService, ValidateServiceUpdate in
 * pkg/apis/core/validation/validation.go, and the registry's port and IP allocators): the
 * name a DNS-1035 label, the type enum, ports (named when several, unique names and
 * (protocol, port) pairs, port 1-65535, targetPort a number or an IANA_SVC_NAME, protocol
 * enum), nodePort forbidden with type ClusterIP, unique, in 30000-32767 and not already
 * allocated, a selector of valid labels, externalName for ExternalName, a ClusterIP asked for
 * inside the service range (--service-cluster-ip-range, less its first and last address) and
 * not already allocated, and a ClusterIP that may not change once set.
 *
 * Design notes: runs on the manifest after defaulting (protocol TCP, targetPort = port when
 * absent or 0). The allocation checks read the cluster's allocation state, given by the caller.
 * Left out: ipFamilies, sessionAffinityConfig, loadBalancerClass and appProtocol.
 */
import { duplicate, forbidden, goQuote, goStringSlice, GoValue, invalid, notSupported, required, type FieldError } from './field';
import { isObj, listAt, objAt, stringMap, strAt, validateLabels, validateObjectMeta, type Obj } from './meta';
import { isDns1123Label, isIPv4, nameIsDns1035Label } from './names';
import { validatePortNumOrName, validateProtocol } from './ports';
import { isValidPortNum } from './names';
import { broadcast, contains, formatCidr, parseIp, type Cidr } from '../../ipv4';

export const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
export const NODE_PORT_RANGE = { min: 30000, max: 32767 };

export interface ServiceAllocations {
  /** Node ports allocated to other Services. */
  nodePorts: number[];
  /** ClusterIPs allocated to other Services. */
  clusterIps: string[];
  /** The API server's --service-cluster-ip-range. */
  serviceCidr: Cidr;
}

/**
 * Why the ClusterIP allocator refuses `ip`, or undefined when it can have it: the bitmap
 * allocator's range omits the first and last address of the CIDR (ErrNotInRange, whose text
 * names the range), and an address another Service holds is ErrAllocated.
 */
export function clusterIpRefusal(ip: string, serviceCidr: Cidr, taken: readonly string[]): string | undefined {
  const a = parseIp(ip);
  if (a === undefined) return undefined;
  if (!contains(serviceCidr, a) || a === serviceCidr.addr || a === broadcast(serviceCidr)) {
    return `failed to allocate IP ${ip}: the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${formatCidr(serviceCidr)}`;
  }
  if (taken.includes(ip)) return `failed to allocate IP ${ip}: provided IP is already allocated`;
  return undefined;
}

/** %#v of the (protocol, port) key the duplicate check builds. */
function portKey(protocol: string, port: number): GoValue {
  return new GoValue(`core.ServicePort{Name:"", Protocol:${goQuote(protocol)}, AppProtocol:(*string)(nil), Port:${port}, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`);
}

export function validateService(obj: Obj, alloc?: ServiceAllocations): FieldError[] {
  const errs = validateObjectMeta(objAt(obj, 'metadata'), { nameCheck: nameIsDns1035Label, namespaced: true });
  const spec = objAt(obj, 'spec');
  const type = spec.type === undefined ? 'ClusterIP' : strAt(spec, 'type');
  const clusterIP = strAt(spec, 'clusterIP');
  const ports = listAt(spec, 'ports');
  if (!SERVICE_TYPES.includes(type)) errs.push(notSupported('spec.type', type, SERVICE_TYPES));
  if (type === 'ExternalName') {
    if (!strAt(spec, 'externalName')) errs.push(required('spec.externalName'));
  } else if (ports.length === 0 && clusterIP !== 'None') errs.push(required('spec.ports'));
  const names = new Set<string>();
  const seen = new Set<string>();
  const seenNode = new Set<string>();
  ports.forEach((p, i) => {
    const sp = isObj(p) ? p : {};
    const at = `spec.ports[${i}]`;
    const name = strAt(sp, 'name');
    if (ports.length > 1 && !name) errs.push(required(`${at}.name`));
    else if (name) {
      errs.push(...isDns1123Label(name).map((m) => invalid(`${at}.name`, name, m)));
      if (names.has(name)) errs.push(duplicate(`${at}.name`, name));
      names.add(name);
    }
    const port = typeof sp.port === 'number' ? sp.port : 0;
    errs.push(...isValidPortNum(port).map((m) => invalid(`${at}.port`, port, m)));
    errs.push(...validateProtocol(sp.protocol ?? 'TCP', `${at}.protocol`));
    errs.push(...validatePortNumOrName(sp.targetPort, `${at}.targetPort`));
    const protocol = strAt(sp, 'protocol') || 'TCP';
    const k = `${protocol}/${port}`;
    if (seen.has(k)) errs.push(duplicate(at, portKey(protocol, port)));
    seen.add(k);
    const nodePort = typeof sp.nodePort === 'number' ? sp.nodePort : 0;
    if (nodePort !== 0) {
      if (type === 'ClusterIP') errs.push(forbidden(`${at}.nodePort`, "may not be used when `type` is 'ClusterIP'"));
      const nk = `${protocol}/${nodePort}`;
      if (seenNode.has(nk)) errs.push(duplicate(`${at}.nodePort`, nodePort));
      seenNode.add(nk);
    }
  });
  errs.push(...validateLabels(stringMap(spec.selector), 'spec.selector'));
  if (clusterIP && clusterIP !== 'None' && !isIPv4(clusterIP)) errs.push(invalid('spec.clusterIPs[0]', clusterIP, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
  const etp = spec.externalTrafficPolicy;
  if (etp !== undefined && etp !== '') {
    if (type !== 'NodePort' && type !== 'LoadBalancer') errs.push(invalid('spec.externalTrafficPolicy', strAt(spec, 'externalTrafficPolicy'), "may only be set when `type` is 'NodePort' or 'LoadBalancer'"));
    else if (etp !== 'Cluster' && etp !== 'Local') errs.push(notSupported('spec.externalTrafficPolicy', strAt(spec, 'externalTrafficPolicy'), ['Cluster', 'Local']));
  }
  if (spec.sessionAffinity !== undefined && spec.sessionAffinity !== 'None' && spec.sessionAffinity !== 'ClientIP') {
    errs.push(notSupported('spec.sessionAffinity', strAt(spec, 'sessionAffinity'), ['ClientIP', 'None']));
  }
  listAt(spec, 'externalIPs').forEach((ip, i) => {
    if (typeof ip !== 'string' || !isIPv4(ip)) errs.push(invalid(`spec.externalIPs[${i}]`, String(ip), 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
  });
  if (errs.length || !alloc) return errs;
  // The allocators, once the object is valid.
  const refusal = clusterIP && clusterIP !== 'None' ? clusterIpRefusal(clusterIP, alloc.serviceCidr, alloc.clusterIps) : undefined;
  if (refusal) return [invalid('spec.clusterIPs', new GoValue(goStringSlice([clusterIP])), refusal)];
  const out: FieldError[] = [];
  ports.forEach((p, i) => {
    const nodePort = isObj(p) && typeof p.nodePort === 'number' ? p.nodePort : 0;
    if (nodePort === 0) return;
    const at = `spec.ports[${i}].nodePort`;
    if (nodePort < NODE_PORT_RANGE.min || nodePort > NODE_PORT_RANGE.max) out.push(invalid(at, nodePort, `provided port is not in the valid range. The range of valid ports is ${NODE_PORT_RANGE.min}-${NODE_PORT_RANGE.max}`));
    else if (alloc.nodePorts.includes(nodePort)) out.push(invalid(at, nodePort, 'provided port is already allocated'));
  });
  return out;
}

/** ValidateServiceUpdate: a ClusterIP, once set, may not change. */
export function validateServiceUpdate(obj: Obj, oldClusterIP: string | undefined): FieldError[] {
  const clusterIP = strAt(objAt(obj, 'spec'), 'clusterIP');
  if (!clusterIP || !oldClusterIP || clusterIP === oldClusterIP) return [];
  return [invalid('spec.clusterIPs[0]', new GoValue(goStringSlice([clusterIP])), 'may not change once set')];
}
