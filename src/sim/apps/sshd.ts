/**
 * OpenSSH's server as Ubuntu 24.04 ships it (openssh-server 1:9.6p1-3ubuntu13.8): what a
 * program that connects to port 22 reads.
 *
 * Design notes: sshd speaks first: once the connection is established it sends its
 * identification string, `SSH-2.0-` then OpenSSH's version and Debian's SSH_EXTRAVERSION
 * (`OpenSSH_9.6p1 Ubuntu-3ubuntu13.8`), ended by CRLF (RFC 4253 4.2), and waits for the
 * client's. A client whose first line is not an SSH identification (curl's HTTP request) is
 * told `Invalid SSH identification string.` and disconnected, as kex.c's
 * kex_exchange_identification does for a server. The ssh client itself does not exchange
 * bytes with it: `ssh` only needs the connection to open (shell/commands/ssh.ts).
 * Left out: the key exchange and everything after it, LoginGraceTime's disconnect after 120 s
 * of silence, MaxStartups.
 */
import { ascii, text, type Listener } from './http';

export const SSH_BANNER = 'SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13.8';

/** sshd's side of a connection, for a listener on port 22. */
export const sshd: Pick<Listener, 'greet' | 'handle' | 'complete'> = {
  greet: () => ascii(`${SSH_BANNER}\r\n`),
  // A client's identification, like any line, ends in LF.
  complete: (buf) => buf.includes(10),
  handle: (req) => (text(req).startsWith('SSH-') ? undefined : ascii('Invalid SSH identification string.\r\n')),
};
