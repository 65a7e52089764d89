/**
 * The learner's `ssh` session to a machine, when a change on that machine (or on the way to it)
 * cuts it off.
 *
 * Design notes: an interactive `ssh NODE` session is one TCP connection from the workstation
 * to the machine's address, port 22. When the network no longer carries it (eth0 down, the
 * route back to the workstation deleted, its address flushed, a firewall dropping port 22),
 * OpenSSH shows nothing more: what the learner types goes into the connection and no prompt
 * or output comes back. The escape `~.` at the start of a line closes the session: ssh
 * prints `Connection to NODE closed.` (it has already echoed `~.`, which the terminal shows
 * as typed) and exits with status 255. Should the path come back (a change made from another
 * terminal), the session carries on. Whether the path exists is asked of the sandbox with a
 * probe that changes nothing (src/sim/linux/probe.ts), before each line and for each prompt;
 * the answer is kept until a command that can change a machine's network runs in any terminal
 * of the sandbox (ip, bridge, iptables, sysctl, systemctl, a write to /proc/sys, docker...),
 * so an ordinary prompt costs nothing; their listings (`ip route`, `iptables -L`, `docker ps`)
 * are told apart by their arguments and cost nothing either. A lab's Reset builds a new
 * sandbox, so it brings the session back.
 * Left out: the lines typed while the session hangs are dropped rather than run when the path
 * comes back; OpenSSH's other escapes (`~?`, `~^Z`, `~#`); `ssh NODE CMD` hanging (it runs to
 * its end).
 */
import type { OutputSink, ShellEnv } from './command';
import { WORKSTATION_LOCATION } from './location';
import { nsIdOf } from './resolver';
import { machineRoot } from '../sim/linux/named-netns';
import { tcpPathAlive } from '../sim/linux/probe';

/**
 * Commands that can change what a connection to a machine traverses, each with a test of its
 * arguments: true unless they surely only read (`ip route`, `iptables -L`, `docker ps`), so a
 * listing costs no new verdict. Anything not recognised counts as a change.
 */
const NETWORK_WRITERS: Record<string, (args: readonly string[]) => boolean> = {
  ip: iprouteWrites,
  bridge: iprouteWrites,
  iptables: (args) => args.some((a) => IPTABLES_WRITE_LONG.has(a) || /^-[a-zA-Z]*[AIDRNXFPZE][a-zA-Z]*$/.test(a)),
  'iptables-restore': () => true,
  sysctl: (args) => args.some((a) => a.includes('=') || a === '-w' || a === '--write' || a === '-p' || a.startsWith('--load') || a === '--system'),
  systemctl: (args) => !args.some((a) => SYSTEMCTL_READS.has(a)),
  nsenter: () => true,
  echo: () => true,
  printf: () => true,
  docker: (args) => {
    const words = args.filter((a) => !a.startsWith('-'));
    if (words[0] === 'network' || words[0] === 'container') return !DOCKER_READS.has(words[1] ?? '');
    return !DOCKER_READS.has(words[0] ?? '');
  },
  conntrack: (args) => !args.some((a) => CONNTRACK_READS.has(a)),
};

/** iproute2 verbs that change something (`ip netns exec` runs a command, so it counts too). */
const IP_WRITE_VERBS = ['add', 'del', 'delete', 'set', 'change', 'replace', 'flush', 'append', 'prepend', 'attach', 'detach', 'exec', 'restore', 'save'];
/** iproute2 verbs that only read. */
const IP_READ_VERBS = new Set(['show', 'list', 'ls', 'lst', 'get', 'help', 'monitor', 'identify', 'pids']);
/** Options of ip and bridge that take an argument. */
const IP_OPTION_ARGS = new Set(['-n', '-netns', '-f', '-family', '-rc', '-rcvbuf', '-l', '-loops']);

/**
 * `ip OBJECT VERB ...` and `bridge OBJECT VERB ...`: a change when the verb is one that writes,
 * or an abbreviation iproute2 may read as one (`ip r a` is `ip route add`); no verb lists.
 * A batch file may hold anything.
 */
