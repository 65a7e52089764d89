/**
 * What runs on a machine: its process table, derived on every call from the model, as `ps`
 * shows it and `ss -p`, `systemctl status` and the journal name the same pids.
 *
 * Design notes: init and a few kernel threads, systemd's daemons (journald, udevd, networkd,
 * resolved, logind, dbus, cron, agetty), sshd's listener, containerd and, on a Kubernetes node,
 * the kubelet with the flags kubeadm gives it (10-kubeadm.conf and kubeadm-flags.env:
 * bootstrap and kubelet kubeconfigs, config.yaml, containerd's socket, pause 3.10); the units
 * the learner stopped are missing and a unit started again shows its new pid and start time
 * (units.ts). Per pod on the node a containerd-shim-runc-v2, the pause process (uid 65535) and
 * each running container's main process: kube-proxy as kubeadm's DaemonSet runs it
 * (`--config=/var/lib/kube-proxy/config.conf --hostname-override=NODE`), flanneld
 * (`--ip-masq --kube-subnet-mgr`), CoreDNS as uid 65532, the control plane's static pods with
 * kubeadm's flags, and the container's command and args for the others (the image's own
 * entrypoint where the sandbox knows it: nginx's master and one worker per CPU, agnhost,
 * serve_hostname). The shims and containers outlive a stopped kubelet or containerd (the
 * containerd unit's KillMode=process leaves them running). The machine boots 40 s before its
 * node registered; TIME and %CPU come from a fixed share of the elapsed time per program, VSZ
 * and RSS are fixed per program.
 * Simplified: kernel threads are a handful of the real hundred; CPU and memory figures are
 * plausible constants, not measurements. The login session's own processes (sshd's session,
 * the shell, the commands it runs) are the shell's to add.
 */
import { isStaticComponent, staticPodCommand } from '../k8s/kubeadm';
import { fnv32a } from '../k8s/names';
import type { Container, Pod } from '../k8s/types';
import type { SimState } from '../state';
import { bootTime, hash, hostPid, isNode, unitActive, unitPid, unitSince } from './units';

export interface Proc {
  user: string;
  pid: number;
  ppid: number;
  /** Share of one CPU used since it started. */
  share: number;
  vsz: number;
  rss: number;
  tty: string;
  stat: string;
  /** When it started (epoch ms). */
  start: number;
  cmd: string;
}

/**
 * The host pids of a pod's processes on its node: containerd's shim first, then the pause
 * process and the containers' main processes, in the order runc started them.
 */
export function podPids(host: string, podKey: string, containerIndex: number, hostNetwork: boolean): { shim: number; pause: number; main: number } {
  // A pod with its own namespace: its first program's pid is the one its sockets show.
  const shim = hostNetwork ? hostPid(host, 1800, 1200, `${podKey}/shim`) : podProgramPid(`pod/${podKey}`) - 43;
  return { shim, pause: shim + 21, main: shim + 43 + 17 * containerIndex };
}

/** The host pid of the program listening in a pod's network namespace (nginx's master). */
export function podProgramPid(nsId: string): number {
  return 3000 + (hash(nsId) % 4000);
}

export const KUBELET_COMMAND = `/usr/bin/kubelet --bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf --config=/var/lib/kubelet/config.yaml --container-runtime-endpoint=unix:///var/run/containerd/containerd.sock --pod-infra-container-image=registry.k8s.io/pause:3.10`;

/** The machine's memory in KiB (4 GiB less what the kernel keeps), for %MEM. */
export const MEM_KB = 4_005_024;
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

const base = (image: string): string => (image.split('/').pop() ?? image).split(/[:@]/)[0]!;

/** A container's processes: its main one (and nginx's workers). */
function containerProcs(state: SimState, node: string, pod: Pod, c: Container, pid: number, start: number): Proc[] {
  const name = base(c.image);
  const argv = [...(c.command ?? []), ...(c.args ?? [])];
  const p = (cmd: string, user = 'root', stat = 'Ssl', share = 0.001, vsz = 1_250_000, rss = 40_000): Proc => ({ user, pid, ppid: 0, share, vsz, rss, tty: '?', stat, start, cmd });
  if (name === 'kube-proxy') return [p(`/usr/local/bin/kube-proxy --config=/var/lib/kube-proxy/config.conf --hostname-override=${node}`, 'root', 'Ssl', 0.002, 1_288_744, 60_912)];
  if (name === 'flannel') return [p('/opt/bin/flanneld --ip-masq --kube-subnet-mgr', 'root', 'Ssl', 0.002, 1_331_552, 40_320)];
  if (name === 'coredns') return [p(`/coredns ${argv.join(' ') || '-conf /etc/coredns/Corefile'}`, '65532', 'Ssl', 0.002, 1_286_120, 52_864)];
  // The control plane's static pods, with the command line of their manifest (sim/k8s/kubeadm.ts).
  const cp = isStaticComponent(name) ? staticPodCommand(state, name, node).join(' ') : undefined;
  if (cp) return [p(cp, 'root', 'Ssl', name === 'kube-apiserver' ? 0.04 : name === 'etcd' ? 0.02 : 0.01, name === 'etcd' ? 11_744_836 : 1_500_000, name === 'kube-apiserver' ? 280_000 : 90_000)];
  if (argv.length > 0) return [p(argv.join(' '), 'root', argv[0] === 'sleep' ? 'Ss' : 'Ssl', 0, argv[0] === 'sleep' ? 4_392 : 1_250_000, argv[0] === 'sleep' ? 1_024 : 20_000)];
  if (name === 'nginx') return [p('nginx: master process nginx -g daemon off;', 'root', 'Ss', 0, 11_472, 7_424), ...[1, 2].map((w) => ({ ...p('nginx: worker process', '101', 'S', 0, 11_936, 2_980), pid: pid + 28 + w }))];
  if (name === 'agnhost') return [p('/agnhost pause', 'root', 'Ssl')];
  if (name === 'serve_hostname') return [p('/serve_hostname', 'root', 'Ssl', 0, 1_236_480, 6_144)];
  return [p(name)];
}

