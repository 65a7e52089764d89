import { defineLab } from '../src/labs/schema';

/**
 * Lab for the lesson "Docker's bridge network".
 * Two Docker hosts on one LAN. On host-1 two containers (c1, c2) sit on the default bridge;
 * host-2 runs four containers of its own, one of them (app-1) publishing port 8080. The
 * learner reads the bridge network, matches a veth to its container by interface index, says
 * who sends the ARP request, watches docker0 learn a MAC, predicts the masqueraded source
 * address, publishes a port and finds its DNAT rule, reaches a container by name on a
 * user-defined network, fails to reach a container on host-2 at its 172.17 address, says why,
 * and reaches host-2's published port instead.
 */
export const dockerBridge = defineLab({
  id: 'docker-bridge',
  title: 'Containers on a Docker bridge',
  summary: 'Two Docker hosts on one LAN: c1 and c2 run on host-1, four containers on host-2. Match veths to containers, watch docker0 learn MACs, follow traffic out through masquerade and in through a published port, give containers names, and find out why host-1 cannot reach host-2\'s containers by their addresses.',
  defaultSeed: 1,
  topology: { name: 'docker', hosts: 2 },
  setup: [
    'ssh host-1 docker run -dit --name c1 alpine',
    'ssh host-1 docker run -dit --name c2 alpine',
    'ssh host-2 docker run -d --name app-1 -p 8080:80 nginx',
    'ssh host-2 docker run -d --name app-2 nginx',
    'ssh host-2 docker run -d --name app-3 nginx',
    'ssh host-2 docker run -dit --name db alpine',
  ],
  bindings: {
    ws: { host: { name: 'workstation' } },
    h1: { host: { name: 'host-1' } },
    h2: { host: { name: 'host-2' } },
    c1: { container: { host: 'host-1', name: 'c1' } },
    c2: { container: { host: 'host-1', name: 'c2' } },
    app1: { container: { host: 'host-2', name: 'app-1' } },
    db: { container: { host: 'host-2', name: 'db' } },
    docker0: { interface: { on: 'host:host-1', dev: 'docker0' } },
  },
  tasks: [
    {
      id: 'bridge-inspect',
      title: 'Read the default bridge network',
      description: 'Log in to host-1 (`ssh host-1`) and list the containers on the default bridge network with `docker network inspect bridge`. Which address did Docker give c2? Answer with `answer bridge-inspect <address>` (the address without its /16).',
      check: { answer: { expect: '{{c2.ip}}', normalize: 'ip', wrong: 'Find c2 under "Containers" in `docker network inspect bridge` and read its "IPv4Address" without the /16.' } },
      passed: 'c2 is {{c2.ip}} on 172.17.0.0/16, the default bridge\'s subnet. The gateway, 172.17.0.1, is docker0 itself; containers get the lowest free address from .2 up.',
      hints: ['`ssh host-1 docker network inspect bridge` runs the command on host-1 without logging in.', 'Each entry under "Containers" has a "Name" and an "IPv4Address" such as 172.17.0.3/16: answer the address without the prefix length.'],
      solution: { text: '`docker network inspect bridge` on host-1 lists c2 with "IPv4Address": "{{c2.ip}}/16".', steps: ['answer bridge-inspect {{c2.ip}}'] },
    },
    {
      id: 'match-veth',
      title: 'Find the other end of c2\'s cable',
      description: 'Inside c2, eth0 is one end of a veth pair; the other end is one of the `vethXXXXXXX` interfaces `ip link` lists on host-1. Which one? Read the peer\'s interface index inside the container (`docker exec c2 cat /sys/class/net/eth0/iflink`, or the N of `eth0@ifN` in `docker exec c2 ip link`), then find the interface with that index on host-1. Answer with `answer match-veth <name>`.',
      check: { answer: { expect: ['{{c2.veth}}', '{{c2.veth}}@if{{c2.ifindex}}'], wrong: 'The number before the colon in `ip link` on host-1 is each interface\'s index. Look for the line that starts with c2\'s iflink, {{c2.peerIfindex}}:, not for c2\'s own index.' } },
      passed: '{{c2.veth}} (index {{c2.vethIfindex}} on host-1) and c2\'s eth0 (index {{c2.ifindex}} inside c2) are the two ends of one veth pair: each names the other\'s index after the @.',
      hints: ['`ssh host-1 docker exec c2 cat /sys/class/net/eth0/iflink` prints the index of eth0\'s peer on host-1.', 'On host-1, `ip link` lines start with the index: the line `{{c2.peerIfindex}}: veth...@if{{c2.ifindex}}` is the one.'],
      solution: { text: 'In c2, eth0\'s iflink is {{c2.peerIfindex}}; on host-1, `ip link` shows `{{c2.peerIfindex}}: {{c2.veth}}@if{{c2.ifindex}}`: it points back at c2\'s eth0, index {{c2.ifindex}}.', steps: ['answer match-veth {{c2.veth}}'] },
    },
    {
      id: 'who-arps',
      title: 'Who asks for c2\'s MAC?',
      description: 'c1 is about to ping c2 ({{c2.ip}}) for the first time. c1 knows c2\'s address but not its MAC. Which of these happens? Pick one with `answer who-arps <letter>`, or in the panel.',
      check: {
        choice: {
          options: [
            { text: 'c1 broadcasts an ARP request; docker0 floods it out of every other port, and c2 answers c1 directly', correct: true, why: 'c1 has a route `172.17.0.0/16 dev eth0`: c2 is on its own link, so c1 asks for c2\'s MAC itself. docker0 is a switch: it forwards the broadcast to every port but the one it came in on, and the reply, a unicast to c1\'s MAC, only to c1\'s port.' },
            { text: 'docker0 sends the ARP request on c1\'s behalf', why: 'A bridge forwards frames; it does not ask for addresses. The request comes from c1, which needs the MAC to build its frame.' },
            { text: 'c1 asks its gateway 172.17.0.1 for c2\'s MAC', why: 'ARP asks everyone on the link "who has this address?"; the owner answers. c1 only talks to its gateway for addresses outside 172.17.0.0/16.' },
            { text: 'No ARP is needed: Docker wrote c2\'s MAC into c1\'s neighbour table when it started c2', why: 'Docker writes no neighbour entries on the default bridge: `ip neigh` in c1 is empty until c1 has asked.' },
          ],
          wrong: 'Think about who needs the MAC address: the one building the Ethernet frame.',
        },
      },
      hints: ['Look at c1\'s routes (`docker exec c1 ip route`): is c2\'s address on c1\'s own link?'],
      solution: { text: 'c1 ARPs itself (a broadcast, which docker0 floods), and c2 replies to c1 alone: a.', steps: ['answer who-arps a'] },
    },
    {
      id: 'bridge-learns',
      title: 'Watch docker0 learn a MAC',
      description: 'Read docker0\'s forwarding table on host-1 with `bridge fdb show br docker0`. Then ping c2 from c1 (`docker exec c1 ping -c 1 {{c2.ip}}`) and read it again. Which MAC address did docker0 learn behind port {{c1.veth}}, c1\'s veth? Answer with `answer bridge-learns <MAC>`.',
      check: {
        all: [
          { answer: { expect: '{{c1.mac}}', normalize: 'mac', wrong: 'The lines that end in `permanent` are the ports\' own addresses. Take the line for `dev {{c1.veth}}` without `permanent`: docker0 learned it from a frame c1 sent.' } },
          { observed: { from: '@c1', to: '@c2', through: 'host:host-1', dev: 'docker0', action: 'bridge-forward', hint: 'Ping c2 from c1: `ssh host-1 docker exec c1 ping -c 1 {{c2.ip}}`.' } },
        ],
      },
      passed: 'docker0 learned {{c1.mac}}, c1\'s eth0, on port {{c1.veth}} from the first frame c1 sent (its ARP request), and {{c2.mac}} on c2\'s port from the reply. Since then it sends frames for those MACs out of one port only.',
      hints: ['Two lines mention `dev {{c1.veth}}` with `permanent`: that is the veth\'s own MAC. The learned one appears after the ping.', 'c1\'s own MAC is in `docker exec c1 ip link show eth0`: compare.'],
      solution: { text: 'After c1 pings c2, `bridge fdb show br docker0` has `{{c1.mac}} dev {{c1.veth}} master docker0`, without `permanent`: c1\'s MAC, learned.', steps: ['ssh host-1 docker exec c1 ping -c 1 {{c2.ip}}', 'answer bridge-learns {{c1.mac}}'] },
    },
    {
      id: 'predict-source',
      title: 'Predict the address host-2 sees',
      description: 'c1 ({{c1.ip}}) is about to ping host-2 ({{h2.ip}}), another machine on the LAN. Which source address will the echo request carry when it arrives at host-2? Lock in your prediction with `answer predict-source <address>`, then find out: capture on host-2 (`ssh host-2`, then `tcpdump -n -i eth0 icmp`) while you ping from c1 in a second terminal (`ssh host-1 docker exec c1 ping -c 1 {{h2.ip}}`).',
      check: {
        predict: {
          reveal: { value: 'seen-source', from: '@c1', to: '@h2' },
          explain: 'host-1 routed the packet out of its eth0, and nat POSTROUTING\'s rule `-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE` rewrote the source {{c1.ip}} to host-1\'s own address {{h1.ip}}. host-2 answers {{h1.ip}}, and host-1\'s conntrack turns the reply\'s destination back into {{c1.ip}}.',
        },
      },
      passed: 'Well predicted.',
      hints: ['172.17.0.0/16 exists only inside host-1 (and, separately, inside host-2). Could host-2 send a reply to {{c1.ip}}?', 'Read host-1\'s nat table: `ssh host-1 iptables -t nat -S POSTROUTING`.'],
      solution: { text: 'Predict {{h1.ip}}: Docker masquerades traffic from 172.17.0.0/16 that leaves through anything but docker0, so host-2 sees host-1\'s address. Then ping host-2 from c1.', steps: ['answer predict-source {{h1.ip}}', 'ssh host-1 docker exec c1 ping -c 1 {{h2.ip}}'] },
    },
    {
      id: 'publish',
      title: 'Publish a port',
      description: 'On host-1, run nginx in a container named `web` and publish its port 80 on host port 8080: `docker run -d --name web -p 8080:80 nginx`. The lab checks that the workstation gets the nginx page from http://{{h1.ip}}:8080/.',
      check: { probe: { from: 'workstation', http: 'http://{{h1.ip}}:8080/', expect: 200, body: 'Welcome to nginx' } },
      passed: 'The workstation reached nginx through host-1\'s port 8080: host-1 rewrote the destination to the container\'s address.',
      hints: ['`-p HOSTPORT:CONTAINERPORT`: `ssh host-1 docker run -d --name web -p 8080:80 nginx`.', 'Try it from the workstation: `curl -s http://{{h1.ip}}:8080/ | head -4`.'],
      solution: { text: 'Run `docker run -d --name web -p 8080:80 nginx` on host-1.', steps: ['ssh host-1 docker run -d --name web -p 8080:80 nginx'] },
    },
    {
      id: 'dnat-rule',
      title: 'Find the DNAT rule',
      description: 'Fetch the page from the workstation (`curl -s http://{{h1.ip}}:8080/`), then read the rule Docker wrote for the port in host-1\'s nat table: `iptables -t nat -L DOCKER -n` (or `iptables-save -t nat`). To which container address does it send your connection? Answer with `answer dnat-rule <address>` (the address only, without the port).',
      needs: ['publish'],
      check: { answer: { observed: { value: 'dnat-destination', from: 'workstation', to: '{{h1.ip}}' }, wrong: 'In the DOCKER chain, the DNAT line for `dpt:8080` ends in `to:ADDRESS:80`: answer that address. `docker network inspect bridge` lists web with the same address.' } },
      passed: 'The rule `-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination ADDRESS:80` rewrote the destination of your connection from {{h1.ip}}:8080 to web\'s address, port 80. The reply\'s source was rewritten back by conntrack, so curl only ever saw {{h1.ip}}:8080.',
      hints: ['The curl must reach host-1 from outside for the rule to be used: run it on the workstation.', '`ssh host-1 iptables -t nat -L DOCKER -n` lists `DNAT ... tcp dpt:8080 to:172.17.0.x:80`.'],
      solution: { text: 'curl the port from the workstation; `iptables -t nat -L DOCKER -n` on host-1 shows `DNAT tcp dpt:8080 to:ADDRESS:80`, where ADDRESS is web\'s address on docker0.', steps: ['curl -s -o /dev/null http://{{h1.ip}}:8080/', 'answer dnat-rule {{expected.dnat-rule}}'] },
    },
    {
      id: 'by-name',
      title: 'Reach a container by its name',
      description: 'On the default bridge, `docker exec c1 ping c2` fails: `bad address \'c2\'`. On host-1, create a user-defined network `appnet` (`docker network create appnet`), run nginx on it as `api` (`docker run -d --name api --network appnet nginx`) and a client as `client` (`docker run -dit --name client --network appnet alpine`). The lab checks that `api` resolves from client and that client gets nginx\'s page from http://api/.',
      check: {
        all: [
          { state: { resolves: { from: 'container:host-1/client', name: 'api' } } },
          { probe: { from: 'container:host-1/client', http: 'http://api/', expect: 200, body: 'Welcome to nginx' } },
        ],
      },
      passed: 'client asked Docker\'s embedded DNS server at 127.0.0.11 (its resolv.conf on a user-defined network) and got api\'s address on appnet. Containers only on the default bridge get the host\'s nameserver instead, which knows no container names.',
      hints: ['Both containers must be on appnet: `--network appnet` on each `docker run`.', '`docker exec client cat /etc/resolv.conf` shows `nameserver 127.0.0.11`; `docker exec client nslookup api` asks it.'],
      solution: { text: 'Create appnet and run api and client on it; client resolves `api` through 127.0.0.11.', steps: ['ssh host-1 docker network create appnet', 'ssh host-1 docker run -d --name api --network appnet nginx', 'ssh host-1 docker run -dit --name client --network appnet alpine'] },
    },
    {
      id: 'other-host',
      title: 'Try to reach a container on host-2',
      description: 'host-2 runs a container named db. Find its address (`ssh host-2 docker network inspect bridge`), then ping it from c1 on host-1 (`ssh host-1 docker exec c1 ping -c 1 {{db.ip}}`). The lab watches where the ping goes.',
      check: {
        any: [
          { observed: { from: '@c1', to: '{{db.ip}}', answered: false, hint: 'Ping db\'s address from c1: `ssh host-1 docker exec c1 ping -c 1 {{db.ip}}`.' } },
          { observed: { from: 'host:host-1', to: '{{db.ip}}', answered: false, hint: 'Ping db\'s address from host-1: `ssh host-1 ping -c 1 {{db.ip}}`.' } },
        ],
      },
      passed: 'No answer. c1 ARPed for {{db.ip}} on docker0 and nobody there has that address: the echo request never left host-1.',
      hints: ['db\'s address is under "Containers" in `docker network inspect bridge` on host-2.', 'Then from host-1: `docker exec c1 ping -c 1 {{db.ip}}`, and `docker exec c1 ip neigh` to see what c1 learned.'],
      solution: { text: 'db is {{db.ip}} on host-2\'s docker0. From c1 the ping gets no reply: `ip neigh` in c1 shows {{db.ip}} FAILED.', steps: ['ssh host-1 docker exec c1 ping -c 1 -W 4 {{db.ip}}'] },
    },
    {
      id: 'why-not',
      title: 'Explain why',
      description: 'Why did c1\'s ping to db ({{db.ip}}, on host-2) get no answer? Pick one with `answer why-not <letter>`, or in the panel.',
      needs: ['other-host'],
      check: {
        choice: {
          options: [
            { text: 'host-2\'s firewall drops pings from other hosts', why: 'The request never reached host-2: a capture on host-2\'s eth0 stays empty. c1 looked for {{db.ip}} on its own link and gave up there.' },
            { text: 'Each host\'s docker0 is its own private 172.17.0.0/16: c1 looks for {{db.ip}} on its own bridge, nobody there has it, and nothing routes to host-2\'s copy of the subnet', correct: true, why: 'Both hosts use the same subnet, which is not routed between them: the same address can name a different container on each host (host-2\'s app-1 is {{app1.ip}}, and so is c1 on host-1). Containers on different hosts talk through published ports on the hosts\' addresses, or over an overlay network (Swarm\'s VXLAN) that joins the hosts.' },
            { text: 'Docker cannot connect containers on different hosts, by design', why: 'The default bridge cannot, but Docker can: a published port on host-2 is reachable from anywhere that reaches host-2, and overlay networks (Swarm mode, VXLAN) put containers on many hosts into one network.' },
            { text: 'The LAN router drops packets with private source addresses', why: 'The packet never reached the router: c1 treats {{db.ip}} as a neighbour on docker0 (`172.17.0.0/16 dev eth0`), so it sent only ARP requests there.' },
          ],
          wrong: 'Look at c1\'s routes (`docker exec c1 ip route`) and neighbour table (`docker exec c1 ip neigh`) after the ping.',
        },
      },
      hints: ['On host-2, `docker network inspect bridge` shows the same subnet and gateway as on host-1.'],
      solution: { text: 'Both hosts have their own 172.17.0.0/16 on docker0; for c1 {{db.ip}} is on its own link, where no one has it: b.', steps: ['answer why-not b'] },
    },
    {
      id: 'published-across',
      title: 'Cross hosts through a published port',
      description: 'host-2\'s app-1 publishes its port 80 on host-2\'s port 8080. From c1 on host-1, fetch http://{{h2.ip}}:8080/ (`ssh host-1 docker exec c1 wget -qO- http://{{h2.ip}}:8080/`). The lab watches the connection cross both hosts.',
      needs: ['why-not'],
      check: { observed: { from: '@c1', to: '{{h2.ip}}', proto: 'tcp', port: 8080, through: 'host:host-2', action: 'dnat', answered: true, hint: 'From c1: `ssh host-1 docker exec c1 wget -qO- http://{{h2.ip}}:8080/`.' } },
      passed: 'The connection left host-1 masqueraded as {{h1.ip}}, crossed the LAN to {{h2.ip}}:8080, and host-2\'s DNAT rule sent it to app-1 ({{app1.ip}}:80). Host addresses are routed on the LAN; 172.17 addresses are not.',
      hints: ['c1 has wget (busybox): `docker exec c1 wget -qO- http://{{h2.ip}}:8080/`.'],
      solution: { text: 'From c1, fetch host-2\'s published port: `wget -qO- http://{{h2.ip}}:8080/`.', steps: ['ssh host-1 docker exec c1 wget -qO- http://{{h2.ip}}:8080/'] },
    },
  ],
});
