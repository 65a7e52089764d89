/**
 * The C library's resolver configuration of a machine or container: the name server its
 * programs ask, as their /etc/resolv.conf says.
 *
 * Design notes: a node, a Docker host, a routed host and the workstation ask the LAN's router
 * (DHCP's name server; systemd-resolved's stub on 127.0.0.53 answers too, with the router's
 * answers, for a program that asks it); a Docker container on a user-defined network asks
 * Docker's embedded server, 127.0.0.11, with `options ndots:0`, one on the default bridge the
 * host's name server. A pod's file follows its dnsPolicy and dnsConfig (k8s/pod-files.ts).
 * Left out: the stub as the machines' configured name server (Ubuntu points /etc/resolv.conf
 * at 127.0.0.53; the sandbox's nodes name the router, as resolved's own upstream file does).
 */
import { containerUsesEmbeddedDns } from '../docker/networks';
import { formatIp } from '../ipv4';
import type { SimState } from '../state';

/** The resolv.conf text the programs of namespace `nsId` read (for a pod's, see podResolvConf). */
export function machineResolvConf(state: SimState, nsId: string): string {
  const m = /^container\/([^/]+)\//.exec(nsId);
  if (m) {
    const c = state.docker?.hosts[m[1]!]?.containers.find((x) => x.ns === nsId);
    if (c && containerUsesEmbeddedDns(state, m[1]!, c.id)) return 'nameserver 127.0.0.11\noptions ndots:0\n';
  }
  return `nameserver ${formatIp(state.config.gateway)}\n`;
}
