import { defineLab } from '../src/labs/schema';

/**
 * Lab for the lesson "Design principles: a flat network, no NAT between pods, virtual Services".
 * A three-node flannel cluster with one echo server (registry.k8s.io/echoserver, which prints
 * the address each request came from as client_address) behind a NodePort Service, and a
 * busybox pod, client, on the other worker. The learner checks each principle on the live
 * cluster: two nodes reach each other at their own addresses; the echo server sees client's own
 * pod address, predicted first; a connection to the ClusterIP is rewritten on client's node to
 * the pod's address, and the ClusterIP is on no interface. Then where NAT does happen: a node
 * port reached from the workstation arrives with an address of the node that forwarded it
 * (predicted, then the kube-proxy chain that marked it found), a ping from client to the
 * workstation leaves its node with the node's address (flannel's masquerade), and
 * externalTrafficPolicy Local keeps the workstation's own address.
 */
export const designPrinciples = defineLab({
  id: 'design-principles',
  title: 'Check the design principles on a live cluster',
  summary: 'A three-node cluster with an echo server that prints the address each request came from, behind a NodePort Service, and a busybox client pod on the other worker. Check that nodes and pods talk without NAT and that the Service address lives nowhere, then find the places where NAT does happen.',
  defaultSeed: 1,
  topology: { name: 'kubernetes', nodes: 3 },
  manifests: `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: echo
  labels:
    app: echo
spec:
  replicas: 1
  selector:
    matchLabels:
      app: echo
  template:
    metadata:
      labels:
        app: echo
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
  name: echo
spec:
  type: NodePort
  selector:
    app: echo
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
`,
  bindings: {
    client: { pod: { name: 'client' } },
    echoPod: { pod: { labels: { app: 'echo' }, notOnNodeOf: 'client' } },
    echo: { service: { name: 'echo' } },
    clientNode: { node: { nodeOf: 'client' } },
    echoNode: { node: { nodeOf: 'echoPod' } },
    ws: { host: { name: 'workstation' } },
  },
  tasks: [
    {
      id: 'node-source',
      title: 'Nodes talk at their own addresses',
      description: '`kubectl get nodes -o wide` lists each node\'s INTERNAL-IP. In one terminal, capture on {{echoNode.name}}: `ssh {{echoNode.name}}`, then `tcpdump -n -i eth0 icmp`. In a second terminal (the + tab), ping {{echoNode.name}} from {{clientNode.name}}: `ssh {{clientNode.name}} ping -c 2 {{echoNode.ip}}`. Which source address do the echo requests carry when they reach {{echoNode.name}}? Answer with `answer node-source <address>`.',
      check: {
        all: [
          { answer: { observed: { value: 'seen-source', from: '@clientNode', to: '@echoNode' }, wrong: 'Read the capture on {{echoNode.name}}: each line reads `SOURCE > DESTINATION: ICMP echo request`. Take the source of a request.', placeholder: '192.168.49.x' } },
          { observed: { from: '@clientNode', to: '@echoNode', proto: 'icmp', answered: true, hint: 'Ping {{echoNode.name}} from {{clientNode.name}}: `ssh {{clientNode.name}} ping -c 2 {{echoNode.ip}}`.' } },
        ],
      },
      passed: '{{echoNode.name}} saw {{clientNode.ip}}, the INTERNAL-IP kubectl shows for {{clientNode.name}}: the nodes share one LAN and reach each other at their own addresses, with no router and no NAT between them.',
      hints: ['The capture prints one line per packet: `IP 192.168.49.x > 192.168.49.y: ICMP echo request ...`. The first address is the source.', 'Compare it with the INTERNAL-IP column of `kubectl get nodes -o wide`.'],
      solution: { text: 'Ping {{echoNode.ip}} from {{clientNode.name}}: the requests arrive from {{clientNode.ip}}, the address kubectl reports for it.', steps: ['ssh {{clientNode.name}} ping -c 2 {{echoNode.ip}}', 'answer node-source {{clientNode.ip}}'] },
    },
    {
      id: 'pod-source',
      title: 'Predict what the echo server sees',
      description: 'Before you look: client ({{client.ip}}, on {{client.node}}) will fetch a page from the echo Service, `http://echo/`. Its one pod, {{echoPod.name}} ({{echoPod.ip}}), runs on {{echoPod.node}}, so the request crosses both nodes and the VXLAN tunnel between them. The echo server prints the address each request came from as `client_address`. Which address will it print? Lock in your prediction with `answer pod-source <address>`, then run `kubectl exec client -- wget -qO- http://echo/`.',
      check: {
        predict: {
          reveal: { value: 'seen-source', from: '@client', to: '@echoPod' },
          explain: 'Nothing on the way rewrote the source. The Service is no proxy that opens a connection of its own: {{client.node}} rewrote only the destination. The tunnel wraps the packet and unwraps it unchanged, and flannel\'s masquerade rules return early for traffic that stays inside 10.244.0.0/16. The server sees client\'s own address, the one `kubectl get pods -o wide` shows: pods talk without NAT.',
          placeholder: '10.244.x.y',
        },
      },
      passed: 'Well predicted.',
      hints: ['Which address does `kubectl get pods -o wide` give client? Would anything on the way have a reason to change it?', 'A Service is not a machine that receives the request and sends a new one: the node client runs on rewrites the destination of client\'s own packets.'],
      solution: { text: 'Predict {{client.ip}}, client\'s own address, then fetch the page: `client_address={{client.ip}}`.', steps: ['answer pod-source {{client.ip}}', 'kubectl exec client -- wget -qO- http://echo/'] },
    },
    {
      id: 'service-dnat',
      title: 'Follow a connection to the ClusterIP',
      description: 'client\'s request went to `http://echo/`: the name resolves to the ClusterIP {{echo.ip}} (`kubectl get service echo`), and client sent its packets there. Yet echo saw them arrive at its own address. To which address did {{client.node}} rewrite the destination? Read the DNAT step in the Packet path view, or the connection on the node: `ssh {{client.node}} conntrack -L -d {{echo.ip}}` (the second `src=` is the address that answered). Answer with `answer service-dnat <address>`.',
      check: { answer: { observed: { value: 'dnat-destination', from: '@client', to: '{{echo.ip}}' }, wrong: 'In the conntrack line, the first src=/dst= pair is the connection as client sent it (to {{echo.ip}}), the second the answer as it comes back: its src= is the pod that really answered.' } },
      passed: '{{client.node}} rewrote {{echo.ip}}:80 into {{echoPod.ip}}:8080, {{echoPod.name}}\'s address and port, as the first packet left client (DNAT by kube-proxy\'s rules), and conntrack rewrites every later packet of the connection the same way. Only the destination changed: the source stayed {{client.ip}}.',
      hints: ['If you have not fetched the page yet: `kubectl exec client -- wget -qO- http://echo/`; then open the Packet path view, or read conntrack on {{client.node}}.', 'It is the address `kubectl get endpoints echo` lists.'],
      solution: { text: 'After client\'s request to `http://echo/`, conntrack on {{client.node}} shows `dst={{echo.ip}}` answered by `src={{echoPod.ip}}`.', steps: ['answer service-dnat {{echoPod.ip}}'] },
    },
    {
      id: 'clusterip-where',
      title: 'Find the ClusterIP',
      description: 'Where is {{echo.ip}}? Look for it with `ip -4 addr` on every node (`ssh control-plane ip -4 addr`, and the same on {{clientNode.name}} and {{echoNode.name}}), and compare with `kubectl get endpoints echo`. Pick one with `answer clusterip-where <letter>`, or in the panel.',
      check: {
        choice: {
          options: [
            { text: 'On control-plane: the API server that allocated it holds it and passes connections on', why: 'control-plane\'s interfaces hold its node address, flannel.1 and cni0 addresses, and no ClusterIP. The API server hands the address out; it never holds it or sees the traffic.' },
            { text: 'On {{echoPod.node}}, next to {{echoPod.name}}, the pod that serves it', why: '`ip -4 addr` on {{echoPod.node}} shows eth0, flannel.1 and cni0, none with {{echo.ip}}; the pod has its own address, {{echoPod.ip}}.' },
            { text: 'On no interface at all: kube-proxy on every node rewrites connections to it into connections to its endpoints, here {{echo.endpoints}}', correct: true, why: 'No interface holds {{echo.ip}}: it exists only in the nat table\'s KUBE-SERVICES rules on every node, which DNAT the first packet of a connection to one endpoint. A packet crossing the network never carries it.' },
            { text: 'On a load balancer machine in front of the cluster', why: 'There is none here: client\'s connection went straight from {{client.node}} to {{echoPod.node}}, as the Packet path view shows. The rewriting happened on {{client.node}} itself.' },
          ],
          wrong: 'Search each node\'s `ip -4 addr` for {{echo.ip}}, and compare with the address client\'s connection was rewritten to.',
        },
      },
      hints: ['`ssh {{echoNode.name}} ip -4 addr | grep {{echo.ip}}` prints nothing. Try the other nodes.'],
      solution: { text: 'No interface holds {{echo.ip}}; every node rewrites connections to it into connections to {{echo.endpoints}}: c.', steps: ['answer clusterip-where c'] },
    },
    {
      id: 'nodeport-source',
      title: 'Predict what a node port shows',
      description: 'From outside the cluster: the workstation (your shell, {{ws.ip}}) connects to echo\'s node port on {{clientNode.name}}, where no echo pod runs: `curl -s http://{{clientNode.ip}}:{{echo.nodePort}}/`. {{clientNode.name}} must pass the connection on to {{echoNode.name}}. Before you run it: which `client_address` will echo print? One of {{ws.ip}} (the workstation), {{clientNode.ip}} ({{clientNode.name}}\'s eth0), {{clientNode.tunnelIp}} ({{clientNode.name}}\'s flannel.1) or {{echoNode.bridgeIp}} ({{echoNode.name}}\'s cni0). Lock it in with `answer nodeport-source <address>`, then curl.',
      check: {
        predict: {
          reveal: { value: 'seen-source', from: 'workstation', to: '@echoPod' },
          options: ['{{ws.ip}}', '{{clientNode.ip}}', '{{clientNode.tunnelIp}}', '{{echoNode.bridgeIp}}'],
          explain: 'The Service\'s externalTrafficPolicy is Cluster, so kube-proxy marks every connection that arrives on a node port for masquerade (the rule "masquerade traffic for default/echo external destinations"). {{clientNode.name}} rewrote the destination to {{echoPod.ip}}:8080, routed the packet into flannel.1, and masqueraded it as it left: MASQUERADE takes the address of the interface the packet leaves by, flannel.1\'s {{clientNode.tunnelIp}}. The answers come back to {{clientNode.name}}, whose conntrack turns them back into answers to {{ws.ip}}.',
        },
      },
      passed: 'Well predicted.',
      hints: ['The connection must come back the same way: if echo answered {{ws.ip}} directly from {{echoNode.name}}, the workstation would get answers from an address it never connected to. So {{clientNode.name}} puts one of its own addresses in the source.', 'Masquerade uses the address of the interface the packet leaves by. How does {{clientNode.name}} send a packet to a pod on {{echoNode.name}}?'],
      solution: { text: 'Predict {{clientNode.tunnelIp}}: the masquerade happens as the packet leaves {{clientNode.name}} by flannel.1. Then curl the node port.', steps: ['answer nodeport-source {{clientNode.tunnelIp}}', 'curl -s http://{{clientNode.ip}}:{{echo.nodePort}}/'] },
    },
    {
      id: 'masq-chain',
      title: 'Find the rule that asked for the masquerade',
      description: 'On {{clientNode.name}}, read kube-proxy\'s rules for echo: `ssh {{clientNode.name}} iptables-save -t nat | grep echo`. KUBE-NODEPORTS matches port {{echo.nodePort}} and jumps to a chain whose first rule sends every packet to KUBE-MARK-MASQ. Which chain? Answer with `answer masq-chain <chain name>`.',
      check: { answer: { expect: '{{echo.extChain}}', wrong: 'Follow the jump: the KUBE-NODEPORTS rule with `--dport {{echo.nodePort}}` ends with `-j CHAIN`. That chain\'s first rule has the comment "masquerade traffic for default/echo external destinations".' } },
      passed: '{{echo.extChain}} (KUBE-EXT: traffic from outside the cluster) marks every packet for masquerade with externalTrafficPolicy Cluster, whichever node ends up serving it, then hands it to {{echo.chain}}, the same KUBE-SVC chain client\'s connection took. Traffic from a pod to the ClusterIP meets only KUBE-SVC\'s `! -s 10.244.0.0/16` mark rule, which does not match a pod: that is why client\'s address survived.',
      hints: ['`ssh {{clientNode.name}} iptables-save -t nat | grep -e {{echo.nodePort}} -e KUBE-MARK-MASQ` narrows it down.'],
      solution: { text: 'KUBE-NODEPORTS sends port {{echo.nodePort}} to {{echo.extChain}}, whose first rule jumps to KUBE-MARK-MASQ.', steps: ['answer masq-chain {{echo.extChain}}'] },
    },
    {
      id: 'egress-source',
      title: 'Leave the pod network',
      description: 'A pod talking to something outside the cluster: in one terminal capture on {{client.node}}\'s eth0 (`ssh {{client.node}}`, then `tcpdump -n -i eth0 icmp`); in the other, ping the workstation from client: `kubectl exec client -- ping -c 2 {{ws.ip}}`. Which source address do the echo requests carry on the wire, and so at the workstation? Answer with `answer egress-source <address>`.',
      check: {
        all: [
          { answer: { observed: { value: 'seen-source', from: '@client', to: 'workstation' }, wrong: 'Read the capture on {{client.node}}\'s eth0: `IP SOURCE > {{ws.ip}}: ICMP echo request`. The packet left client with {{client.ip}}; is that what the wire shows?' } },
          { observed: { from: '@client', to: 'workstation', proto: 'icmp', through: '@clientNode', action: 'snat', answered: true, hint: 'Ping the workstation from client: `kubectl exec client -- ping -c 2 {{ws.ip}}`.' } },
        ],
      },
      passed: 'The requests left {{client.node}} from {{clientNode.ip}}, the node\'s own address: the workstation never sees {{client.ip}}. The node masqueraded them on the way out and its conntrack turns the replies back to client.',
      hints: ['In the Packet path view, the step on {{client.node}}\'s eth0 shows the source before and after the translation.', '`ssh {{client.node}} conntrack -L -p icmp` shows the ping with `dst=` in its second half: the address the workstation answered.'],
      solution: { text: 'Ping {{ws.ip}} from client: on {{client.node}}\'s eth0 the requests carry {{clientNode.ip}}.', steps: ['kubectl exec client -- ping -c 2 {{ws.ip}}', 'answer egress-source {{clientNode.ip}}'] },
    },
    {
      id: 'egress-rule',
      title: 'Name the rule that rewrote it',
      description: 'Which rule on {{client.node}} rewrote the source of client\'s ping? `ssh {{client.node}} iptables -t nat -L POSTROUTING -n -v` and `iptables -t nat -L FLANNEL-POSTRTG -n -v` count the packets each rule matched. Pick one with `answer egress-rule <letter>`, or in the panel.',
      needs: ['egress-source'],
      check: {
        choice: {
          options: [
            { text: 'kube-proxy\'s `-A KUBE-POSTROUTING ... -j MASQUERADE --random-fully`', why: 'That rule masquerades only packets marked 0x4000 by KUBE-MARK-MASQ, and kube-proxy marks only traffic to Services. A ping from a pod to the workstation meets none of its rules: its counter stays where it was.' },
            { text: 'flannel\'s `-A FLANNEL-POSTRTG -s 10.244.0.0/16 ! -d 224.0.0.0/4 ... -j MASQUERADE --random-fully`', correct: true, why: 'flanneld writes it on every node: a packet from the pod network that leaves it (the earlier RETURN rules let everything inside 10.244.0.0/16 pass unchanged) takes the address of the interface it leaves by, eth0\'s {{clientNode.ip}}.' },
            { text: 'The LAN router, 192.168.49.1', why: 'The workstation is on the LAN itself, so the packet never met the router, and the capture on {{client.node}}\'s eth0 already showed {{clientNode.ip}}.' },
            { text: 'client\'s own kernel, before the packet left the pod', why: 'The pod has no NAT rules, and may not write any. The packet left client with {{client.ip}}: the Packet path view shows the translation on {{client.node}}.' },
          ],
          wrong: 'Compare the packet counters of the MASQUERADE rules before and after another ping.',
        },
      },
      hints: ['`ssh {{client.node}} iptables -t nat -L FLANNEL-POSTRTG -n -v`: which MASQUERADE line has a packet count above 0?'],
      solution: { text: 'flannel\'s FLANNEL-POSTRTG masquerades pod traffic leaving 10.244.0.0/16: b.', steps: ['answer egress-rule b'] },
    },
    {
      id: 'keep-source',
      title: 'Keep the client\'s address',
      description: 'Do this one last: afterwards {{clientNode.name}}\'s node port no longer answers. Make echo see the workstation\'s own address: set the Service\'s externalTrafficPolicy to Local: `kubectl patch service echo -p \'spec: {externalTrafficPolicy: Local}\'` (kubectl takes a patch as YAML or JSON). Then, from the workstation, curl the node port of the node where echo runs (`curl -s http://{{echoNode.ip}}:{{echo.nodePort}}/`) and of {{clientNode.name}}, where it does not (`curl -s -m 3 http://{{clientNode.ip}}:{{echo.nodePort}}/`). The lab checks both from the workstation.',
      check: {
        all: [
          { state: { field: { object: 'service/echo', path: 'spec.externalTrafficPolicy', equals: 'Local' } } },
          { probe: { from: 'workstation', http: 'http://{{echoNode.ip}}:{{echo.nodePort}}/', expect: 200, body: 'client_address={{ws.ip}}' } },
          { probe: { from: 'workstation', http: 'http://{{clientNode.ip}}:{{echo.nodePort}}/', expect: 'fail' } },
        ],
      },
      passed: 'With Local, a node sends node port traffic only to echo pods on itself, and without masquerade: {{echoNode.name}} hands the connection to {{echoPod.name}} with {{ws.ip}} as its source. {{clientNode.name}} has no echo pod, so it drops the connection ("default/echo has no local endpoints" in its filter table): keeping the source costs the spreading, and whatever sends clients to the nodes must pick the right ones.',
      hints: ['Check the field with `kubectl get service echo -o jsonpath=\'{.spec.externalTrafficPolicy}\'`.', 'On {{clientNode.name}}, `iptables-save -t filter | grep echo` shows what happens to the connection there now.'],
      solution: { text: 'Patch the Service to externalTrafficPolicy Local: {{echoNode.name}} then answers with `client_address={{ws.ip}}`, and {{clientNode.name}} drops the connection.', steps: ['kubectl patch service echo -p \'spec: {externalTrafficPolicy: Local}\''] },
    },
  ],
});
