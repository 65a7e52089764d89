/**
 * Ingresses as the API server validates them (ValidateIngressCreate in
 * pkg/apis/networking/validation/validation.go): rules or a defaultBackend, hosts as DNS
 * names (wildcards allowed, IP addresses not), a pathType for every path from its enum, an
 * absolute path for Exact and Prefix, and backends naming a Service (a DNS-1035 label) with a
 * port number (1-65535) or name, not both.
 *
 * Design notes: resource backends are not modelled; one given is refused as the sandbox's
 * limitation elsewhere, here it only counts as a backend.
 */
import { GoValue, invalid, notSupported, required, type FieldError } from './field';
import { isObj, listAt, objAt, strAt, validateObjectMeta, type Obj } from './meta';
import { isDns1123Subdomain, isIPv4, isValidPortName, isValidPortNum, isWildcardDns1123Subdomain, nameIsDns1035Label, nameIsDnsSubdomain } from './names';

const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'];

function validateBackend(b: Obj, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const svc = isObj(b.service) ? b.service : undefined;
  if (svc && isObj(b.resource)) return [invalid(field, '', 'cannot set both resource and service backends')];
  if (isObj(b.resource)) return [];
  if (!svc) return [invalid(field, '', 'resource or service backend is required')];
  const name = strAt(svc, 'name');
  if (!name) errs.push(required(`${field}.service.name`));
  else errs.push(...nameIsDns1035Label(name, false).map((m) => invalid(`${field}.service.name`, name, m)));
  const port = objAt(svc, 'port');
  const portName = strAt(port, 'name');
  const portNumber = typeof port.number === 'number' ? port.number : 0;
  if (portName && portNumber) errs.push(invalid(field, '', 'cannot set both port name & port number'));
  else if (portName) errs.push(...isValidPortName(portName).map((m) => invalid(`${field}.service.port.name`, portName, m)));
  else if (portNumber) errs.push(...isValidPortNum(portNumber).map((m) => invalid(`${field}.service.port.number`, portNumber, m)));
  else errs.push(required(field, 'port name or number is required'));
  return errs;
}

function validatePath(p: Obj, field: string): FieldError[] {
  const errs: FieldError[] = [];
  if (p.pathType === undefined || p.pathType === null) return [required(`${field}.pathType`, 'pathType must be specified')];
  const pt = strAt(p, 'pathType');
  const path = strAt(p, 'path');
  if (pt === 'Exact' || pt === 'Prefix') {
    if (!path.startsWith('/')) errs.push(invalid(`${field}.path`, path, 'must be an absolute path'));
    if (path) {
      for (const seq of ['//', '/./', '/../', '%2f', '%2F']) if (path.includes(seq)) errs.push(invalid(`${field}.path`, path, `must not contain '${seq}'`));
      for (const suf of ['/..', '/.']) if (path.endsWith(suf)) errs.push(invalid(`${field}.path`, path, `cannot end with '${suf}'`));
    }
  } else if (pt === 'ImplementationSpecific') {
    if (path && !path.startsWith('/')) errs.push(invalid(`${field}.path`, path, 'must be an absolute path'));
  } else errs.push(notSupported(`${field}.pathType`, pt, PATH_TYPES));
  errs.push(...validateBackend(objAt(p, 'backend'), `${field}.backend`));
  return errs;
}

export function validateIngress(obj: Obj): FieldError[] {
  const errs = validateObjectMeta(objAt(obj, 'metadata'), { nameCheck: nameIsDnsSubdomain, namespaced: true });
  const spec = objAt(obj, 'spec');
  const rules = listAt(spec, 'rules');
  if (rules.length === 0 && !isObj(spec.defaultBackend)) errs.push(invalid('spec', new GoValue('[]networking.IngressRule(nil)'), 'either `defaultBackend` or `rules` must be specified'));
  if (isObj(spec.defaultBackend)) errs.push(...validateBackend(spec.defaultBackend, 'spec.defaultBackend'));
  rules.forEach((r, i) => {
    const rule = isObj(r) ? r : {};
    const host = strAt(rule, 'host');
    const at = `spec.rules[${i}]`;
    if (host) {
      if (isIPv4(host)) errs.push(invalid(`${at}.host`, host, 'must be a DNS name, not an IP address'));
      const msgs = host.includes('*') ? isWildcardDns1123Subdomain(host) : isDns1123Subdomain(host);
      errs.push(...msgs.map((m) => invalid(`${at}.host`, host, m)));
    }
    if (isObj(rule.http)) {
      const paths = listAt(rule.http, 'paths');
      if (paths.length === 0) errs.push(required(`${at}.http.paths`));
      paths.forEach((p, j) => errs.push(...validatePath(isObj(p) ? p : {}, `${at}.http.paths[${j}]`)));
    }
  });
  const cls = strAt(spec, 'ingressClassName');
  if (cls) errs.push(...nameIsDnsSubdomain(cls, false).map((m) => invalid('spec.ingressClassName', cls, m)));
  return errs;
}
