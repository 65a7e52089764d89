/**
 * `ps` (procps-ng 4.0.4, Ubuntu 24.04) on the nodes: the node's process table.
 *
 * Design notes: the table is derived on every call from the cluster: init and a few kernel
 * threads, systemd's daemons (journald, udevd, networkd, resolved, logind, dbus, cron,
 * agetty), sshd's listener, containerd, the kubelet with the flags kubeadm gives it
 * (10-kubeadm.conf and kubeadm-flags.env: bootstrap and kubelet kubeconfigs, config.yaml,
 * containerd's socket, pause 3.10); per pod on the node a containerd-shim-runc-v2, the pause
 * process (uid 65535) and each running container's main process: kube-proxy as kubeadm's
 * DaemonSet runs it (`--config=/var/lib/kube-proxy/config.conf --hostname-override=NODE`),
 * flanneld (`--ip-masq --kube-subnet-mgr`), CoreDNS as uid 65532, the control plane's static
 * pods with kubeadm's flags, and the container's command and args for the others (the image's
 * own entrypoint where the sandbox knows it: nginx's master and one worker per CPU, agnhost,
 * serve_hostname). Then the ssh session: `sshd: root@pts/0`, `-bash`, and the commands of the
 * pipeline ps runs in (`ps auxw | grep kube-proxy` shows grep too, as `grep --color=auto`:
 * Ubuntu's root .bashrc aliases it). Pids match ss -p's (ss.ts hostPid). Times: the node
 * booted 40 s before it registered; START is HH:MM within a day, else MonDD; TIME and %CPU
 * come from a fixed share of the elapsed time per program, VSZ and RSS are fixed per program,
 * %MEM is RSS over 4 GiB.
 * Formats: `ps` alone (PID TTY TIME CMD of the session), `ps aux`/`auxw`/`auxww` (BSD style,
 * USER PID %CPU %MEM VSZ RSS TTY STAT START TIME COMMAND) and `ps -ef` (UID PID PPID C STIME TTY
 * TIME CMD), laid out as procps does: fixed column widths, a wide value pushing the rest of
 * the line right until later padding absorbs it. On a terminal a line is cut at 80 columns
 * (132 with one `w`); into a pipe or with `ww` it is whole.
 * Simplified: kernel threads are a handful of the real hundred; CPU and memory figures are
 * plausible constants, not measurements. Left out: other options (-o, -p, --sort, f, ...).
 */
import type { Command, CommandContext } from '../command';
import { CommandError } from '../errors';
import { fnv32a } from '../../sim/k8s/names';
import type { Container, Pod } from '../../sim/k8s/types';
import { shellState } from '../shell-state';
import { hostPid, podPids } from './ss';

interface Proc {
  user: string;
  pid: number;
  ppid: number;
  /** Share of one CPU used since it started. */
  share: number;
  vsz: number;
  rss: number;
  tty: string;
  stat: string;
  start: number;
  cmd: string;
}

const MEM_KB = 4_005_024;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const KTHREADS: [number, string, string][] = [
  [2, '[kthreadd]', 'S'],
  [3, '[pool_workqueue_release]', 'S'],
  [4, '[kworker/R-rcu_g]', 'I<'],
  [5, '[kworker/R-rcu_p]', 'I<'],
  [6, '[kworker/R-slub_]', 'I<'],
  [7, '[kworker/R-netns]', 'I<'],
  [13, '[rcu_tasks_kthread]', 'I'],
  [14, '[rcu_tasks_rude_kthread]', 'I'],
  [15, '[rcu_tasks_trace_kthread]', 'I'],
  [16, '[ksoftirqd/0]', 'S'],
  [17, '[rcu_preempt]', 'I'],
  [18, '[migration/0]', 'S'],
  [19, '[idle_inject/0]', 'S'],
  [20, '[cpuhp/0]', 'S'],
  [21, '[cpuhp/1]', 'S'],
  [22, '[idle_inject/1]', 'S'],
  [23, '[migration/1]', 'S'],
  [24, '[ksoftirqd/1]', 'S'],
];

const PAUSE = 'registry.k8s.io/pause:3.10';

