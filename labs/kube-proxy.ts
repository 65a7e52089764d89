import { defineLab } from '../src/labs/schema';

/**
 * Lab for the lesson "kube-proxy: the rules behind a Service". A three-node flannel cluster
 * with kube-proxy in iptables mode, three echo servers (registry.k8s.io/echoserver, which
 * prints its pod's name and the address each request came from) behind a NodePort Service,
 * web, and a busybox pod, client. The learner reads the chain walk in `iptables-save -t nat`
 * (KUBE-SERVICES -> KUBE-SVC -> KUBE-SEP), works out what the statistic probabilities mean,
 * predicts that a ClusterIP answers no ping, finds the DNAT step (which node, which hook) in
 * the Packet path view and the chosen pod in conntrack's reply tuple, reads the masquerade
 * mark and predicts what a node's own connection looks like after it, scales to four
 * endpoints and reads the new probabilities, and ends with externalTrafficPolicy Local.
 * The same manifests run under IPVS mode in labs/kube-proxy-ipvs.ts, which the lesson quotes.
 */

/** The lab's objects; the IPVS twin applies the same ones. */
export const KUBE_PROXY_MANIFESTS = `
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
  type: NodePort
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 8080
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
`;

export const kubeProxy = defineLab({
  id: 'kube-proxy',
  title: 'Walk kube-proxy\'s chains',
  summary: 'A three-node cluster with kube-proxy in iptables mode, three echo servers behind the Service web, and a busybox client pod. Read the rules that pick an endpoint, find where a connection is rewritten and how conntrack remembers it, and see when kube-proxy masquerades.',
  defaultSeed: 1,
  topology: { name: 'kubernetes', nodes: 3 },
  manifests: KUBE_PROXY_MANIFESTS,
  bindings: {
    client: { pod: { name: 'client' } },
    web: { service: { name: 'web' } },
    clientNode: { node: { nodeOf: 'client' } },
    cp: { node: { index: 0 } },
    webPod: { pod: { labels: { app: 'web' } } },
    ws: { host: { name: 'workstation' } },
  },
  tasks: [
    {
      id: 'svc-chain',
      title: 'Find the Service\'s chain',
      description: 'On {{clientNode.name}}, the node client runs on, list the nat table as kube-proxy wrote it: `ssh {{clientNode.name}} iptables-save -t nat | grep default/web`. The KUBE-SERVICES rule for web matches `-d {{web.ip}}/32` and port {{web.port}} and jumps to a chain of its own. Which one? Answer with `answer svc-chain <chain name>`.',
      check: { answer: { expect: '{{web.chain}}', wrong: 'Take the KUBE-SERVICES rule whose comment is "default/web cluster IP": its last words are `-j CHAIN`.', placeholder: 'KUBE-SVC-...' } },
      passed: '{{web.chain}} is web\'s port 80: the 16 characters after KUBE-SVC- are a hash of "default/web" and "tcp", so every node names it the same. Its rules jump to one KUBE-SEP chain per endpoint: {{web.sepChains}}.',
      hints: ['`ssh {{clientNode.name}} iptables-save -t nat | grep KUBE-SERVICES` lists one rule per Service port, each ending in `-j KUBE-SVC-...`.'],
      solution: { text: 'KUBE-SERVICES sends {{web.ip}}:{{web.port}} to {{web.chain}}.', steps: ['answer svc-chain {{web.chain}}'] },
    },
    {
      id: 'uniform',
      title: 'What the probabilities add up to',
      description: 'In {{web.chain}} three rules jump to the three KUBE-SEP chains. The first carries `--probability 0.33333333349`, the second `--probability 0.50000000000`, the third none. A new connection tries them in order and takes the first that matches. Of all new connections, which fraction ends at the second endpoint? Answer with `answer uniform <fraction>` (such as 0.25, 1/4 or 25%).',
      check: { answer: { expect: '1/3', normalize: 'decimal', tolerance: 0.01, wrong: 'A connection reaches the second rule only if the first did not take it. Multiply: the chance of getting past the first, times the second rule\'s chance.' } },
      passed: 'To reach the second rule a connection must miss the first (2/3); then it matches with 1/2: 2/3 x 1/2 = 1/3. The third rule takes whatever is left, 2/3 x 1/2 = 1/3. Each endpoint gets a third: the probabilities 1/3, 1/2, rest are what a uniform choice among three looks like when it is made one rule at a time.',
      hints: ['0.5 is the chance among the connections that reach the second rule, not among all of them.', 'Chance of reaching the second rule: 1 - 1/3.'],
      solution: { text: '(1 - 1/3) x 1/2 = 1/3.', steps: ['answer uniform 1/3'] },
    },
    {
      id: 'ping-clusterip',
      title: 'Predict whether the ClusterIP answers a ping',
      description: 'kube-proxy\'s rules match `-p tcp ... --dport {{web.port}}` for web. Before you try: will `kubectl exec client -- ping -c 2 -W 1 {{web.ip}}` get a reply? Lock in your prediction with `answer ping-clusterip <reply|no reply>` (or the buttons), then run it.',
      check: {
        predict: {
          reveal: { value: 'ping-outcome', from: '@client', to: '{{web.ip}}' },
          options: ['reply', 'no reply'],
          explain: 'No rule matches ICMP to {{web.ip}}, and no interface anywhere holds the address: {{clientNode.name}} routes the echo request out by its default route and nobody answers. A ClusterIP is not a machine that load-balances; it exists only as a match in each node\'s KUBE-SERVICES, for the protocol and port of each Service port.',
        },
      },
      passed: 'Well predicted.',
      hints: ['Is there a rule that matches `-p icmp`? Is {{web.ip}} on any interface (`ssh {{clientNode.name}} ip -4 addr`)?'],
      solution: { text: 'Predict no reply, then ping: nothing matches ICMP to the ClusterIP.', steps: ['answer ping-clusterip no reply', 'kubectl exec client -- ping -c 2 -W 1 {{web.ip}}'] },
    },
    {
      id: 'dnat-pod',
      title: 'Find the DNAT step',
      description: 'Fetch a page through the Service: `kubectl exec client -- wget -qO- http://web/` (the echo server prints its `Hostname:`). Then open the Packet path view: one step shows the destination before and after a DNAT. To which pod address was {{web.ip}}:{{web.port}} rewritten? Answer with `answer dnat-pod <address>`.',
      check: { answer: { observed: { value: 'dnat-destination', from: '@client', to: '{{web.ip}}' }, wrong: 'In the Packet path view, the step `nat ...: DNAT {{web.ip}}:80 -> ADDRESS:8080` names it; so does `kubectl get pods -o wide` for the Hostname the page printed.', placeholder: '10.244.x.y' } },
      passed: 'One of {{web.endpointIps}}, chosen by the statistic rules for this connection. Another wget may land on another pod.',
      hints: ['If you have not fetched the page yet: `kubectl exec client -- wget -qO- http://web/`.', 'The NAT line of the step shows the address before and after.'],
      solution: { text: 'Fetch the page; the DNAT step shows the pod the rules chose.', steps: ['kubectl exec client -- wget -qO- http://web/', 'answer dnat-pod {{expected.dnat-pod}}'] },
    },
    {
      id: 'dnat-hook',
      title: 'Say where the DNAT happened',
      description: 'The same DNAT step of the Packet path view: on which machine, and in which netfilter hook, was the destination rewritten? Pick one with `answer dnat-hook <letter>`, or in the panel.',
      needs: ['dnat-pod'],
      check: {
        choice: {
          options: [
            { text: 'Inside client, in its OUTPUT hook, before the packet left the pod', why: 'The pod\'s network namespace has no kube-proxy rules: the packet leaves client still addressed to {{web.ip}}, as the path view\'s first steps show.' },
            { text: 'On {{clientNode.name}}, in nat PREROUTING, as the packet came in from client\'s veth', correct: true, why: 'The first packet of the connection enters {{clientNode.name}}\'s namespace from the veth, PREROUTING jumps to KUBE-SERVICES, and the KUBE-SEP rule rewrites the destination before the routing decision, so the node routes it straight to the chosen pod.' },
            { text: 'On the node of the pod that answered, in PREROUTING, as the packet arrived', why: 'By then the packet already carries the pod\'s address: it was routed to that node because of it. The rewrite happened on the sender\'s node.' },
            { text: 'On control-plane, which owns the Service', why: 'Every node holds the same rules and rewrites its own pods\' connections; the API server only stores the Service.' },
          ],
          wrong: 'In the Packet path view, the DNAT step\'s row names the machine, and its text starts `nat HOOK: DNAT`.',
        },
      },
      hints: ['The step\'s text reads `nat HOOK: DNAT {{web.ip}}:80 -> ...`.'],
      solution: { text: 'The path view shows `nat PREROUTING: DNAT {{web.ip}}:80 -> POD:8080` on {{clientNode.name}}: b.', steps: ['answer dnat-hook b'] },
    },
    {
      id: 'conntrack-reply',
      title: 'Read the conntrack entry',
      description: 'Only the first packet of a connection walks the chains; conntrack remembers the rewrite for the rest. Read it on {{clientNode.name}}: `ssh {{clientNode.name}} conntrack -L -d {{web.ip}}`. The first src=/dst= pair is the connection as client sent it; the second is the reply the kernel expects. From which port does the reply tuple say the answers come? Answer with `answer conntrack-reply <port>`.',
      needs: ['dnat-pod'],
      check: { answer: { expect: '8080', normalize: 'number', wrong: 'Take the second sport= of the line: the reply comes from the pod\'s own port, not from the Service\'s {{web.port}}.' } },
      passed: 'The reply tuple reads `src=<pod> dst={{client.ip}} sport=8080`: answers come from the pod\'s port 8080, and conntrack rewrites them back to {{web.ip}}:{{web.port}} before client sees them, so client never learns which pod it talked to.',
      hints: ['The line reads `tcp 6 ... src={{client.ip}} dst={{web.ip}} sport=... dport=80 src=POD dst={{client.ip}} sport=... dport=...`.'],
      solution: { text: 'The reply tuple\'s sport= is the targetPort, 8080.', steps: ['answer conntrack-reply 8080'] },
    },
    {
      id: 'masq-mark',
      title: 'Read the masquerade mark',
      description: 'Some packets must leave with a node\'s address instead of their own. kube-proxy decides early, by marking them, and masquerades late. `ssh {{clientNode.name}} iptables-save -t nat | grep -e KUBE-MARK-MASQ -e KUBE-POSTROUTING`: which mark bit does KUBE-MARK-MASQ set? Answer with `answer masq-mark <hex>`.',
      check: { answer: { expect: '0x4000', normalize: 'hex', wrong: 'Read the rule `-A KUBE-MARK-MASQ -j MARK --set-xmark VALUE/MASK`.' } },
      passed: 'KUBE-MARK-MASQ ORs 0x4000 into the packet mark; KUBE-POSTROUTING returns for packets without it, clears the bit and masquerades the rest. In {{web.chain}} the mark rule matches `! -s 10.244.0.0/16`: traffic to the ClusterIP from outside the pod network.',
      hints: ['`--set-xmark 0x4000/0x4000` sets the bits of the mask to the value.'],
      solution: { text: 'KUBE-MARK-MASQ sets 0x4000.', steps: ['answer masq-mark 0x4000'] },
    },
    {
      id: 'node-source',
      title: 'Predict what a node\'s connection looks like',
      description: 'Now the connection starts on control-plane itself, outside the pod network: `ssh control-plane curl -s http://{{web.ip}}/`. No web pod runs on control-plane, so the packet will leave it through flannel.1. Which `client_address` will the echo server print? One of {{cp.ip}} (control-plane\'s eth0), {{cp.tunnelIp}} (its flannel.1), {{web.ip}} (the ClusterIP) or {{cp.bridgeIp}} (its cni0). Lock it in with `answer node-source <address>`, then curl.',
      needs: ['masq-mark'],
      check: {
        predict: {
          reveal: { value: 'seen-source', from: '@cp', to: '{{web.ip}}' },
          options: ['{{cp.ip}}', '{{cp.tunnelIp}}', '{{web.ip}}', '{{cp.bridgeIp}}'],
          explain: 'control-plane picked {{cp.ip}} as the source (its route to {{web.ip}} is the default route by eth0). The source is not in 10.244.0.0/16, so the first rule of {{web.chain}} sent the packet to KUBE-MARK-MASQ; then the DNAT sent it to a pod on another node, by flannel.1. In POSTROUTING, KUBE-POSTROUTING saw the mark and masqueraded: the packet took the address of the interface it left by, flannel.1\'s {{cp.tunnelIp}}, so the answer comes back through the tunnel.',
        },
      },
      passed: 'Well predicted.',
      hints: ['Does {{cp.ip}} match `! -s 10.244.0.0/16` in {{web.chain}}? What happens to a marked packet in POSTROUTING?', 'MASQUERADE takes the address of the interface the packet leaves by.'],
      solution: { text: 'Predict {{cp.tunnelIp}}: marked for masquerade, and masqueraded as it leaves by flannel.1.', steps: ['answer node-source {{cp.tunnelIp}}', 'ssh control-plane curl -s http://{{web.ip}}/'] },
    },
    {
      id: 'scale-four',
      title: 'Add a fourth endpoint',
      description: 'Scale web to four pods: `kubectl scale deployment web --replicas=4`, then wait with `kubectl rollout status deployment web`. kube-proxy rewrites {{web.chain}} on every node as soon as the new pod is ready.',
      check: { state: { endpoints: { service: 'web', ready: 4 } } },
      passed: 'Four ready endpoints; kube-proxy has written the chain again.',
      hints: ['`kubectl get endpoints web` lists the ready ones.'],
      solution: { text: 'Scale the Deployment to four replicas and wait for the rollout.', steps: ['kubectl scale deployment web --replicas=4', 'kubectl rollout status deployment web'] },
    },
    {
      id: 'fourth-endpoint',
      title: 'Read the new probabilities',
      description: 'Read {{web.chain}} again: `ssh {{clientNode.name}} iptables-save -t nat | grep "default/web ->"`. Which probability does its first rule print now? Answer with `answer fourth-endpoint <number as printed>`.',
      needs: ['scale-four'],
      check: { answer: { expect: '0.25000000000', normalize: 'decimal', tolerance: 0.0001, wrong: 'Read the first `-m statistic --mode random --probability` of {{web.chain}}.' } },
      passed: 'With n endpoints the rule at position i (from 0) carries 1/(n - i): 1/4, 1/3, 1/2, then the rest. Every endpoint gets a quarter, and every rule of the chain was rewritten, not only a new one added.',
      hints: ['With three endpoints the first rule said 1/3. With four?'],
      solution: { text: 'The first rule now reads 0.25000000000.', steps: ['answer fourth-endpoint 0.25000000000'] },
    },
    {
      id: 'local-policy',
      title: 'Keep the client\'s address on a node port',
      description: 'The lesson on design principles showed that externalTrafficPolicy Local keeps an outside client\'s address. Here, read how kube-proxy does it. Patch the Service: `kubectl patch service web -p \'spec: {externalTrafficPolicy: Local}\'`, then compare `ssh {{webPod.node}} iptables-save -t nat | grep -e KUBE-EXT -e KUBE-SVL` with what you saw before. The lab checks from the workstation that `http://{{webPod.nodeIp}}:{{web.nodePort}}/` reaches a web pod that sees {{ws.ip}}.',
      check: {
        all: [
          { state: { field: { object: 'service/web', path: 'spec.externalTrafficPolicy', equals: 'Local' } } },
          { probe: { from: 'workstation', http: 'http://{{webPod.nodeIp}}:{{web.nodePort}}/', expect: 200, body: 'client_address={{ws.ip}}' } },
        ],
      },
      passed: 'KUBE-EXT no longer marks everything for masquerade: it sends pod and node-local traffic on to {{web.chain}}, and everything else to a KUBE-SVL chain that lists only the endpoints on that node. With no mark, no masquerade, and the pod sees {{ws.ip}}.',
      hints: ['Check the field with `kubectl get service web -o jsonpath=\'{.spec.externalTrafficPolicy}\'`.'],
      solution: { text: 'Patch the Service to externalTrafficPolicy Local; {{webPod.node}} then hands node-port connections to its own web pods without masquerade.', steps: ['kubectl patch service web -p \'spec: {externalTrafficPolicy: Local}\''] },
    },
  ],
});
