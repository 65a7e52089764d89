/**
 * Port names from /etc/services, as tcpdump prints them without -n (and as its filters accept
 * them: `port domain`).
 *
 * Design notes: the entries of Debian's and Ubuntu's netbase /etc/services (and Alpine's, which
 * agree for these) for the ports a learner meets in a cluster and some well-known others; TCP
 * and UDP have separate tables, as in the file (8080 is `http-alt` over TCP only, 443 `https`
 * over both). Ports with no entry print as numbers: 6443, 8472 (flannel's VXLAN), 9153, 10250.
 * Left out: aliases (`www` for http), the rest of the file.
 */

const BOTH: Record<number, string> = {
  7: 'echo', 9: 'discard', 13: 'daytime', 37: 'time', 53: 'domain', 111: 'sunrpc', 161: 'snmp', 162: 'snmp-trap', 389: 'ldap',
  443: 'https', 636: 'ldaps', 853: 'domain-s', 1194: 'openvpn', 1812: 'radius', 2049: 'nfs',
};
const TCP_ONLY: Record<number, string> = {
  21: 'ftp', 22: 'ssh', 23: 'telnet', 25: 'smtp', 80: 'http', 110: 'pop3', 119: 'nntp', 143: 'imap2', 179: 'bgp', 445: 'microsoft-ds', 514: 'shell',
  873: 'rsync', 993: 'imaps', 995: 'pop3s', 1080: 'socks', 1433: 'ms-sql-s', 3306: 'mysql', 5432: 'postgresql', 6379: 'redis', 8080: 'http-alt',
};
const UDP_ONLY: Record<number, string> = { 21: 'fsp', 67: 'bootps', 68: 'bootpc', 69: 'tftp', 123: 'ntp', 514: 'syslog', 5353: 'mdns' };

export function tcpServiceName(port: number): string | undefined {
  return TCP_ONLY[port] ?? BOTH[port];
}

export function udpServiceName(port: number): string | undefined {
  return UDP_ONLY[port] ?? BOTH[port];
}

/** The port a service name stands for in a filter (`port domain`), TCP or UDP; aliases included. */
export function servicePort(name: string): number | undefined {
  const lower = name.toLowerCase();
  if (lower === 'www') return 80;
  if (lower === 'webcache') return 8080;
  for (const table of [BOTH, TCP_ONLY, UDP_ONLY]) {
    for (const [port, n] of Object.entries(table)) if (n === lower) return Number(port);
  }
  return undefined;
}