/**
 * The processes of a pod on its node, in pid order: its pause process and its containers'
 * (nginx's workers included), the ones that share the pod's namespaces. The shim is left out.
 */
export function podProcesses(state: SimState, machine: string, pod: Pod, now: number): Proc[] {
  const { shim } = podPids(machine, `${pod.metadata.namespace}/${pod.metadata.name}`, 0, !!pod.spec.hostNetwork);
  return machineProcesses(state, machine, now).filter((p) => p.ppid === shim && p.pid !== shim).sort((a, b) => a.pid - b.pid);
}

/** The machine's processes at `now`, by pid (the login session's excepted). */
export function machineProcesses(state: SimState, machine: string, now: number): Proc[] {
  const node = isNode(state, machine);
  const boot = bootTime(state, machine);
  const pid = (b: number, span: number, key: string): number => hostPid(machine, b, span, key);
  const sys = (p: number, user: string, stat: string, at: number, cmd: string, vsz: number, rss: number, share = 0): Proc => ({ user, pid: p, ppid: 1, share, vsz, rss, tty: '?', stat, start: at, cmd });
  const procs: Proc[] = [
    { user: 'root', pid: 1, ppid: 0, share: 0.0005, vsz: 22_472, rss: 13_440, tty: '?', stat: 'Ss', start: boot, cmd: '/sbin/init' },
    ...KTHREADS.map(([p, cmd, stat]): Proc => ({ user: 'root', pid: p, ppid: p === 2 ? 0 : 2, share: 0, vsz: 0, rss: 0, tty: '?', stat, start: boot, cmd })),
    sys(pid(300, 60, 'journald'), 'root', 'Ss', boot + 2_000, '/usr/lib/systemd/systemd-journald', 50_420, 16_128),
    sys(pid(380, 60, 'udevd'), 'root', 'Ss', boot + 2_000, '/usr/lib/systemd/systemd-udevd', 25_984, 7_168),
    sys(pid(460, 55, 'networkd'), 'systemd+', 'Ss', boot + 3_000, '/usr/lib/systemd/systemd-networkd', 18_320, 8_832),
  ];
  const unit = (id: Parameters<typeof unitPid>[2], user: string, stat: string, cmd: string, vsz: number, rss: number, share = 0): void => {
    if (unitActive(state, machine, id)) procs.push(sys(unitPid(state, machine, id), user, stat, unitSince(state, machine, id), cmd, vsz, rss, share));
  };
  unit('systemd-resolved.service', 'systemd+', 'Ss', '/usr/lib/systemd/systemd-resolved', 21_580, 12_928);
  procs.push(
    sys(pid(600, 40, 'cron'), 'root', 'Ss', boot + 4_000, '/usr/sbin/cron -f -P', 6_824, 2_688),
    sys(pid(640, 40, 'dbus'), 'message+', 'Ss', boot + 4_000, '@dbus-daemon --system --address=systemd: --nofork --nopidfile --systemd-activation --syslog-only', 9_780, 5_120),
    sys(pid(680, 20, 'logind'), 'root', 'Ss', boot + 4_000, '/usr/lib/systemd/systemd-logind', 17_972, 8_064),
  );
  unit('containerd.service', 'root', 'Ssl', '/usr/bin/containerd', 1_946_832, 49_792, 0.004);
  procs.push({ ...sys(pid(900, 60, 'agetty'), 'root', 'Ss+', boot + 6_000, '/sbin/agetty -o -p -- \\u --noclear - linux', 6_236, 2_048), tty: 'tty1' });
  unit('ssh.service', 'root', 'Ss', 'sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups', 12_020, 7_936);
  if (node) {
    unit('kubelet.service', 'root', 'Ssl', KUBELET_COMMAND, 2_268_536, 77_824, 0.02);
    const pods = Object.values(state.k8s.pods).filter((p) => p.spec.nodeName === machine && p.status.phase === 'Running');
    for (const pod of pods) {
      const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
      const started = Date.parse(pod.status.startTime ?? '') || now;
      const id = Array.from({ length: 8 }, (_, i) => fnv32a(`${i}/sandbox/${pod.metadata.uid}`).toString(16).padStart(8, '0')).join('');
      const { shim, pause } = podPids(machine, key, 0, !!pod.spec.hostNetwork);
      procs.push(sys(shim, 'root', 'Sl', started, `/usr/bin/containerd-shim-runc-v2 -namespace k8s.io -id ${id} -address /run/containerd/containerd.sock`, 1_238_632, 14_208, 0.0005));
      procs.push({ ...sys(pause, '65535', 'Ss', started, '/pause', 1_020, 512), ppid: shim });
      for (const [i, c] of pod.spec.containers.entries()) {
        const at = pod.status.containerStatuses?.find((s) => s.name === c.name)?.state.running?.startedAt;
        if (!at) continue;
        for (const p of containerProcs(state, machine, pod, c, podPids(machine, key, i, !!pod.spec.hostNetwork).main, Date.parse(at))) procs.push({ ...p, ppid: shim });
      }
    }
  }
  return procs;
}
