/**
 * EndpointSlices as the API server validates them (ValidateEndpointSlice): addressType
 * required and from its enum, IPv4 addresses for IPv4 slices, ports in range with a protocol.
 */
import { invalid, notSupported, required, type FieldError } from './field';
import { isObj, listAt, objAt, strAt, validateObjectMeta, type Obj } from './meta';
import { isIPv4, isValidPortName, isValidPortNum, nameIsDnsSubdomain } from './names';
import { validateProtocol } from './ports';

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];

export function validateEndpointSlice(obj: Obj): FieldError[] {
  const errs = validateObjectMeta(objAt(obj, 'metadata'), { nameCheck: nameIsDnsSubdomain, namespaced: true });
  const type = strAt(obj, 'addressType');
  if (!type) errs.push(required('addressType'));
  else if (!ADDRESS_TYPES.includes(type)) errs.push(notSupported('addressType', type, ADDRESS_TYPES));
  listAt(obj, 'endpoints').forEach((e, i) => {
    const addrs = isObj(e) ? listAt(e, 'addresses') : [];
    if (addrs.length === 0) errs.push(required(`endpoints[${i}].addresses`, 'must contain at least 1 address'));
    addrs.forEach((a, j) => {
      if (type === 'IPv4' && (typeof a !== 'string' || !isIPv4(a))) errs.push(invalid(`endpoints[${i}].addresses[${j}]`, String(a), 'must be a valid IPv4 address'));
    });
  });
  listAt(obj, 'ports').forEach((p, i) => {
    const port = isObj(p) ? p : {};
    const name = strAt(port, 'name');
    if (name) errs.push(...isValidPortName(name).map((m) => invalid(`ports[${i}].name`, name, m)));
    if (typeof port.port === 'number') errs.push(...isValidPortNum(port.port).map((m) => invalid(`ports[${i}].port`, port.port, m)));
    errs.push(...validateProtocol(port.protocol, `ports[${i}].protocol`));
  });
  return errs;
}
