/**
 * `minikube` on the learner's workstation, for the walk-throughs written for minikube: the
 * default cluster numbers its nodes as minikube's Docker driver does (control plane
 * 192.168.49.2), and its profile is `minikube`.
 *
 * Design notes (minikube v1.35, cmd/minikube/cmd and pkg/minikube/out):
 * - `ip [-n NODE]`: the node's InternalIP (the control plane's by default).
 * - `status`: each node's block (`type: Control Plane` with host, kubelet, apiserver and
 *   kubeconfig; `type: Worker` with host and kubelet), a blank line after each.
 * - `addons list` (also `-o json`): the v1.35 addon table, drawn as tablewriter v0.0.5 draws
 *   it (`|---|` borders, upper-case centred headers, cells wrapped at 30 columns by least
 *   raggedness, numbers right-aligned, ✅ two columns wide); `addons enable|disable ingress`
 *   install and remove the ingress addon (sim/minikube.ts); `enable` waits, as minikube's
 *   `Verifying ingress addon...` does, until every pod labelled
 *   app.kubernetes.io/name=ingress-nginx is Running or Succeeded.
 * - `service NAME [--url] [-n NS]`: one `http://<control plane>:<nodePort>` per node port,
 *   after checking that a running pod backs the Service (SVC_UNREACHABLE otherwise); without
 *   --url minikube opens a browser, which the workstation has none of (xdg-open is missing:
 *   HOST_BROWSER). `service list [-n NS]`: the table of every Service's node-port URLs.
 * - Messages carry minikube's style prefixes: the emoji ones when its output is a colour
 *   terminal (TERM contains `color` and the output is a terminal, or MINIKUBE_IN_STYLE=true),
 *   the 7-bit ones (`* `, `  - `, `X `, `! `) otherwise, as style.LowPrefix picks them.
 *   Errors are out.Error's: a blank line on stdout, `Exiting due to <ID>: <message>` on
 *   stderr, a blank line on stdout, with the reason's exit code (MK_USAGE 14, MK_ADDON_ENABLE
 *   10, SVC_NOT_FOUND and SVC_UNREACHABLE 115, HOST_BROWSER 30); another profile than
 *   `minikube` is not found (exit 85); an unknown subcommand is cobra's error (exit 64).
 * Left out: the box asking to report internal errors on GitHub, `minikube start` and the other
 * subcommands that manage the machine (the sandbox says it does not model them), `tunnel`,
 * and the Docker-driver port forwarding of macOS and Windows.
 */
import type { Command, CommandContext, CompletionRequest, ShellEnv } from '../command';
import { apiContext } from './kubectl/mutate';
import { nodeInternalIp } from '../../sim/k8s/ingress-status';
import { key, type Service } from '../../sim/k8s/types';
import { controlPlane, disableIngressAddon, enableIngressAddon, ingressAddonEnabled, ingressAddonReady, INGRESS_IMAGES, PROFILE } from '../../sim/minikube';

const USAGE = `minikube provisions and manages local Kubernetes clusters optimized for development workflows.

Basic Commands:
  start            Starts a local Kubernetes cluster
  status           Gets the status of a local Kubernetes cluster
  stop             Stops a running local Kubernetes cluster
  delete           Deletes a local Kubernetes cluster
  dashboard        Access the Kubernetes dashboard running within the minikube cluster
  pause            pause Kubernetes
  unpause          unpause Kubernetes

Images Commands:
  docker-env       Provides instructions to point your terminal's docker-cli to the Docker Engine inside minikube.
  podman-env       Configure environment to use minikube's Podman service
  cache            Manage cache for images
  image            Manage images

Configuration and Management Commands:
  addons           Enable or disable a minikube addon
  config           Modify persistent configuration values
  profile          Get or list the current profiles (clusters)
  update-context   Update kubeconfig in case of an IP or port change

Networking and Connectivity Commands:
  service          Returns a URL to connect to a service
  tunnel           Connect to LoadBalancer services

Advanced Commands:
  mount            Mounts the specified directory into minikube
  ssh              Log into the minikube environment (for debugging)
  kubectl          Run a kubectl binary matching the cluster version
  node             Add, remove, or list additional nodes
  cp               Copy the specified file into minikube

Troubleshooting Commands:
  ssh-key          Retrieve the ssh identity key path of the specified node
  ssh-host         Retrieve the ssh host key of the specified node
  ip               Retrieves the IP address of the specified node
  logs             Returns logs to debug a local Kubernetes cluster
  update-check     Print current and latest version number
  version          Print the version of minikube
  options          Show a list of global command-line options (applies to all commands).

Other Commands:
  completion       Generate command completion for a shell
  license          Outputs the licenses of dependencies to a directory

Use "minikube <command> --help" for more information about a given command.`;

