import { defineLab } from '../src/labs/schema';

/**
 * Lab for the capstone lesson "Troubleshooting: from the symptom to the layer".
 * A three-node Canal cluster (Calico's CNI and Felix enforcing NetworkPolicy, flannel VXLAN
 * between nodes) with a web Deployment of two nginx pods behind Service web, a busybox pod
 * `client` on node-2 that should reach it, a busybox pod `batch` on node-1 that should not, and
 * five faults at once: CoreDNS scaled to zero, the Service's selector changed to a label no pod
 * carries, a NetworkPolicy that admits the client on a port nginx does not listen on, node-2's
 * flannel route to node-1's pod subnet deleted, and the client's eth0 at MTU 9000 over a veth
 * whose node end has 1500 (so its big packets vanish at the node). The task texts give the
 * symptoms a developer reports; every task is graded on the repaired sandbox only: the state
 * the repair leaves (endpoints, a name that resolves) and traffic the grader sends itself
 * (probes, which also check that the batch pod stays shut out). The one prediction is about
 * the repaired cluster: a ping to a web pod still gets no reply, because the repaired policy
 * admits TCP port 80 only.
 */
export const troubleshooting = defineLab({
  id: 'troubleshooting',
  title: 'Repair a broken cluster',
  summary: 'A three-node Canal cluster where a web app behind the Service web should answer a client pod, and nothing works. Five things are broken, at five different layers. Start from what the client sees, find each layer that fails with the tools of the earlier lessons, and repair it as you would on a real cluster.',
  defaultSeed: 1,
  topology: { name: 'kubernetes', nodes: 3, cni: 'canal' },
  manifests: `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 2
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
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - name: http
    port: 80
    targetPort: 80
---
apiVersion: v1
kind: Pod
metadata:
  name: client
  labels:
    run: client
spec:
  nodeSelector:
    kubernetes.io/hostname: node-2
  containers:
  - name: client
    image: busybox:1.36
    command: ["sleep", "3600"]
---
apiVersion: v1
kind: Pod
metadata:
  name: batch
  labels:
    run: batch
spec:
  nodeSelector:
    kubernetes.io/hostname: node-1
  containers:
  - name: batch
    image: busybox:1.36
    command: ["sleep", "3600"]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web-allow-client
spec:
  podSelector:
    matchLabels:
      app: web
  policyTypes:
  - Ingress
  ingress:
  - from:
    - podSelector:
        matchLabels:
          run: client
    ports:
    - protocol: TCP
      port: 8080
`,
  faults: [
    { kind: 'coredns-down' },
    { kind: 'wrong-selector', service: 'web', selector: { app: 'web-v2' } },
    { kind: 'route-deleted', node: 'node-2', dst: '10.244.1.0/24' },
    { kind: 'mtu-mismatch', target: { pod: 'client' }, device: 'eth0', mtu: 9000 },
  ],
  bindings: {
    client: { pod: { name: 'client' } },
    batch: { pod: { name: 'batch' } },
    near: { pod: { labels: { app: 'web' }, onNodeOf: 'client' } },
    far: { pod: { labels: { app: 'web' }, notOnNodeOf: 'client' } },
    web: { service: { name: 'web' } },
    dns: { service: { namespace: 'kube-system', name: 'kube-dns' } },
    clientNode: { node: { nodeOf: 'client' } },
    batchNode: { node: { nodeOf: 'batch' } },
    agent: { pod: { namespace: 'kube-system', labels: { 'k8s-app': 'canal' }, onNodeOf: 'client' } },
  },
  tasks: [
    {
      id: 'names',
      title: 'Names do not resolve',
      description: 'The app\'s team reports: `kubectl exec client -- wget -qO- -T 3 http://web` prints `wget: bad address \'web\'`. Work down from the name: which server does the client ask, and who should answer behind it? Repair what you find, so that `web` resolves from the client again.',
      check: {
        all: [
          { state: { endpoints: { namespace: 'kube-system', service: 'kube-dns', min: 1 } } },
          { state: { resolves: { from: '@client', name: 'web', to: '{{web.ip}}' } } },
        ],
      },
      passed: '`web` resolves to {{web.ip}} again. The resolver asked {{dns.ip}}, the kube-dns Service, which had no endpoints: nothing ran behind it, and kube-proxy\'s REJECT rule refused every query.',
      hints: [
        '`kubectl exec client -- nslookup web` says which server it asked. `kubectl -n kube-system get endpoints kube-dns` says who stands behind it.',
        'The endpoints of kube-dns are the pods of a Deployment in kube-system: `kubectl -n kube-system get deployment`. kubeadm runs two replicas.',
      ],
      solution: {
        text: 'kube-dns has no endpoints because the coredns Deployment was scaled to zero. Scale it back to kubeadm\'s two replicas.',
        steps: ['kubectl -n kube-system scale deployment coredns --replicas=2'],
      },
    },
    {
      id: 'refused',
      title: 'Connection refused',
      description: 'With names back, `kubectl exec client -- wget -qO- -T 3 http://web` gets `Connection refused` at once. Nothing refuses on a ClusterIP by itself: find what the Service would send the request to, and repair it so that both web pods stand behind `web`. (The request may still fail in another way afterwards: that is the next task.)',
      check: { state: { endpoints: { service: 'web', ready: 2 } } },
      passed: 'The Service selects the two web pods again, and kube-proxy\'s rules send to them instead of rejecting.',
      hints: [
        '`kubectl get endpoints web` lists who stands behind the Service. Empty? Compare the Service\'s selector (`kubectl describe svc web`) with the pods\' labels (`kubectl get pods --show-labels`).',
        'Put the selector back to the label the pods carry: `kubectl patch svc web -p \'spec: {selector: {app: web} }\'` (or `kubectl edit svc web`).',
      ],
      solution: {
        text: 'The Service selects `app=web-v2`, which no pod carries, so it has no endpoints and kube-proxy rejects its connections. Set its selector back to `app=web`.',
        steps: ['kubectl patch svc web -p \'spec: {selector: {app: web} }\''],
      },
    },
    {
      id: 'silence',
      title: 'Requests time out',
      description: 'Now `kubectl exec client -- wget -qO- -T 3 http://{{near.ip}}/` (a web pod on the client\'s own node) says `download timed out`: no refusal, no answer. The Service is fine and the pod is Running. Find what drops the request and repair it so that the client is answered, without opening the web pods to everyone: the `batch` pod must still be kept out of them.',
      needs: ['refused'],
      check: {
        all: [
          { probe: { from: '@client', http: 'http://{{near.ip}}/', body: 'Welcome to nginx' } },
          { probe: { from: '@batch', tcp: '{{far.ip}}:80', expect: 'timeout' } },
        ],
      },
      passed: 'Felix, Canal\'s policy agent, now admits the client on port 80, where nginx listens, and still drops everything else that comes to the web pods: the batch pod, and ping.',
      hints: [
        'A packet that vanishes between two pods on the same node never crosses a tunnel or a route: what on the node decides whether a pod may receive it? `kubectl get networkpolicy`.',
        '`kubectl describe networkpolicy web-allow-client`: which pods, from where, and on which port? nginx listens on 80 (`kubectl get pod {{near.name}} -o yaml`, containerPort).',
        'Change the port in the policy: `kubectl edit networkpolicy web-allow-client`, or `kubectl patch networkpolicy web-allow-client --type=json -p \'[{"op":"replace","path":"/spec/ingress/0/ports/0/port","value":80}]\'`.',
      ],
      solution: {
        text: 'The policy selects the web pods and admits the client on TCP port 8080 only, where nothing listens: every request to port 80 is dropped. Admit port 80 instead; deleting the policy would let the batch pod in too.',
        steps: ['kubectl patch networkpolicy web-allow-client --type=json -p \'[{"op":"replace","path":"/spec/ingress/0/ports/0/port","value":80}]\''],
      },
    },
    {
      id: 'ping-web',
      title: 'Predict a ping to a repaired pod',
      description: 'The client now gets the page from {{near.name}}. Will `kubectl exec client -- ping -c 1 -W 1 {{near.ip}}` get a reply? Predict, then run it.',
      needs: ['silence'],
      check: {
        predict: {
          reveal: { value: 'ping-outcome', from: '@client', to: '@near' },
          options: ['reply', 'no reply'],
          explain: 'The policy that selects the web pods admits TCP port 80 from the client and nothing else, so Felix drops the echo request: with a policy in place, a failing ping says nothing about the network. Test the port the app serves (`wget`, `nc -zv`).',
        },
      },
      hints: ['Which protocols and ports does `web-allow-client` admit now?'],
      solution: { text: 'No reply: the repaired policy still admits only TCP port 80.', steps: ['answer ping-web no reply', 'kubectl exec client -- ping -c 1 -W 1 {{near.ip}}'] },
    },
    {
      id: 'other-node',
      title: 'Nothing on the other node answers',
      description: 'The client reaches pods on its own node ({{clientNode.name}}), but nothing on {{batchNode.name}}: `kubectl exec client -- ping -c 2 {{batch.ip}}` gets no reply, although no policy selects the batch pod, and requests to `web` that land on {{far.name}} time out. Follow the packet out of the client\'s node and repair what is missing, the way the cluster\'s network agent would.',
      check: { probe: { from: '@client', ping: '{{batch.ip}}' } },
      passed: 'The route to {{batchNode.podCidr}} is back on {{clientNode.name}}, via flannel.1, so the packet is encapsulated again instead of leaving by the default route.',
      hints: [
        'Open the Packet path view after the ping, or compare `ssh {{clientNode.name}} ip route` with `ssh {{batchNode.name}} ip route`: one node has a route the other lacks.',
        'flanneld writes the route to each other node\'s pod subnet when it starts, and does not check it afterwards. It runs in the canal pod of {{clientNode.name}}: `kubectl -n kube-system get pods -o wide -l k8s-app=canal`. Deleting that pod starts a new flanneld (or add the route by hand: `ssh {{clientNode.name}} ip route add {{batchNode.podCidr}} via {{batchNode.tunnelIp}} dev flannel.1 onlink`).',
      ],
      solution: {
        text: '{{clientNode.name}} has lost its route to {{batchNode.podCidr}}, so packets for the batch pod follow the default route to the LAN\'s gateway. Delete the canal pod on {{clientNode.name}}: its DaemonSet starts a new one, whose flanneld programs a route for every other node\'s lease.',
        steps: ['kubectl -n kube-system delete pod {{agent.name}}', 'sleep 10'],
      },
    },
    {
      id: 'big-packets',
      title: 'Big messages vanish',
      description: 'Small messages from the client now get through, big ones do not: `kubectl exec client -- ping -c 2 -s 2000 {{clientNode.ip}}` (its own node) gets no reply, while the same ping without `-s 2000` does, and no error comes back. Find where the big packets are lost and repair it.',
      check: { probe: { from: '@client', ping: '{{clientNode.ip}}', size: 2000 } },
      passed: 'The client\'s eth0 fits its veth peer again: a 2028-byte packet is now split by the client\'s own kernel into fragments that fit, instead of being dropped whole where it enters the node.',
      hints: [
        'Compare the MTU of the client\'s eth0 (`kubectl exec client -- ip link show eth0`) with that of its other end on the node (`ssh {{clientNode.name}} ip link`: the cali interface whose peer is the client\'s eth0).',
        'A veth drops frames longer than the MTU of the end they arrive at, without an error. The pod cannot change its own MTU (no NET_ADMIN); its node can, in the pod\'s network namespace: `ssh {{clientNode.name}} ip netns exec {{client.netns}} ip link set eth0 mtu 1500` (`ip netns` and `link-netns` on the cali interface name it).',
      ],
      solution: {
        text: 'The client\'s eth0 has MTU 9000 while its veth peer on {{clientNode.name}} has 1500: the client sends 2028-byte packets whole, and the node\'s end drops them. Set eth0 back to 1500 from the node, inside the pod\'s network namespace.',
        steps: ['ssh {{clientNode.name}} ip netns exec {{client.netns}} ip link set eth0 mtu 1500'],
      },
    },
    {
      id: 'end-to-end',
      title: 'The client reaches the app by name',
      description: 'Last, the check a user would make: from the client, `http://web` answers with nginx\'s page, whichever pod the Service picks: {{near.name}} on {{clientNode.name}} or {{far.name}} on the other node. Repair whatever still stands in the way.',
      check: {
        all: [
          { probe: { from: '@client', http: 'http://web/', body: 'Welcome to nginx' } },
          { probe: { from: '@client', http: 'http://web.default.svc.cluster.local/', body: 'Welcome to nginx' } },
          { probe: { from: '@client', http: 'http://{{near.ip}}/', body: 'Welcome to nginx' } },
          { probe: { from: '@client', http: 'http://{{far.ip}}/', body: 'Welcome to nginx' } },
        ],
      },
      passed: 'Name, Service, endpoints, policy, routes and MTU all hold: every layer between the client and both web pods is repaired.',
      hints: [
        'The grader asks for `http://web/` and for each web pod\'s own address: the feedback names the one that fails and where its packet was lost.',
        'Each layer between the client and a web pod must hold: the name, the Service, the policy, the route to the other node. This task passes by itself once they do.',
      ],
      solution: {
        text: 'Nothing more to type once the five layers are repaired: the name resolves, the Service has both pods, the policy admits port 80 from the client, both nodes route to each other\'s pods, and the client\'s MTU fits.',
      },
    },
  ],
});
