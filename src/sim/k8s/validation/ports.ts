/**
 * Ports as the API server validates them: numbers 1-65535, IANA_SVC_NAME names, a number or
 * a name (targetPort), protocol enums, and container ports (ValidatePortNumOrName,
 * validateContainerPorts in pkg/apis/core/validation/validation.go).
 */
import { duplicate, invalid, notSupported, required, type FieldError } from './field';
import { isObj, strAt } from './meta';
import { isValidPortName, isValidPortNum } from './names';

export const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

/** A number or a name (Service targetPort, NetworkPolicy port). */
export function validatePortNumOrName(v: unknown, field: string): FieldError[] {
  if (typeof v === 'number') return isValidPortNum(v).map((m) => invalid(field, v, m));
  if (typeof v === 'string') return isValidPortName(v).map((m) => invalid(field, v, m));
  return [];
}

export function validateProtocol(v: unknown, field: string): FieldError[] {
  if (v === undefined || v === null) return [];
  const p = typeof v === 'string' ? v : String(v);
  if (p === '') return [required(field)];
  return PROTOCOLS.includes(p) ? [] : [notSupported(field, p, PROTOCOLS)];
}

/** A container's `ports`: names unique and IANA_SVC_NAME, containerPort required and in range. */
export function validateContainerPorts(ports: unknown[], field: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const port = isObj(p) ? p : {};
    const at = `${field}[${i}]`;
    const name = strAt(port, 'name');
    if (name) {
      const msgs = isValidPortName(name);
      if (msgs.length) errs.push(...msgs.map((m) => invalid(`${at}.name`, name, m)));
      else if (names.has(name)) errs.push(duplicate(`${at}.name`, name));
      else names.add(name);
    }
    const cp = port.containerPort;
    if (cp === undefined || cp === null || cp === 0) errs.push(required(`${at}.containerPort`));
    else if (typeof cp === 'number') errs.push(...isValidPortNum(cp).map((m) => invalid(`${at}.containerPort`, cp, m)));
    if (typeof port.hostPort === 'number' && port.hostPort !== 0) errs.push(...isValidPortNum(port.hostPort).map((m) => invalid(`${at}.hostPort`, port.hostPort, m)));
    errs.push(...validateProtocol(port.protocol, `${at}.protocol`));
  });
  return errs;
}
