/**
 * BIND's `nslookup` (9.20), as the netshoot image ships it, and as agnhost (9.18) and
 * jessie-dnsutils (9.9) ship it (busybox pods keep busybox's); also on the nodes, whose Ubuntu
 * 24.04 Server installs bind9-dnsutils (9.18) among its standard packages: there the
 * resolv.conf is the node's (the LAN's router), so cluster names need the DNS Service's
 * address as the server argument (`nslookup web.default.svc.cluster.local 10.96.0.10`).
 *
 * Design notes: unlike dig, nslookup uses the pod's resolv.conf search list and ndots (glibc's
 * order: a name with fewer than ndots dots tries the search domains first), asking over real
 * UDP for A and then AAAA, as BIND's nslookup does. Layout: `Server:\t\t10.96.0.10`,
 * `Address:\t10.96.0.10#53` (BIND writes `#53` where busybox writes `:53`), a blank line,
 * `Non-authoritative answer:` when the answer is not authoritative (a name CoreDNS forwarded
 * upstream), `Name:\t<name>` and `Address: <ip>` per A record, `<name>\tcanonical name =
 * <target>.` for a CNAME, and a blank line. A name that exists nowhere: `** server can't find
 * NAME: NXDOMAIN`, exit 1. No reply: `;; connection timed out; no servers could be reached`.
 * A port unreachable from the server (9.18 and later): three `;; communications error to
 * SERVER#53: connection refused` lines at once, `;; no servers could be reached` and a blank
 * line, exit 1, no `Server:` lines (they are printed with a reply).
 * Simplified: 9.9's nslookup asks only for A; the sandbox asks for AAAA too (nothing prints).
 * Left out: interactive mode, `set` options, -type= queries other than A, reverse lookups,
 * TCP.
 */
import type { Command } from '../command';
import { CommandError } from '../errors';
import { formatIp, parseIp } from '../../sim/ipv4';
import { encodableName, fqdn } from '../../sim/dns';
import { parseResolvConf, searchCandidates } from '../../sim/k8s/coredns';
import { nodeResolvConf, resolvConfAt } from '../resolver';
import { bindVersion, checkLegalName, query, UBUNTU_BIND_VERSION } from './dig';
import { imageAt } from '../images';

export const nslookupBind: Command = {
  name: 'nslookup',
  summary: 'look a name up with the search list: nslookup web (bind)',
  usage: 'Usage: nslookup [-opt ...]             # interactive mode using default server\n       nslookup [-opt ...] - server    # interactive mode using \'server\'\n       nslookup [-opt ...] host        # just look up \'host\' using default server\n       nslookup [-opt ...] host server # just look up \'host\' using \'server\'',
  where: ['pod', 'node'],
  images: ['netshoot', 'agnhost', 'dnsutils'],
  async run(ctx) {
    const loc = ctx.env.location;
    if (loc.kind !== 'pod' && loc.kind !== 'node') throw new CommandError('UNSUPPORTED', 'nslookup: not available here');
    const args = ctx.argv.slice(1).filter((a) => !a.startsWith('-'));
    const name = args[0];
    if (!name) throw new CommandError('UNSUPPORTED', 'nslookup: interactive mode is not supported in this sandbox; give a name: nslookup web', 1);
    const conf = parseResolvConf(loc.kind === 'pod' ? resolvConfAt(ctx.env, loc) : nodeResolvConf(ctx.env));
    const serverText = args[1] ?? conf.nameservers[0] ?? '10.96.0.10';
    const server = parseIp(serverText);
    if (server === undefined) throw new CommandError('NOT_FOUND', `nslookup: couldn't get address for '${serverText}': not found`, 1);
    const literal = parseIp(name);
    if (literal !== undefined) throw new CommandError('UNSUPPORTED', 'nslookup: reverse lookups are not supported in this sandbox yet; try dig -x ADDRESS', 1);
    checkLegalName('nslookup', name, 1);
    const old = (loc.kind === 'pod' ? bindVersion(imageAt(ctx.env.sim, loc)) : UBUNTU_BIND_VERSION).startsWith('9.9.');
    let first = true;
    for (const cand of searchCandidates(name, conf, 'glibc').filter(encodableName)) {
      const a = await query(ctx, server, cand, 1);
      if (a && 'error' in a && !old) {
        // A port unreachable: each of the three tries fails at once, before any Server line.
        for (let i = 0; i < 3; i++) ctx.stdout.write(`;; communications error to ${serverText}#53: ${a.error}\n`);
        ctx.stdout.write(';; no servers could be reached\n\n');
        return 1;
      }
      if (first) ctx.stdout.write(`Server:\t\t${serverText}\nAddress:\t${formatIp(server)}#53\n\n`);
      first = false;
      if (!a || 'error' in a) {
        for (let i = 0; i < 3; i++) if (!(await ctx.sleep(5000))) return 130;
        ctx.stdout.write(';; connection timed out; no servers could be reached\n\n');
        return 1;
      }
      if (a.msg.rcode === 3) continue;
      if (a.msg.rcode !== 0) {
        ctx.stdout.write(`** server can't find ${name}: ${a.msg.rcode === 2 ? 'SERVFAIL' : 'REFUSED'}\n\n`);
        return 1;
      }
      if (a.msg.answers.length === 0) continue;
      let out = a.msg.aa ? '' : 'Non-authoritative answer:\n';
      for (const r of a.msg.answers) {
        if (r.type === 'CNAME') out += `${r.name}\tcanonical name = ${fqdn(r.target)}\n`;
        if (r.type === 'A') out += `Name:\t${r.name}\nAddress: ${formatIp(r.address)}\n`;
      }
      // The AAAA half: asked like the real tool, printed only when there is an answer.
      await query(ctx, server, cand, 28);
      ctx.stdout.write(out + '\n');
      return 0;
    }
    if (first) ctx.stdout.write(`Server:\t\t${serverText}\nAddress:\t${formatIp(server)}#53\n\n`);
    ctx.stdout.write(`** server can't find ${name}: NXDOMAIN\n\n`);
    return 1;
  },
};
