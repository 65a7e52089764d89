import { defineLab } from '../src/labs/schema';

/**
 * Lab for the lesson "Pod to pod across nodes: routes, flannel's VXLAN tunnel and host-gw".
 * A three-node flannel cluster (VXLAN) with two nginx pods per worker and a netshoot pod,
 * client, whose ping is iputils' (it can set DF). client pings `far`, a web pod on the other
 * worker. The learner reads the node's route for far's pod range, predicts the TTL of far's
 * reply, sees the VXLAN packet on the node's eth0, finds the remote VTEP in the neighbour and
 * FDB tables, explains flannel.1's MTU and a 1423-byte DF ping that cannot leave, then switches
 * flannel to host-gw through its ConfigMap and a restart of its DaemonSet, predicts the TTL again,
 * shows that the packets now cross the LAN without UDP 8472, says what changed, and reads the MTU
 * a new pod gets while client keeps its own.
 */
export const podToPodAcrossNodes = defineLab({
  id: 'pod-to-pod-across-nodes',
  title: 'Across nodes: the tunnel and the routes',
  summary: 'A three-node flannel cluster with four nginx pods and a netshoot pod, client. Follow a ping to a pod on the other worker through the routes, flannel.1 and the LAN, find the remote tunnel end, hit the tunnel\'s MTU, then switch flannel from VXLAN to host-gw and see what changes and what does not.',
  defaultSeed: 1,
  topology: { name: 'kubernetes', nodes: 3, cni: 'flannel-vxlan' },
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
    image: nicolaka/netshoot:v0.13
    command: ["sleep", "infinity"]
`,
  bindings: {
    client: { pod: { name: 'client' } },
    far: { pod: { labels: { app: 'web' }, notOnNodeOf: 'client' } },
    node: { node: { nodeOf: 'client' } },
    farNode: { node: { nodeOf: 'far' } },
  },
  tasks: [
    {
      id: 'route',
      title: 'Find the route to the other node\'s pods',
      description: 'client ({{client.ip}}) on {{client.node}} is about to ping {{far.name}} ({{far.ip}}) on {{far.node}}. client hands the packet to its gateway, cni0 on {{client.node}}. Which next hop does {{client.node}}\'s routing table give for {{far.ip}}? Read `ssh {{client.node}} ip route` (or `ssh {{client.node}} ip route get {{far.ip}}`) and answer with the address after `via`: `answer route <address>`.',
      check: { answer: { expect: '{{farNode.tunnelIp}}', normalize: 'ip', wrong: 'Find the line whose destination contains {{far.ip}}: {{farNode.podCidr}}, the pod range of {{far.node}}. Its `via` is the address you want, not the node\'s own.' } },
      passed: '`{{farNode.podCidr}} via {{farNode.tunnelIp}} dev flannel.1 onlink`: flanneld wrote one such route for each other node\'s pod range. The gateway {{farNode.tunnelIp}} is the address of flannel.1 on {{far.node}}, reached through the tunnel; `onlink` tells the kernel to treat it as directly on flannel.1 although no address of {{client.node}} covers it.',
      hints: ['`ssh {{client.node}} ip route` lists one line per pod range of the other nodes.', 'The line for {{farNode.podCidr}} reads `{{farNode.podCidr}} via ... dev flannel.1 onlink`.'],
      solution: { text: '`ssh {{client.node}} ip route` has `{{farNode.podCidr}} via {{farNode.tunnelIp}} dev flannel.1 onlink`.', steps: ['answer route {{farNode.tunnelIp}}'] },
    },
    {
      id: 'predict-ttl',
      title: 'Predict the TTL of a reply from the other node',
      description: 'Before you ping: {{far.name}} sends its echo reply with TTL 64. What TTL will `ping` in client print for it? Lock in your prediction with `answer predict-ttl <number>`, then ping: `kubectl exec client -- ping -c 2 {{far.ip}}`.',
      check: {
        predict: {
          reveal: { value: 'reply-ttl', from: '@client', to: '@far' },
          explain: 'Two routers took one off each: {{far.node}} routed the reply from cni0 into flannel.1 (64 to 63) and {{client.node}} routed it from flannel.1 onto cni0 (63 to 62). The tunnel is one hop for the inner packet, however many switches the outer packet crosses on the LAN.',
        },
      },
      passed: 'Well predicted.',
      hints: ['Only routing takes one off the TTL. How many machines route the reply by its IP address between {{far.name}} and client?'],
      solution: { text: 'Predict 62: {{far.node}} and {{client.node}} each route the reply once. Then ping {{far.ip}} from client.', steps: ['answer predict-ttl 62', 'kubectl exec client -- ping -c 2 {{far.ip}}'] },
    },
    {
      id: 'vxlan-wire',
      title: 'See the tunnel on the wire',
      description: 'In a second terminal (the + tab), capture on {{client.node}}\'s LAN interface: `ssh {{client.node}}`, then `tcpdump -n -i eth0 udp port 8472`. Ping {{far.ip}} from client again (`kubectl exec client -- ping -c 2 {{far.ip}}`). Each line pair is one VXLAN packet: an outer IP/UDP header between the two nodes, then the pod\'s packet inside. To which address is the outer packet of an echo request sent? Answer with `answer vxlan-wire <address>`. (The lab\'s Packet path view shows the same packet, outer and inner headers side by side.)',
      needs: ['route'],
      check: {
        all: [
          { observed: { from: '@client', to: '@far', proto: 'icmp', through: '@node', dev: 'flannel.1', action: 'vxlan-encap', answered: true, hint: 'Ping {{far.ip}} from client: `kubectl exec client -- ping -c 2 {{far.ip}}`.' } },
          { answer: { expect: '{{farNode.ip}}', normalize: 'ip', wrong: 'In `IP A.port > B.8472: OTV ...`, B is the outer destination: a node address from 192.168.49.0/24, not a pod address. The inner line carries the pods\' addresses.' } },
        ],
      },
      passed: 'The outer packet goes from {{node.ip}} to {{farNode.ip}}, UDP port 8472: flannel.1 on {{client.node}} wrapped client\'s frame (inner Ethernet, IP {{client.ip}} > {{far.ip}}) in VXLAN with VNI 1, and the LAN carried it between the two node addresses. tcpdump names UDP 8472 "OTV" (another protocol that uses the port) and still decodes the VXLAN header: `flags [I]`, `instance 1` is the VNI.',
      hints: ['The first line of each pair is the outer header: `IP <node>.<port> > <node>.8472`.', 'Compare the outer destination with `kubectl get nodes -o wide`: which node has that address?'],
      solution: { text: 'Capture with `tcpdump -n -i eth0 udp port 8472` on {{client.node}} and ping {{far.ip}} from client (the ping of the previous task already counts): the requests go `{{node.ip}}.<port> > {{farNode.ip}}.8472`.', steps: ['answer vxlan-wire {{farNode.ip}}'] },
    },
    {
      id: 'vtep',
      title: 'Find the remote tunnel end',
      description: 'To send through flannel.1 to {{farNode.tunnelIp}}, {{client.node}} needs that address\'s MAC (its neighbour table) and where that MAC lives on the LAN (flannel.1\'s forwarding database). flanneld wrote both in advance. Which MAC does {{client.node}} hold for {{farNode.tunnelIp}}? Read `ssh {{client.node}} ip neigh show dev flannel.1`, then check `ssh {{client.node}} bridge fdb show dev flannel.1`: that MAC\'s `dst` should be {{farNode.ip}}. Answer with `answer vtep <MAC>`.',
      needs: ['vxlan-wire'],
      check: {
        all: [
          { answer: { expect: '{{farNode.tunnelMac}}', normalize: 'mac', wrong: 'Take the `lladdr` of the line for {{farNode.tunnelIp}} in `ip neigh show dev flannel.1` on {{client.node}}: the MAC of flannel.1 on {{far.node}}.' } },
          { state: { neighbour: { on: '@node', ip: '{{farNode.tunnelIp}}', dev: 'flannel.1', state: 'PERMANENT', mac: '{{farNode.tunnelMac}}' } } },
        ],
      },
      passed: '{{farNode.tunnelMac}} is flannel.1\'s MAC on {{far.node}}: the remote VTEP (VXLAN tunnel end point). The neighbour entry is PERMANENT and the FDB entry `{{farNode.tunnelMac}} dst {{farNode.ip}} self permanent` says where to send frames for it. flanneld wrote both from {{far.node}}\'s node annotations, with learning off: no ARP and no flooding cross the tunnel. One route, one neighbour and one FDB entry per other node, and nothing else.',
      hints: ['`ssh {{client.node}} ip neigh show dev flannel.1` has one line per other node: `<its .0 address> lladdr <MAC> PERMANENT`.', 'flanneld takes the MAC from the node\'s annotation: `kubectl get node {{far.node}} -o yaml` shows `flannel.alpha.coreos.com/backend-data` with `VtepMAC`.'],
      solution: { text: '`ip neigh show dev flannel.1` on {{client.node}} has `{{farNode.tunnelIp}} lladdr {{farNode.tunnelMac}} PERMANENT`, and `bridge fdb show dev flannel.1` has `{{farNode.tunnelMac}} dst {{farNode.ip}} self permanent`.', steps: ['answer vtep {{farNode.tunnelMac}}'] },
    },
    {
      id: 'mtu-why',
      title: 'Why 1450?',
      description: 'client\'s eth0 and flannel.1 both have MTU 1450 (`kubectl exec client -- ip link show eth0`, `ssh {{client.node}} ip -d link show flannel.1`), while the nodes\' eth0 has 1500. Where do the 50 bytes go? Pick one with `answer mtu-why <letter>`, or in the panel.',
      check: {
        choice: {
          options: [
            { text: 'The outer IPv4 header (20), the outer UDP header (8), the VXLAN header (8) and the inner Ethernet header (14) ride inside the node\'s 1500-byte packets', correct: true, why: 'A 1450-byte inner packet plus its 14-byte Ethernet header, 8 bytes of VXLAN, 8 of UDP and 20 of IPv4 makes exactly 1500: one full outer packet on the LAN, so nothing must be fragmented.' },
            { text: 'flannel reserves 50 bytes for its own routing information in every packet', why: 'flannel adds no header of its own. The 50 bytes are standard VXLAN encapsulation (RFC 7348): outer IPv4, UDP, the 8-byte VXLAN header and the inner frame\'s Ethernet header.' },
            { text: 'The cni0 bridge adds a 50-byte VLAN tag to each frame', why: 'A bridge adds nothing; a VLAN tag would be 4 bytes. The bytes are added by flannel.1 when it wraps the frame.' },
            { text: 'It is only a default; pods could use 1500 and flannel.1 would fragment for them', why: 'A pod packet of 1451 to 1500 bytes with DF cannot cross flannel.1 at all, and without DF the node must fragment it: the MTU is chosen so that inner packet plus headers fit one outer packet.' },
          ],
          wrong: 'What does flannel.1 put around a pod\'s packet before it goes out of eth0? Count the header sizes.',
        },
      },
      hints: ['In the capture, the outer line says `length` of the UDP payload; compare `tcpdump -v` lengths outside and inside.', 'Outer IPv4 20 bytes + UDP 8 + VXLAN 8 + the inner frame\'s Ethernet header 14.'],
      solution: { text: '20 (outer IPv4) + 8 (UDP) + 8 (VXLAN) + 14 (inner Ethernet) = 50, and 1450 + 50 = 1500: a.', steps: ['answer mtu-why a'] },
    },
    {
      id: 'df-ping',
      title: 'A packet one byte too big',
      description: 'Send a ping whose packet is one byte over the pod\'s MTU, with Don\'t Fragment set: `kubectl exec client -- ping -M do -s 1423 -c 2 {{far.ip}}` (1423 bytes of data + 8 of ICMP + 20 of IPv4 = 1451). What happens? Pick one with `answer df-ping <letter>`, or in the panel.',
      needs: ['mtu-why'],
      check: {
        choice: {
          options: [
            { text: 'The packet never leaves client: its own kernel refuses it (local error: message too long, mtu=1450), because eth0 is 1450 and DF forbids fragmenting', correct: true, why: 'With `-M do` the kernel sets DF and checks the size against the route\'s MTU before sending: 1451 > 1450, so sendmsg fails with EMSGSIZE and ping counts an error. With `-s 1422` (1450 bytes) it goes through.' },
            { text: '{{client.node}}\'s flannel.1 drops it and sends back "Frag needed and DF set"', why: 'It never gets that far: client\'s own eth0 has MTU 1450, so its kernel refuses the packet first. A node answers "Frag needed" when a pod\'s MTU is larger than the tunnel\'s (a pod with MTU 1500 on a VXLAN cluster).' },
            { text: 'It is fragmented into two packets and answered', why: '`-M do` sets Don\'t Fragment: nobody may fragment it. Without DF the pod\'s kernel would fragment it and the ping would be answered.' },
            { text: 'It reaches {{far.name}}, which drops it because nginx pods accept at most 1450 bytes', why: 'It never leaves client. And the receiver\'s MTU limits what it sends, not what it receives.' },
          ],
          wrong: 'Run it and read what ping prints, then compare 1451 with client\'s eth0 MTU.',
        },
      },
      hints: ['`kubectl exec client -- ip link show eth0` gives the MTU the packet must fit.', 'Try `-s 1422` too: 1422 + 8 + 20 = 1450.'],
      solution: { text: 'Run `kubectl exec client -- ping -M do -s 1423 -c 2 {{far.ip}}`: client\'s kernel refuses the 1451-byte DF packet before it leaves (`ping: local error: message too long, mtu=1450`): a.', steps: ['answer df-ping a'] },
    },
    {
      id: 'host-gw',
      title: 'Switch flannel to host-gw',
      description: 'flanneld reads its backend from `net-conf.json` in the ConfigMap `kube-flannel-cfg` (namespace `kube-flannel`), and only when it starts. Change `"Type": "vxlan"` to `"Type": "host-gw"` (for example `kubectl -n kube-flannel get configmap kube-flannel-cfg -o yaml | sed \'s/"vxlan"/"host-gw"/\' | kubectl apply -f -`, or `kubectl -n kube-flannel edit configmap kube-flannel-cfg`), then restart flanneld on every node: `kubectl -n kube-flannel rollout restart daemonset kube-flannel-ds`, and wait for `kubectl -n kube-flannel rollout status daemonset kube-flannel-ds`. The task passes when {{client.node}} routes {{farNode.podCidr}} the host-gw way.',
      needs: ['vxlan-wire'],
      check: { state: { route: { on: '@node', dst: '{{farNode.podCidr}}', via: '{{farNode.ip}}', dev: 'eth0' } } },
      passed: '{{client.node}} now has `{{farNode.podCidr}} via {{farNode.ip}} dev eth0`: a plain route to {{far.node}}\'s pods through {{far.node}}\'s own address on the LAN. The DaemonSet replaced one pod at a time; each new flanneld read host-gw, published its lease with the new type and replaced the routes for the other nodes already on host-gw.',
      hints: ['Check the ConfigMap first: `kubectl -n kube-flannel get configmap kube-flannel-cfg -o jsonpath=\'{.data.net-conf\\.json}\'`.', 'Editing the ConfigMap alone changes nothing: flanneld reads it at start. `kubectl -n kube-flannel rollout restart daemonset kube-flannel-ds` starts a new one on each node.', 'If a flannel pod goes into CrashLoopBackOff, its log (`kubectl -n kube-flannel logs <pod>`) names what it could not use; fix the ConfigMap and it recovers by itself.'],
      solution: {
        text: 'Replace the backend type in the ConfigMap, then restart the DaemonSet and wait for it.',
        steps: [
          "kubectl -n kube-flannel get configmap kube-flannel-cfg -o yaml | sed 's/\"vxlan\"/\"host-gw\"/' | kubectl apply -f -",
          'kubectl -n kube-flannel rollout restart daemonset kube-flannel-ds',
          'kubectl -n kube-flannel rollout status daemonset kube-flannel-ds',
        ],
      },
    },
    {
      id: 'predict-ttl-hostgw',
      title: 'Predict the TTL without the tunnel',
      description: 'Now that no tunnel is on the way, what TTL will the reply from {{far.name}} show? Lock in `answer predict-ttl-hostgw <number>`, then ping: `kubectl exec client -- ping -c 2 {{far.ip}}`.',
      needs: ['host-gw'],
      check: {
        predict: {
          reveal: { value: 'reply-ttl', from: '@client', to: '@far' },
          explain: 'Still 62: both nodes still route the packet, {{far.node}} from cni0 to eth0 and {{client.node}} from eth0 to cni0. The tunnel never counted as a router; what changed is only how the packet crosses the LAN between the two routers.',
        },
      },
      passed: 'Well predicted.',
      hints: ['Did the number of machines that route the reply change, or only the way it crosses the LAN between them?'],
      solution: { text: 'Predict 62 again: two routing nodes, with or without a tunnel between them.', steps: ['answer predict-ttl-hostgw 62', 'kubectl exec client -- ping -c 2 {{far.ip}}'] },
    },
    {
      id: 'no-tunnel',
      title: 'No UDP 8472 on the wire',
      description: 'Capture on {{client.node}}\'s eth0 again, this time everything ICMP: `tcpdump -n -i eth0 icmp` (and, if you like, `udp port 8472`, which now stays silent). Ping {{far.ip}} from client. The task passes when {{client.node}} routes an answered echo request straight out of its eth0, with no tunnel device on the way.',
      needs: ['predict-ttl-hostgw'],
      check: { observed: { from: '@client', to: '@far', proto: 'icmp', through: '@node', dev: 'eth0', action: 'forward', answered: true, hint: 'Ping {{far.ip}} from client: `kubectl exec client -- ping -c 2 {{far.ip}}`.' } },
      passed: 'The echo request left {{client.node}}\'s eth0 as it was, `{{client.ip}} > {{far.ip}}: ICMP echo request`, in a frame addressed to {{far.node}}\'s eth0 ({{farNode.mac}}): pod addresses on the LAN itself. That is why host-gw needs every node on one L2 network: a router between the nodes would know nothing of 10.244.0.0/16.',
      hints: ['`tcpdump -n -e -i eth0 icmp` on {{client.node}} also prints the MACs: the destination is {{far.node}}\'s eth0.'],
      solution: { text: 'Ping {{far.ip}} from client (`kubectl exec client -- ping -c 2 {{far.ip}}`; the ping of the previous task already counts): a capture on eth0 shows the pod addresses directly, and `udp port 8472` shows nothing.', steps: [] },
    },
    {
      id: 'what-changed',
      title: 'What changed, what did not',
      description: 'Compare what you saw with VXLAN and with host-gw: `ssh {{client.node}} ip route`, `ssh {{client.node}} ip -br link`, `ssh {{client.node}} ip neigh show dev flannel.1`, `ssh {{client.node}} cat /run/flannel/subnet.env`, `kubectl exec client -- ip link show eth0`. Which statement is true? Pick one with `answer what-changed <letter>`, or in the panel.',
      needs: ['no-tunnel'],
      check: {
        choice: {
          options: [
            { text: 'flanneld deleted flannel.1 and its entries, and client\'s eth0 went to MTU 1500 at once', why: 'flanneld tears nothing down: `ip -br link` still lists flannel.1, and its permanent neighbour and FDB entries are still there, only no route uses it. client keeps the MTU the CNI plugin gave it when it was created.' },
            { text: 'The route to {{farNode.podCidr}} now goes via {{farNode.ip}} dev eth0 instead of {{farNode.tunnelIp}} dev flannel.1; no UDP 8472 crosses the LAN; the TTL is still 62; subnet.env now says FLANNEL_MTU=1500, which only pods created from now on get', correct: true, why: 'Exactly: same two routers, another way across the LAN. flannel.1 is left in place, unused. Running pods keep 1450 until they are recreated; a new pod gets 1500 from subnet.env.' },
            { text: 'The TTL went from 62 to 63, because the tunnel was a router', why: 'You predicted and saw 62 both times: the nodes route, the tunnel only carries.' },
            { text: 'Nothing changed on the nodes; host-gw only changes the node annotations', why: '`ip route` on {{client.node}} changed: the route to {{farNode.podCidr}} goes via {{farNode.ip}} dev eth0.' },
          ],
          wrong: 'Read `ip route`, `ip -br link` and `/run/flannel/subnet.env` on {{client.node}} once more.',
        },
      },
      hints: ['`ssh {{client.node}} ip -br link`: is flannel.1 still there?', '`kubectl exec client -- ip link show eth0` versus `ssh {{client.node}} cat /run/flannel/subnet.env`.'],
      solution: { text: 'Only the routes, the wire format and the MTU for new pods changed; TTL and flannel.1 stayed: b.', steps: ['answer what-changed b'] },
    },
    {
      id: 'new-pod-mtu',
      title: 'A new pod, a new MTU',
      description: 'Start a new pod called `late`: `kubectl run late --image=nicolaka/netshoot:v0.13 -- sleep infinity`. Wait until it runs (`kubectl get pods`), then read its MTU: `kubectl exec late -- ip link show eth0`. What MTU did it get? Answer with `answer new-pod-mtu <number>`.',
      needs: ['host-gw'],
      check: {
        all: [
          { state: { link: { on: 'pod:late', dev: 'eth0', up: true } } },
          { answer: { expect: '1500', normalize: 'number', wrong: 'Read `mtu` in `kubectl exec late -- ip link show eth0` for the pod you just created, not client (which keeps the MTU it started with).' } },
        ],
      },
      passed: 'The CNI plugin gave the new pod FLANNEL_MTU from the node\'s /run/flannel/subnet.env: 1500 now, since host-gw adds no header. Pods created under VXLAN keep 1450 until they are recreated; that is harmless here (smaller than needed). The reverse is not: pods with 1500 on a cluster switched back to VXLAN send DF packets that flannel.1 cannot carry, and the node answers "Frag needed".',
      hints: ['`kubectl get pods -o wide` shows when it runs; `kubectl exec late -- cat /sys/class/net/eth0/mtu` prints the number alone.'],
      solution: { text: 'A pod created after the switch gets MTU 1500 from subnet.env: `kubectl exec late -- ip link show eth0` shows `mtu 1500`.', steps: ['kubectl run late --image=nicolaka/netshoot:v0.13 -- sleep infinity', 'sleep 5', 'answer new-pod-mtu 1500'] },
    },
  ],
});
