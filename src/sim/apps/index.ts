/**
 * The images the sandbox knows, one file each: the registry every question about an image
 * goes through (what it serves, its environment, its files, whether it is known at all).
 *
 * Design notes: a new image is one file exporting an ImageDef, listed here, plus its test.
 * The first image whose repository, last path component or own test matches a reference wins.
 * An image not listed still runs (the pod is Running: the model does not pull images), but
 * its program is unknown, so it listens on nothing: a connection to it is refused.
 * The sandbox says so where a learner looks when a pod does not answer: after the kubelet's
 * Started event, a Normal event with reason `NotModelled` from a component named `sandbox`
 * (k8s/api.ts). An event keeps kubectl's formats intact (describe's Events table, `get
 * events`, `events`), its source makes plain that no Kubernetes component said it, and the
 * pod's status stays what is true in the model: Running, Ready.
 */
import { agnhost } from './agnhost';
import { coredns } from './coredns';
import { echoserver } from './echoserver';
import { helloApp } from './hello-app';
import { DEFAULT_PATH, parseImageRef, type AppContext, type ImageDef, type ImageRef } from './image';
import { podContainerEnv } from '../container-env';
import type { Container, Pod } from '../k8s/types';
import type { SimState } from '../state';
import { ingressNginx } from './ingress-nginx';
import { kubernetesBootcamp } from './kubernetes-bootcamp';
import { kubeWebhookCertgen } from './kube-webhook-certgen';
import { nginx } from './nginx';
import { nginxHttps } from './nginxhttps';
import { serveHostnameImage } from './serve-hostname';
import { alpine, busybox, curlImage, jessieDnsutils, netshoot, system } from './tools';

export const IMAGES: readonly ImageDef[] = [ingressNginx, nginx, nginxHttps, coredns, agnhost, serveHostnameImage, echoserver, helloApp, kubernetesBootcamp, kubeWebhookCertgen, busybox, alpine, curlImage, netshoot, jessieDnsutils, system];

function matches(def: ImageDef, ref: ImageRef): boolean {
  return (def.repos?.includes(ref.repo) ?? false) || (def.names?.includes(ref.name) ?? false) || (def.match?.(ref) ?? false);
}

/** The image a reference names, with the reference parsed; undefined for an image the sandbox does not know. */
export function imageDef(image: string): { def: ImageDef; ref: ImageRef } | undefined {
  const ref = parseImageRef(image);
  const def = IMAGES.find((d) => matches(d, ref));
  return def ? { def, ref } : undefined;
}

/** The image's family name (`unknown` for an image the sandbox does not know). */
export function imageId(image: string): string {
  return imageDef(image)?.def.id ?? 'unknown';
}

export function isKnownImage(image: string): boolean {
  return imageDef(image) !== undefined;
}

/** The image configuration's environment; an unknown image gets containerd's default PATH. */
export function imageEnv(image: string): [string, string][] {
  const hit = imageDef(image);
  return hit?.def.env?.(hit.ref) ?? [['PATH', DEFAULT_PATH]];
}

/** HOME for the image's user when nothing sets it. */
export function imageHome(image: string): string {
  return imageDef(image)?.def.home ?? '/root';
}

/** The image's own files a walk-through reads. */
export function imageFiles(image: string): Record<string, string> {
  const hit = imageDef(image);
  return hit?.def.files?.(hit.ref) ?? {};
}

/** What a container's program is told about where it runs, when its image is known. */
export function appContext(state: SimState, pod: Pod, c: Container): { def: ImageDef; app: AppContext } | undefined {
  const hit = imageDef(c.image);
  if (!hit) return undefined;
  let env: Map<string, string> | undefined;
  const app: AppContext = {
    state,
    pod,
    container: c,
    ref: hit.ref,
    argv: [...(c.command ?? []), ...(c.args ?? [])],
    env: (name) => (env ??= new Map(podContainerEnv(state, pod, c))).get(name),
  };
  return { def: hit.def, app };
}

/** The lines the container's program prints as it starts (see ImageDef.startup). */
export function startupLog(state: SimState, pod: Pod, c: Container): string[] {
  const hit = appContext(state, pod, c);
  return hit?.def.startup?.(hit.app) ?? [];
}

/** How long the container's program runs before it exits 0 by itself; undefined: until stopped. */
export function programRunsFor(state: SimState, pod: Pod, c: Container): number | undefined {
  const hit = appContext(state, pod, c);
  return hit?.def.runsFor?.(hit.app);
}

export { parseImageRef, type ImageDef, type ImageRef } from './image';
