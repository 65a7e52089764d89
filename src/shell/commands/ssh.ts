/**
 * `ssh`: from the workstation to a node, a Docker host or a machine of the routed network, as root.
 *
 * Design notes: the learner's workstation holds the key for every machine of the sandbox, so
 * `ssh node-1`, `ssh root@node-1` and `ssh 192.168.49.3` open a root shell there (prompt
 * `root@node-1:~#`) until `exit`. A machine answers on the address of any of its network
 * cards (a router's eth1 as well as its eth0), not on bridge or tunnel addresses that
 * nothing outside it routes to. A name that is not a machine of the sandbox fails as
 * OpenSSH does when the name does not resolve (status 255); an address nobody has times out.
 * Options are read as ssh's getopt reads them: a letter it does not know (`--help` included)
 * is `unknown option -- X` with the usage, status 255; known ones are accepted and ignored.
 * With a command (`ssh node-1 ip route`, `ssh node-1 'ip -4 addr; hostname'`), OpenSSH joins
 * the words after the destination with spaces and the remote login shell runs that text
 * (`bash -c`) without a terminal; ssh ends with its status.
 * Left out: the login banner, keys and users, and what the options do (`-t` included).
 */
import type { Command } from '../command';
import { CommandError } from '../errors';
import { parseIp } from '../../sim/ipv4';

const USAGE = `usage: ssh [-46AaCfGgKkMNnqsTtVvXxYy] [-B bind_interface] [-b bind_address]
           [-c cipher_spec] [-D [bind_address:]port] [-E log_file]
           [-e escape_char] [-F configfile] [-I pkcs11] [-i identity_file]
           [-J destination] [-L address] [-l login_name] [-m mac_spec]
           [-O ctl_cmd] [-o option] [-P tag] [-p port] [-R address]
           [-S ctl_path] [-W host:port] [-w local_tun[:remote_tun]]
           destination [command [argument ...]]`;

/** ssh's getopt option string (OpenSSH 9.6): a letter followed by `:` takes a value. */
const SSH_GETOPT = '1246ab:c:e:fgi:kl:m:no:p:qstvxAB:CD:E:F:GI:J:KL:MNO:P:Q:R:S:TVw:W:XYy';

/** The machines one can log in to: node, Docker host or routed machine name -> namespace id, with their NICs' addresses. */
function machines(state: { netns: Record<string, { id: string; hostname: string; devices: { kind: string; addrs: { ip: number }[] }[] }> }): { name: string; ns: string; ips: number[] }[] {
  return Object.values(state.netns)
    .filter((ns) => ns.id.startsWith('node/') || ns.id.startsWith('host/'))
    .map((ns) => ({ name: ns.hostname, ns: ns.id, ips: ns.devices.filter((d) => d.kind === 'ether').flatMap((d) => d.addrs.map((a) => a.ip)) }));
}

export const ssh: Command = {
  name: 'ssh',
  summary: 'log in to a node as root: ssh node-1 (exit to come back)',
  usage: USAGE,
  where: ['workstation'],
  // OpenSSH has no long options: `--help` is `unknown option -- -`, then the usage, status 255.
  ownHelp: true,
  async run(ctx) {
    // Options as ssh's getopt reads them (their values are accepted and ignored), then the destination.
    const argv = ctx.argv.slice(1);
    let i = 0;
    for (; i < argv.length && argv[i]!.startsWith('-') && argv[i] !== '-'; i++) {
      if (argv[i] === '--') {
        i++;
        break;
      }
      const word = argv[i]!;
      for (let j = 1; j < word.length; j++) {
        const at = SSH_GETOPT.indexOf(word[j]!);
        if (at < 0 || word[j] === ':') throw new CommandError('USAGE', `unknown option -- ${word[j]}\n${USAGE}`, 255);
        if (SSH_GETOPT[at + 1] !== ':') continue;
        if (j === word.length - 1) {
          if (++i >= argv.length) throw new CommandError('USAGE', `option requires an argument -- ${word[j]}\n${USAGE}`, 255);
        }
        break;
      }
    }
    const args = argv.slice(i);
    if (args.length === 0) throw new CommandError('USAGE', USAGE, 255);
    const target = args[0]!.replace(/^[^@]*@/, '');
    const ip = parseIp(target);
    const m = machines(ctx.env.sim.state).find((x) => x.name === target || (ip !== undefined && x.ips.includes(ip)));
    if (!m) {
      if (ip !== undefined) throw new CommandError('NOT_FOUND', `ssh: connect to host ${target} port 22: Connection timed out`, 255);
      throw new CommandError('NOT_FOUND', `ssh: Could not resolve hostname ${target}: Name or service not known`, 255);
    }
    const where = { kind: 'node' as const, node: m.name, ns: m.ns };
    if (args.length > 1) return ctx.spawn(where, ['bash', '-c', args.slice(1).join(' ')], false);
    ctx.enter(where);
    return 0;
  },
  complete(req) {
    return req.words.length === 1 ? machines(req.env.sim.state).map((m) => m.name) : [];
  },
};