/** The control plane's static pods as kubeadm v1.32 writes their manifests. */
function staticPodCommand(name: string, nodeIp: string, podCidr: string, serviceCidr: string, domain: string): string | undefined {
  const pki = '/etc/kubernetes/pki';
  switch (name) {
    case 'etcd':
      return `etcd --advertise-client-urls=https://${nodeIp}:2379 --cert-file=${pki}/etcd/server.crt --client-cert-auth=true --data-dir=/var/lib/etcd --experimental-initial-corrupt-check=true --experimental-watch-progress-notify-interval=5s --initial-advertise-peer-urls=https://${nodeIp}:2380 --initial-cluster=control-plane=https://${nodeIp}:2380 --key-file=${pki}/etcd/server.key --listen-client-urls=https://127.0.0.1:2379,https://${nodeIp}:2379 --listen-metrics-urls=http://127.0.0.1:2381 --listen-peer-urls=https://${nodeIp}:2380 --name=control-plane --peer-cert-file=${pki}/etcd/peer.crt --peer-client-cert-auth=true --peer-key-file=${pki}/etcd/peer.key --peer-trusted-ca-file=${pki}/etcd/ca.crt --snapshot-count=10000 --trusted-ca-file=${pki}/etcd/ca.crt`;
    case 'kube-apiserver':
      return `kube-apiserver --advertise-address=${nodeIp} --allow-privileged=true --authorization-mode=Node,RBAC --client-ca-file=${pki}/ca.crt --enable-admission-plugins=NodeRestriction --enable-bootstrap-token-auth=true --etcd-cafile=${pki}/etcd/ca.crt --etcd-certfile=${pki}/apiserver-etcd-client.crt --etcd-keyfile=${pki}/apiserver-etcd-client.key --etcd-servers=https://127.0.0.1:2379 --kubelet-client-certificate=${pki}/apiserver-kubelet-client.crt --kubelet-client-key=${pki}/apiserver-kubelet-client.key --kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname --proxy-client-cert-file=${pki}/front-proxy-client.crt --proxy-client-key-file=${pki}/front-proxy-client.key --requestheader-allowed-names=front-proxy-client --requestheader-client-ca-file=${pki}/front-proxy-ca.crt --requestheader-extra-headers-prefix=X-Remote-Extra- --requestheader-group-headers=X-Remote-Group --requestheader-username-headers=X-Remote-User --secure-port=6443 --service-account-issuer=https://kubernetes.default.svc.${domain} --service-account-key-file=${pki}/sa.pub --service-account-signing-key-file=${pki}/sa.key --service-cluster-ip-range=${serviceCidr} --tls-cert-file=${pki}/apiserver.crt --tls-private-key-file=${pki}/apiserver.key`;
    case 'kube-controller-manager':
      return `kube-controller-manager --allocate-node-cidrs=true --authentication-kubeconfig=/etc/kubernetes/controller-manager.conf --authorization-kubeconfig=/etc/kubernetes/controller-manager.conf --bind-address=127.0.0.1 --client-ca-file=${pki}/ca.crt --cluster-cidr=${podCidr} --cluster-name=kubernetes --cluster-signing-cert-file=${pki}/ca.crt --cluster-signing-key-file=${pki}/ca.key --controllers=*,bootstrapsigner,tokencleaner --kubeconfig=/etc/kubernetes/controller-manager.conf --leader-elect=true --requestheader-client-ca-file=${pki}/front-proxy-ca.crt --root-ca-file=${pki}/ca.crt --service-account-private-key-file=${pki}/sa.key --service-cluster-ip-range=${serviceCidr} --use-service-account-credentials=true`;
    case 'kube-scheduler':
      return 'kube-scheduler --authentication-kubeconfig=/etc/kubernetes/scheduler.conf --authorization-kubeconfig=/etc/kubernetes/scheduler.conf --bind-address=127.0.0.1 --kubeconfig=/etc/kubernetes/scheduler.conf --leader-elect=true';
    default:
      return undefined;
  }
}

const base = (image: string): string => (image.split('/').pop() ?? image).split(/[:@]/)[0]!;

