/**
 * Endpoints as the API server validates them (ValidateEndpoints): every address an IP
 * address, ports 1-65535 with a protocol from the enum, named when several.
 */
import { invalid, required, type FieldError } from './field';
import { isObj, listAt, objAt, strAt, validateObjectMeta, type Obj } from './meta';
import { isIPv4, isValidPortNum, nameIsDnsSubdomain } from './names';
import { validateProtocol } from './ports';

export function validateEndpoints(obj: Obj): FieldError[] {
  const errs = validateObjectMeta(objAt(obj, 'metadata'), { nameCheck: nameIsDnsSubdomain, namespaced: true });
  listAt(obj, 'subsets').forEach((s, i) => {
    const ss = isObj(s) ? s : {};
    for (const field of ['addresses', 'notReadyAddresses']) {
      listAt(ss, field).forEach((a, j) => {
        const ip = isObj(a) ? strAt(a, 'ip') : '';
        const at = `subsets[${i}].${field}[${j}].ip`;
        if (!ip) errs.push(required(at));
        else if (!isIPv4(ip)) errs.push(invalid(at, ip, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
      });
    }
    const ports = listAt(ss, 'ports');
    ports.forEach((p, j) => {
      const port = isObj(p) ? p : {};
      const at = `subsets[${i}].ports[${j}]`;
      if (ports.length > 1 && !strAt(port, 'name')) errs.push(required(`${at}.name`));
      const n = typeof port.port === 'number' ? port.port : 0;
      errs.push(...isValidPortNum(n).map((m) => invalid(`${at}.port`, n, m)));
      errs.push(...validateProtocol(port.protocol, `${at}.protocol`));
    });
  });
  return errs;
}
