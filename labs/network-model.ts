import { defineLab } from '../src/labs/schema';

/**
 * Lab for the lesson "The Kubernetes network model, as a graph".
 * The learner says which address a pod-to-pod message carries, names a node's vertex, reads
 * the routing entry that sends a message across nodes, predicts the whole path as a list of
 * vertices before pinging (graded against the path the packet engine then took, explained from
 * the forwarding tables), writes down the path from a node to its own pod, takes the tunnel
 * device down, predicts the new path (now ending in a discard, and where), and repairs the
 * tunnel by restarting flanneld.
 */
export const networkModel = defineLab({
  id: 'network-model',
  title: 'Predict a path through the graph, break a link, predict again',
  summary: 'A three-node cluster with a web Deployment and a busybox client pod. Read the forwarding tables, predict the vertices a ping from client to a web pod on another node crosses, then take the tunnel down, predict where the next ping is discarded, and bring the tunnel back.',
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
`,
  bindings: {
    client: { pod: { name: 'client' } },
    clientNode: { node: { nodeOf: 'client' } },
    far: { pod: { labels: { app: 'web' }, notOnNodeOf: 'client' } },
    farNode: { node: { nodeOf: 'far' } },
    flannel: { pod: { namespace: 'kube-flannel', labels: { app: 'flannel' }, onNodeOf: 'client' } },
  },
  tasks: [
    {
      id: 'target-address',
      title: 'Whose address is the target?',
      description: 'Pod `client` ({{client.ip}}) sends a message to pod `{{far.name}}` on {{far.node}}. Which destination address does the message carry, from client all the way to {{far.name}}? Pick one with `answer target-address <letter>`, or in the panel.',
      check: {
        choice: {
          options: [
            { text: '{{client.ip}}, the address of client', why: '{{client.ip}} is the source: the sender\'s own address. The destination of a send from P1 to P2 is P2\'s address.' },
            { text: '{{far.ip}}, the address of {{far.name}}', correct: true, why: 'Every pod has an address of its own, and a message to a pod carries that address all the way: nothing on the way translates it (no NAT).' },
            { text: '{{far.nodeIp}}, the address of {{far.node}}', why: '{{far.nodeIp}} is the destination of the VXLAN packet that flannel wraps around the message between the nodes. The message inside keeps {{far.ip}}, and {{far.node}} unwraps it and routes it on to the pod.' },
            { text: 'The address of a Service in front of {{far.name}}', why: 'A Service has an address of its own, but a pod can send straight to another pod\'s address, as here: pod to pod needs no Service.' },
          ],
          wrong: 'The message is addressed to the pod that should receive it.',
        },
      },
      passed: 'The target address belongs to the receiver, {{far.name}}: {{far.ip}} from start to end.',
      hints: ['`kubectl get pods -o wide` lists both pods with their addresses. Which one is supposed to receive the message?'],
      solution: { text: 'The destination is the receiver\'s own address, {{far.ip}}: b.', steps: ['answer target-address b'] },
    },
    {
      id: 'node-vertex',
      title: "Name a node's vertex",
      description: "In the graph, a vertex is a process (where messages start and end) or a switch (which moves them on). A pod's containers share one network namespace, so a pod is one process vertex, `K8s-Pod(NAMESPACE/NAME)`. The kubelet, kube-proxy and flanneld of {{client.node}} all run in that node's own network namespace, on {{client.nodeIp}}. What is their vertex called? Answer with `answer node-vertex '<name>'` (in the terminal, quote anything with parentheses: the shell reads them).",
      check: { answer: { expect: 'K8s-Node({{client.node}})', normalize: 'path', wrong: "A node is not a pod: the node's host processes share the node's address, and their vertex is written K8s-Node(NAME)." } },
      passed: "K8s-Node({{client.node}}): every host process of {{client.node}}. It sends through {{client.node}}/router, the node's IP forwarding, which is a switch of the graph.",
      hints: ['Pods are `K8s-Pod(...)`. What would the same notation call a node?'],
      solution: { text: 'A node is `K8s-Node(NAME)`, not `K8s-Pod(NAME)`: K8s-Node({{client.node}}).', steps: ["answer node-vertex 'K8s-Node({{client.node}})'"] },
    },
    {
      id: 'read-entry',
      title: "Read the router's table",
      description: "A node's routing table is the forwarding table of its `NODE/router` vertex. Read {{client.node}}'s: `ssh {{client.node}} ip route`. Which entry decides where {{client.node}} sends a message for {{far.ip}}? Answer with its prefix: `answer read-entry <prefix>`.",
      check: { answer: { expect: '{{farNode.podCidr}}', normalize: 'cidr', wrong: 'Find the lines of `ip route` whose prefix contains {{far.ip}}. `default` matches every address, but a longer prefix wins.' } },
      passed: '`{{farNode.podCidr}} via {{farNode.tunnelIp}} dev flannel.1`: the message goes into the tunnel to {{far.node}}. flannel.1 finds the MAC for {{farNode.tunnelIp}} in the neighbour table (`ip neigh`) and {{far.node}}\'s address for that MAC in its FDB (`bridge fdb show dev flannel.1`).',
      hints: ['`ssh {{client.node}} ip route` prints the table; `ssh {{client.node}} ip route get {{far.ip}}` names the route the kernel would use.', '{{far.ip}} lies in {{far.node}}\'s pod range, {{farNode.podCidr}}.'],
      solution: { text: 'The route `{{farNode.podCidr}} via {{farNode.tunnelIp}} dev flannel.1` is the longest prefix that contains {{far.ip}}.', steps: ['answer read-entry {{farNode.podCidr}}'] },
    },
    {
      id: 'predict-path',
      title: 'Predict the path across nodes',
      description: 'Predict the path of a ping from client to {{far.name}} ({{far.ip}}): the vertices it visits, in order, from `K8s-Pod(default/client)` to `K8s-Pod(default/{{far.name}})`. A bridge is `NODE/cni0`, a node\'s IP forwarding `NODE/router`, the LAN between the nodes `lan`; where the message rides a tunnel, write the `lan` its outer packet crosses between the two routers. Lock in your prediction with `answer predict-path \'<vertices>\'` (quoted, or in the panel), then ping: `kubectl exec client -- ping -c 1 {{far.ip}}`.',
      check: {
        predict: {
          reveal: { value: 'packet-path', from: '@client', to: '@far' },
          retries: 2,
          placeholder: 'K8s-Pod(default/client) {{client.node}}/cni0 ...',
          explain: "client's own table sends everything outside {{clientNode.podCidr}} via {{clientNode.bridgeIp}}, cni0's address: the bridge hands the frame up to {{client.node}}/router. Its entry {{farNode.podCidr}} sends the message through flannel.1, whose outer packet crosses the LAN to {{far.node}}/router; there `{{farNode.podCidr}} dev cni0` hands it to the bridge, which forwards it to the pod's port.",
        },
      },
      passed: 'Well predicted: two routers, two bridges and the LAN.',
      hints: [
        "Start at client: what does client's own routing table say about {{far.ip}}? (`kubectl exec client -- ip route`; its gateway {{clientNode.bridgeIp}} is cni0 on {{client.node}}.)",
        'Then follow the tables: {{client.node}}/router sends it through the tunnel, whose outer packet crosses lan to {{far.node}}/router, and {{far.node}} hands it to its bridge. Seven vertices in all.',
      ],
      solution: {
        text: 'Predict the seven vertices, then ping to see them.',
        steps: [
          "answer predict-path 'K8s-Pod(default/client) {{client.node}}/cni0 {{client.node}}/router lan {{far.node}}/router {{far.node}}/cni0 K8s-Pod(default/{{far.name}})'",
          'kubectl exec client -- ping -c 1 {{far.ip}}',
        ],
      },
    },
    {
      id: 'node-to-pod',
      title: 'From a node to its own pod',
      description: 'Agents on a node, such as the kubelet, reach the pods on that node. Ping client from its node (`ssh {{client.node}} ping -c 1 {{client.ip}}`), and write down the path the ping took, from `K8s-Node({{client.node}})` to `K8s-Pod(default/client)`: `answer node-to-pod \'<vertices>\'`. The Packet path view shows its hops.',
      check: { answer: { observed: { value: 'packet-path', from: '@clientNode', to: '@client' }, wrong: "The node's processes send through the node's IP forwarding; which table entry covers {{client.ip}} there?" } },
      passed: "K8s-Node({{client.node}}) → {{client.node}}/router → {{client.node}}/cni0 → K8s-Pod(default/client): the router's connected route {{clientNode.podCidr}} dev cni0 puts the pod one bridge away. No tunnel, and no NAT.",
      hints: ['Every message of a node\'s processes goes through `NODE/router` first.', 'Four vertices: the node, its router, its bridge, the pod.'],
      solution: { text: 'Ping client from its node and write the four vertices it crossed.', steps: ['ssh {{client.node}} ping -c 1 {{client.ip}}', "answer node-to-pod '{{expected.node-to-pod}}'"] },
    },
    {
      id: 'break-tunnel',
      title: 'Break a link',
      description: "Take the tunnel down on client's node: `ssh {{client.node}} ip link set flannel.1 down`. Then look at {{client.node}}'s tables again (`ip route`, `ip neigh`): what went with the device? The lab checks the device and the route `{{farNode.podCidr}}` you read before.",
      needs: ['predict-path'],
      check: {
        all: [
          { state: { link: { on: '@clientNode', dev: 'flannel.1', up: false } } },
          { state: { route: { on: '@clientNode', dst: '{{farNode.podCidr}}', absent: true } } },
        ],
      },
      passed: 'flannel.1 is down, and with it went every route and neighbour entry through it: the kernel deleted them when the device went down.',
      hints: ['`ssh {{client.node}} ip link set flannel.1 down` runs the command on the node.'],
      solution: { text: 'Set flannel.1 down on {{client.node}}.', steps: ['ssh {{client.node}} ip link set flannel.1 down'] },
    },
    {
      id: 'predict-broken',
      title: 'Predict again',
      description: "With flannel.1 down, read {{client.node}}'s routing table again and predict the path of the next ping from client to {{far.ip}}: which vertices does it visit now, and which one discards it? End the list with the word `discard` after the vertex that discards the message. Lock it in with `answer predict-broken '<vertices> discard'`, then ping: `kubectl exec client -- ping -c 1 {{far.ip}}`.",
      needs: ['break-tunnel'],
      check: {
        predict: {
          reveal: { value: 'packet-path', from: '@client', to: '{{far.ip}}' },
          retries: 2,
          placeholder: 'K8s-Pod(default/client) ... discard',
          explain: "Taking flannel.1 down removed the routes through it, so {{far.ip}} now matches only `default via 192.168.49.1`: {{client.node}} sends the message over the LAN to the gateway, which has no route to the pod network and discards it. A broken link does not stop a message where the link was: the next entry that matches decides.",
        },
      },
      passed: 'Well predicted: the message is not lost at the broken tunnel but at the gateway, where the default route sent it.',
      hints: [
        "`ssh {{client.node}} ip route get {{far.ip}}` names the entry that matches now.",
        'The default route leads to 192.168.49.1, the `gateway` vertex on `lan`. Does the gateway know a way to the pod network?',
      ],
      solution: {
        text: 'The default route now takes the message to the gateway, which discards it.',
        steps: [
          "answer predict-broken 'K8s-Pod(default/client) {{client.node}}/cni0 {{client.node}}/router lan gateway discard'",
          'kubectl exec client -- ping -c 1 {{far.ip}}',
        ],
      },
    },
    {
      id: 'repair',
      title: 'Repair the tunnel',
      description: 'Make client reach {{far.name}} again. After each step, look at {{client.node}}\'s tables: which entries are back, and who wrote them in the first place? The lab sends a ping of its own.',
      needs: ['predict-broken'],
      check: { probe: { from: '@client', ping: '{{far.ip}}', expect: 'reply' } },
      passed: "{{client.node}} has its route and neighbour entry for {{far.node}}'s tunnel again (flanneld writes them when it starts), and client reaches {{far.ip}}.",
      hints: [
        "`ip link set flannel.1 up` brings the device back, but not the routes and neighbour entries the kernel deleted with it: flanneld wrote those when it started.",
        { text: 'flanneld runs in pod `{{flannel.name}}` (namespace kube-flannel) on {{client.node}}. Delete it: the DaemonSet starts a new one, which programs the tables again. `kubectl -n kube-flannel delete pod {{flannel.name}}`', cost: 3 },
      ],
      solution: {
        text: "Restart flanneld on {{client.node}}: delete its pod and wait for the DaemonSet's new one to be Ready; it brings flannel.1 up and writes the routes, neighbours and FDB entries again.",
        steps: ['kubectl -n kube-flannel delete pod {{flannel.name}}', 'kubectl -n kube-flannel wait --for=condition=Ready pod -l app=flannel --timeout=60s'],
      },
    },
  ],
});