function iprouteWrites(args: readonly string[]): boolean {
  const words: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-b' || a === '-batch' || a.startsWith('-batch=')) return true;
    if (IP_OPTION_ARGS.has(a)) i++;
    else if (!a.startsWith('-')) words.push(a);
  }
  const verb = words[1];
  if (verb === undefined || IP_READ_VERBS.has(verb)) return false;
  return IP_WRITE_VERBS.some((w) => w.startsWith(verb));
}
const IPTABLES_WRITE_LONG = new Set(['--append', '--insert', '--delete', '--replace', '--new-chain', '--new', '--delete-chain', '--flush', '--policy', '--zero', '--rename-chain']);
const SYSTEMCTL_READS = new Set(['status', 'is-active', 'is-enabled', 'is-failed', 'show', 'cat', 'list-units', 'list-unit-files', 'list-dependencies', '--help', '--version']);
const DOCKER_READS = new Set(['ps', 'ls', 'inspect', 'images', 'version', 'info', 'logs', 'port', 'top', 'stats', 'history', 'help', '']);
const CONNTRACK_READS = new Set(['-L', '--dump', '-G', '--get', '-C', '--count', '-S', '--stats', '-E', '--event']);

/** Per sandbox: how many network-changing commands ran, and the verdicts made since, by machine. */
const GENERATION = new WeakMap<object, { gen: number; verdicts: Map<string, { gen: number; hung: boolean }> }>();

function generationOf(state: object): { gen: number; verdicts: Map<string, { gen: number; hung: boolean }> } {
  let g = GENERATION.get(state);
  if (!g) GENERATION.set(state, (g = { gen: 0, verdicts: new Map() }));
  return g;
}

/** How many commands that can change the network have run in this sandbox (any terminal). */
export function networkGeneration(state: object): number {
  return generationOf(state).gen;
}

/** A change to the network made outside any shell (a lab's fault, a test) makes cached verdicts stale. */
export function networkChanged(state: object): void {
  generationOf(state).gen++;
}

/** The shell tells this module about each command it runs, so cached verdicts go stale when they must. */
export function noteCommand(env: ShellEnv, argv: readonly string[]): void {
  const writes = NETWORK_WRITERS[argv[0] ?? ''];
  if (writes?.(argv.slice(1))) generationOf(env.sim.state).gen++;
}

/** True while the shell is an ssh session whose connection the network no longer carries. */
export function sshSessionHung(env: ShellEnv): boolean {
  const loc = env.location;
  if (loc.kind !== 'node' || loc.debugPod !== undefined) return false;
  const g = generationOf(env.sim.state);
  const known = g.verdicts.get(loc.node);
  if (known && known.gen === g.gen) return known.hung;
  const hung = probeHung(env);
  g.verdicts.set(loc.node, { gen: g.gen, hung });
  return hung;
}

function probeHung(env: ShellEnv): boolean {
  const loc = env.location;
  if (loc.kind !== 'node' || loc.debugPod !== undefined) return false;
  const state = env.sim.state;
  const from = nsIdOf(env, WORKSTATION_LOCATION);
  if (!state.netns[from]) return false;
  const root = machineRoot(state.netns, loc.node);
  if (!root) return false;
  // The address the session went to: the machine's first NIC address, as ssh NAME resolves it.
  const target = root.devices.find((d) => d.kind === 'ether' && !d.peer && d.addrs.length > 0)?.addrs[0]?.ip;
  if (target === undefined) return true;
  return !tcpPathAlive(state, from, target, 22, env.sim.clock.now());
}

/** OpenSSH's `~.` escape: the session closes. */
export function isSshEscapeClose(line: string): boolean {
  return line.trim() === '~.';
}

/** What `~.` prints (ssh already echoed the escape itself) and the status ssh exits with. */
export function closeHungSession(env: ShellEnv, stderr: OutputSink): number {
  const loc = env.location;
  if (loc.kind === 'node') stderr.write(`Connection to ${loc.node} closed.\n`);
  return 255;
}