/** A container's processes: its main one (and nginx's workers). */
function containerProcs(ctx: CommandContext, node: string, pod: Pod, c: Container, pid: number, start: number): Proc[] {
  const state = ctx.env.sim.state;
  const name = base(c.image);
  const argv = [...(c.command ?? []), ...(c.args ?? [])];
  const nodeIp = state.k8s.nodes[node]?.status.addresses.find((a) => a.type === 'InternalIP')?.address ?? '';
  const p = (cmd: string, user = 'root', stat = 'Ssl', share = 0.001, vsz = 1_250_000, rss = 40_000): Proc => ({ user, pid, ppid: 0, share, vsz, rss, tty: '?', stat, start, cmd });
  if (name === 'kube-proxy') return [p(`/usr/local/bin/kube-proxy --config=/var/lib/kube-proxy/config.conf --hostname-override=${node}`, 'root', 'Ssl', 0.002, 1_288_744, 60_912)];
  if (name === 'flannel') return [p('/opt/bin/flanneld --ip-masq --kube-subnet-mgr', 'root', 'Ssl', 0.002, 1_331_552, 40_320)];
  if (name === 'coredns') return [p(`/coredns ${argv.join(' ') || '-conf /etc/coredns/Corefile'}`, '65532', 'Ssl', 0.002, 1_286_120, 52_864)];
  const cp = staticPodCommand(name, nodeIp, '10.244.0.0/16', '10.96.0.0/12', state.config.dnsDomain.replace(/\.$/, ''));
  if (cp) return [p(cp, 'root', 'Ssl', name === 'kube-apiserver' ? 0.04 : name === 'etcd' ? 0.02 : 0.01, name === 'etcd' ? 11_744_836 : 1_500_000, name === 'kube-apiserver' ? 280_000 : 90_000)];
  if (argv.length > 0) return [p(argv.join(' '), 'root', argv[0] === 'sleep' ? 'Ss' : 'Ssl', 0, argv[0] === 'sleep' ? 4_392 : 1_250_000, argv[0] === 'sleep' ? 1_024 : 20_000)];
  if (name === 'nginx') return [p('nginx: master process nginx -g daemon off;', 'root', 'Ss', 0, 11_472, 7_424), ...[1, 2].map((w) => ({ ...p('nginx: worker process', '101', 'S', 0, 11_936, 2_980), pid: pid + 28 + w }))];
  if (name === 'agnhost') return [p('/agnhost pause', 'root', 'Ssl')];
  if (name === 'serve_hostname') return [p('/serve_hostname', 'root', 'Ssl', 0, 1_236_480, 6_144)];
  return [p(name)];
}