const ADDONS_USAGE = `addons modifies minikube addons files using subcommands like "minikube addons enable dashboard"

Available Commands:
  configure     Configures the addon w/ADDON_NAME within minikube (example: minikube addons configure registry-creds). For a list of available addons use: minikube addons list
  disable       Disables the addon w/ADDON_NAME within minikube (example: minikube addons disable dashboard). For a list of available addons use: minikube addons list
  enable        Enables the addon w/ADDON_NAME within minikube. For a list of available addons use: minikube addons list
  images        List image names the addon w/ADDON_NAME used. For a list of available addons use: minikube addons list
  list          Lists all available minikube addons as well as their current statuses (enabled/disabled)
  open          Opens the addon w/ADDON_NAME within minikube (example: minikube addons open dashboard). For a list of available addons use: minikube addons list

Usage:
  minikube addons SUBCOMMAND [flags] [options]

Use "minikube <command> --help" for more information about a given command.
Use "minikube options" for a list of global command-line options (applies to all commands).`;

const SUBCOMMANDS = ['addons', 'cache', 'completion', 'config', 'cp', 'dashboard', 'delete', 'docker-env', 'image', 'ip', 'kubectl', 'license', 'logs', 'mount', 'node', 'options', 'pause', 'podman-env', 'profile', 'service', 'ssh', 'ssh-host', 'ssh-key', 'start', 'status', 'stop', 'tunnel', 'unpause', 'update-check', 'update-context', 'version'];
const MODELLED = ['addons', 'ip', 'service', 'status'];

/** minikube v1.35's addons (pkg/minikube/assets/addons.go) and their maintainers. */
export const ADDONS: Record<string, string> = {
  ambassador: '3rd party (Ambassador)',
  'amd-gpu-device-plugin': '3rd party (AMD)',
  'auto-pause': 'minikube',
  'cloud-spanner': 'Google',
  'csi-hostpath-driver': 'Kubernetes',
  dashboard: 'Kubernetes',
  'default-storageclass': 'Kubernetes',
  efk: '3rd party (Elastic)',
  freshpod: 'Google',
  'gcp-auth': 'Google',
  gvisor: 'minikube',
  headlamp: '3rd party (kinvolk.io)',
  inaccel: '3rd party (InAccel [info@inaccel.com])',
  ingress: 'Kubernetes',
  'ingress-dns': 'minikube',
  'inspektor-gadget': '3rd party (inspektor-gadget.io)',
  istio: '3rd party (Istio)',
  'istio-provisioner': '3rd party (Istio)',
  kong: '3rd party (Kong HQ)',
  kubeflow: '3rd party',
  kubevirt: '3rd party (KubeVirt)',
  logviewer: '3rd party (unknown)',
  metallb: '3rd party (MetalLB)',
  'metrics-server': 'Kubernetes',
  'nvidia-device-plugin': '3rd party (NVIDIA)',
  'nvidia-driver-installer': '3rd party (NVIDIA)',
  'nvidia-gpu-device-plugin': '3rd party (NVIDIA)',
  olm: '3rd party (Operator Framework)',
  'pod-security-policy': '3rd party (unknown)',
  portainer: '3rd party (Portainer.io)',
  registry: 'minikube',
  'registry-aliases': '3rd party (unknown)',
  'registry-creds': '3rd party (UPMC Enterprises)',
  'storage-provisioner': 'minikube',
  'storage-provisioner-gluster': '3rd party (Gluster)',
  'storage-provisioner-rancher': '3rd party (Rancher)',
  volcano: 'third-party (volcano)',
  volumesnapshots: 'Kubernetes',
  yakd: '3rd party (marcnuri.com)',
};

