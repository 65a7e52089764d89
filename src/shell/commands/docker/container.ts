/**
 * Shells and programs inside Docker containers.
 *
 * Design notes: a program in a container runs in the container's network namespace with the
 * image's own tools: busybox and alpine ship busybox's applets (`ping` is busybox ping, the
 * shell is `sh`, prompt `/ # `), nginx's Debian image has `sh` (dash, prompt `# `) and no ping,
 * netshoot has its debugging tools. The container's host name is its short id. A shell that
 * is the container's own process (`docker run -it IMAGE sh`) ends the container when it exits;
 * one started with `docker exec -it` leaves it running.
 * The nginx image's entrypoint (`/docker-entrypoint.sh`) configures nginx when its command is
 * `nginx`, and otherwise simply execs its command: `docker run -it nginx sh` (or `bash`) runs a
 * shell as the container's process, and nginx never starts.
 * What keeps a container running: a server (nginx's default command), `sleep`, `ping` without
 * `-c`, `tail -f`, `top`, or a shell whose stdin stays open (`-i`); a shell without `-i` reads
 * an empty stdin and exits 0 at once, and so does every other command, as far as the sandbox
 * models them.
 * Left out: process lists, signals other than docker stop's, and a detached command's output
 * (`docker logs`).
 */
import type { CommandContext, Location } from '../../command';
import { imageHas, programName } from '../../images';
import { dockerHostNsId, dockerProcessExited, mainProcess, parseImageRef, runsNginx, type DockerContainer } from '../../../sim/docker';

/** The image family whose tools a Docker image ships (shell/images.ts names them). */
function toolsImage(image: string): string {
  const r = parseImageRef(image);
  const repo = 'error' in r ? image : r.repo;
  if (repo === 'alpine') return 'busybox';
  return repo;
}

/** Programs the images ship that the sandbox runs only as a container's main process (it models no output for them). */
const MAIN_ONLY: Record<string, string[]> = {
  busybox: ['sleep', 'top', 'tail', 'echo', 'true', 'false', 'ls', 'env', 'id', 'ash'],
  nginx: ['nginx', 'sleep', 'tail', 'echo', 'true', 'false', 'ls', 'env', 'id', 'dash', 'bash'],
  'nicolaka/netshoot': ['zsh', 'bash', 'sleep', 'top', 'tail', 'echo', 'true', 'false', 'ls', 'env', 'id'],
};

/** True when `program` exists in the container's image and the sandbox can run it there. */
export function containerHas(image: string, program: string): boolean {
  if (program === 'exit') return true;
  return imageHas(toolsImage(image), program);
}

/** True when the image ships `program` at all (a container may run it as its main process). */
export function imageShips(image: string, program: string): boolean {
  return containerHas(image, program) || (MAIN_ONLY[toolsImage(image)] ?? []).includes(program);
}

const SHELLS = new Set(['sh', 'ash', 'bash', 'zsh', 'dash']);

/** `sh`, `/bin/sh`, `zsh`...: a program that is an interactive shell. */
export function isShell(program: string): boolean {
  return SHELLS.has(program.replace(/^\/(usr\/)?bin\//, ''));
}


/** Does the container's main process keep running (until stopped)? (The nginx image's entrypoint runs what it is given.) */
export function keepsRunning(c: Pick<DockerContainer, 'path' | 'args' | 'openStdin'>): boolean {
  if (runsNginx(c)) return true;
  const { program, args } = mainProcess(c);
  const prog = programName(program);
  if (isShell(prog)) return c.openStdin && !args.includes('-c');
  if (prog === 'sleep') return true;
  if (prog === 'ping') return !args.some((a) => a.startsWith('-c') || a.startsWith('-w'));
  if (prog === 'tail') return args.includes('-f') || args.includes('-F');
  return prog === 'top';
}

/** How the main process answers `docker stop`: nginx stops on its STOPSIGNAL, PID 1 programs without a handler ignore SIGTERM and are killed after the timeout. */
export function stopsOnSignal(c: Pick<DockerContainer, 'path' | 'args'>): boolean {
  return runsNginx(c);
}

/** The location of a shell inside the container. */
export function containerLocation(c: DockerContainer, main: boolean, program = ''): Location {
  return { kind: 'container', host: c.host, id: c.id, ns: c.ns, image: c.image, main, ...(programName(program) === 'bash' ? { shell: 'bash' as const } : {}) };
}

/**
 * `exit` in a container's shell: back to the Docker host's shell. A shell that was the
 * container's main process ends it (exited with `code`, removed with `--rm`).
 */
export function leaveContainer(ctx: CommandContext, code: number): number {
  const loc = ctx.env.location;
  if (loc.kind !== 'container') return code;
  const state = ctx.env.sim.state;
  if (loc.main) {
    const c = state.docker?.hosts[loc.host]?.containers.find((x) => x.id === loc.id);
    if (c) dockerProcessExited(state, loc.host, c.id, code, ctx.env.sim.clock.now());
  }
  ctx.enter({ kind: 'node', node: loc.host, ns: dockerHostNsId(loc.host) });
  return code;
}
