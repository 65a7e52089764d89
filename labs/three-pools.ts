import { defineLab } from '../src/labs/schema';

/** An address of the service range 10.96.0.0/12 (10.96.0.0 to 10.111.255.255), as a whole-value pattern. */
const IN_SERVICE_RANGE = '10\\.(9[6-9]|10[0-9]|11[01])\\.[0-9]{1,3}\\.[0-9]{1,3}';

/**
 * Lab for the lesson "Nodes, pods and services: the three address pools".
 * The learner finds a web pod's address and node, reads that node's pod block from the Node
 * object, works out from kube-controller-manager's flags how many nodes the pod range serves,
 * predicts that a ping into a block of the pod network that no node holds goes unanswered,
 * sorts addresses into pools, reads the API server's refusal of a ClusterIP from the pod range,
 * then gives the web pods a second Service with a ClusterIP of their own choosing (graded from
 * the Service and by fetching the page through it), predicts what an address clash between the
 * service range and a company network does, and predicts then sees the TTL of a reply from a
 * pod on another node.
 */
export const threePools = defineLab({
  id: 'three-pools',
  title: 'Find your way around the three pools',
  summary: 'A three-node cluster with a web Deployment, its Service and a busybox client pod. Find where each pool is set, place addresses in their pools, ask the API server for a ClusterIP it must refuse and then for one it accepts, and follow a ping to a pod on another node.',
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
    clientNode: { node: { nodeOf: 'client' } },
    cp: { node: { index: 0 } },
    n1: { node: { name: 'node-1' } },
    n2: { node: { name: 'node-2' } },
    web: { service: { name: 'web' } },
  },
  tasks: [
    {
      id: 'pod-ip',
      title: "Find a pod's address",
      description: 'What IP address does pod `{{target.name}}` have? `kubectl get pods -o wide` lists every pod with its address. Answer with `answer pod-ip <address>`.',
      points: 5,
      check: { answer: { expect: '{{target.ip}}', normalize: 'ip', wrong: 'Take the IP column of `{{target.name}}`\'s row in `kubectl get pods -o wide`: the address its own eth0 has.' } },
      passed: '{{target.name}} has {{target.ip}}, an address from the pod network.',
      hints: ['`kubectl get pods -o wide` has IP and NODE columns.'],
      solution: { text: 'The IP column of `kubectl get pods -o wide` shows {{target.name}} at {{target.ip}}.', steps: ['answer pod-ip {{target.ip}}'] },
    },
    {
      id: 'pod-node',
      title: 'Find its node',
      description: 'Which node runs pod `{{target.name}}`? Answer with `answer pod-node <node name>`.',
      points: 5,
      check: { answer: { expect: '{{target.node}}', wrong: 'Find `{{target.name}}`\'s row in `kubectl get pods -o wide`: its NODE column names the node it runs on.' } },
      passed: '{{target.name}} runs on {{target.node}}, whose own address is {{targetNode.ip}}: a node address, from the LAN, not from the pod network.',
      hints: ['The same `kubectl get pods -o wide` has a NODE column.'],
      solution: { text: 'The NODE column of `kubectl get pods -o wide` shows {{target.node}}.', steps: ['answer pod-node {{target.node}}'] },
    },
    {
      id: 'node-cidr',
      title: "Read the node's pod block",
      description: 'kube-controller-manager gave every node a block of the pod network and wrote it into the Node object, as `spec.podCIDR`. Which block does {{target.node}} have? `kubectl get nodes -o custom-columns=NAME:.metadata.name,POD-CIDR:.spec.podCIDR` lists them. Answer with `answer node-cidr <range>`, such as `10.244.7.0/24`.',
      check: { answer: { expect: '{{targetNode.podCidr}}', normalize: 'cidr', wrong: 'Read {{target.node}}\'s row of `kubectl get nodes -o custom-columns=NAME:.metadata.name,POD-CIDR:.spec.podCIDR`, or `kubectl get node {{target.node}} -o jsonpath=\'{.spec.podCIDR}\'`. A node\'s block is a /24 here, not the whole pod network.' } },
      passed: '{{target.node}} has {{targetNode.podCidr}}, and {{target.ip}} lies inside it: the network plugin on {{target.node}} hands out pod addresses from that block only, so the third number of a pod address names its node.',
      hints: ["`kubectl get node {{target.node}} -o yaml` shows `podCIDR` under `spec`.", 'It is the /24 that contains {{target.ip}}.'],
      solution: { text: '`kubectl get node {{target.node}} -o jsonpath=\'{.spec.podCIDR}\'` prints {{targetNode.podCidr}}.', steps: ['answer node-cidr {{targetNode.podCidr}}'] },
    },
    {
      id: 'node-count',
      title: 'How many nodes can the pod network serve?',
      description: 'The pod network is set in kube-controller-manager\'s static Pod manifest on the control plane: `ssh control-plane grep -e cidr /etc/kubernetes/manifests/kube-controller-manager.yaml`. The manifest has no `--node-cidr-mask-size`, so every node gets kube-controller-manager\'s default block, a /24. How many nodes can get a block of their own before the pod network runs out? Answer with `answer node-count <number>`.',
      check: { answer: { expect: '256', normalize: 'number', wrong: 'The question is how many /24 blocks fit in the /16, not how many addresses one block has. A /16 fixes 16 bits and a /24 fixes 24: a block fixes 8 more bits than the pod network. How many different values do 8 bits have?' } },
      passed: '10.244.0.0/16 holds 2^(24-16) = 256 blocks of /24, 10.244.0.0/24 to 10.244.255.0/24: a 257th node would get no podCIDR, and no pod network on it. Each block has 256 addresses, of which host-local hands out .2 to .254 (the bridge has .1), more than the 110 pods a kubelet runs by default.',
      hints: ['`--cluster-cidr=10.244.0.0/16` is the pod network; each node gets a /24 of it.', 'Count the /24s in a /16: the third number can take any value from 0 to 255.'],
      solution: { text: '`--cluster-cidr=10.244.0.0/16` cut into /24 blocks: 2^(24-16) = 256 nodes.', steps: ['answer node-count 256'] },
    },
    {
      id: 'empty-block',
      title: 'Predict a ping into an unused block',
      description: '10.244.77.7 lies in the pod network, in the block 10.244.77.0/24, which no node has (`kubectl get nodes -o custom-columns=NAME:.metadata.name,POD-CIDR:.spec.podCIDR`). Will `kubectl exec client -- ping -c 1 10.244.77.7` get a reply? Lock in `reply` or `no reply` with `answer empty-block <prediction>`, or in the panel, then run it.',
      check: {
        predict: {
          reveal: { value: 'ping-outcome', from: '@client', to: '10.244.77.7' },
          options: ['reply', 'no reply'],
          explain: 'No node holds 10.244.77.0/24, so no pod has an address there and no node has a route for it: {{client.node}} sent the request out by its default route, to the LAN\'s router, which knows nothing of the pod network. A pool is only a range; addresses lead somewhere once a node has the block and a pod has the address.',
          retries: 0,
        },
      },
      passed: 'Well predicted.',
      hints: ['Which node would deliver it? Look for 10.244.77.0/24 in `ssh {{client.node}} ip route`.'],
      solution: { text: 'Predict `no reply`: no node has that block, so nothing in the cluster has a route to it or an address in it. Then ping it and see the request lost.', steps: ['answer empty-block no reply', 'kubectl exec client -- ping -c 1 10.244.77.7'] },
    },
    {
      id: 'which-pool',
      title: 'Pick the service addresses',
      description: 'The service network is kube-apiserver\'s `--service-cluster-ip-range`, 10.96.0.0/12 (`ssh control-plane grep service-cluster /etc/kubernetes/manifests/kube-apiserver.yaml`). Which of these addresses lie in it? Pick every one, with `answer which-pool <letters>` (such as `a,c`), or in the panel.',
      check: {
        choice: {
          multiple: true,
          options: [
            { text: '{{web.ip}}', correct: true, why: '{{web.ip}} is the ClusterIP of Service web: its second number lies between 96 and 111, and the API server gave it out from 10.96.0.0/12.' },
            { text: '{{target.ip}}', why: '{{target.ip}} is pod {{target.name}}\'s address, from {{target.node}}\'s block of the pod network 10.244.0.0/16: 244 is not between 96 and 111.' },
            { text: '10.96.0.10', correct: true, why: '10.96.0.10 is the ClusterIP of kube-dns, the tenth address of the service range, which kubeadm gives the DNS Service.' },
            { text: '{{targetNode.ip}}', why: '{{targetNode.ip}} is {{target.node}}\'s own address on the LAN: the node network, set outside Kubernetes.' },
            { text: '10.112.0.10', why: '10.112.0.10 starts with 10 but lies just past the range: a /12 fixes the top four bits of the second number, so it covers 96 to 111, and 112 is 0111 0000, a different /12.' },
            { text: '10.244.0.1', why: '10.244.0.1 is cni0\'s address on control-plane, the .1 of its pod block 10.244.0.0/24: the pod network.' },
          ],
          wrong: 'Place each address: 10.96.0.0/12 runs from 10.96.0.0 to 10.111.255.255, the pods are in 10.244.0.0/16, the nodes in 192.168.49.0/24.',
        },
      },
      hints: ['10.96.0.0/12 is every address whose first number is 10 and second number is 96 to 111.', '`kubectl get svc -A` lists the ClusterIPs the API server has handed out so far.'],
      solution: { text: '{{web.ip}} (Service web) and 10.96.0.10 (kube-dns) lie in 10.96.0.0/12; 10.112.0.10 is just past it: a,c.', steps: ['answer which-pool a,c'] },
    },
    {
      id: 'bad-clusterip',
      title: 'Ask for a ClusterIP from the wrong pool',
      description: 'A Service may ask for its ClusterIP. Ask for a pod address and see what the API server says: `kubectl expose deployment web --name=web2 --port=80 --cluster-ip=10.244.100.100`. From which range does the error say a ClusterIP must come? Answer with `answer bad-clusterip <range>`.',
      check: { answer: { expect: '10.96.0.0/12', normalize: 'cidr', wrong: 'Run the command and read the end of the error, `The range of valid IPs is ...`: the range the API server hands ClusterIPs out from, its own --service-cluster-ip-range. The pod network 10.244.0.0/16, where 10.244.100.100 comes from, is not it.' } },
      passed: 'The API server allocates every ClusterIP from its --service-cluster-ip-range, 10.96.0.0/12, and refuses an address outside it (and the range\'s first and last address) before it stores anything: no web2 was created. It does not know which addresses the pods or the nodes use, only its own range.',
      hints: ['Run the command, then read the last sentence of the error.'],
      solution: { text: '`kubectl expose deployment web --name=web2 --port=80 --cluster-ip=10.244.100.100` is refused: `... is not in the valid range. The range of valid IPs is 10.96.0.0/12`.', steps: ['answer bad-clusterip 10.96.0.0/12'] },
    },
    {
      id: 'own-clusterip',
      title: 'Choose a ClusterIP the API server accepts',
      description: 'Now create web2 with a ClusterIP you choose from the service range, one no other Service holds (`kubectl get svc -A` lists the taken ones): `kubectl expose deployment web --name=web2 --port=80 --cluster-ip=<address>`. The lab checks web2\'s address and fetches the page through it from client.',
      needs: ['bad-clusterip'],
      check: {
        all: [
          { state: { field: { object: 'service/web2', path: '{.spec.clusterIP}', matches: IN_SERVICE_RANGE } } },
          { probe: { from: '@client', http: 'http://web2/', expect: 200, body: 'Welcome to nginx' } },
        ],
      },
      passed: 'web2 has the address you chose, and client fetched the page through it: the API server recorded it as taken, and kube-proxy on every node now rewrites connections to it and port 80 into connections to the web pods. No interface anywhere holds it.',
      hints: ['Any address from 10.96.0.1 to 10.111.255.254 that `kubectl get svc -A` does not show, such as 10.100.0.80.', 'If web2 exists with an address you do not want, `kubectl delete svc web2` and create it again.'],
      solution: { text: 'Expose the Deployment again under the name web2 with an address of the service range that no Service holds, such as 10.100.0.80.', steps: ['kubectl expose deployment web --name=web2 --port=80 --cluster-ip=10.100.0.80'] },
    },
    {
      id: 'overlap',
      title: 'Predict what an overlap does',
      description: 'Suppose the company network around the cluster uses 10.100.0.0/16, inside this cluster\'s service range, and its database listens on 10.100.0.15, port 5432. One day a Service in the cluster gets the ClusterIP 10.100.0.15 with port 5432. Where does a pod\'s connection to 10.100.0.15:5432 go? Pick one with `answer overlap <letter>`, or in the panel.',
      check: {
        choice: {
          options: [
            { text: 'To the database: the API server refuses a ClusterIP that another network uses', why: 'The API server knows only its own range, 10.96.0.0/12. Nothing tells it which addresses the networks around the cluster use.' },
            { text: 'To one of the Service\'s pods: kube-proxy\'s rule on the pod\'s own node rewrites it before any route is looked up', correct: true, why: 'kube-proxy\'s rule matches destination 10.100.0.15 and TCP port 5432 on every node and rewrites the destination to one of the Service\'s pods, before routing. The database has become unreachable on that port from inside the cluster. A ping, or another port, still follows the default route to the real 10.100.0.15.' },
            { text: 'To the database and the Service\'s pods in turn, one connection each', why: 'The rule matches every new connection to that address and port: none of them leaves the node with 10.100.0.15 as its destination.' },
            { text: 'Nowhere: the node sees the same address twice and drops the packet', why: 'Nothing compares the Service\'s address with the networks around the cluster. The rule wins, silently; that is what makes an overlap hard to find.' },
          ],
          wrong: 'Where is the packet first changed? On the sending pod\'s node, before the node routes it.',
        },
      },
      hints: ['A ClusterIP lives in kube-proxy\'s rules on every node, which match a destination address and port.'],
      solution: { text: 'kube-proxy\'s rule for 10.100.0.15:5432 matches first, on the pod\'s own node: the connection goes to the Service\'s pods, and the database is out of reach on that port: b.', steps: ['answer overlap b'] },
    },
    {
      id: 'predict-ttl',
      title: 'Predict the TTL of a reply from another node',
      description: 'Before you ping: `client` runs on {{client.node}} and `{{target.name}}` on {{target.node}}, so the two pods are in different blocks of the pod network. The reply leaves {{target.name}} with TTL 64. What TTL will `ping` print for it in `client`? Lock in your prediction with `answer predict-ttl <number>`, then ping: `kubectl exec client -- ping -c 3 {{target.ip}}`.',
      check: {
        predict: {
          reveal: { value: 'reply-ttl', from: '@client', to: '@target' },
          explain: 'Two routers took one off each: {{target.node}} routed the reply towards {{client.node}}\'s block ({{clientNode.podCidr}}), and {{client.node}} routed it into its own. The pod-to-pod-across-nodes lesson follows every hop.',
        },
      },
      passed: 'Well predicted.',
      hints: ['Only routing takes one off the TTL, and a node routes whatever leaves or enters its own block of the pod network.', 'Two different blocks, two nodes: each routes the reply once.'],
      solution: { text: 'Predict 62 (one routed hop on each node), then ping {{target.ip}} from client to see `ttl=62`.', steps: ['answer predict-ttl 62'] },
    },
    {
      id: 'ping-across',
      title: 'Ping a pod on another node',
      description: 'From pod `client` (on {{client.node}}), ping `{{target.name}}` on {{target.node}} by its pod address and get replies: `kubectl exec client -- ping -c 3 {{target.ip}}`.',
      check: { observed: { from: '@client', to: '@target', proto: 'icmp', answered: true, hint: 'Ping {{target.name}}\'s own address from client: `kubectl exec client -- ping -c 3 {{target.ip}}`.' } },
      passed: 'The replies came from {{target.ip}}, the pod\'s own address, and reached client at {{client.ip}}: a pod address is reachable from any node, and neither node put its own address in its place. The ttl=62 says that the two nodes routed each reply.',
      hints: ['Use the pod\'s address from `kubectl get pods -o wide`, not the Service\'s.'],
      solution: { text: 'Ping the pod address from client: replies come back with ttl=62.', steps: ['kubectl exec client -- ping -c 3 {{target.ip}}'] },
    },
  ],
});
