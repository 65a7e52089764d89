import { defineLab } from '../src/labs/schema';

/**
 * Lab for the lesson "Service types: who answers, and from where".
 * A three-node flannel cluster with one echo Deployment (registry.k8s.io/echoserver, which
 * prints the address each request came from as client_address, two replicas on the workers)
 * behind four Services of different types (web ClusterIP, web-np NodePort, web-lb
 * LoadBalancer, web-headless with clusterIP None), an ExternalName Service docs pointing at
 * kubernetes.io, and a busybox pod, client. The learner reaches each type from the place it is
 * meant for: the ClusterIP from a pod (the pod's address kept) and, failing, from the
 * workstation; the node port through the control plane, which runs no web pod; the range the
 * API server keeps for node ports, read off its refusal; the load balancer's EXTERNAL-IP and
 * the machines a request crosses behind it; the headless Service's DNS answer (the pods'
 * addresses), the ExternalName's CNAME, the Services kube-proxy writes no rules for; and,
 * predicted first, the workstation's own address kept by externalTrafficPolicy Local.
 */
export const serviceTypes = defineLab({
  id: 'service-types',
  title: 'Reach each type of Service from where it answers',
  summary: 'One echo Deployment that prints the address each request came from, behind a ClusterIP, a NodePort, a LoadBalancer and a headless Service, an ExternalName Service, and a busybox client pod. Reach each from a pod, from the workstation or through the cloud load balancer, and find out what answered.',
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
      - name: echoserver
        image: registry.k8s.io/echoserver:1.10
        ports:
        - containerPort: 8080
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
    targetPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: web-np
spec:
  type: NodePort
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: web-lb
spec:
  type: LoadBalancer
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: web-headless
spec:
  clusterIP: None
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: docs
spec:
  type: ExternalName
  externalName: kubernetes.io
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
    webPod: { pod: { labels: { app: 'web' } } },
    web: { service: { name: 'web' } },
    np: { service: { name: 'web-np' } },
    lb: { service: { name: 'web-lb' } },
    headless: { service: { name: 'web-headless' } },
    cp: { node: { index: 0 } },
    webNode: { node: { nodeOf: 'webPod' } },
    ws: { host: { name: 'workstation' } },
  },
  tasks: [
    {
      id: 'from-a-pod',
      title: 'Reach the ClusterIP from a pod',
      description: '`kubectl get services` lists five Services for one Deployment. Start with the plain one, web (ClusterIP {{web.ip}}), from inside the cluster: `kubectl exec client -- wget -qO- http://web/`. The echo server prints the address the request came from as `client_address`. Which address is it? Answer with `answer from-a-pod <address>`.',
      check: {
        all: [
          { answer: { observed: { value: 'seen-source', from: '@client', to: '{{web.ip}}' }, wrong: 'Read the `client_address=` line of the page, and compare it with `kubectl get pod client -o wide`.' } },
          { observed: { from: '@client', to: '{{web.ip}}', proto: 'tcp', answered: true, hint: 'Fetch the page from client: `kubectl exec client -- wget -qO- http://web/`.' } },
        ],
      },
      passed: 'client\'s own address, {{client.ip}}: the node client runs on rewrote only the destination ({{web.ip}} became one web pod), so a ClusterIP reached from a pod keeps the client\'s address.',
      hints: ['`kubectl get pods -o wide` gives every pod\'s address. Which of them is client\'s?'],
      solution: { text: 'Fetch the page from client; the echo server prints `client_address={{client.ip}}`.', steps: ['kubectl exec client -- wget -qO- http://web/', 'answer from-a-pod {{client.ip}}'] },
    },
    {
      id: 'from-outside',
      title: 'Try the ClusterIP from the workstation',
      description: 'Your shell runs on the workstation, {{ws.ip}}, a machine on the same LAN as the nodes but not one of them. Try the same Service from there: `curl -s -m 3 http://{{web.ip}}/; echo $?` (28 is curl\'s "timed out"). Why does nothing answer? `ip route` on the workstation, and the Packet path view, help. Pick one with `answer from-outside <letter>`, or in the panel.',
      check: {
        choice: {
          options: [
            { text: 'web\'s pods only accept connections from other pods', why: 'Nothing in the pods filters by source: a NodePort connection from the workstation reaches them (next tasks). The packet never got near them.' },
            { text: 'The ClusterIP exists only as rules on the nodes: the workstation sends the packet to its default gateway, 192.168.49.1, which has no route for the service range', correct: true, why: 'Only a node\'s own kube-proxy rules turn {{web.ip}} into a pod address, for packets its own pods send or it sends itself. The workstation is no node: its default route hands the packet to the LAN router, which knows the LAN and the internet, not 10.96.0.0/12.' },
            { text: 'The API server refuses connections that do not come from the cluster', why: 'The API server hands out the ClusterIP and is never on the path of a connection to it.' },
            { text: 'The ClusterIP is held by control-plane, which is not reachable from the workstation', why: 'No interface holds a ClusterIP, and the workstation reaches every node\'s address: `ping -c 1 {{cp.ip}}` answers.' },
          ],
          wrong: 'Follow the packet: where does the workstation\'s `ip route` send {{web.ip}}?',
        },
      },
      hints: ['`ip route` on the workstation has two lines. Which one does {{web.ip}} match, and who is the next hop?'],
      solution: { text: 'The ClusterIP is virtual and known only to the nodes\' rules; the workstation\'s packet goes to its default gateway, which has no route for it: b.', steps: ['answer from-outside b'] },
    },
    {
      id: 'any-node',
      title: 'Reach the node port on a node without a web pod',
      description: 'web-np is a NodePort Service: `kubectl get service web-np` shows its port as `80:{{np.nodePort}}/TCP`, the Service port and the node port the API server allocated. Every node listens on that port, also one with no web pod: web runs on the workers only (`kubectl get pods -o wide`), so reach it from the workstation through {{cp.name}}: `curl -s http://{{cp.ip}}:{{np.nodePort}}/`.',
      check: { observed: { from: 'workstation', to: '{{cp.ip}}', proto: 'tcp', through: '@cp', action: 'dnat', answered: true, hint: 'From the workstation: `curl -s http://{{cp.ip}}:{{np.nodePort}}/`.' } },
      passed: '{{cp.name}} answered on {{cp.ip}}:{{np.nodePort}} although no web pod runs there: its kube-proxy rules rewrote the destination to a web pod on another node and sent the connection on through the flannel tunnel. The page\'s `client_address` is not {{ws.ip}}: with externalTrafficPolicy Cluster, a node masquerades what it passes on (the lesson on design principles showed how).',
      hints: ['Use the node\'s address from `kubectl get nodes -o wide` and the second number of web-np\'s PORT(S) column.'],
      solution: { text: 'Curl {{cp.name}}\'s address on the node port.', steps: ['curl -s http://{{cp.ip}}:{{np.nodePort}}/'] },
    },
    {
      id: 'port-range',
      title: 'Ask for a node port outside the range',
      description: 'A node port can also be chosen. Ask for 8080 on web-np: `kubectl patch service web-np -p \'spec: {ports: [{port: 80, nodePort: 8080}]}\'`. The API server refuses it and names the range it allocates node ports from (its `--service-node-port-range`). Which range? Answer with `answer port-range <first>-<last>`.',
      check: { answer: { expect: '30000-32767', normalize: 'word', wrong: 'The error message ends with "The range of valid ports is ...": copy that range.' } },
      passed: '30000-32767 is the default `--service-node-port-range`. The API server refused the whole change (`kubectl get service web-np` still shows {{np.nodePort}}): node ports stay in a band that no ordinary server on a node listens on.',
      hints: ['Run the patch and read its last line; `echo $?` shows kubectl failed.'],
      solution: { text: 'The refusal reads "provided port is not in the valid range. The range of valid ports is 30000-32767".', steps: ['answer port-range 30000-32767'] },
    },
    {
      id: 'external-ip',
      title: 'Reach the load balancer',
      description: 'web-lb is a LoadBalancer Service. The cloud (here a load balancer machine on the LAN, cloud-lb) gave it an address of its own: the EXTERNAL-IP column of `kubectl get service web-lb`. Fetch the page from the workstation through that address, then answer with `answer external-ip <address>`.',
      check: {
        all: [
          { answer: { expect: '{{lb.lbIp}}', normalize: 'ip', wrong: 'It is the EXTERNAL-IP column of `kubectl get service web-lb`, not the CLUSTER-IP.' } },
          { observed: { from: 'workstation', to: '{{lb.lbIp}}', proto: 'tcp', answered: true, hint: 'From the workstation: `curl -s http://EXTERNAL-IP/`.' } },
        ],
      },
      passed: '{{lb.lbIp}} answered: a NodePort Service with a cloud load balancer in front of its node ports (web-lb has one too, {{lb.nodePort}}).',
      hints: ['`kubectl get service web-lb` has a CLUSTER-IP (virtual, for pods) and an EXTERNAL-IP (for the outside).'],
      solution: { text: 'The EXTERNAL-IP is {{lb.lbIp}}; curl it from the workstation.', steps: ['curl -s http://{{lb.lbIp}}/', 'answer external-ip {{lb.lbIp}}'] },
    },
    {
      id: 'lb-path',
      title: 'Name the machines behind the address',
      description: 'Open the Packet path view after your last curl to {{lb.lbIp}} (or curl again). Which machines did the request cross, in order? Pick one with `answer lb-path <letter>`, or in the panel.',
      needs: ['external-ip'],
      check: {
        choice: {
          options: [
            { text: 'workstation -> a web pod: {{lb.lbIp}} is a pod address', why: 'Pod addresses come from 10.244.0.0/16; {{lb.lbIp}} is on the node network, and `kubectl get pods -o wide` shows no pod with it.' },
            { text: 'workstation -> cloud-lb -> a node, on port {{lb.nodePort}} -> a web pod', correct: true, why: 'cloud-lb holds {{lb.lbIp}} and rewrites each new connection to one node\'s address and web-lb\'s node port; that node\'s kube-proxy rules then pick a web pod, as for any node port.' },
            { text: 'workstation -> {{cp.name}}, which holds {{lb.lbIp}} for the cluster -> a web pod', why: 'No node holds {{lb.lbIp}}: `ssh {{cp.name}} ip -4 addr` does not list it. The load balancer is a machine of the cloud, outside the cluster.' },
            { text: 'workstation -> cloud-lb -> the ClusterIP {{lb.ip}} -> a web pod', why: 'The ClusterIP exists only in the nodes\' rules, and cloud-lb is no node: it sends to a node port, which every node answers.' },
          ],
          wrong: 'Look at the destination in each step of the Packet path view: which address and port does the packet carry after cloud-lb?',
        },
      },
      hints: ['In the Packet path view, the first rewrite of the destination happens on cloud-lb. What does it rewrite {{lb.lbIp}}:80 to?'],
      solution: { text: 'cloud-lb forwards to a node\'s node port {{lb.nodePort}}, and that node picks a pod: b.', steps: ['answer lb-path b'] },
    },
    {
      id: 'headless',
      title: 'Ask DNS for the headless Service',
      description: 'web-headless has `clusterIP: None`. Compare what DNS answers for the two: `kubectl exec client -- nslookup web` and `kubectl exec client -- nslookup web-headless` (busybox also tries the other search domains and prints their NXDOMAIN: ignore those lines). Which addresses does web-headless resolve to? Answer with all of them: `answer headless <address>,<address>`.',
      check: { answer: { expect: '{{headless.endpointIps}}', normalize: 'set', element: 'ip', wrong: 'Give every `Address:` line under `Name: web-headless.default.svc.cluster.local`, separated by commas, and compare them with `kubectl get pods -o wide`.' } },
      passed: '{{headless.endpointIps}}: the ready pods themselves. web resolves to one ClusterIP, {{web.ip}}, that kube-proxy rewrites; web-headless resolves straight to the pods, and the client picks one.',
      hints: ['`kubectl get endpoints web-headless` lists the same addresses, with their port.'],
      solution: { text: 'web-headless resolves to the web pods\' addresses, {{headless.endpointIps}}.', steps: ['answer headless {{headless.endpointIps}}'] },
    },
    {
      id: 'cname',
      title: 'Read the ExternalName answer',
      description: 'docs is an ExternalName Service: `kubectl get service docs` shows no CLUSTER-IP, and no port. Look its name up from client: `kubectl exec client -- nslookup docs`. Which name does CoreDNS give as its canonical name? Answer with `answer cname <name>`.',
      check: { answer: { expect: 'kubernetes.io', normalize: 'word', wrong: 'Look for the line `docs.default.svc.cluster.local\tcanonical name = ...`.' } },
      passed: 'CoreDNS answers the Service\'s name with a CNAME record to kubernetes.io, and the client resolves that name like any other and connects there itself. Nothing else happens: no ClusterIP, no endpoints, no proxying.',
      hints: ['The same name is in `kubectl get service docs -o jsonpath=\'{.spec.externalName}\'`.'],
      solution: { text: 'The answer is a CNAME to kubernetes.io.', steps: ['answer cname kubernetes.io'] },
    },
    {
      id: 'no-rules',
      title: 'Find which Services have kube-proxy rules',
      description: 'kube-proxy writes rules for the Services whose traffic it rewrites. Read them on a node: `ssh {{webNode.name}} iptables-save -t nat | grep default/`. Which of these Services have rules there? Pick all of them with `answer no-rules <letters>` (`answer no-rules a,c`), or in the panel.',
      check: {
        choice: {
          multiple: true,
          options: [
            { text: 'web (ClusterIP)', correct: true, why: 'Its ClusterIP {{web.ip}} is matched in KUBE-SERVICES and rewritten to a pod.' },
            { text: 'web-np (NodePort)', correct: true, why: 'A ClusterIP rule, and a KUBE-NODEPORTS rule for port {{np.nodePort}}.' },
            { text: 'web-lb (LoadBalancer)', correct: true, why: 'A ClusterIP rule, a node port rule for {{lb.nodePort}}, and a rule for {{lb.lbIp}} itself.' },
            { text: 'web-headless (clusterIP: None)', why: 'It has no virtual address to rewrite: DNS gives the pods\' own addresses, so kube-proxy writes nothing for it.' },
            { text: 'docs (ExternalName)', why: 'It is only a DNS record: kube-proxy skips ExternalName Services.' },
          ],
          wrong: '`grep -c web-headless` and `grep -c docs` count lines of the same `iptables-save -t nat`.',
        },
      },
      passed: 'kube-proxy writes rules only where there is a virtual address or a node port to rewrite.',
      hints: ['Each kube-proxy rule carries a comment with the Service\'s namespace/name: `grep -o "default/[a-z-]*" | sort -u` lists them.'],
      solution: { text: 'The three with a virtual address (web, web-np, web-lb) have rules; the headless and ExternalName Services have none: a,b,c.', steps: ['answer no-rules a,b,c'] },
    },
    {
      id: 'keep-source',
      title: 'Predict what Local keeps',
      description: 'Through {{cp.name}}\'s node port, the page showed an address of {{cp.name}}, not the workstation\'s: with externalTrafficPolicy Cluster a node masquerades what it passes on. Switch web-np to Local: `kubectl patch service web-np -p \'spec: {externalTrafficPolicy: Local}\'`. {{webNode.name}} runs a web pod. Before you curl its node port from the workstation (`curl -s http://{{webNode.ip}}:{{np.nodePort}}/`), predict the `client_address` the page will show, and lock it in with `answer keep-source <address>`.',
      check: {
        all: [
          { state: { field: { object: 'service/web-np', path: 'spec.externalTrafficPolicy', equals: 'Local' } } },
          {
            predict: {
              reveal: { value: 'seen-source', from: 'workstation', to: '{{webNode.ip}}' },
              options: ['{{ws.ip}}', '{{webNode.ip}}', '{{webNode.bridgeIp}}', '{{cp.tunnelIp}}'],
              explain: 'With Local, a node sends node port traffic only to the web pods on itself, and leaves the source alone: the pod on {{webNode.name}} saw the workstation\'s own address, {{ws.ip}}. {{cp.name}}, which has no web pod, now drops such connections.',
            },
          },
        ],
      },
      passed: 'Well predicted.',
      hints: ['Masquerade was needed so that answers from a pod on another node came back through the node that rewrote the destination. With Local, no connection leaves the node.'],
      solution: { text: 'Patch web-np to Local, predict {{ws.ip}}, then curl {{webNode.name}}\'s node port.', steps: ['kubectl patch service web-np -p \'spec: {externalTrafficPolicy: Local}\'', 'answer keep-source {{ws.ip}}', 'curl -s http://{{webNode.ip}}:{{np.nodePort}}/'] },
    },
  ],
});
