import { defineLab } from '../src/labs/schema';

/**
 * Lab for the lesson "Nodes, pods and services: the three address pools".
 * The learner reads addresses off kubectl, sorts an address into its pool, predicts and then
 * sees the TTL of a reply from another node, predicts that a ClusterIP answers no ping, and
 * gives the web pods a second Service whose address comes from the service pool.
 */
export const threePools = defineLab({
  id: 'three-pools',
  title: 'Find your way around the three pools',
  summary: 'A three-node cluster with a web Deployment, a Service and a busybox client pod. Find addresses, sort them into pools, predict what a ping across nodes and a ping to a ClusterIP show, and give the web pods a second Service.',
  defaultSeed: 1,
  topology: { name: 'kubernetes', nodes: 3 },
  manifests: `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: Pod
metadata:
  name: client
  labels:
    run: client
spec:
  containers:
  - name: client
    image: busybox:1.36
    command: ["sleep", "3600"]
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 80
`,
  bindings: {
    client: { pod: { name: 'client' } },
    target: { pod: { labels: { app: 'web' }, notOnNodeOf: 'client' } },
    targetNode: { node: { nodeOf: 'target' } },
    web: { service: { name: 'web' } },
  },
  tasks: [
    {
      id: 'pod-ip',
      title: "Find a pod's IP",
      description: 'What IP address does pod `{{target.name}}` have? Answer with `answer pod-ip <address>`.',
      check: { answer: { expect: '{{target.ip}}', normalize: 'ip', wrong: 'Look at the IP column of `kubectl get pods -o wide`.' } },
      passed: '{{target.name}} has {{target.ip}}, from {{target.node}}\'s pod range.',
      hints: ['`kubectl get pods -o wide` lists every pod with its IP and its node.'],
      solution: { text: 'The IP column of `kubectl get pods -o wide` shows {{target.name}} at {{target.ip}}.', steps: ['answer pod-ip {{target.ip}}'] },
    },
    {
      id: 'pod-node',
      title: 'Find its node',
      description: 'Which node runs pod `{{target.name}}`? Answer with `answer pod-node <node name>`.',
      check: { answer: { expect: '{{target.node}}', wrong: 'The NODE column of `kubectl get pods -o wide` says where each pod runs.' } },
      passed: '{{target.name}} runs on {{target.node}} ({{target.nodeIp}}).',
      hints: ['The same `kubectl get pods -o wide` has a NODE column.'],
      solution: { text: 'The NODE column of `kubectl get pods -o wide` shows {{target.node}}.', steps: ['answer pod-node {{target.node}}'] },
    },
    {
      id: 'node-cidr',
      title: "Find the node's pod range",
      description: 'Pod addresses on {{target.node}} come from the /24 that kube-controller-manager gave that node. Which range is it? Answer with `answer node-cidr <range>`, such as `10.244.7.0/24`.',
      check: { answer: { expect: '{{targetNode.podCidr}}', normalize: 'cidr', wrong: 'The node object records it: `kubectl get node {{target.node}} -o jsonpath=\'{.spec.podCIDR}\'`.' } },
      passed: '{{target.node}} has {{targetNode.podCidr}}, and {{target.ip}} lies inside it.',
      hints: ["A node's range is in its `spec.podCIDR`: `kubectl get node {{target.node}} -o yaml`.", 'It is the /24 that contains {{target.ip}}: the first three numbers of the pod address, then `.0/24`.'],
      solution: { text: '`kubectl get node {{target.node}} -o jsonpath=\'{.spec.podCIDR}\'` prints {{targetNode.podCidr}}.', steps: ['answer node-cidr {{targetNode.podCidr}}'] },
    },
    {
      id: 'which-pool',
      title: 'Sort an address into its pool',
      description: 'Which pool does {{web.ip}} come from? Pick one with `answer which-pool <letter>`, or in the panel.',
      check: {
        choice: {
          options: [
            { text: 'The node network (192.168.49.0/24)', why: '192.168.49.0/24 holds the nodes, the gateway and the workstation; {{web.ip}} starts with 10.' },
            { text: 'The pod network (10.244.0.0/16)', why: 'Pod addresses start with 10.244; the second number of {{web.ip}} is not 244.' },
            { text: 'The service network (10.96.0.0/12)', correct: true, why: '{{web.ip}} is the ClusterIP of Service web: the API server allocated it from 10.96.0.0/12 (10.96.0.0 to 10.111.255.255), and no interface has it.' },
          ],
          wrong: 'Compare {{web.ip}} with the three ranges: nodes 192.168.49.0/24, pods 10.244.0.0/16, services 10.96.0.0/12.',
        },
      },
      hints: ['`kubectl get services` shows {{web.ip}} in the CLUSTER-IP column: which component gives out those addresses?'],
      solution: { text: '{{web.ip}} is the ClusterIP of Service web, from the service network 10.96.0.0/12: c.', steps: ['answer which-pool c'] },
    },
    {
      id: 'predict-ttl',
      title: 'Predict the TTL of a reply',
      description: 'Before you ping: `client` runs on {{client.node}} and `{{target.name}}` on {{target.node}}. The reply leaves {{target.name}} with TTL 64. What TTL will `ping` print for it in `client`? Lock in your prediction with `answer predict-ttl <number>`, then ping.',
      check: {
        predict: {
          reveal: { value: 'reply-ttl', from: '@client', to: '@target' },
          explain: 'Two routers decremented it: {{target.node}} routed the reply into flannel.1 (64 to 63) and {{client.node}} routed it onto cni0 (63 to 62). Bridges and veth pairs do not touch the TTL.',
        },
      },
      passed: 'Well predicted.',
      hints: ['Only routing decrements the TTL: count the machines that route the reply by its IP address on its way back.', 'The pods are on different /24s, so both nodes route the packet: once into the tunnel, once out of it.'],
      solution: { text: 'Predict 62 (two routed hops: one on each node), then ping {{target.ip}} from client to see `ttl=62`.', steps: ['answer predict-ttl 62'] },
    },
    {
      id: 'ping-across',
      title: 'Ping across nodes',
      description: 'From pod `client` (on {{client.node}}), ping `{{target.name}}` on {{target.node}} and get replies: `kubectl exec client -- ping -c 3 <its IP>`.',
      check: { observed: { from: '@client', to: '@target', proto: 'icmp', answered: true, hint: 'Ping {{target.name}} ({{target.ip}}) from client: `kubectl exec client -- ping -c 3 {{target.ip}}`.' } },
      passed: 'Replies from {{target.ip}} reached client: pod to pod across nodes, no NAT on the way.',
      hints: ['Use the pod\'s own IP address from `kubectl get pods -o wide`, not the Service\'s.'],
      solution: { text: 'Ping the pod address from client: replies come back with ttl=62.', steps: ['kubectl exec client -- ping -c 3 {{target.ip}}'] },
    },
    {
      id: 'ttl-hops',
      title: 'Count the routers',
      description: 'How many routers decremented the TTL of each reply on its way back to client? Answer with `answer ttl-hops <number>`.',
      needs: ['ping-across'],
      check: { answer: { expect: '2', normalize: 'number', wrong: 'Read the ttl= value of a reply and subtract it from 64. Bridges and veth pairs do not count; only routing does.' } },
      passed: 'Two routed hops: {{target.node}} routed the reply into the flannel.1 tunnel (64 to 63) and {{client.node}} routed it onto cni0 (63 to 62).',
      hints: ['64 minus the ttl= that ping printed.'],
      solution: { text: 'The replies show ttl=62: 64 - 62 = 2 routers, one on each node.', steps: ['answer ttl-hops 2'] },
    },
    {
      id: 'clusterip-ping',
      title: 'Predict a ping to a ClusterIP',
      description: 'Will `kubectl exec client -- ping -c 1 {{web.ip}}` (the ClusterIP of Service web) get a reply? Lock in `reply` or `no reply` with `answer clusterip-ping <prediction>`, then run it.',
      check: {
        predict: {
          reveal: { value: 'ping-outcome', from: '@client', to: '{{web.ip}}' },
          options: ['reply', 'no reply'],
          explain: 'No interface has {{web.ip}}: kube-proxy\'s rules rewrite only TCP, UDP and SCTP to the Service\'s ports, so the echo request follows the default route out of the cluster and is lost. The Service works all the same.',
          retries: 0,
        },
      },
      passed: 'Well predicted.',
      hints: ['Where does {{web.ip}} live? Look for it in `ip addr` on a node (`ssh {{client.node}}`).'],
      solution: { text: 'Predict `no reply`: a ClusterIP is on no interface and kube-proxy does not translate ICMP. Then ping it and see every request lost.', steps: ['answer clusterip-ping no reply', 'kubectl exec client -- ping -c 1 {{web.ip}}'] },
    },
    {
      id: 'second-service',
      title: 'Give the web pods a second Service',
      description: 'Create a second Service, `web2`, for the web Deployment on port 80 (`kubectl expose deployment web --name=web2 --port=80`), then see where its ClusterIP comes from with `kubectl get services`. The lab checks that client can fetch the web page through it.',
      check: { probe: { from: '@client', http: 'http://web2/', expect: 200, body: 'Welcome to nginx' } },
      passed: 'client fetched the page through web2: the API server gave web2 its own address from the service network, and kube-proxy on every node sends it to the same three pods.',
      hints: ['`kubectl expose deployment web --name=web2 --port=80` creates it.', 'Check with `kubectl exec client -- wget -qO- http://web2/`: the name resolves to web2\'s ClusterIP.'],
      solution: { text: 'Expose the Deployment again under another name: `kubectl expose deployment web --name=web2 --port=80`. `kubectl get services` then shows web2 with its own ClusterIP from 10.96.0.0/12.', steps: ['kubectl expose deployment web --name=web2 --port=80'] },
    },
  ],
});
