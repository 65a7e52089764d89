/**
 * The narrow interface between a lab session and whatever shows it.
 *
 * Design notes: the browser terminal, the `npm run shell` CLI and the tests all drive a
 * session through these calls and nothing else: run a line, interrupt it, ask for
 * completions, read the prompt and the tasks, answer a task, ask for a hint, a check or a
 * solution, list, read and write files at a place (a binary file, a capture, as bytes), apply
 * manifests (with a dry run, and a dry run whose errors carry their places in the text, for
 * an editor's markers), read the topology (as data, as the topology view draws it, and as the
 * network model's processes, switches and tables), listen for changes (tasks, prompt, every
 * packet's trace, with its headers hop by hop and the command and terminal it came from, a
 * capture file written, a file `kubectl edit` asks an editor to open), and take a snapshot.
 * `kubectl edit` uses the front end's editor only while one is offered (`offerEditor`): it
 * sends an `edit` event with the file, and the command waits until `finishEdit` gives the
 * saved text back (or none: closed without saving); Ctrl+C in its terminal closes the file
 * unsaved (`edit-end`). With no editor offered (the CLI, the tests) it runs $EDITOR as before.
 * Extra terminals (`openTerminal`) share the sandbox and the tasks but each has its own
 * shell. Output is plain text with `\n` line ends (a terminal front end converts them);
 * colour is added by the front end, never by commands. Every value crossing this interface
 * is plain data (strings, numbers, arrays, objects, Uint8Array), so a session can live in a
 * worker or behind a socket unchanged.
 */

import type { OutputSink } from '../shell/command';
import type { EdgeKind, ForwardingEntry, VertexAddress, VertexKind, VertexRole } from '../sim/graph';
import type { TopologyView } from '../sim/topology';
import type { TaskStatus } from './grader';

export type { ForwardingEntry, OutputSink, TaskStatus, TopologyView };

/** How a task takes the learner's input, when it does. */
export type TaskInput =
  /** `last`: the answer given last (a reloaded panel shows it again). */
  | { kind: 'text'; placeholder?: string; last?: string }
  /** `last`: the option ids picked last. */
  | { kind: 'choice'; options: { id: string; text: string }[]; multiple: boolean; last?: string[] }
  /**
   * A prediction, locked once given: `locked` while it waits to be revealed, `how` says what
   * reveals it, and after a wrong reveal `retriesLeft` more predictions may be made.
   */
  | { kind: 'prediction'; placeholder?: string; locked?: string; options?: string[]; how?: string; retriesLeft?: number };

/** One task as the lab panel shows it, with the learner's names and addresses filled in. */
export interface TaskView {
  id: string;
  title: string;
  /** Plain text with `code` spans kept as backticks. */
  description: string;
  status: TaskStatus;
  /** Why the task passed or failed, explained from the model; empty while pending. */
  feedback: string;
  /** What the task's check says about the sandbox now, also while pending (`check TASK` shows it). */
  why: string;
  /** True when the task takes a typed answer, a choice or a prediction. */
  takesAnswer: boolean;
  input?: TaskInput;
  points: number;
  /** What it earns now: its points less the hints taken, 0 if its solution was shown first. */
  earned: number;
  /** False until the tasks it needs have passed. */
  open: boolean;
  /** Ids of the tasks it waits for (empty when open). */
  waitsFor: string[];
  attempts: number;
  hints: {
    /** The hints revealed so far, in order. */
    shown: string[];
    total: number;
    /** What the next hint costs (undefined when none is left). */
    nextCost?: number;
    /** Points the revealed hints cost. */
    spent: number;
  };
  solution: {
    /** The panel offers it (after the lab's number of failed tries); it can always be asked for. */
    offered: boolean;
    /** What showing it costs now (the task's points, or 0 once passed). */
    cost: number;
    /** Once shown: what to do, and the commands. */
    shown?: { text: string; steps: string[] };
  };
  /** A fault in the lab's own check (not the learner's): shown as such. */
  labError?: string;
}

export interface ScoreView {
  earned: number;
  total: number;
  passed: number;
  tasks: number;
  hintsTaken: number;
  hintPoints: number;
  solutionsShown: number;
}

