/**
 * NetworkPolicies as the API server validates them (ValidateNetworkPolicy): the pod selector
 * and peers' selectors (each peer naming a selector or an ipBlock, an ipBlock alone), ports (a number or an IANA_SVC_NAME, protocol enum, endPort only with
 * a numeric port and not below it), ipBlock CIDRs, and policyTypes from Ingress and Egress.
 */
import { forbidden, invalid, notSupported, required, type FieldError } from './field';
import { isObj, listAt, objAt, strAt, validateLabelSelector, validateObjectMeta, type Obj } from './meta';
import { nameIsDnsSubdomain } from './names';
import { validatePortNumOrName, validateProtocol } from './ports';

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

function validCidr(v: string): boolean {
  const m = CIDR.exec(v);
  return !!m && m.slice(1, 5).every((x) => Number(x) <= 255) && Number(m[5]) <= 32;
}

function validateRules(list: unknown[], field: string, peersKey: 'from' | 'to'): FieldError[] {
  const errs: FieldError[] = [];
  list.forEach((r, i) => {
    const rule = isObj(r) ? r : {};
    listAt(rule, 'ports').forEach((p, j) => {
      const port = isObj(p) ? p : {};
      const at = `${field}[${i}].ports[${j}]`;
      errs.push(...validateProtocol(port.protocol, `${at}.protocol`));
      errs.push(...validatePortNumOrName(port.port, `${at}.port`));
      if (port.endPort !== undefined) {
        if (typeof port.port !== 'number') errs.push(required(`${at}.port`, 'must be specified when endPort is specified'));
        else if (typeof port.endPort === 'number' && port.endPort < port.port) errs.push(invalid(`${at}.endPort`, port.endPort, 'must be greater than or equal to `port`'));
      }
    });
    listAt(rule, peersKey).forEach((q, j) => {
      const peer = isObj(q) ? q : {};
      const at = `${field}[${i}].${peersKey}[${j}]`;
      if (isObj(peer.podSelector)) errs.push(...validateLabelSelector(peer.podSelector, `${at}.podSelector`));
      if (isObj(peer.namespaceSelector)) errs.push(...validateLabelSelector(peer.namespaceSelector, `${at}.namespaceSelector`));
      if (isObj(peer.ipBlock)) {
        const cidr = strAt(peer.ipBlock, 'cidr');
        if (!cidr) errs.push(required(`${at}.ipBlock.cidr`));
        else if (!validCidr(cidr)) errs.push(invalid(`${at}.ipBlock.cidr`, cidr, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'));
      }
      // A peer names a selector or an ipBlock (null counts as absent), and an ipBlock stands alone.
      const named = (['podSelector', 'namespaceSelector', 'ipBlock'] as const).filter((f) => peer[f] !== undefined && peer[f] !== null);
      if (named.length === 0) errs.push(required(at, 'must specify a peer'));
      else if (named.length > 1 && named.includes('ipBlock')) errs.push(forbidden(at, 'may not specify both ipBlock and another peer'));
    });
  });
  return errs;
}

export function validateNetworkPolicy(obj: Obj): FieldError[] {
  const errs = validateObjectMeta(objAt(obj, 'metadata'), { nameCheck: nameIsDnsSubdomain, namespaced: true });
  const spec = objAt(obj, 'spec');
  errs.push(...validateLabelSelector(objAt(spec, 'podSelector'), 'spec.podSelector'));
  errs.push(...validateRules(listAt(spec, 'ingress'), 'spec.ingress', 'from'));
  errs.push(...validateRules(listAt(spec, 'egress'), 'spec.egress', 'to'));
  listAt(spec, 'policyTypes').forEach((t, i) => {
    if (t !== 'Ingress' && t !== 'Egress') errs.push(notSupported(`spec.policyTypes[${i}]`, String(t), ['Egress', 'Ingress']));
  });
  return errs;
}