function table(ctx: CommandContext, node: string): Proc[] {
  const state = ctx.env.sim.state;
  const n = state.k8s.nodes[node];
  const now = ctx.env.scheduler.now();
  const registered = n ? Date.parse(n.metadata.creationTimestamp) : state.createdAt;
  const boot = registered - 40_000;
  const pid = (b: number, span: number, key: string): number => hostPid(node, b, span, key);
  const sys = (p: number, user: string, stat: string, at: number, cmd: string, vsz: number, rss: number, share = 0): Proc => ({ user, pid: p, ppid: 1, share, vsz, rss, tty: '?', stat, start: at, cmd });
  const procs: Proc[] = [
    { user: 'root', pid: 1, ppid: 0, share: 0.0005, vsz: 22_472, rss: 13_440, tty: '?', stat: 'Ss', start: boot, cmd: '/sbin/init' },
    ...KTHREADS.map(([p, cmd, stat]): Proc => ({ user: 'root', pid: p, ppid: p === 2 ? 0 : 2, share: 0, vsz: 0, rss: 0, tty: '?', stat, start: boot, cmd })),
    sys(pid(300, 60, 'journald'), 'root', 'Ss', boot + 2_000, '/usr/lib/systemd/systemd-journald', 50_420, 16_128),
    sys(pid(380, 60, 'udevd'), 'root', 'Ss', boot + 2_000, '/usr/lib/systemd/systemd-udevd', 25_984, 7_168),
    sys(pid(460, 55, 'networkd'), 'systemd+', 'Ss', boot + 3_000, '/usr/lib/systemd/systemd-networkd', 18_320, 8_832),
    sys(pid(520, 60, 'resolved'), 'systemd+', 'Ss', boot + 3_000, '/usr/lib/systemd/systemd-resolved', 21_580, 12_928),
    sys(pid(600, 40, 'cron'), 'root', 'Ss', boot + 4_000, '/usr/sbin/cron -f -P', 6_824, 2_688),
    sys(pid(640, 40, 'dbus'), 'message+', 'Ss', boot + 4_000, '@dbus-daemon --system --address=systemd: --nofork --nopidfile --systemd-activation --syslog-only', 9_780, 5_120),
    sys(pid(680, 20, 'logind'), 'root', 'Ss', boot + 4_000, '/usr/lib/systemd/systemd-logind', 17_972, 8_064),
    sys(pid(700, 80, 'containerd'), 'root', 'Ssl', boot + 6_000, '/usr/bin/containerd', 1_946_832, 49_792, 0.004),
    { ...sys(pid(900, 60, 'agetty'), 'root', 'Ss+', boot + 6_000, '/sbin/agetty -o -p -- \\u --noclear - linux', 6_236, 2_048), tty: 'tty1' },
    sys(pid(1000, 100, 'sshd'), 'root', 'Ss', boot + 6_000, 'sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups', 12_020, 7_936),
  ];
  if (n) {
    procs.push(sys(pid(1300, 200, 'kubelet'), 'root', 'Ssl', registered - 5_000, `/usr/bin/kubelet --bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf --config=/var/lib/kubelet/config.yaml --container-runtime-endpoint=unix:///var/run/containerd/containerd.sock --pod-infra-container-image=${PAUSE}`, 2_268_536, 77_824, 0.02));
    const pods = Object.values(state.k8s.pods).filter((p) => p.spec.nodeName === node && p.status.phase === 'Running');
    for (const pod of pods) {
      const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
      const started = Date.parse(pod.status.startTime ?? '') || now;
      const id = Array.from({ length: 8 }, (_, i) => fnv32a(`${i}/sandbox/${pod.metadata.uid}`).toString(16).padStart(8, '0')).join('');
      const { shim, pause } = podPids(node, key, 0, !!pod.spec.hostNetwork);
      procs.push(sys(shim, 'root', 'Sl', started, `/usr/bin/containerd-shim-runc-v2 -namespace k8s.io -id ${id} -address /run/containerd/containerd.sock`, 1_238_632, 14_208, 0.0005));
      procs.push({ ...sys(pause, '65535', 'Ss', started, '/pause', 1_020, 512), ppid: shim });
      for (const [i, c] of pod.spec.containers.entries()) {
        const at = pod.status.containerStatuses?.find((s) => s.name === c.name)?.state.running?.startedAt;
        if (!at) continue;
        for (const p of containerProcs(ctx, node, pod, c, podPids(node, key, i, !!pod.spec.hostNetwork).main, Date.parse(at))) procs.push({ ...p, ppid: shim });
      }
    }
  }
  // The ssh session and the commands of ps's own pipeline.
  const sshd = pid(5000, 400, 'session');
  const sh = sshd + 113;
  procs.push({ ...sys(sshd, 'root', 'Ss', registered + 60_000, 'sshd: root@pts/0', 14_800, 9_344), ppid: pid(1000, 100, 'sshd') });
  procs.push({ user: 'root', pid: sh, ppid: sshd, share: 0, vsz: 8_632, rss: 5_376, tty: 'pts/0', stat: 'Ss', start: registered + 60_000, cmd: '-bash' });
  const pipeline = ctx.env.pipeline?.filter((w) => w.length > 0) ?? [ctx.argv];
  // Each command line the shell ran forked new processes: later pids are higher.
  const first = sh + 1500 + 7 * shellState(ctx.env).history().length + Math.floor((now - registered) / 60_000);
  pipeline.forEach((words, i) => {
    const cmd = words[0] === 'grep' ? ['grep', '--color=auto', ...words.slice(1)] : words;
    const isPs = words[0] === 'ps';
    procs.push({ user: 'root', pid: first + i, ppid: sh, share: 0, vsz: isPs ? 11_320 : 6_544, rss: isPs ? 4_480 : 2_304, tty: 'pts/0', stat: isPs ? 'R+' : 'S+', start: now, cmd: cmd.join(' ') });
  });
  return procs.filter((p) => p.start <= now).sort((a, b) => a.pid - b.pid);
}

/** The program's name (what `ps -e` shows): no path, brackets or arguments. */
function comm(cmd: string): string {
  if (cmd === '/sbin/init') return 'systemd';
  const first = cmd.replace(/^\[(.*)\]$/, '$1').replace(/^[-@]/, '').split(' ')[0]!.replace(/:$/, '');
  return first.slice(first.lastIndexOf('/') + 1).slice(0, 15);
}

function startText(ms: number, now: number): string {
  const d = new Date(ms);
  const two = (x: number): string => String(x).padStart(2, '0');
  if (now - ms < 86_400_000) return `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}`;
  if (new Date(now).getUTCFullYear() === d.getUTCFullYear()) return `${MONTHS[d.getUTCMonth()]}${two(d.getUTCDate())}`;
  return String(d.getUTCFullYear());
}

function cpuSeconds(p: Proc, now: number): number {
  return Math.floor((Math.max(0, now - p.start) / 1000) * p.share);
}

