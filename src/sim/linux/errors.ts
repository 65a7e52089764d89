/**
 * What the kernel answers a netlink request it refuses with.
 *
 * Design notes: a refusal is an errno, and on kernels with extended acks often a message
 * (`extack`) that iproute2 prints instead of the errno's text (`Error: Nexthop has invalid
 * gateway.` rather than `RTNETLINK answers: Invalid argument`). The sim says which; the shell
 * words it (docs/reference/fidelity.md section 27 lists the messages and where they come from).
 */

export type Errno = 'EEXIST' | 'ESRCH' | 'ENOENT' | 'EOPNOTSUPP' | 'EINVAL' | 'EADDRNOTAVAIL' | 'ENODEV' | 'ENETDOWN' | 'EBUSY' | 'EPERM' | 'ERANGE' | 'ELOOP';

export interface KernelError {
  errno: Errno;
  /** The extended ack message, when the kernel sends one (without iproute2's final period). */
  extack?: string;
}

/** strerror() of each errno, as glibc words it. */
export const STRERROR: Record<Errno, string> = {
  EEXIST: 'File exists',
  ESRCH: 'No such process',
  ENOENT: 'No such file or directory',
  EOPNOTSUPP: 'Operation not supported',
  EINVAL: 'Invalid argument',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  ENODEV: 'No such device',
  ENETDOWN: 'Network is down',
  EBUSY: 'Device or resource busy',
  EPERM: 'Operation not permitted',
  ERANGE: 'Numerical result out of range',
  ELOOP: 'Too many levels of symbolic links',
};

export function refuse(errno: Errno, extack?: string): KernelError {
  return extack === undefined ? { errno } : { errno, extack };
}
