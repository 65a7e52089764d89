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
 * so an ordinary prompt costs nothing. A lab's Reset builds a new sandbox, so it brings the
 * session back.
 * Left out: the lines typed while the session hangs are dropped rather than run when the path
 * comes back; OpenSSH's other escapes (`~?`, `~^Z`, `~#`); `ssh NODE CMD` hanging (it runs to
 * its end).
 */
import type { OutputSink, ShellEnv } from './command';
import { WORKSTATION_LOCATION } from './location';
import { nsIdOf } from './resolver';
import { machineRoot } from '../sim/linux/named-netns';
import { tcpPathAlive } from '../sim/linux/probe';

/** Commands that can change what a connection to a machine traverses. */
const NETWORK_WRITERS = new Set(['ip', 'bridge', 'iptables', 'iptables-restore', 'sysctl', 'systemctl', 'nsenter', 'echo', 'printf', 'docker', 'conntrack']);

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
export function noteCommand(env: ShellEnv, name: string): void {
  if (NETWORK_WRITERS.has(name)) generationOf(env.sim.state).gen++;
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
