/**
 * `hostname`: prints the host name; inside a pod that is the pod's name.
 *
 * Design notes: the kubelet sets a pod's UTS hostname to the pod name (or spec.hostname);
 * host-network pods see their node's name; a Docker container's is its short id.
 * `hostname --help` is Debian's hostname 3.23 on the workstation, the nodes and in nginx's
 * image (its usage on stdout, then exit(-1): status 255), busybox's applet in busybox and
 * Alpine-based images (usage on stderr, status 0).
 * Left out: the display options (-f, -i, -s, ...) and setting the name.
 */
import type { Command } from '../command';
import { busyboxUserland, imageAt } from '../images';
import { podHostname } from '../../sim/k8s/pod-files';

const USAGE = `Usage: hostname [-b] {hostname|-F file}         set host name (from file)
       hostname [-a|-A|-d|-f|-i|-I|-s|-y]       display formatted name
       hostname                                 display host name

       {yp,nis,}domainname {nisdomain|-F file}  set NIS domain name (from file)
       {yp,nis,}domainname                      display NIS domain name

       dnsdomainname                            display dns domain name

       hostname -V|--version|-h|--help          print info and exit`;

const BUSYBOX_USAGE = `BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.

Usage: hostname [-sidf] [HOSTNAME | -F FILE]

Show or set hostname or DNS domain name

\t-s\tShort
\t-i\tAddresses for the hostname
\t-d\tDNS domain name
\t-f\tFully qualified domain name
\t-F FILE\tUse FILE's content as hostname`;

export const hostname: Command = {
  name: 'hostname',
  summary: 'print the host name (a pod\'s host name is its name)',
  usage: USAGE,
  where: ['workstation', 'node', 'pod'],
  ownHelp: true,
  async run(ctx) {
    const loc = ctx.env.location;
    if (ctx.argv.length === 2 && ctx.argv[1] === '--help') {
      if ((loc.kind === 'pod' || loc.kind === 'container') && busyboxUserland(imageAt(ctx.env.sim, loc))) {
        ctx.stderr.write(BUSYBOX_USAGE + '\n');
        return 0;
      }
      ctx.stdout.write(USAGE + '\n');
      return 255;
    }
    const pod = loc.kind === 'pod' ? ctx.env.sim.pod(loc.namespace, loc.pod) : undefined;
    ctx.stdout.write((loc.kind === 'workstation' ? loc.host : loc.kind === 'node' ? loc.node : loc.kind === 'container' ? loc.id.slice(0, 12) : pod ? podHostname(pod) : loc.pod) + '\n');
    return 0;
  },
};
