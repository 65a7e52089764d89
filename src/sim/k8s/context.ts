/**
 * What every API operation runs with: the state, its RNG, the time and a few options.
 *
 * Design notes: a plain record passed down from the shell, a lab or a cluster build to the
 * API server, the controllers, the scheduler and the kubelets, so none of them reaches for a
 * clock or a global. It lives apart from api.ts so the modules below the API server (events,
 * scheduler, kubelet, stored objects) can name it without importing the API server.
 */
import type { Rng } from '../rng';
import type { SimState } from '../state';
import type { ScheduleCache } from './scheduler';

export interface ApiContext {
  state: SimState;
  rng: Rng;
  /** Epoch ms to stamp on created objects. */
  now: number;
  /** Scheduling shortcuts valid for this operation (nodes do not change during it). */
  schedule?: ScheduleCache;
  /** Record no events (a bulk build whose events the bounded store would drop anyway). */
  quiet?: boolean;
  /**
   * `timed`: new pods start as a kubelet starts them, over sandbox time (the shell's kubectl);
   * otherwise (cluster builds, lab manifests) they are Running at their creation time.
   */
  podStartup?: 'instant' | 'timed';
}
