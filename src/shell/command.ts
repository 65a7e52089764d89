/**
 * What a command is and what it is given when it runs.
 *
 * Design notes: one command per file, each a plain object: its name, a one-line summary and
 * a usage text for `help` and `--help`, where it can run (the learner's workstation, a node,
 * inside a pod), a `run` function and an optional completer. A command reads its arguments
 * and writes to the two injected streams; it never sees the terminal. Time passes only
 * through `ctx.sleep`, which returns false once the learner has pressed Ctrl+C, so
 * long-running commands stop cleanly and print their summary like the real tool.
 */
import type { Scheduler } from '../sim/clock';
import type { Sim } from '../sim/sim';
import type { ImageFamily } from './images';

/** Where a command's text goes. */
export interface OutputSink {
  write(text: string): void;
}

/** Where a shell runs: the learner's machine with kubectl, or inside a pod. */
export type Location =
  | { kind: 'workstation'; user: string; host: string }
  /**
   * A root shell on a node or Docker host, reached with `ssh`; `ns` is its network namespace.
   * `debugPod`: reached with `kubectl debug node/NAME -it`, attached to that pod's shell.
   */
  | { kind: 'node'; node: string; ns: string; debugPod?: string }
  /**
   * `shell: 'bash'`: the interactive shell is bash (images that ship it); otherwise the image's sh.
   * `uid`, `restarts`: the pod and container run an interactive shell ends with (pod-session.ts).
   * `attached`: the shell is the pod's own process, attached by `kubectl run -it` (or
   * `kubectl debug -it`): leaving it ends kubectl's session (`rm`: the pod is deleted).
   */
  | { kind: 'pod'; namespace: string; pod: string; container: string; shell?: 'bash'; uid?: string; restarts?: number; attached?: { rm: boolean; restart: string; nsFlag?: string; ephemeral?: boolean } }
  /**
   * A shell inside a Docker container on Docker host `host` (`docker run -it`, `docker exec -it`):
   * programs run in its namespace `ns` with the tools of `image` (the reference as given to
   * `docker run`). `main`: the shell is the container's own process, so leaving it ends the
   * container. Commands whose `where` names 'pod' run here too (they run inside containers).
   */
  | { kind: 'container'; host: string; id: string; ns: string; image: string; main: boolean; shell?: 'bash' };

export interface Interrupt {
  /** True once Ctrl+C was pressed during the current command. */
  readonly interrupted: boolean;
}

export interface ShellEnv {
  sim: Sim;
  scheduler: Scheduler;
  location: Location;
  /** The shell's variables (`$?` included). */
  vars: Record<string, string>;
  /** The positional parameters `$1`, `$2`, ... (`set --`, a function's or `sh -c`'s arguments). */
  positional?: string[];
  /** In a pipeline of several commands: each simple command's words, as written (what `ps` sees running). */
  pipeline?: string[][];
  /** The text `ssh NODE CMD` runs: no terminal and no login shell (sshd runs it as `bash -c TEXT`). */
  sshCommand?: string;
}

export interface CommandContext {
  /** argv[0] is the command name as typed. */
  argv: string[];
  stdout: OutputSink;
  stderr: OutputSink;
  env: ShellEnv;
  interrupt: Interrupt;
  /** Waits `ms` of sandbox time; resolves false if Ctrl+C was pressed meanwhile. */
  sleep(ms: number): Promise<boolean>;
  /**
   * Says the command runs until interrupted (ping without -c, tcpdump without -c, `kubectl
   * get -w`, `logs -f`, `sleep infinity`): a scripted session (npm run shell from a file, the
   * tests) stops it after its --interrupt-after limit, as Ctrl+C would. A command that ends
   * by itself, however long it takes (`sleep 300`), never calls it and runs to its end.
   */
  endless(): void;
  /** True when the command runs with a terminal attached (`kubectl exec -t`, or the prompt itself). */
  tty: boolean;
  /** What the previous command of a pipeline wrote, when there is one. */
  stdin?: string;
  /** Runs a program at another location (kubectl exec); resolves with its exit status. */
  spawn(location: Location, argv: string[], tty: boolean): Promise<number>;
  /** Moves the interactive shell to `location` (kubectl exec -it POD -- sh; exit). */
  enter(location: Location): void;
  /**
   * The lab's own editor, when there is one (`kubectl edit`): shows `text` as the file `path`
   * and resolves with the saved text, or undefined when the learner closes it without saving.
   * Absent: the shell's $KUBE_EDITOR / $EDITOR runs instead.
   */
  edit?(path: string, text: string): Promise<string | undefined>;
  /**
   * True when the command runs in a subshell of the interactive shell (a command of a
   * pipeline of several, or inside `$(...)`): `exit` there ends only the subshell.
   */
  subshell?: boolean;
  /**
   * Runs shell text in a new shell process where the command runs (`sh -c TEXT NAME ARGS`,
   * `bash -c`): it sees the exported variables only; `argv0` is its `$0`, `args` its `$1`...
   * `bash` asks for bash where the place's `sh` is another shell. Resolves with its status.
   */
  script?(text: string, argv0: string, args: string[], bash: boolean): Promise<number>;
}

/**
 * Thrown by `exit` in a subshell: the shell ends the subshell with `status` (the rest of its
 * list does not run); the interactive shell stays where it is.
 */
export class SubshellExit {
  constructor(readonly status: number) {}
}

export interface CompletionRequest {
  /** Words before the one being completed, argv[0] first. */
  words: string[];
  /** The partial word. */
  prefix: string;
  env: ShellEnv;
}

export interface Command {
  name: string;
  /** One line for `help`. */
  summary: string;
  /** The `--help` text (without a trailing newline). */
  usage: string;
  /** Where the command exists. Pod commands also name the images that ship them. */
  where: ('workstation' | 'node' | 'pod')[];
  /**
   * Pod commands only: the image families whose own version of the program this is (iputils
   * ping and bind's dig in netshoot). Without it, this is the version every other image that
   * ships the program has (busybox's applets). Which images ship what: images.ts.
   */
  images?: ImageFamily[];
  run(ctx: CommandContext): Promise<number>;
  /** Candidate words for the word being completed (the registry filters by prefix). */
  complete?(req: CompletionRequest): string[];
  /**
   * Whether the machine the shell is on has the program, where its kind of place is not
   * enough to say (`docker` exists on Docker hosts, not on Kubernetes nodes). Absent: it has.
   */
  installed?(env: ShellEnv): boolean;
  /** Hidden from `help` (shell internals such as `exit`). */
  hidden?: boolean;
  /**
   * `run` answers a lone `--help` itself, as the real tool does not simply print `usage` on
   * stdout with status 0 (OpenSSH's `unknown option -- -`, iproute2's usage on stderr with
   * status 255, a help text that depends on where it runs). Otherwise the shell prints `usage`.
   */
  ownHelp?: boolean;
}