// ------------------------------------------------------------------------------ output styles

/** A style's emoji prefix and its 7-bit fallback (pkg/minikube/style). */
const STYLES = {
  tip: ['💡  ', '* '],
  option: ['    ▪ ', '  - '],
  healthCheck: ['🔎  ', '* '],
  addonEnable: ['🌟  ', '* '],
  addonDisable: ['🌑  ', '* '],
  failure: ['❌  ', 'X '],
  shrug: ['🤷  ', '* '],
  workaround: ['👉  ', '  '],
  sad: ['😿  ', '* '],
  celebrate: ['🎉  ', '* '],
} as const;

type Style = keyof typeof STYLES;

/** out.wantsColor: MINIKUBE_IN_STYLE decides when set; otherwise a colour TERM and a terminal. */
function useColor(ctx: CommandContext): boolean {
  const forced = ctx.env.vars.MINIKUBE_IN_STYLE;
  if (forced !== undefined && forced !== '') {
    if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(forced)) return true;
    if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(forced)) return false;
  }
  const term = ctx.env.vars.TERM ?? '';
  const colorTerm = ctx.env.vars.COLORTERM ?? '';
  if (!term.includes('color') && !['truecolor', '24bit', 'yes'].some((x) => colorTerm.includes(x))) return false;
  return ctx.tty;
}

function styled(ctx: CommandContext, style: Style, text: string): string {
  return STYLES[style][useColor(ctx) ? 0 : 1] + text + '\n';
}

/** out.Error for an exit reason: a blank line, the message on stderr, a blank line; the reason's exit code. */
function exitWith(ctx: CommandContext, id: string, message: string, code: number): number {
  ctx.stdout.write('\n');
  ctx.stderr.write(styled(ctx, 'failure', `Exiting due to ${id}: ${message}`));
  ctx.stdout.write('\n');
  return code;
}

// ------------------------------------------------------------------------------ tables

/** Display width as go-runewidth counts it for the characters minikube's tables hold. */
function width(s: string): number {
  let w = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    w += cp === 0x2705 || cp >= 0x1f300 ? 2 : 1;
  }
  return w;
}

/** tablewriter's WrapWords: lines of at most `lim` columns with the least raggedness (the last line is free). */
function wrapWords(words: string[], lim: number): string[] {
  const n = words.length;
  const len = (i: number, j: number): number => words.slice(i, j + 1).reduce((a, w) => a + width(w), 0) + (j - i);
  const cost = new Array<number>(n + 1).fill(0);
  const brk = new Array<number>(n).fill(n);
  for (let i = n - 1; i >= 0; i--) {
    if (len(i, n - 1) <= lim) {
      cost[i] = 0;
      brk[i] = n;
      continue;
    }
    cost[i] = Number.MAX_SAFE_INTEGER;
    for (let j = i + 1; j < n; j++) {
      const d = lim - len(i, j - 1);
      const c = d * d + cost[j]! + (len(i, j - 1) > lim ? 100_000 : 0);
      if (c < cost[i]!) {
        cost[i] = c;
        brk[i] = j;
      }
    }
  }
  const lines: string[] = [];
  for (let i = 0; i < n; i = brk[i]!) lines.push(words.slice(i, brk[i]).join(' '));
  return lines;
}

/** A cell's lines: its own, each wrapped at 30 columns when longer (tablewriter's MaxColWidth). */
function cellLines(cell: string): string[] {
  return cell.split('\n').flatMap((line) => {
    if (width(line) <= 30) return [line];
    const words = line.split(' ');
    return wrapWords(words, Math.max(30, ...words.map(width)));
  });
}

