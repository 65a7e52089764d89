/**
 * `service`: one Service, with one of its ports, its endpoints and kube-proxy's chain names.
 */
import { z } from 'zod';
import { serviceEndpoints, targetPortFor } from '../../sim/k8s/endpoints';
import { endpointChain, externalChain, serviceChain, servicePortName } from '../../sim/k8s/kube-proxy';
import { BindingError, defineBindingKind } from './types';

const params = z
  .object({
    /** Namespace (default `default`). */
    namespace: z.string().default('default'),
    /** The Service's name. */
    name: z.string(),
    /** Which port the port fields describe: its name or number (default the first). */
    port: z.union([z.string(), z.number().int()]).optional(),
  })
  .strict();

export const serviceBinding = defineBindingKind({
  name: 'service',
  doc: "One Service: its ClusterIP, one port (the first, or the one named), its endpoints at session start, and the names of kube-proxy's chains for that port.",
  params,
  fields: {
    name: 'the Service name',
    namespace: 'its namespace',
    ip: 'its ClusterIP (`None` for a headless Service, empty for ExternalName)',
    type: 'ClusterIP, NodePort, LoadBalancer or ExternalName',
    port: 'the port number',
    protocol: 'TCP, UDP or SCTP',
    targetPort: 'the target port, as written (a number or a port name)',
    nodePort: 'the node port (NodePort and LoadBalancer types), else empty',
    lbIp: "the load balancer's address (LoadBalancer type), else empty",
    ports: 'every port as kubectl shows them (`80/TCP`, `80:31234/TCP`), comma-separated',
    selector: 'the selector as `k=v,k=v`',
    endpoints: 'the ready endpoints as `ip:port`, comma-separated, in address order',
    endpointIps: 'the ready endpoint addresses, comma-separated',
    endpointCount: 'how many ready endpoints it has',
    chain: "kube-proxy's KUBE-SVC-... chain for the port",
    extChain: "kube-proxy's KUBE-EXT-... chain for the port (NodePort, LoadBalancer)",
    sepChains: "the KUBE-SEP-... chains of the ready endpoints, comma-separated, in address order",
    portName: "kube-proxy's service port name (`default/web` or `default/web:http`)",
  },
  example: { name: 'web' },
  resolve(q, { sim, name }) {
    const svc = sim.state.k8s.services[`${q.namespace}/${q.name}`];
    if (!svc) throw new BindingError(`binding ${name} names Service ${q.namespace}/${q.name}, which does not exist`);
    const ports = svc.spec.ports ?? [];
    const port = q.port === undefined ? ports[0] : ports.find((p) => p.name === q.port || p.port === q.port);
    if (q.port !== undefined && !port) throw new BindingError(`binding ${name}: Service ${q.name} has no port ${q.port}`);
    const ready = serviceEndpoints(sim.state, svc).filter((e) => e.ready);
    const spn = port ? servicePortName(svc, port) : '';
    const podOf = (podName: string) => sim.pod(q.namespace, podName);
    const eps = port ? ready.map((e) => `${e.ip}:${targetPortFor(port, podOf(e.pod)) ?? ''}`) : [];
    const nodePorted = svc.spec.type === 'NodePort' || svc.spec.type === 'LoadBalancer';
    return {
      name: svc.metadata.name,
      namespace: q.namespace,
      ip: svc.spec.clusterIP ?? '',
      type: svc.spec.type,
      port: port ? String(port.port) : '',
      protocol: port?.protocol ?? '',
      targetPort: port ? String(port.targetPort) : '',
      nodePort: port?.nodePort !== undefined ? String(port.nodePort) : '',
      lbIp: svc.status.loadBalancer.ingress?.[0]?.ip ?? '',
      ports: ports.map((p) => `${p.port}${p.nodePort !== undefined ? `:${p.nodePort}` : ''}/${p.protocol}`).join(','),
      selector: Object.entries(svc.spec.selector ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
      endpoints: eps.join(','),
      endpointIps: ready.map((e) => e.ip).join(','),
      endpointCount: String(ready.length),
      chain: port ? serviceChain(spn, port.protocol) : '',
      extChain: port && nodePorted ? externalChain(spn, port.protocol) : '',
      sepChains: port ? eps.map((ep) => endpointChain(spn, port.protocol, ep)).join(',') : '',
      portName: spn,
    };
  },
});
