/**
 * `hostname`: prints the host name; inside a pod that is the pod's name.
 *
 * Design notes: the kubelet sets a pod's UTS hostname to the pod name (or spec.hostname);
 * host-network pods see their node's name; a Docker container's is its short id.
 * `hostname --help` is Debian's hostname 3.23 on the workstation, the nodes and in nginx's
 * image (its usage on stdout, then exit(-1): status 255), busybox's applet in busybox and
 * Alpine-based images (usage on stderr, status 0).
 * Display options: `-f` (`--fqdn` in Debian's) prints the canonical name gethostbyname
 * finds for the host name, the first name of its /etc/hosts line (in a pod with a subdomain
 * the kubelet writes `IP  NAME.SUBDOMAIN.NS.svc.cluster.local  NAME`, so `-f` prints the FQDN);
 * `-s` cuts that at the first dot, `-d` prints what follows it (busybox prints nothing when
 * there is none, Debian's an empty line), `-i` the address. busybox's applet has no long
 * options: `--fqdn` is `unrecognized option` and its usage, status 1.
 * Left out: -a, -A, -I, -y, -F and setting the name.
 */
import type { Command } from '../command';
import { busyboxUserland, imageAt } from '../images';
import { formatIp } from '../../sim/ipv4';
import { nodeHostsFile, podHostname } from '../../sim/k8s/pod-files';
import { hostsFileAt, hostsLookup } from '../resolver';

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
    const name = loc.kind === 'workstation' ? loc.host : loc.kind === 'node' ? loc.node : loc.kind === 'container' ? loc.id.slice(0, 12) : pod ? podHostname(pod) : loc.pod;
    const busybox = (loc.kind === 'pod' || loc.kind === 'container') && busyboxUserland(imageAt(ctx.env.sim, loc));
    const LONG: Record<string, string> = { '--fqdn': 'f', '--long': 'f', '--short': 's', '--domain': 'd', '--ip-address': 'i' };
    let mode: string | undefined;
    let operands = false;
    for (const a of ctx.argv.slice(1)) {
      if (a === '--' && !operands) {
        operands = true;
        continue;
      }
      const flags = operands || a === '-' ? undefined : a.startsWith('--') && !busybox ? LONG[a] : a.startsWith('-') && !a.startsWith('--') && a.length > 1 ? a.slice(1) : undefined;
      if (flags === undefined || ![...flags].every((f) => 'fsdi'.includes(f))) {
        if (operands || a === '-' || !a.startsWith('-')) {
          // Setting the name: refused without CAP_SYS_ADMIN (containers) or root (the workstation).
          if (loc.kind === 'node') continue;
          ctx.stderr.write(busybox ? 'hostname: sethostname: Operation not permitted\n' : 'hostname: you must be root to change the host name\n');
          return 1;
        }
        const bad = [...a.slice(1)].find((f) => !'fsdi'.includes(f)) ?? a.slice(1, 2);
        ctx.stderr.write(`${a.startsWith('--') ? `hostname: unrecognized option '${a}'` : `hostname: invalid option -- '${bad}'`}\n${busybox ? BUSYBOX_USAGE : USAGE}\n`);
        return busybox ? 1 : 255;
      }
      mode = flags[flags.length - 1];
    }
    if (mode === undefined) {
      ctx.stdout.write(name + '\n');
      return 0;
    }
    const hosts = hostsFileAt(ctx.env) ?? (loc.kind === 'node' ? nodeHostsFile(loc.node) : loc.kind === 'workstation' ? nodeHostsFile(loc.host) : undefined);
    const hit = hosts !== undefined ? hostsLookup(hosts, name) : undefined;
    const canonical = hit?.canonical ?? name;
    const dot = canonical.indexOf('.');
    if (mode === 'f') ctx.stdout.write(canonical + '\n');
    else if (mode === 's') ctx.stdout.write((dot < 0 ? canonical : canonical.slice(0, dot)) + '\n');
    else if (mode === 'd') {
      if (dot >= 0) ctx.stdout.write(canonical.slice(dot + 1) + '\n');
      else if (!busybox) ctx.stdout.write('\n');
    } else if (hit) ctx.stdout.write(formatIp(hit.ip) + (busybox ? '\n' : ' \n'));
    else {
      ctx.stderr.write(busybox ? `hostname: ${name}: Unknown host\n` : 'hostname: Name or service not known\n');
      return 1;
    }
    return 0;
  },
};