/** A table as tablewriter v0.0.5 renders it with minikube's settings (borders, `|` separators, centred upper-case header). */
export function renderTable(header: string[], rows: string[][]): string {
  const cells = rows.map((r) => r.map(cellLines));
  const head = header.map((h) => h.toUpperCase());
  const widths = head.map((h, c) => Math.max(width(h), ...cells.map((r) => Math.max(...r[c]!.map(width)))));
  const line = '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|\n';
  const centre = (s: string, w: number): string => {
    const gap = w - width(s);
    const left = Math.floor(gap / 2);
    return ' '.repeat(left) + s + ' '.repeat(gap - left);
  };
  const numeric = /^[-+]?[0-9]*\.?[0-9]+$/;
  let out = line + '| ' + head.map((h, c) => centre(h, widths[c]!)).join(' | ') + ' |\n' + line;
  for (const r of cells) {
    const height = Math.max(...r.map((c) => c.length));
    for (let i = 0; i < height; i++) {
      out += '| ' + r.map((c, col) => {
        const s = c[i] ?? '';
        const pad = ' '.repeat(widths[col]! - width(s));
        return numeric.test(s.trim()) ? pad + s : s + pad;
      }).join(' | ') + ' |\n';
    }
  }
  return out + line;
}

// ------------------------------------------------------------------------------ the cluster

interface Flags {
  args: string[];
  flags: Map<string, string>;
}

/** Each subcommand's flags (long name -> shorthand, '' for none) as cobra defines them; `profile` is global. */
const FLAGS: Record<string, Record<string, string>> = {
  '': {},
  ip: { node: 'n' },
  status: { output: 'o', node: 'n', format: 'f', layout: 'l', watch: 'w' },
  addons: {},
  'addons list': { output: 'o', docs: 'd' },
  'addons enable': { images: '', registries: '', force: '', refresh: '' },
  'addons disable': {},
  service: { namespace: 'n', url: '', https: '', format: '', wait: '', interval: '', all: '' },
  'service list': { namespace: 'n' },
};
const BOOLEANS = new Set(['url', 'https', 'all', 'docs', 'help', 'force', 'refresh', 'watch']);

/** The subcommand path the words name (`addons enable`, `service list`), skipping flags and the profile's value. */
function commandKey(argv: string[]): string {
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-p' || a === '--profile') i++;
    else if (!a.startsWith('-')) words.push(a);
  }
  const [sub, verb] = words;
  if (sub === 'addons' && verb !== undefined && FLAGS[`addons ${verb}`]) return `addons ${verb}`;
  if (sub === 'service' && verb === 'list') return 'service list';
  return sub !== undefined && FLAGS[sub] ? sub : '';
}

/** cobra's reading of the words: flags of the subcommand (and the global --profile, --help), then the arguments. */
function parseFlags(argv: string[], cmd: string): Flags | string {
  const own = { ...FLAGS[cmd], profile: 'p', help: 'h' };
  const short = Object.fromEntries(Object.entries(own).filter(([, s]) => s !== '').map(([l, s]) => [s, l]));
  const args: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      args.push(...argv.slice(i + 1));
      break;
    }
    const m = /^(--?)([A-Za-z][\w-]*)(?:=(.*))?$/.exec(a);
    if (!m) {
      args.push(a);
      continue;
    }
    const long = m[1] === '--';
    let name: string | undefined;
    let value = m[3];
    if (long) {
      name = m[2]!;
      if (!(name in own)) return `unknown flag: --${name}`;
    } else {
      name = short[m[2]![0]!];
      if (!name) return `unknown shorthand flag: '${m[2]![0]}' in ${a}`;
      // -nkube-system: a shorthand with its value attached.
      if (m[2]!.length > 1 && value === undefined) value = m[2]!.slice(1);
    }
    if (BOOLEANS.has(name)) flags.set(name, value ?? 'true');
    else if (value !== undefined) flags.set(name, value);
    else if (i + 1 < argv.length) flags.set(name, argv[++i]!);
    else return `flag needs an argument: ${long ? `--${name}` : `'${m[2]}' in -${m[2]}`}`;
  }
  return { args, flags };
}

function nodeIps(env: ShellEnv): { name: string; ip: string; controlPlane: boolean }[] {
  const state = env.sim.state;
  const cp = controlPlane(state);
  return Object.keys(state.k8s.nodes).map((n) => ({ name: n, ip: nodeInternalIp(state, n) ?? '', controlPlane: n === cp }));
}

/** The Services' node-port URLs, as minikube's GetServiceURLs gives them. */
function serviceUrls(env: ShellEnv, svc: Service): { names: string[]; urls: string[] } {
  const ip = nodeInternalIp(env.sim.state, controlPlane(env.sim.state) ?? '') ?? '';
  const ports = (svc.spec.ports ?? []).filter((p) => p.nodePort !== undefined && p.nodePort > 0);
  return { names: ports.map((p) => (p.name ? `${p.name}/${p.port}` : String(p.port))), urls: ports.map((p) => `http://${ip}:${p.nodePort}`) };
}