/** M:SS (BSD TIME), or [DD-]HH:MM:SS for -ef. */
function timeText(s: number, long: boolean): string {
  const two = (x: number): string => String(x).padStart(2, '0');
  if (!long) return `${Math.floor(s / 60)}:${two(s % 60)}`;
  const days = Math.floor(s / 86_400);
  return `${days > 0 ? `${days}-` : ''}${two(Math.floor((s % 86_400) / 3600))}:${two(Math.floor((s % 3600) / 60))}:${two(s % 60)}`;
}

/** One line as procps lays it out: widths, alignment, and later padding absorbing an overflow. */
function layout(cells: { text: string; width: number; left?: boolean }[]): string {
  let out = '';
  let debt = 0;
  cells.forEach((c, i) => {
    if (i > 0) out += ' ';
    const last = i === cells.length - 1;
    const room = c.width - c.text.length;
    const pad = Math.max(0, room - debt);
    debt = Math.max(0, debt - Math.max(0, room)) + Math.max(0, -room);
    out += last ? (c.left ? c.text : ' '.repeat(pad) + c.text) : c.left ? c.text + ' '.repeat(pad) : ' '.repeat(pad) + c.text;
  });
  return out;
}

export const ps: Command = {
  name: 'ps',
  summary: 'list the node\'s processes: ps aux, ps -ef',
  usage: 'Usage: ps [options]  (ps aux, ps auxw, ps -ef)',
  where: ['node'],
  async run(ctx) {
    const loc = ctx.env.location;
    if (loc.kind !== 'node') throw new CommandError('UNSUPPORTED', 'ps: not available here');
    const args = ctx.argv.slice(1);
    let bsd = false;
    let full = false;
    let all = false;
    let wide = 0;
    for (const a of args) {
      if (/^-[ef]+$/.test(a)) {
        if (a.includes('e')) all = true;
        if (a.includes('f')) full = true;
      } else if (/^[auxw]+$/.test(a)) {
        bsd = true;
        wide += [...a].filter((ch) => ch === 'w').length;
      } else {
        ctx.stderr.write(`error: unsupported option (BSD syntax)\n\nUsage:\n ps [options]\n\n Try 'ps --help <simple|list|output|threads|misc|all>'\n  or 'ps --help <s|l|o|t|m|a>'\n for additional help text.\n\nFor more details see ps(1).\n`);
        return 1;
      }
    }
    const now = ctx.env.scheduler.now();
    let procs = table(ctx, loc.node);
    if (!bsd && !all) procs = procs.filter((p) => p.tty === 'pts/0');
    const cols = !ctx.tty || wide >= 2 ? Infinity : wide === 1 ? 132 : 80;
    const lines: string[] = [];
    if (bsd) {
      lines.push('USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND');
      for (const p of procs) {
        const cpu = cpuSeconds(p, now);
        const elapsed = Math.max(1, (now - p.start) / 1000);
        lines.push(
          layout([
            { text: p.user, width: 8, left: true },
            { text: String(p.pid), width: 7 },
            { text: ((cpu / elapsed) * 100).toFixed(1), width: 4 },
            { text: ((p.rss / MEM_KB) * 100).toFixed(1), width: 4 },
            { text: String(p.vsz), width: 6 },
            { text: String(p.rss), width: 5 },
            { text: p.tty, width: 8, left: true },
            { text: p.stat, width: 4, left: true },
            { text: startText(p.start, now), width: 5 },
            { text: timeText(cpu, false), width: 6 },
            { text: p.cmd, width: 0, left: true },
          ]),
        );
      }
    } else if (full) {
      lines.push('UID          PID    PPID  C STIME TTY          TIME CMD');
      for (const p of procs) {
        const cpu = cpuSeconds(p, now);
        const c = Math.floor((cpu / Math.max(1, (now - p.start) / 1000)) * 100);
        lines.push(layout([{ text: p.user, width: 8, left: true }, { text: String(p.pid), width: 7 }, { text: String(p.ppid), width: 7 }, { text: String(c), width: 2 }, { text: startText(p.start, now), width: 5 }, { text: p.tty, width: 8, left: true }, { text: timeText(cpu, true), width: 8 }, { text: p.cmd, width: 0, left: true }]));
      }
    } else {
      lines.push('    PID TTY          TIME CMD');
      for (const p of procs) lines.push(layout([{ text: String(p.pid), width: 7 }, { text: p.tty, width: 8, left: true }, { text: timeText(cpuSeconds(p, now), true), width: 8 }, { text: comm(p.cmd), width: 0, left: true }]));
    }
    ctx.stdout.write(lines.map((l) => (l.length > cols ? l.slice(0, cols) : l)).join('\n') + '\n');
    return 0;
  },
};