/** A header field at a hop, and where its bytes are in the hop's `bytes`. */
export interface HeaderFieldView {
  name: string;
  /** The value with its meaning: `0x0800 (IPv4)`, `64`, `0x12 (SYN, ACK)`. */
  value: string;
  offset: number;
  length: number;
}

/** One header (or the data after the last one) at a hop, outermost first. */
export interface HeaderView {
  /** `Ethernet II`, `ARP`, `IPv4`, `ICMP`, `UDP`, `TCP`, `VXLAN`, `DNS`, `Data`. */
  name: string;
  /** Around a VXLAN-carried frame: `outer`; inside it: `inner`. */
  role?: 'outer' | 'inner';
  /** One line: `10.244.2.3 > 10.244.1.2, TTL 63, ICMP`. */
  summary: string;
  offset: number;
  length: number;
  fields: HeaderFieldView[];
}

/** A packet's addresses and ports, before or after a NAT step. */
export interface EndpointsView {
  src: string;
  dst: string;
  sport?: number;
  dport?: number;
}

/** One step of a packet's way, for the path view and the table beside it. */
export interface HopView {
  /** Namespace id and its host's name (`node-1`, `client`). */
  ns: string;
  host: string;
  dev?: string;
  action: string;
  detail: string;
  ip?: { src: string; dst: string; ttl: number; id: number; checksum: number; proto: number; sport?: number; dport?: number };
  outer?: { src: string; dst: string; ttl: number };
  rules?: string[];
  /** Which of the trace's packets this step belongs to: an index into TraceView.packets (an ARP exchange belongs to the packet that waited for it). */
  packet: number;
  /** The packet (or ARP message) at this step in one line: `ICMP echo request 10.244.2.3 > 10.244.1.2 ttl 63`. */
  text?: string;
  /**
   * Every header at this step, outermost first: the frame's (Ethernet, then ARP or IPv4 and
   * ICMP/UDP/TCP) where the step moves a frame, the tunnel packet's with the inner frame's at a
   * VXLAN step, otherwise the IPv4 packet's.
   */
  headers: HeaderView[];
  /** The bytes `headers` describe, as they are on the wire (a frame from its Ethernet header, or an IPv4 packet). */
  bytes?: Uint8Array;
  /** A NAT step (dnat, snat, un-dnat, un-snat): the addresses and ports before and after. */
  nat?: { before: EndpointsView; after: EndpointsView };
  /** A route step: the route that matched, as `ip route` prints it (`10.244.1.0/24 via 10.244.1.0 dev flannel.1`). */
  route?: string;
}

/** One packet a host sent in a trace: the program's own first, then answers and errors. */
export interface PacketView {
  /** `ICMP echo request 10.244.2.3 > 10.244.1.2, seq 1`, `TCP SYN 10.244.2.3:41000 > 10.96.0.10:80`. */
  label: string;
  /** The sender's host name and namespace id. */
  host: string;
  ns: string;
  /** The packet whose arrival made the host send it (an index into TraceView.packets): the request it answers, the packet an ICMP error is about. */
  cause?: number;
}

/** The command a packet came from, and the terminal it was typed in. */
export interface CommandRef {
  /** Counts the commands run in the session's terminals, from 1. */
  id: number;
  /** 1 for the main terminal, then each terminal in the order openTerminal made them. */
  terminal: number;
  line: string;
}

/** A packet run through the sandbox: every hop, and the frames that crossed a wire. */
export interface TraceView {
  /** Sandbox time (epoch ms). */
  time: number;
  /** `ICMP echo request 10.244.2.3 > 10.244.1.2`. */
  summary: string;
  hops: HopView[];
  /** Each Ethernet frame sent onto a veth or a cable, in order, as bytes (pcap files). */
  frames: Uint8Array[];
  /** The packets the hosts sent, in order: the first is the one the program sent. */
  packets: PacketView[];
  /** The command whose program sent it; absent for a packet the lab's checks sent. */
  command?: CommandRef;
}

/**
 * A capture file (classic pcap, as `tcpdump -w` writes it) that a command wrote or changed,
 * sent when a command in any terminal ends. `place` and `path` read it back with
 * `readBytes`; `size` is its length in bytes then.
 */
