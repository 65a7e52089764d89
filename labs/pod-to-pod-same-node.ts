import { defineLab } from '../src/labs/schema';

/**
 * Lab for the lesson "Pod to pod on one node".
 * A three-node flannel cluster with four nginx pods (Deployment web) and a busybox pod,
 * client. The scheduler puts client on node-1 with two of the web pods (the one it pings,
 * `peer`, and a `bystander`) and the other two on node-2 (`far` is one of them). The learner
 * finds the pods that share client's node, matches client's eth0 to its veth by interface
 * index, says where client sends a frame for a pod of its own subnet, predicts the TTL of a
 * same-node reply, says who sends the ARP request and what cni0 does with it, reads the MAC
 * cni0 learned for peer, makes client forget peer's MAC from the node (a pod may not), predicts
 * how many ARP requests the next ping sends, and finally pings a pod on the other node to see
 * the gateway and the routing a same-node packet never meets.
 */
export const podToPodSameNode = defineLab({
  id: 'pod-to-pod-same-node',
  title: 'Two pods, one node, one bridge',
  summary: 'A three-node cluster with four nginx pods and a busybox pod, client, which shares its node with two of them. Match a pod to its veth, follow a ping across the cni0 bridge, watch who asks for a MAC and what the bridge learns, and compare with a pod on another node.',
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
  replicas: 4
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
    peer: { pod: { labels: { app: 'web' }, onNodeOf: 'client' } },
    bystander: { pod: { labels: { app: 'web' }, onNodeOf: 'client', skip: 1 } },
    far: { pod: { labels: { app: 'web' }, notOnNodeOf: 'client' } },
    node: { node: { nodeOf: 'client' } },
  },
  tasks: [
    {
      id: 'same-node',
      title: 'Find the pods that share a node',
      description: 'Which web pods run on the same node as `client`? `kubectl get pods -o wide` shows every pod\'s node. Answer with their names, separated by a space: `answer same-node <pod> <pod>`.',
      check: {
        answer: {
          expect: '{{peer.name}} {{bystander.name}}',
          normalize: 'set',
          wrong: 'Read the NODE column of `kubectl get pods -o wide`: client runs on {{client.node}}; name every web pod on that node, and only those.',
          placeholder: 'web-... web-...',
        },
      },
      passed: '{{peer.name}} ({{peer.ip}}) and {{bystander.name}} ({{bystander.ip}}) share {{client.node}} with client ({{client.ip}}): all three addresses lie in {{client.node}}\'s pod range, {{node.podCidr}}, and all three pods hang off the same cni0 bridge.',
      hints: ['`kubectl get pods -o wide` has a NODE column; find client\'s row first.', 'Pods on one node also share the first three numbers of their addresses: the node\'s /24.'],
      solution: { text: 'client runs on {{client.node}}; `kubectl get pods -o wide` shows {{peer.name}} and {{bystander.name}} there too.', steps: ['answer same-node {{peer.name}} {{bystander.name}}'] },
    },
    {
      id: 'match-veth',
      title: 'Find the other end of client\'s cable',
      description: 'client\'s eth0 is one end of a veth pair; the other end is one of the `veth...` interfaces on {{client.node}}. Which one? Read the index of eth0\'s peer inside the pod (`kubectl exec client -- cat /sys/class/net/eth0/iflink`, or the N of `eth0@ifN` in `kubectl exec client -- ip link`), then find the interface with that index on the node (`ssh {{client.node}} ip link`). Answer with `answer match-veth <name>`.',
      check: {
        answer: {
          expect: ['{{client.veth}}', '{{client.veth}}@if{{client.ifindex}}'],
          wrong: 'On {{client.node}}, the number before the colon in `ip link` is each interface\'s own index. Take the line that starts with client\'s iflink, {{client.peerIfindex}}:, not the one with client\'s own index.',
        },
      },
      passed: '{{client.veth}} (index {{client.peerIfindex}} on {{client.node}}) and client\'s eth0 (index {{client.ifindex}} inside the pod) are the two ends of one veth pair: each names the other\'s index after the @, and the node\'s line ends with `link-netns {{client.netns}}`, the name of client\'s network namespace there.',
      hints: ['`kubectl exec client -- cat /sys/class/net/eth0/iflink` prints the index of eth0\'s peer on the node.', 'On {{client.node}}, `ip link` lines start with the index: the line `{{client.peerIfindex}}: veth...@if{{client.ifindex}}` is the one.'],
      solution: { text: 'In client, eth0\'s iflink is {{client.peerIfindex}}; on {{client.node}}, `ip link` shows `{{client.peerIfindex}}: {{client.veth}}@if{{client.ifindex}}`, pointing back at client\'s eth0, index {{client.ifindex}}.', steps: ['answer match-veth {{client.veth}}'] },
    },
    {
      id: 'gateway',
      title: 'Through the gateway, or straight across?',
      description: 'client is about to send a packet to {{peer.name}} ({{peer.ip}}). Its routing table (`kubectl exec client -- ip route`) names a gateway, {{node.bridgeIp}}: cni0 on {{client.node}}. To which MAC address does client send the Ethernet frame? Pick one with `answer gateway <letter>`, or in the panel.',
      check: {
        choice: {
          options: [
            { text: 'To cni0\'s MAC, the gateway {{node.bridgeIp}}: every packet a pod sends goes through its gateway', why: 'The gateway is for destinations outside client\'s own subnet. {{peer.ip}} is inside {{node.podCidr}}, which client\'s table has as `{{node.podCidr}} dev eth0 scope link`: on its own link, with no gateway.' },
            { text: 'To {{peer.name}}\'s own MAC: {{peer.ip}} is on client\'s own link, and cni0 switches the frame to {{peer.name}}\'s port', correct: true, why: 'client\'s route `{{node.podCidr}} dev eth0 scope link` says {{peer.ip}} is a neighbour on eth0, so client puts {{peer.name}}\'s MAC in the frame. cni0 forwards it by that MAC; nothing routes it. {{node.bridgeIp}} is only used for traffic leaving {{node.podCidr}}.' },
            { text: 'To {{client.node}}\'s eth0, which routes the packet back into cni0', why: '{{client.node}}\'s eth0 faces the LAN ({{client.nodeIp}}); pods never address frames to it. And a frame between two pods on one bridge is not routed at all.' },
            { text: 'To the broadcast address ff:ff:ff:ff:ff:ff: every frame on a bridge is broadcast', why: 'Only frames meant for everyone, such as ARP requests, are broadcast. Once client knows {{peer.name}}\'s MAC it sends each frame to that MAC, and cni0 delivers it to one port.' },
          ],
          wrong: 'Compare {{peer.ip}} with each line of client\'s `ip route`: which one matches, and does it have a `via`?',
        },
      },
      hints: ['`kubectl exec client -- ip route` lists three routes. The most specific one that contains {{peer.ip}} wins.'],
      solution: { text: '{{peer.ip}} is in {{node.podCidr}}, client\'s own link (`dev eth0 scope link`, no via): client sends the frame to {{peer.name}}\'s MAC and cni0 switches it: b.', steps: ['answer gateway b'] },
    },
    {
      id: 'predict-ttl',
      title: 'Predict the TTL of a same-node reply',
      description: 'Before you ping: {{peer.name}} sends its echo reply with TTL 64. What TTL will `ping` in client print for it? Lock in your prediction with `answer predict-ttl <number>`, then ping: `kubectl exec client -- ping -c 3 {{peer.ip}}`.',
      check: {
        predict: {
          reveal: { value: 'reply-ttl', from: '@client', to: '@peer' },
          explain: 'Nothing routed the reply: it went from {{peer.name}}\'s eth0 through its veth pair, across cni0 and through client\'s veth pair, switched by MAC all the way, and only routing takes one off the TTL. A reply from {{far.name}} on the other node shows ttl=62: two nodes route it.',
        },
      },
      passed: 'Well predicted.',
      hints: ['Only a router (anything that forwards by IP address) takes one off the TTL. Is there one between two pods on the same bridge?'],
      solution: { text: 'Predict 64: no router between the two pods. Then ping {{peer.ip}} from client to see `ttl=64`.', steps: ['answer predict-ttl 64', 'kubectl exec client -- ping -c 3 {{peer.ip}}'] },
    },
    {
      id: 'who-arps',
      title: 'Who asked for the MAC?',
      description: 'client\'s first ping to {{peer.ip}} began with an ARP exchange: client needed {{peer.name}}\'s MAC. Who sent the ARP request, and what did cni0 do with it? Pick one with `answer who-arps <letter>`, or in the panel.',
      check: {
        choice: {
          options: [
            { text: 'cni0 sent the request on client\'s behalf and passed the answer back to client', why: 'A bridge forwards and floods frames; it does not ask for addresses. In a capture the request comes from client\'s MAC, {{client.mac}}, not cni0\'s.' },
            { text: 'client broadcast it; cni0 flooded it out of every other port (and up to {{client.node}}); {{peer.name}} answered client, and cni0 forwarded that reply to client\'s port only', correct: true, why: 'The one who needs the MAC asks: client, for a neighbour on its own link. cni0 had to flood the broadcast, so {{bystander.name}}\'s veth saw it too; the reply is addressed to client\'s MAC, which cni0 had just learned on {{client.veth}}.' },
            { text: 'client asked its gateway {{node.bridgeIp}}, which looked {{peer.ip}} up and answered', why: 'ARP asks the whole link "who has {{peer.ip}}?", and the owner answers. The gateway only answers for its own address, {{node.bridgeIp}}, which client asks for when a packet leaves {{node.podCidr}}.' },
            { text: '{{client.node}} asked, because the node owns cni0 and all its ports', why: 'The node plays no part: `ip neigh` on {{client.node}} has no entry for client or {{peer.name}}, only flannel\'s for the other nodes.' },
          ],
          wrong: 'Who needs the MAC address? The one building the Ethernet frame.',
        },
      },
      hints: ['The lesson\'s capture on cni0 during client\'s first ping (`tcpdump -e -n -i cni0` on the node) shows it: the `Request who-has ... tell ...` line names the asker\'s address, and `-e` its MAC.', 'Which of them needs the MAC address to build its Ethernet frame?'],
      solution: { text: 'client broadcasts the request, cni0 floods it, {{peer.name}} replies to client, and cni0 forwards the reply to client\'s port alone: b.', steps: ['answer who-arps b'] },
    },
    {
      id: 'fdb',
      title: 'Read what cni0 learned',
      description: 'On {{client.node}}, read cni0\'s forwarding table: `bridge fdb show br cni0`. Which MAC address did cni0 learn behind port {{peer.veth}}, {{peer.name}}\'s veth? Answer with `answer fdb <MAC>`.',
      needs: ['predict-ttl'],
      check: {
        all: [
          { answer: { expect: '{{peer.mac}}', normalize: 'mac', wrong: 'Lines that end in `permanent` are the ports\' own MACs. Take the line `... dev {{peer.veth}} master cni0` without `permanent`: cni0 learned it from a frame that came in on that port.' } },
          { state: { fdb: { on: '@node', bridge: 'cni0', mac: '{{peer.mac}}', port: '{{peer.veth}}', learned: true } } },
        ],
      },
      passed: 'cni0 learned {{peer.mac}}, {{peer.name}}\'s eth0, on port {{peer.veth}} from the first frame {{peer.name}} sent (its ARP reply). From then on it sends frames for that MAC out of that one port.',
      hints: ['`ssh {{client.node}} bridge fdb show br cni0 dev {{peer.veth}}` lists only that port\'s entries.', 'Compare with {{peer.name}}\'s own view: `kubectl exec {{peer.name}} -- cat /sys/class/net/eth0/address`.'],
      solution: { text: '`bridge fdb show br cni0` on {{client.node}} has `{{peer.mac}} dev {{peer.veth}} master cni0` without `permanent`: learned.', steps: ['answer fdb {{peer.mac}}'] },
    },
    {
      id: 'flush',
      title: 'Make client forget the MAC',
      description: 'client keeps {{peer.name}}\'s MAC in its neighbour table (`kubectl exec client -- ip neigh`). Make it forget. A pod may not change its own network settings (try `kubectl exec client -- ip neigh flush all`), but root on the node may: on {{client.node}}, find client\'s network namespace (the `link-netns` name on the `ip link` line of client\'s veth) and flush its table with `ip -n <namespace> neigh flush all`.',
      needs: ['predict-ttl'],
      check: { state: { neighbour: { on: '@client', ip: '{{peer.ip}}', absent: true } } },
      passed: 'client\'s neighbour table is empty: it has forgotten {{peer.ip}}. Its next packet for {{peer.name}} has to wait for an ARP exchange again.',
      hints: ['`ssh {{client.node}} ip link show {{client.veth}}` ends with `link-netns cni-...`: that is client\'s namespace. `ip netns list` on the node lists them all.', 'Then, on {{client.node}}: `ip -n {{client.netns}} neigh flush all` (or `ip netns exec {{client.netns}} ip neigh flush all`).'],
      solution: { text: 'client\'s namespace on {{client.node}} is {{client.netns}} (its veth\'s `link-netns`); flush its neighbour table from the node, where root has CAP_NET_ADMIN.', steps: ['ssh {{client.node}} ip -n {{client.netns}} neigh flush all'] },
    },
    {
      id: 'arp-again',
      title: 'Predict the next ARP',
      description: 'client has forgotten {{peer.name}}\'s MAC. In a second terminal (the + tab), capture ARP on cni0: `ssh {{client.node}}`, then `tcpdump -e -n -i cni0 arp`. Before you ping: when client next pings {{peer.ip}} (`kubectl exec client -- ping -c 3 {{peer.ip}}`), how many ARP requests will it broadcast before its first echo request leaves? Lock in a number with `answer arp-again <number>`, then ping and read the capture.',
      needs: ['flush'],
      check: {
        predict: {
          reveal: { value: 'arp-requests', from: '@client', to: '@peer' },
          explain: 'client had no entry for {{peer.ip}}, so its first echo request waited while client broadcast one ARP request; cni0 flooded it, {{peer.name}} answered, and client stored the MAC again. The two echo requests after it found the entry and needed no ARP. A first ping that takes longer than the next ones is this exchange, not a fault.',
        },
      },
      passed: 'Well predicted.',
      hints: ['How many answers does client need before it knows the MAC, and where does it keep the answer?'],
      solution: { text: 'Predict 1: one broadcast request, one reply, and the MAC is cached for the rest. Then ping {{peer.ip}} from client.', steps: ['answer arp-again 1', 'kubectl exec client -- ping -c 3 {{peer.ip}}'] },
    },
    {
      id: 'far-gateway',
      title: 'Leave the node: meet the gateway',
      description: 'Now the other case. Capture ICMP on cni0 (`ssh {{client.node}}`, then `tcpdump -e -n -i cni0 icmp`) and, in the other terminal, ping {{far.name}} ({{far.ip}}, on {{far.node}}) from client: `kubectl exec client -- ping -c 2 {{far.ip}}`. To which MAC address did client send the echo request? Answer with `answer far-gateway <MAC>`.',
      check: {
        all: [
          { answer: { observed: { value: 'frame-dst-mac', from: '@client', to: '@far', at: '@client', dev: 'eth0' }, wrong: 'In the capture, `-e` prints each frame\'s source and destination MAC before the addresses: take the destination of the echo request from {{client.ip}} to {{far.ip}}.' } },
          { observed: { from: '@client', to: '@far', proto: 'icmp', through: '@node', action: 'forward', answered: true, hint: 'Ping {{far.ip}} from client: `kubectl exec client -- ping -c 2 {{far.ip}}`.' } },
        ],
      },
      passed: 'The frame went to cni0\'s own MAC, {{node.bridgeMac}}: {{far.ip}} lies outside {{node.podCidr}}, so client sent it to its gateway {{node.bridgeIp}}, and {{client.node}} routed it into flannel.1 (TTL 64 to 63); {{far.node}} routed it again, and the replies arrive with ttl=62. Within the node\'s /24, frames go straight to the other pod\'s MAC and nothing routes them.',
      hints: ['The echo request\'s line in the capture reads `SRC_MAC > DST_MAC, ethertype IPv4 ...`: the second MAC.', 'Compare it with cni0\'s MAC in `ssh {{client.node}} ip link show cni0`.'],
      solution: { text: 'Ping {{far.ip}} from client while capturing with `-e` on cni0: the echo request goes to {{node.bridgeMac}}, cni0\'s MAC, the gateway {{node.bridgeIp}}.', steps: ['kubectl exec client -- ping -c 2 {{far.ip}}', 'answer far-gateway {{node.bridgeMac}}'] },
    },
  ],
});