/** A Running pod the Service selects (minikube's CheckServicePods). */
function servicePodRunning(env: ShellEnv, svc: Service): boolean {
  const sel = svc.spec.selector;
  if (!sel || Object.keys(sel).length === 0) return true;
  return Object.values(env.sim.state.k8s.pods).some((p) => p.metadata.namespace === svc.metadata.namespace && p.status.phase === 'Running' && Object.entries(sel).every(([k, v]) => p.metadata.labels?.[k] === v));
}

// ------------------------------------------------------------------------------ subcommands

async function addonsEnable(ctx: CommandContext, name: string): Promise<number> {
  const maintainer = ADDONS[name];
  if (maintainer === undefined) return exitWith(ctx, 'MK_ADDON_ENABLE', `enable failed: run callbacks: ${name} is not a valid addon`, 10);
  if (name !== 'ingress') {
    ctx.stderr.write(`the sandbox's minikube installs only the ingress addon; ${name} is not modelled\n`);
    return 1;
  }
  ctx.stdout.write(styled(ctx, 'tip', `${name} is an addon maintained by ${maintainer}. For any concerns contact minikube on GitHub.\nYou can view the list of minikube maintainers at: https://github.com/kubernetes/minikube/blob/master/OWNERS`));
  for (const image of [INGRESS_IMAGES.certgenPatch, INGRESS_IMAGES.controller, INGRESS_IMAGES.certgenCreate]) ctx.stdout.write(styled(ctx, 'option', `Using image ${image.split('@')[0]}`));
  // minikube copies the manifest to the node and runs kubectl apply there: about a second.
  if (!(await ctx.sleep(1000))) return 130;
  ctx.env.sim.advance();
  enableIngressAddon(apiContext(ctx));
  ctx.stdout.write(styled(ctx, 'healthCheck', `Verifying ${name} addon...`));
  // kapi.WaitForPods polls until every labelled pod is Running or Succeeded (6 minutes at most).
  for (let waited = 0; ; waited += 500) {
    ctx.env.sim.advance();
    if (ingressAddonReady(ctx.env.sim.state)) break;
    if (waited >= 360_000) return exitWith(ctx, 'MK_ADDON_ENABLE', `enable failed: run callbacks: running callbacks: [waiting for app.kubernetes.io/name=ingress-nginx pods: context deadline exceeded]`, 10);
    if (!(await ctx.sleep(500))) return 130;
  }
  ctx.stdout.write(styled(ctx, 'addonEnable', `The '${name}' addon is enabled`));
  return 0;
}

function addonsDisable(ctx: CommandContext, name: string): number {
  if (ADDONS[name] === undefined) return exitWith(ctx, 'MK_ADDON_DISABLE', `disable failed: run callbacks: ${name} is not a valid addon`, 10);
  if (name === 'ingress') {
    ctx.env.sim.advance();
    disableIngressAddon(apiContext(ctx));
  }
  ctx.stdout.write(styled(ctx, 'addonDisable', `"The '${name}' addon is disabled`));
  return 0;
}

function addonsList(ctx: CommandContext, output: string): number {
  const enabled = (name: string): boolean => name === 'ingress' && ingressAddonEnabled(ctx.env.sim.state);
  const names = Object.keys(ADDONS).sort();
  if (output === 'json') {
    const o: Record<string, { Profile: string; Status: string }> = {};
    for (const n of names) o[n] = { Profile: PROFILE, Status: enabled(n) ? 'enabled' : 'disabled' };
    ctx.stdout.write(JSON.stringify(o) + '\n');
    return 0;
  }
  if (output !== 'list') return exitWith(ctx, 'MK_USAGE', `invalid output format: ${output}. Valid values: 'list', 'json'`, 14);
  const rows = names.map((n) => [n, PROFILE, enabled(n) ? 'enabled ✅' : 'disabled    ', ADDONS[n]!]);
  ctx.stdout.write(renderTable(['Addon Name', 'Profile', 'Status', 'Maintainer'], rows));
  return 0;
}