export interface FileWritten {
  type: 'file';
  kind: 'pcap';
  /** Where it lives, as `readBytes` takes it: `workstation`, `node:node-1`, `host:router-1`, `pod:default/client`, `container:host-1/web`. */
  place: string;
  /** Its absolute path there. */
  path: string;
  size: number;
}

/**
 * `kubectl edit` asks the offered editor to open `text` as the file `path` (on the
 * workstation; it is not written there). The command waits for `finishEdit(id, ...)`.
 */
export interface EditRequest {
  type: 'edit';
  id: number;
  path: string;
  text: string;
  /** The terminal the command runs in (1 for the main one). */
  terminal: number;
}

/** An edit request ended without `finishEdit` (Ctrl+C in its terminal): the editor closes the file. */
export interface EditEnded {
  type: 'edit-end';
  id: number;
}

/**
 * The address pools an address can belong to: the node network, the pod network, the service
 * network, or none of the sandbox's pools (`external`: the workstation's world, the Internet,
 * a routed topology's LANs). On Docker hosts the hosts' LAN plays the node network's part and
 * the container networks the pod network's.
 */
export type PoolKey = 'node' | 'pod' | 'service' | 'external';

export interface PoolInfo {
  key: PoolKey;
  /** What the legend calls it: `node network`, `container networks`. */
  name: string;
  /** Its ranges (`10.244.0.0/16`); empty for `external`. */
  ranges: string[];
}

/** An address on an interface, with its pool. */
export interface TopoAddress {
  dev: string;
  /** `10.244.1.2/24`. */
  cidr: string;
  pool: PoolKey;
}

/** An interface as `ip -d link` and `ip addr` show it. */
export interface TopoInterface {
  name: string;
  /** `ether`, `veth`, `bridge`, `vxlan`, `loopback`, `dummy`. */
  kind: string;
  mac: string;
  mtu: number;
  /** Administratively up (`ip link set ... up`). */
  up: boolean;
  addrs: TopoAddress[];
  /** The bridge it is a port of. */
  master?: string;
  /** A veth's other end: `eth0 in client`. */
  peer?: string;
  /** The switch segment its cable goes to. */
  segment?: string;
  /** VXLAN: `VNI 1, port 8472, local 192.168.49.3`. */
  vxlan?: string;
}

/** What the topology view draws as one box. */
export type TopoElementKind = 'node' | 'host' | 'router' | 'gateway' | 'workstation' | 'load-balancer' | 'pod' | 'container' | 'bridge' | 'vtep' | 'segment' | 'service';

export interface TopoElement {
  /** Stable across redraws while the object exists: `node/node-1`, `node/node-1/cni0`, `pod/default/client`, `segment/lan`, `service/default/web`. */
  id: string;
  kind: TopoElementKind;
  /** Its short name: `node-1`, `cni0`, `client`, `lan`, `web`. */
  name: string;
  /** Its main address without the length (`10.244.2.3`), absent when it has none. */
  address?: string;
  pool?: PoolKey;
  /** The group (a node or Docker host, drawn as a box around its parts) it belongs to. */
  group?: string;
  /** False when it cannot pass traffic: its main interface is down, or a Service has no ready endpoint. */
  up: boolean;
  /** What is wrong, in a word or two, when something is: `down`, `no endpoints`, `NotReady`. */
  status?: string;
  /** One line for lists and screen readers: `pod default/client on node-2, 10.244.2.3 (pod network)`. */
  title: string;
  details: {
    addresses: TopoAddress[];
    interfaces: TopoInterface[];
    /** The namespace's main routing table, as `ip route` prints it; absent when not asked for (topologyModel's `routes`). */
    routes?: string[];
    /** Anything else worth a line: `Runs on`, `hostNetwork pods`, `ClusterIP`, `Endpoints`. */
    facts: { name: string; value: string }[];
  };
}

/** A box around the parts of one machine: a node with its stack, bridge, VTEP and pods; a Docker host with its bridges and containers. */
export interface TopoGroup {
  id: string;
  kind: 'node' | 'host';
  name: string;
  /** False when the machine's uplink is down. */
  up: boolean;
  members: string[];
}

