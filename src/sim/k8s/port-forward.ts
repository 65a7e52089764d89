/**
 * `kubectl port-forward`'s listeners on the workstation, as sandbox state.
 *
 * Design notes: while a `kubectl port-forward` runs (in any terminal of the session), its
 * forwards are listed here: a local port on the workstation's 127.0.0.1 (and ::1, which the
 * sandbox's IPv4-only stack does not reach) and a pod and port. The workstation's listeners
 * (apps.ts) include one per forward, named `kubectl` as `ss -ltnp` shows it, so `curl
 * localhost:8080` in another terminal reaches it. Each connection is handed, as the kubelet's
 * streaming server does, to the program listening on that port inside the pod's network
 * namespace, coming from the pod's own 127.0.0.1; no packets cross the cluster network. Each
 * forward counts its connections, which the running kubectl prints as `Handling connection
 * for 8080`. A forward to a pod that is gone answers nothing (the connection is reset).
 */
import type { SimState } from '../state';
import { formatIp, type Ip } from '../ipv4';

export interface PortForward {
  id: number;
  /** The local address, `127.0.0.1` (kubectl's default `--address localhost`). */
  address: string;
  localPort: number;
  namespace: string;
  pod: string;
  remotePort: number;
  /** Connections handled so far. */
  connections: number;
}

type WithForwards = SimState['k8s'] & { portForwards?: PortForward[]; portForwardSeq?: number };

export function portForwards(state: SimState): PortForward[] {
  return (state.k8s as WithForwards).portForwards ?? [];
}

/** Whether a local port is taken on the workstation by another forward. */
export function localPortInUse(state: SimState, port: number): boolean {
  return portForwards(state).some((f) => f.localPort === port);
}

export function startPortForward(state: SimState, f: Omit<PortForward, 'id' | 'connections'>): PortForward {
  const k8s = state.k8s as WithForwards;
  const pf: PortForward = { ...f, id: (k8s.portForwardSeq = (k8s.portForwardSeq ?? 0) + 1), connections: 0 };
  (k8s.portForwards ??= []).push(pf);
  return pf;
}

export function stopPortForward(state: SimState, id: number): void {
  const k8s = state.k8s as WithForwards;
  k8s.portForwards = (k8s.portForwards ?? []).filter((f) => f.id !== id);
  if (k8s.portForwards.length === 0) delete k8s.portForwards;
}

/** A forward's local address as a number (127.0.0.1 unless `--address` said otherwise). */
export function forwardIp(f: PortForward): Ip | undefined {
  const parts = f.address.split('.').map(Number);
  if (parts.length !== 4 || parts.some((n) => !(n >= 0 && n <= 255))) return undefined;
  const ip = ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
  return formatIp(ip) === f.address ? ip : undefined;
}
