import { defineLab } from '../src/labs/schema';

/**
 * Lab for the lesson "Encapsulation: frames, packets and ARP".
 * On the routed network (two LANs joined by two routers) the learner reads the neighbour
 * table, watches the workstation's ARP exchange for its gateway, predicts and then sees which
 * addresses a router rewrites, finds the new source MAC after router-1, and flushes a
 * neighbour entry to see ARP happen again.
 */
export const encapsulation = defineLab({
  id: 'encapsulation',
  title: 'Follow one ping through a router',
  summary: 'Two LANs joined by two routers: your workstation and host-1 on 192.168.1.0/24, host-2 on 192.168.2.0/24. Read the neighbour table, watch ARP, capture a ping with tcpdump -e on both sides of router-1 and find what it rewrote.',
  defaultSeed: 1,
  topology: { name: 'routed' },
  // router-1 has already talked to router-2, so it knows its MAC before the learner arrives.
  setup: ['ssh router-1 ping -c 1 10.0.0.2'],
  bindings: {
    ws: { host: { name: 'workstation' } },
    host1: { host: { name: 'host-1' } },
    host2: { host: { name: 'host-2' } },
    r1: { host: { name: 'router-1' } },
    r2: { host: { name: 'router-2' } },
  },
  tasks: [
    {
      id: 'gateway-mac',
      title: "Learn your gateway's MAC",
      description: 'The neighbour table starts empty. Ping host-2 ({{host2.ip}}) once from the workstation, then read `ip neigh`: which MAC address did the workstation learn for its gateway {{r1.ip}}? Answer with `answer gateway-mac <MAC>`.',
      check: { answer: { expect: '{{r1.eth0Mac}}', normalize: 'mac', wrong: 'Read the `lladdr` of the line for {{r1.ip}} in `ip neigh`, after a ping to {{host2.ip}}.' } },
      passed: 'The workstation ARPed for its gateway {{r1.ip}} (not for {{host2.ip}}, which is on another network) and keeps its MAC, {{r1.eth0Mac}}, in the neighbour table.',
      hints: ['`ping -c 1 {{host2.ip}}`, then `ip neigh`.', 'The line reads `{{r1.ip}} dev eth0 lladdr ... REACHABLE`: the MAC follows `lladdr`.'],
      solution: { text: 'After `ping -c 1 {{host2.ip}}`, `ip neigh` shows `{{r1.ip}} dev eth0 lladdr {{r1.eth0Mac}} REACHABLE`.', steps: ['answer gateway-mac {{r1.eth0Mac}}'] },
    },
    {
      id: 'who-asks',
      title: 'Who sends the ARP request?',
      description: 'The workstation pings host-1 ({{host1.ip}}), on its own LAN, for the first time. Who broadcasts "who-has {{host1.ip}}"? Pick one with `answer who-asks <letter>`, or in the panel.',
      check: {
        choice: {
          options: [
            { text: 'The workstation, the sender', correct: true, why: 'The sender needs the MAC of the next hop to build its frame, so it asks; host-1 answers with a unicast reply.' },
            { text: 'The switch between them', why: 'A switch has no IP address and sends no ARP: it forwards frames by MAC and floods the broadcast request to every port.' },
            { text: 'router-1, the gateway', why: 'host-1 is on the workstation\'s own /24, so the router is not involved: the frame goes straight to host-1.' },
            { text: 'host-1, the receiver', why: 'host-1 cannot know that someone wants to talk to it before a packet arrives. It sends the reply, not the request.' },
          ],
          wrong: 'Think about who needs the MAC address: the one building the Ethernet frame.',
        },
      },
      hints: ['Which machine has to fill in a destination MAC before anything can be sent?'],
      solution: { text: 'The workstation asks (a broadcast to ff:ff:ff:ff:ff:ff), host-1 replies (unicast): a.', steps: ['answer who-asks a'] },
    },
    {
      id: 'arp-seen',
      title: 'Make an ARP exchange happen',
      description: 'Make the workstation ARP for host-1 ({{host1.ip}}): ping it. To watch it, open a second terminal (the + tab), `ssh host-1` there and run `tcpdump -e -n -i eth0`, then ping from the workstation in the first.',
      check: { observed: { from: 'workstation', to: '{{host1.ip}}', action: 'arp-request', hint: 'Ping host-1 from the workstation: `ping -c 1 {{host1.ip}}`.' } },
      passed: 'The workstation broadcast "who-has {{host1.ip}} tell {{ws.ip}}", host-1 answered "is-at {{host1.mac}}", and only then did the echo request leave.',
      hints: ['`ping -c 1 {{host1.ip}}` from the workstation.', 'The capture on host-1 shows the request to ff:ff:ff:ff:ff:ff (everyone on the LAN gets it) and the reply straight back to {{ws.mac}}.'],
      solution: { text: 'Ping host-1; tcpdump -e shows the broadcast request, the unicast reply, then the ICMP packets.', steps: ['ping -c 1 {{host1.ip}}'] },
    },
    {
      id: 'predict-ttl',
      title: 'Predict the TTL after router-1',
      description: 'The workstation sends its echo requests with TTL 64. What TTL will the echo request to host-2 ({{host2.ip}}) carry on the transit link, leaving router-1 by eth1? Lock in your prediction with `answer predict-ttl <number>`, then capture there (`ssh router-1`, then `tcpdump -v -n -i eth1 icmp`) while you ping {{host2.ip}} from a second terminal.',
      check: {
        predict: {
          reveal: { value: 'echo-request-ttl', from: 'workstation', to: '{{host2.ip}}', at: '@r1', dev: 'eth1' },
          explain: 'router-1 routed the packet: it subtracted 1 from the TTL (64 to 63) and, because the TTL is part of the IP header, recomputed the header checksum. The addresses {{ws.ip}} > {{host2.ip}} stayed.',
        },
      },
      passed: 'Well predicted.',
      hints: ['Every router that forwards a packet by its IP address subtracts 1 from the TTL. How many routers has the packet crossed when it leaves router-1?'],
      solution: { text: 'Predict 63: router-1 is the first router, and it decrements the TTL from 64. `tcpdump -v` on router-1\'s eth1 shows `ttl 63`.', steps: ['answer predict-ttl 63'] },
    },
    {
      id: 'predict-src-mac',
      title: 'Predict the new source MAC',
      description: 'On LAN 1 the echo request to host-2 travels in a frame from {{ws.mac}} (the workstation) to {{r1.eth0Mac}} (router-1\'s eth0). Which source MAC will `tcpdump -e` show for it on the transit link, as it leaves router-1 by eth1? Find it without capturing (the routers\' interfaces are listed by `ip link` once you `ssh router-1`), lock it in with `answer predict-src-mac <MAC>`, then capture on router-1\'s eth1 while you ping {{host2.ip}}.',
      check: {
        predict: {
          reveal: { value: 'frame-mac', from: 'workstation', to: '{{host2.ip}}', at: '@r1', dev: 'eth1' },
          explain: 'A router takes the IP packet out of the frame it received and puts it in a new frame for the next link: the source is the MAC of the interface it sends from (router-1\'s eth1, {{r1.eth1Mac}}), the destination the next hop\'s MAC (router-2\'s eth1, {{r2.eth1Mac}}), learned by ARP on that link.',
        },
      },
      passed: 'Well predicted.',
      hints: ['The frame on the transit link is sent by router-1 through its eth1.', '`ssh router-1`, then `ip link show eth1`: the MAC follows `link/ether`.'],
      solution: { text: 'router-1 sends the new frame from eth1, so its source is eth1\'s MAC, {{r1.eth1Mac}} (`ip link show eth1` on router-1). Then `tcpdump -e -n -i eth1 icmp` on router-1 while you ping {{host2.ip}} shows `{{r1.eth1Mac}} > {{r2.eth1Mac}}`.', steps: ['answer predict-src-mac {{r1.eth1Mac}}'] },
    },
    {
      id: 'last-hop-mac',
      title: 'Capture on the last link',
      description: 'Capture on router-2\'s eth0, the LAN 2 side (`ssh router-2`, then `tcpdump -e -n -i eth0 icmp`), and ping {{host2.ip}} from the workstation in a second terminal. What destination MAC does the frame carrying your echo request have there? Answer with `answer last-hop-mac <MAC>`.',
      check: { answer: { observed: { value: 'frame-dst-mac', from: 'workstation', to: '{{host2.ip}}', at: '@r2', dev: 'eth0' }, wrong: 'In each `tcpdump -e` line the first MAC is the source, the one after `>` the destination. Take the line for the echo request, from {{ws.ip}}.' } },
      passed: 'On LAN 2 the frame goes from router-2\'s eth0 ({{r2.eth0Mac}}) to host-2 ({{host2.mac}}): the third frame the packet travelled in, while its IP addresses stayed {{ws.ip}} > {{host2.ip}} all the way.',
      hints: ['Two terminals: in one `ssh router-2` and `tcpdump -e -n -i eth0 icmp`; in the other `ping -c 1 {{host2.ip}}`.', 'The echo request is the line that says `{{ws.ip}} > {{host2.ip}}: ICMP echo request`; the MAC after `>` at the start of that line is the answer.'],
      solution: { text: 'Capture on router-2\'s eth0 while pinging host-2: the echo request shows `{{r2.eth0Mac}} > {{host2.mac}}`, so the destination is host-2\'s own MAC.', steps: ['ping -c 1 {{host2.ip}}', 'answer last-hop-mac {{host2.mac}}'] },
    },
    {
      id: 'what-stays',
      title: 'What a router leaves alone',
      description: 'Compare the echo request on LAN 1 with the same request on LAN 2. Which of its fields are the same on both links? Pick one with `answer what-stays <letter>`, or in the panel.',
      check: {
        choice: {
          options: [
            { text: 'The source and destination MAC addresses', why: 'Each link gets a new frame: on LAN 1 {{ws.mac}} > {{r1.eth0Mac}}, on LAN 2 {{r2.eth0Mac}} > {{host2.mac}}.' },
            { text: 'The source and destination IP addresses', correct: true, why: 'The IP addresses name the two ends and stay {{ws.ip}} > {{host2.ip}} on every link; the TTL (64, 63, 62) and the header checksum change at each router, and the Ethernet header is new on each link.' },
            { text: 'The TTL and the header checksum', why: 'Each router decrements the TTL and so has to recompute the checksum: 64 on LAN 1, 63 on the transit link, 62 on LAN 2.' },
            { text: 'Everything: routers forward frames unchanged', why: 'That is what a switch does within one LAN. A router builds a new frame and decrements the TTL.' },
          ],
          wrong: 'Compare a `tcpdump -e -v` line from each side of a router: the MACs come first, then the IP header fields.',
        },
      },
      hints: ['Which addresses does a router need to look at to decide where the packet goes next, and so cannot change?'],
      solution: { text: 'The IP source and destination stay; the MACs, the TTL and the checksum change: b.', steps: ['answer what-stays b'] },
    },
    {
      id: 'arp-again',
      title: 'Forget a neighbour and watch ARP again',
      description: 'On router-1, delete the neighbour entry for router-2 ({{r2.eth1Ip}}) with `ip neigh del {{r2.eth1Ip}} dev eth1` (or flush eth1\'s entries), then ping {{host2.ip}} from the workstation: router-1 has to ask again. The lab checks that router-1 sent that ARP request.',
      needs: ['last-hop-mac'],
      check: { observed: { from: 'workstation', to: '{{host2.ip}}', through: '@r1', action: 'arp-request', hint: 'On router-1: `ip neigh flush dev eth1`; then, from the workstation, `ping -c 1 {{host2.ip}}`.' } },
      passed: 'router-1 broadcast "who-has {{r2.eth1Ip}} tell {{r1.eth1Ip}}" on the transit link before it could forward your packet: the router ARPs for its next hop, not for host-2.',
      hints: ['`ssh router-1`, `ip neigh` to see the entries, `ip neigh flush dev eth1` to empty eth1\'s.', 'Then ping {{host2.ip}} from the workstation (exit the ssh session, or use a second terminal); `tcpdump -e -n -i eth1` on router-1 shows the exchange.'],
      solution: { text: 'Flush router-1\'s entries on eth1, then ping host-2: router-1 asks "who-has {{r2.eth1Ip}}" before it forwards.', steps: ['ssh router-1', 'ip neigh flush dev eth1', 'exit', 'ping -c 1 {{host2.ip}}'] },
    },
  ],
});