/**
 * `cable`: an interface to a switch segment; `veth`: a veth pair; `bridge`: a bridge's own
 * interface to its host's stack; `vtep`: a VXLAN device to its host's stack; `tunnel`: two
 * VTEPs that know each other (carried by the LAN); `endpoint`: a Service to a ready endpoint.
 */
export type TopoLinkKind = 'cable' | 'veth' | 'bridge' | 'vtep' | 'tunnel' | 'endpoint';

export interface TopoLink {
  id: string;
  kind: TopoLinkKind;
  a: string;
  b: string;
  /** The devices at each end, where there are devices. */
  aDev?: string;
  bDev?: string;
  /** False when a device at either end is down. */
  up: boolean;
  /** `veth vethc2f1 – eth0`, `VXLAN flannel.1 – flannel.1`. */
  label: string;
}

/** The learner's sandbox as the topology view draws it (topology-view.ts builds it). */
export interface TopologyModel {
  /** The topology's name (`kubernetes`, `docker`, `routed`). */
  name: string;
  pools: PoolInfo[];
  elements: TopoElement[];
  groups: TopoGroup[];
  links: TopoLink[];
  /** Changes exactly when an element, group or link comes or goes: a drawing laid out for one key fits every model with it. */
  structureKey: string;
  /** A pod is on its way (scheduled or not, its sandbox not made yet): the sandbox will change without a command, so a view may ask again shortly. */
  settling: boolean;
  /**
   * Where a packet's hop is: each namespace's element, and the devices of it that are drawn as
   * elements of their own (bridges and their ports, VTEPs).
   */
  places: Record<string, { element: string; devices?: Record<string, string> }>;
}

/** A vertex of the network model (src/sim/graph.ts), with the pool of each address. */
export interface NetworkVertex {
  id: string;
  kind: VertexKind;
  role: VertexRole;
  label: string;
  name: string;
  node?: string;
  ns?: string;
  addresses: (VertexAddress & { pool?: PoolKey })[];
  forwards?: boolean;
  hostProcesses?: string[];
  /** Read top to bottom, first match wins: deliver, forward or discard. */
  table: ForwardingEntry[];
}

export interface NetworkEdge {
  id: string;
  kind: EdgeKind;
  a: { vertex: string; dev?: string };
  b: { vertex: string; dev?: string };
  mtu: number;
  up: boolean;
  vteps?: [string, string];
}

/** The cluster as processes and switches with their forwarding tables (the network-model lesson's picture). */
export interface NetworkModel {
  pools: PoolInfo[];
  vertices: NetworkVertex[];
  edges: NetworkEdge[];
  /** Node names in cluster order. */
  nodes: string[];
  structureKey: string;
}

export type SessionEvent =
  | { type: 'task'; task: TaskView }
  | { type: 'prompt'; prompt: string }
  | { type: 'state' }
  | { type: 'trace'; trace: TraceView }
  | FileWritten
  | EditRequest
  | EditEnded;

export interface Completion {
  /** Index in the line where the word being completed starts. */
  from: number;
  /** Full replacement words for line[from..cursor]; one candidate means complete it. */
  candidates: string[];
}

export interface SessionSnapshot {
  /** Bumped whenever the snapshot's shape changes; older snapshots are migrated or refused. */
  format: number;
  labId: string;
  seed: number;
  [key: string]: unknown;
}

/** What `kubectl apply -f` prints for a text of manifests, line by line in order. */
export interface ApplyOutcome {
  ok: boolean;
  /** `deployment.apps/web created` (` (dry run)` added with dryRun); `stderr` for warnings and errors. */
  lines: { text: string; stderr: boolean }[];
}

/** A file at a place, as a file picker lists it. */
export interface FileEntry {
  /** Its absolute path (`/home/learner/web.yaml`). */
  path: string;
  /** Its length in bytes (characters of a text file). */
  size: number;
  /** A capture or other binary file, which an editor does not open. */
  binary: boolean;
}

/** One problem a dry run found, placed in the text (lines and columns from 1, the end column exclusive). */
export interface ManifestProblem {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: 'error' | 'warning';
  /** The API server's (or kubectl's) words: `spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive`. */
  message: string;
  /** The field it is about, as the server names it (`spec.ports[0].port`), when it names one. */
  field?: string;
  /** Which document of the text, from 0. */
  document: number;
}

