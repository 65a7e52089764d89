/**
 * `deployment`: one Deployment, with its ReplicaSet's pod-template hash and its pods.
 */
import { z } from 'zod';
import { BindingError, defineBindingKind } from './types';

const params = z
  .object({
    /** Namespace (default `default`). */
    namespace: z.string().default('default'),
    /** The Deployment's name. */
    name: z.string(),
  })
  .strict();

export const deploymentBinding = defineBindingKind({
  name: 'deployment',
  doc: 'One Deployment: its replica count, the hash its ReplicaSet and pods carry, and its pods at session start.',
  params,
  fields: {
    name: 'the Deployment name',
    namespace: 'its namespace',
    replicas: 'spec.replicas',
    hash: 'the pod-template-hash label of its current ReplicaSet',
    replicaSet: 'the name of that ReplicaSet',
    pods: 'its pods, comma-separated, in name order',
    podIps: "those pods' addresses, comma-separated, in the same order",
  },
  example: { name: 'web' },
  resolve(q, { sim, name }) {
    const d = sim.state.k8s.deployments[`${q.namespace}/${q.name}`];
    if (!d) throw new BindingError(`binding ${name} names Deployment ${q.namespace}/${q.name}, which does not exist`);
    const rs = Object.values(sim.state.k8s.replicasets)
      .filter((r) => r.metadata.namespace === q.namespace && r.metadata.ownerReferences?.some((o) => o.kind === 'Deployment' && o.name === q.name))
      .sort((a, b) => (b.spec.replicas ?? 0) - (a.spec.replicas ?? 0))[0];
    const hash = rs?.metadata.labels?.['pod-template-hash'] ?? '';
    const pods = Object.values(sim.state.k8s.pods)
      .filter((p) => p.metadata.namespace === q.namespace && p.metadata.ownerReferences?.some((o) => o.kind === 'ReplicaSet' && o.name === rs?.metadata.name))
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    return {
      name: q.name,
      namespace: q.namespace,
      replicas: String(d.spec.replicas),
      hash,
      replicaSet: rs?.metadata.name ?? '',
      pods: pods.map((p) => p.metadata.name).join(','),
      podIps: pods.map((p) => p.status.podIP ?? '').join(','),
    };
  },
});
