import { defineLab } from '../src/labs/schema';

/**
 * Lab for the lesson "Nodes, pods and services: the three address pools".
 * The learner reads addresses off kubectl, sorts an address into its pool, pings a pod on
 * another node and explains the reply's TTL from the route it took.
 */
export const threePools = defineLab({
  id: 'three-pools',
  title: 'Find your way around the three pools',
  summary: 'A three-node cluster with a web Deployment, a Service and a busybox client pod. Find addresses, sort them into pools, and follow a ping across nodes.',
  defaultSeed: 1,
  cluster: {
    nodes: 3,
    workloads: {
      deployments: [{ name: 'web', replicas: 3, image: 'nginx:1.27', ports: [80] }],
      pods: [{ name: 'client', image: 'busybox:1.36', command: ['sleep', '3600'] }],
      services: [{ name: 'web', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 80 }] }],
    },
  },
  bindings: {
    client: { pod: { name: 'client' } },
    target: { pod: { labels: { app: 'web' }, notOnNodeOf: 'client' } },
    web: { service: { name: 'web' } },
  },
  tasks: [
    {
      id: 'pod-ip',
      title: "Find a pod's IP",
      description: 'What IP address does pod `{{target.name}}` have? Answer with `answer pod-ip <address>`.',
      check: { answer: { expect: '{{target.ip}}', normalize: 'ip', wrong: 'Look at the IP column of `kubectl get pods -o wide`.' } },
      passed: '{{target.name}} has {{target.ip}}, from {{target.node}}\'s pod range.',
    },
    {
      id: 'pod-node',
      title: 'Find its node',
      description: 'Which node runs pod `{{target.name}}`? Answer with `answer pod-node <node name>`.',
      check: { answer: { expect: '{{target.node}}', wrong: 'The NODE column of `kubectl get pods -o wide` says where each pod runs.' } },
      passed: '{{target.name}} runs on {{target.node}} ({{target.nodeIp}}).',
    },
    {
      id: 'which-pool',
      title: 'Sort an address into its pool',
      description: 'Which pool does {{web.ip}} come from: `node`, `pod` or `service`? Answer with `answer which-pool <pool>`.',
      check: {
        answer: {
          expect: ['service', 'services', 'service network', 'service pool', 'svc'],
          wrong: 'Compare {{web.ip}} with the three ranges: nodes 192.168.49.0/24, pods 10.244.0.0/16, services 10.96.0.0/12.',
        },
      },
      passed: '{{web.ip}} is the ClusterIP of Service web: the API server allocated it from 10.96.0.0/12, and no interface has it.',
    },
    {
      id: 'ping-across',
      title: 'Ping across nodes',
      description: 'From pod `client` (on {{client.node}}), ping `{{target.name}}` on {{target.node}} and get replies: `kubectl exec client -- ping -c 3 <its IP>`.',
      check: { echoReply: { in: 'client', from: 'target' } },
      passed: 'Replies from {{target.ip}} reached client: pod to pod across nodes, no NAT on the way.',
    },
    {
      id: 'ttl-hops',
      title: 'Explain the TTL',
      description: 'Each reply left {{target.name}} with TTL 64. How many routers decremented it on the way back to client? Answer with `answer ttl-hops <number>`.',
      check: { answer: { expect: '2', normalize: 'number', wrong: 'Read the ttl= value of a reply and subtract it from 64. Bridges and veth pairs do not count; only routing does.' } },
      passed: 'Two routed hops: {{target.node}} routed the reply into the flannel.1 tunnel (64 to 63) and {{client.node}} routed it onto cni0 (63 to 62).',
    },
  ],
  solution: [
    'kubectl get pods -o wide',
    'answer pod-ip {{target.ip}}',
    'answer pod-node {{target.node}}',
    'kubectl get services',
    'answer which-pool service',
    'kubectl exec client -- ping -c 3 {{target.ip}}',
    'answer ttl-hops 2',
  ],
});