/** A server-side dry run of a text of manifests (`kubectl apply --dry-run=server -f FILE`). */
export interface DryRunReport {
  /** True when every document would be applied. */
  ok: boolean;
  /** What kubectl prints for it (`service/web created (server dry run)`), line by line. */
  lines: { text: string; stderr: boolean }[];
  problems: ManifestProblem[];
}

/**
 * One terminal on the lab's sandbox: its own shell (location, variables, history, running
 * command) over the session's shared sandbox. One command at a time per terminal.
 */
export interface TerminalApi {
  /** The prompt to show before the next line, e.g. `learner@workstation:~$ `. */
  prompt(): string;
  /** Runs one input line; resolves with its exit status when it has finished. */
  run(line: string, stdout: OutputSink, stderr: OutputSink): Promise<number>;
  /** Ctrl+C: stops the running command (its summary lines are still printed). */
  interrupt(): void;
  complete(line: string, cursor: number): Completion;
  /** True when `text` leaves a command open (a quote, a final `|`, a here-document). */
  needsMore(text: string): boolean;
  /** Lines entered so far in this terminal, oldest first. */
  history(): string[];
  /** Session events; only the main terminal gets `prompt` events. */
  subscribe(listener: (e: SessionEvent) => void): () => void;
}

export interface LabSessionApi extends TerminalApi {
  readonly labId: string;
  readonly seed: number;
  /** The lab's title and summary. */
  readonly title: string;
  /**
   * Another terminal on the same sandbox, starting at the workstation. Its commands are
   * graded like the main terminal's; it is not part of the snapshot.
   */
  openTerminal(): TerminalApi;
  tasks(): TaskView[];
  score(): ScoreView;
  /** Submits a typed answer, a choice (`b`, `a,c`) or a prediction; returns the task's new view. */
  answer(taskId: string, value: string): TaskView;
  /** Judges a task now; a failure is shown with the model's explanation. */
  check(taskId: string): TaskView;
  /** Reveals the task's next hint (it costs points). */
  hint(taskId: string): TaskView;
  /** Shows the task's solution (before the task passes it costs the task's points). */
  showSolution(taskId: string): TaskView;
  /** The sandbox's machines, devices and links, as data. */
  topology(): TopologyView;
  /**
   * The sandbox as the topology view draws it: elements, groups, links, pools, each element's
   * details. `routes` names the elements whose routing tables to fill in (the one a view
   * shows: on a large cluster the tables cost more than the rest); without it, every one's.
   */
  topologyModel(opts?: { routes?: readonly string[] }): TopologyModel;
  /** The sandbox as processes and switches with every switch's forwarding table (costlier: asked for only when shown). */
  networkModel(): NetworkModel;
  /** A text file at a place (`workstation`, `node:node-1`, `pod:client`), or undefined (also for a binary file). */
  readFile(place: string, path: string): string | undefined;
  /** A file's bytes (a capture's exactly as written; a text file in UTF-8), or undefined. */
  readBytes(place: string, path: string): Uint8Array | undefined;
  /** Writes a file at a place (the learner's editor saving a manifest). */
  writeFile(place: string, path: string, content: string): void;
  /** The files at a place (`workstation`), sorted by path. */
  listFiles(place: string): FileEntry[];
  /**
   * What the API server says of a text of manifests, as `kubectl apply --dry-run=server -f`
   * (`source` names the file in messages), each problem placed in the text. Changes nothing.
   */
  dryRun(text: string, opts?: { source?: string; namespace?: string }): DryRunReport;
  /**
   * Offers this front end's editor to `kubectl edit` (see EditRequest) until the returned
   * function withdraws the offer.
   */
  offerEditor(): () => void;
  /** Ends edit request `id`: the text saved, or undefined when the file was closed unsaved. */
  finishEdit(id: number, text: string | undefined): void;
  /** Applies manifests as `kubectl apply -f` would (all or nothing); `dryRun` changes nothing. */
  apply(text: string, opts?: { dryRun?: boolean; source?: string; namespace?: string }): ApplyOutcome;
  snapshot(): SessionSnapshot;
}
