/**
 * `ssh`: from the workstation to a node, a Docker host or a machine of the routed network, as root.
 *
 * Design notes: the learner's workstation holds the key for every machine of the sandbox, so
 * `ssh node-1`, `ssh root@node-1` and `ssh 192.168.49.3` open a root shell there (prompt
 * `root@node-1:~#`) until `exit`. A machine answers on the address of any of its network
 * cards (a router's eth1 as well as its eth0), not on bridge or tunnel addresses that
 * nothing outside it routes to. A name that is not a machine of the sandbox fails as
 * OpenSSH does when the name does not resolve (status 255); an address nobody has times out.
 * ssh first opens a TCP connection from the workstation to the machine's port 22 through
 * the model (its first address when a name was given), so a stopped sshd and ssh.socket give
 * `ssh: connect to host X port 22: Connection refused` at once, and a machine that does not
 * answer (down, or cut off by a route or a rule) `Connection timed out` when the kernel gives
 * up on its SYN retries (131 s; `-o ConnectTimeout=N` shortens the wait), both with status 255.
 * The connection leaves no trace in the model (sim/host/probe.ts), so it runs at one instant:
 * its SYN is sent once, and the wait for the retries passes after it.
 * Options are read as ssh's getopt reads them: a letter it does not know (`--help` included)
 * is `unknown option -- X` with the usage, status 255; known ones are accepted and ignored.
 * With a command (`ssh node-1 ip route`, `ssh node-1 'ip -4 addr; hostname'`), OpenSSH joins
 * the words after the destination with spaces and the remote login shell runs that text
 * (`bash -c`) without a terminal; ssh ends with its status.
 * Left out: the login banner, keys and users, and what the options do (`-t` included).
 */
import type { Command, CommandContext } from '../command';
import { CommandError } from '../errors';
import { parseIp } from '../../sim/ipv4';
import { withoutTrace } from '../../sim/host/probe';
import { SYN_GIVE_UP_MS } from '../../sim/tcp-stack';

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

/** ARP's wait for a neighbour before the kernel reports the host unreachable. */
const ARP_FAIL_MS = 3_000;

/** `-o ConnectTimeout=N` (seconds) among the options, if given. */
function connectTimeout(options: string[]): number | undefined {
  for (let i = 0; i < options.length; i++) {
    const o = options[i] === '-o' ? options[i + 1] : options[i]!.startsWith('-o') ? options[i]!.slice(2) : undefined;
    const m = o !== undefined ? /^ConnectTimeout[= ]\s*(\d+)$/i.exec(o) : null;
    if (m) return Number(m[1]) * 1000;
  }
  return undefined;
}

/**
 * The TCP connection to port 22 from the workstation: undefined when sshd answered (its
 * banner came), otherwise ssh's exit status after printing why, as OpenSSH does.
 */
async function connect(ctx: CommandContext, target: string, ip: number | undefined, timeout: number | undefined): Promise<number | undefined> {
  const sim = ctx.env.sim;
  if (ip === undefined || !sim.state.netns['workstation']) return undefined;
  // What the node agents write is not undone: they run first, as they would before any packet.
  sim.syncDaemons();
  const r = withoutTrace(sim.state, () => sim.tcpRequest('workstation', ip, 22, new Uint8Array(0)));
  const fail = async (why: string, waitMs: number): Promise<number> => {
    if (waitMs > 0 && !(await ctx.sleep(waitMs))) return 255;
    ctx.stderr.write(`ssh: connect to host ${target} port 22: ${why}\n`);
    return 255;
  };
  if (r.kind === 'response') return undefined;
  if (r.kind === 'refused') return fail('Connection refused', 0);
  if (r.kind === 'icmp-error') return fail(r.code === 3 ? 'Connection refused' : r.code === 0 ? 'Network is unreachable' : 'No route to host', r.code === 1 ? ARP_FAIL_MS : 0);
  if (r.kind === 'local-error') return fail(r.errno === 'ENETUNREACH' ? 'Network is unreachable' : r.errno === 'EHOSTUNREACH' ? 'No route to host' : 'Connection refused', r.errno === 'EHOSTUNREACH' ? ARP_FAIL_MS : 0);
  return fail('Connection timed out', timeout !== undefined && timeout < SYN_GIVE_UP_MS ? timeout : SYN_GIVE_UP_MS);
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
      if (ip !== undefined) return (await connect(ctx, target, ip, connectTimeout(argv.slice(0, i)))) ?? 255;
      throw new CommandError('NOT_FOUND', `ssh: Could not resolve hostname ${target}: Name or service not known`, 255);
    }
    // OpenSSH connects to port 22 first: the machine must be reachable and sshd (or ssh.socket) listening.
    const failed = await connect(ctx, target, ip ?? m.ips[0], connectTimeout(argv.slice(0, i)));
    if (failed !== undefined) return failed;
    const where = { kind: 'node' as const, node: m.name, ns: m.ns };
    if (args.length > 1) return ctx.spawn(where, ['bash', '-c', args.slice(1).join(' ')], false);
    ctx.enter(where);
    return 0;
  },
  complete(req) {
    return req.words.length === 1 ? machines(req.env.sim.state).map((m) => m.name) : [];
  },
};