function service(ctx: CommandContext, f: Flags): number {
  const ns = f.flags.get('namespace') ?? 'default';
  const state = ctx.env.sim.state;
  ctx.env.sim.advance();
  if (f.args[0] === 'list') {
    const all = Object.values(state.k8s.services).filter((s) => !f.flags.has('namespace') || s.metadata.namespace === ns);
    all.sort((a, b) => (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') || a.metadata.name.localeCompare(b.metadata.name));
    const rows = all.map((s) => {
      const u = serviceUrls(ctx.env, s);
      return u.urls.length === 0 ? [s.metadata.namespace ?? 'default', s.metadata.name, 'No node port', ''] : [s.metadata.namespace ?? 'default', s.metadata.name, u.names.join('\n'), u.urls.join('\n')];
    });
    ctx.stdout.write(renderTable(['Namespace', 'Name', 'Target Port', 'URL'], rows));
    return 0;
  }
  if (f.args.length !== 1) return exitWith(ctx, 'MK_USAGE', 'You must specify service name(s) or --all', 14);
  const name = f.args[0]!;
  const svc = state.k8s.services[key(ns, name)];
  if (!svc) return exitWith(ctx, 'SVC_NOT_FOUND', `Service '${name}' was not found in '${ns}' namespace.\nYou may select another namespace by using 'minikube service ${name} -n <namespace>'. Or list out all the services using 'minikube service list'`, 115);
  if (!servicePodRunning(ctx.env, svc)) return exitWith(ctx, 'SVC_UNREACHABLE', `service not available: no running pod for service ${name} found`, 115);
  const { names, urls } = serviceUrls(ctx.env, svc);
  if (urls.length === 0) {
    ctx.stdout.write(styled(ctx, 'sad', `service ${ns}/${name} has no node port`));
    return 0;
  }
  const https = f.flags.get('https') === 'true';
  const shown = urls.map((u) => (https ? u.replace(/^http:/, 'https:') : u));
  if (f.flags.get('url') === 'true') {
    for (const u of shown) ctx.stdout.write(u + '\n');
    return 0;
  }
  ctx.stdout.write(renderTable(['Namespace', 'Name', 'Target Port', 'URL'], [[ns, name, names.join('\n'), shown.join('\n')]]));
  ctx.stdout.write(styled(ctx, 'celebrate', `Opening service ${ns}/${name} in default browser...`));
  return exitWith(ctx, 'HOST_BROWSER', `open url failed: ${shown[0]}: exec: "xdg-open": executable file not found in $PATH`, 30);
}

function status(ctx: CommandContext): number {
  for (const n of nodeIps(ctx.env)) {
    ctx.stdout.write(n.controlPlane ? `${n.name}\ntype: Control Plane\nhost: Running\nkubelet: Running\napiserver: Running\nkubeconfig: Configured\n\n` : `${n.name}\ntype: Worker\nhost: Running\nkubelet: Running\n\n`);
  }
  return 0;
}

/** cobra's suggestions: subcommands within Levenshtein distance 2, or that start with the word. */
function suggestions(word: string): string[] {
  const lev = (a: string, b: string): number => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0]![j] = j;
    for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    return d[a.length]![b.length]!;
  };
  return SUBCOMMANDS.filter((s) => lev(word.toLowerCase(), s) <= 2 || s.startsWith(word.toLowerCase()));
}

