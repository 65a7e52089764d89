/**
 * systemd-resolved's DNS stub listeners on a machine (127.0.0.53 on lo, and 127.0.0.54, the
 * "proxy" stub), as Ubuntu 24.04 runs them.
 *
 * Design notes: the stub answers a query with what the machine's upstream DNS server (the
 * LAN's router, DHCP's name server) answers: the sandbox's upstream world (upstream.ts), with
 * recursion available and the answer not authoritative, over UDP or TCP alike.
 * Left out: its cache and TTL countdown, DNSSEC, LLMNR and mDNS, the EDNS0 option it adds,
 * resolvectl.
 */
import { decodeDns, encodeDns } from '../dns';
import { upstreamAnswer } from './upstream';
import type { Listener } from './http';

/** A DNS query answered as the stub answers it; undefined for bytes that are no query. */
export const resolvedStub: Listener['handle'] = (req) => {
  try {
    return encodeDns({ ...upstreamAnswer(decodeDns(req)), aa: false, ra: true });
  } catch {
    return undefined;
  }
};