async function run(ctx: CommandContext): Promise<number> {
  const cmdKey = commandKey(ctx.argv.slice(1));
  const parsed = parseFlags(ctx.argv.slice(1), cmdKey);
  if (typeof parsed === 'string') {
    ctx.stderr.write(`Error: ${parsed}\n${cmdKey ? `See 'minikube ${cmdKey} --help' for usage.\n` : ''}`);
    return 64;
  }
  const [sub, ...rest] = parsed.args;
  if (sub === undefined) {
    ctx.stdout.write(USAGE + '\n');
    return 0;
  }
  if (!SUBCOMMANDS.includes(sub)) {
    const s = suggestions(sub);
    ctx.stderr.write(`Error: unknown command "${sub}" for "minikube"\n${s.length ? `\nDid you mean this?\n${s.map((x) => `\t${x}\n`).join('')}\n` : ''}Run 'minikube --help' for usage.\n`);
    return 64;
  }
  if (!MODELLED.includes(sub)) {
    ctx.stderr.write(`the sandbox does not model \`minikube ${sub}\`: its cluster is already running; it models minikube ip, status, addons and service\n`);
    return 1;
  }
  if (parsed.flags.has('help')) {
    ctx.stdout.write((sub === 'addons' ? ADDONS_USAGE : USAGE) + '\n');
    return 0;
  }
  const profile = parsed.flags.get('profile') ?? PROFILE;
  if (profile !== PROFILE) {
    ctx.stdout.write(styled(ctx, 'shrug', `Profile "${profile}" not found. Run "minikube profile list" to view all profiles.`));
    ctx.stdout.write(styled(ctx, 'workaround', `To start a cluster, run: "minikube start -p ${profile}"`));
    return 85;
  }
  switch (sub) {
    case 'ip': {
      const node = parsed.flags.get('node');
      const nodes = nodeIps(ctx.env);
      const n = node === undefined ? nodes.find((x) => x.controlPlane) : nodes.find((x) => x.name === node);
      if (!n) return exitWith(ctx, 'GUEST_NODE_RETRIEVE', `retrieving node: Could not find node ${node}`, 85);
      ctx.stdout.write(n.ip + '\n');
      return 0;
    }
    case 'status':
      return status(ctx);
    case 'service':
      return service(ctx, { args: rest, flags: parsed.flags });
    default: {
      const [verb, ...names] = rest;
      if (verb === undefined) {
        ctx.stdout.write(ADDONS_USAGE + '\n');
        return 0;
      }
      if (verb === 'list') {
        if (names.length !== 0) return exitWith(ctx, 'MK_USAGE', 'usage: minikube addons list', 14);
        return addonsList(ctx, parsed.flags.get('output') ?? 'list');
      }
      if (verb === 'enable' || verb === 'disable') {
        if (names.length !== 1) return exitWith(ctx, 'MK_USAGE', `usage: minikube addons ${verb} ADDON_NAME`, 14);
        return verb === 'enable' ? addonsEnable(ctx, names[0]!) : addonsDisable(ctx, names[0]!);
      }
      if (['configure', 'images', 'open'].includes(verb)) {
        ctx.stderr.write(`the sandbox does not model \`minikube addons ${verb}\`; it models minikube addons list, enable and disable\n`);
        return 1;
      }
      ctx.stderr.write(`Error: unknown command "${verb}" for "minikube addons"\nRun 'minikube addons --help' for usage.\n`);
      return 64;
    }
  }
}

/** The workstation of a cluster numbered as minikube numbers its nodes has minikube. */
function installed(env: ShellEnv): boolean {
  const state = env.sim.state;
  const cp = controlPlane(state);
  return cp !== undefined && nodeInternalIp(state, cp) === '192.168.49.2';
}

function complete(req: CompletionRequest): string[] {
  const words = req.words.slice(1).filter((w) => !w.startsWith('-'));
  if (words.length === 0) return SUBCOMMANDS;
  if (words[0] === 'addons') {
    if (words.length === 1) return ['configure', 'disable', 'enable', 'images', 'list', 'open'];
    if (words.length === 2 && (words[1] === 'enable' || words[1] === 'disable')) return Object.keys(ADDONS);
    return [];
  }
  if (words[0] === 'service' && words.length === 1) {
    const ns = req.words.includes('-n') ? req.words[req.words.indexOf('-n') + 1] : 'default';
    return ['list', ...Object.values(req.env.sim.state.k8s.services).filter((s) => s.metadata.namespace === ns).map((s) => s.metadata.name)];
  }
  if (words[0] === 'ip' && req.words[req.words.length - 1] === '-n') return Object.keys(req.env.sim.state.k8s.nodes);
  return [];
}

export const minikube: Command = {
  name: 'minikube',
  summary: "minikube's view of the cluster: minikube ip, status, addons enable ingress, service NAME --url",
  usage: USAGE,
  where: ['workstation'],
  ownHelp: true,
  installed,
  run,
  complete,
};
