import { defineLab } from '../src/labs/schema';

/**
 * Lab for the lesson "Packets, routers and the path of one message".
 * On the routed topology (two LANs joined by two routers) the learner reads the workstation's
 * next hop, reads router-1's table and names its next hop, applies longest-prefix match to a
 * table on paper, predicts how many routers a packet to host-2 crosses before tracing it, reads
 * a hop off traceroute, then deletes router-1's route to LAN 2, sees the packet dropped, and
 * puts the route back.
 */
export const packets = defineLab({
  id: 'packets',
  title: 'Follow a packet across two routers',
  summary: 'Two LANs joined by two routers: your workstation and host-1 on LAN 1, host-2 on LAN 2. Find the path from your workstation to host-2, predict it before you trace it, then break a route on router-1, watch the packet die there, and repair it.',
  defaultSeed: 1,
  topology: { name: 'routed' },
  bindings: {
    ws: { host: { name: 'workstation' } },
    h1: { host: { name: 'host-1' } },
    r1: { host: { name: 'router-1' } },
    r2: { host: { name: 'router-2' } },
    h2: { host: { name: 'host-2' } },
  },
  tasks: [
    {
      id: 'first-hop',
      title: "Find your workstation's next hop",
      description: 'Your workstation is {{ws.ip}} and host-2 is {{h2.ip}}, on another LAN. To which address does the workstation hand a packet for host-2? Answer with `answer first-hop <address>`.',
      check: { answer: { expect: '{{ws.gateway}}', normalize: 'ip', wrong: 'Read the workstation\'s table with `ip route`, or ask it directly: `ip route get {{h2.ip}}`. The address after `via` is the next hop.' } },
      passed: 'Only the default route matches {{h2.ip}}, so the packet goes to {{ws.gateway}}, router-1.',
      hints: ['`ip route get {{h2.ip}}` prints the route the kernel would use, with the next hop after `via`.', 'The workstation\'s own LAN is {{ws.eth0Cidr}}; {{h2.ip}} is not in it, so only the default route matches.'],
      solution: { text: '`ip route get {{h2.ip}}` prints `via {{ws.gateway}}`: the default route sends it to router-1.', steps: ['answer first-hop {{ws.gateway}}'] },
    },
    {
      id: 'router-next-hop',
      title: "Read a router's table",
      description: 'Log in to router-1 (`ssh router-1`, then `ip route`; `exit` comes back). To which address does router-1 send a packet for {{h2.ip}}? Answer with `answer router-next-hop <address>`.',
      check: { answer: { expect: '{{r2.eth1Ip}}', normalize: 'ip', wrong: 'Find the line of router-1\'s `ip route` whose prefix contains {{h2.ip}}, and read the address after `via`.' } },
      passed: 'router-1\'s route for 192.168.2.0/24 goes via {{r2.eth1Ip}}: router-2\'s end of the link between the routers.',
      hints: ['`ssh router-1 ip route` runs one command on router-1 and prints its table.', '{{h2.ip}} lies in 192.168.2.0/24; that line says `via {{r2.eth1Ip}} dev eth1`.'],
      solution: { text: 'router-1\'s table has `192.168.2.0/24 via {{r2.eth1Ip}} dev eth1`: the next hop is router-2.', steps: ['answer router-next-hop {{r2.eth1Ip}}'] },
    },
    {
      id: 'longest-prefix',
      title: 'Apply longest-prefix match',
      description: 'A router has three routes: `default via 192.168.1.1`, `10.0.0.0/8 via 192.168.1.20` and `10.1.0.0/16 via 192.168.1.30`. Where does it send a packet for 10.1.2.3? Pick one with `answer longest-prefix <letter>`, or in the panel.',
      check: {
        choice: {
          options: [
            { text: '192.168.1.1, the default route', why: 'The default route (0.0.0.0/0) matches every address, but it has the shortest prefix of all: it is used only when nothing longer matches.' },
            { text: '192.168.1.20, the 10.0.0.0/8 route', why: '10.0.0.0/8 does contain 10.1.2.3, but so does 10.1.0.0/16, which fixes 16 bits instead of 8.' },
            { text: '192.168.1.30, the 10.1.0.0/16 route', correct: true, why: 'All three routes contain 10.1.2.3; the one with the longest prefix, /16, wins. The order of the lines does not matter.' },
            { text: 'All three, one copy each', why: 'A router forwards each packet once, along one route.' },
          ],
          wrong: 'Several routes can match one address; the router takes the one whose prefix is longest.',
        },
      },
      hints: ['Write down which of the three prefixes contain 10.1.2.3; more than one does.'],
      solution: { text: 'All three match; /16 is longer than /8 and /0, so the packet goes via 192.168.1.30: c.', steps: ['answer longest-prefix c'] },
    },
    {
      id: 'predict-hops',
      title: 'Predict the path length',
      description: 'From the tables you have read, how many routers will a packet from your workstation to host-2 ({{h2.ip}}) pass through? Lock in your prediction with `answer predict-hops <number>`, then check it with `traceroute -n {{h2.ip}}` or `ping -c 1 {{h2.ip}}`.',
      check: {
        predict: {
          reveal: { value: 'routed-hops', from: 'workstation', to: '@h2' },
          explain: 'router-1 forwards it over the transit link to router-2, and router-2 delivers it onto LAN 2: two routers, each taking one off the TTL. The reply comes back with ttl=62.',
        },
      },
      passed: 'Well predicted.',
      hints: ['The workstation hands the packet to router-1. Does router-1\'s table put host-2 on one of its own links, or send it via another router?', 'router-1 sends it via {{r2.eth1Ip}}, router-2, whose eth0 is on LAN 2 with host-2.'],
      solution: { text: 'Predict 2 (router-1, then router-2), then run `traceroute -n {{h2.ip}}`: two router lines, then host-2.', steps: ['answer predict-hops 2', 'traceroute -n {{h2.ip}}'] },
    },
    {
      id: 'second-hop',
      title: 'Read a hop off traceroute',
      description: 'Run `traceroute -n {{h2.ip}}`. Which address answers at hop 2? Answer with `answer second-hop <address>`.',
      check: { answer: { expect: '{{r2.eth1Ip}}', normalize: 'ip', wrong: 'Read the address on the line that starts with ` 2` in the output of `traceroute -n {{h2.ip}}`.' } },
      passed: 'Hop 2 is router-2, answering from {{r2.eth1Ip}}, its address on the link it was reached over. A router has one address per interface, so traceroute shows only one of them.',
      hints: ['traceroute sends probes with TTL 1, 2, 3...; the router where a probe\'s TTL runs out reports back, and that report\'s source is the address on the line.'],
      solution: { text: '`traceroute -n {{h2.ip}}` prints {{ws.gateway}} at hop 1, {{r2.eth1Ip}} (router-2\'s eth1) at hop 2 and {{h2.ip}} at hop 3.', steps: ['answer second-hop {{r2.eth1Ip}}'] },
    },
    {
      id: 'ping-across',
      title: 'Ping across both routers',
      description: 'Ping host-2 from your workstation and get a reply: `ping -c 3 {{h2.ip}}`. The lab watches the packets cross router-2.',
      check: { observed: { from: 'workstation', to: '@h2', proto: 'icmp', through: 'host:router-2', answered: true, hint: 'Ping host-2 from the workstation: `ping -c 3 {{h2.ip}}`.' } },
      passed: 'Echo requests crossed router-1 and router-2 and the replies came back the other way, with ttl=62.',
      hints: ['Run `ping -c 3 {{h2.ip}}` on the workstation (not inside `ssh`).'],
      solution: { text: 'Ping host-2: `ping -c 3 {{h2.ip}}` gets three replies with ttl=62.', steps: ['ping -c 3 {{h2.ip}}'] },
    },
    {
      id: 'break-route',
      title: 'Break a route and watch the packet die',
      description: 'Delete router-1\'s route to LAN 2 (`ssh router-1 ip route del 192.168.2.0/24`), then ping host-2 again (`ping -c 1 {{h2.ip}}`). Where is the packet dropped, and what does ping print?',
      needs: ['ping-across'],
      check: {
        all: [
          { state: { route: { on: 'host:router-1', dst: '192.168.2.0/24', absent: true } } },
          { observed: { from: 'workstation', to: '@h2', through: 'host:router-1', action: 'drop', reason: 'no route', hint: 'With the route gone, ping host-2: `ping -c 1 {{h2.ip}}`.' } },
        ],
      },
      passed: 'router-1 has no route that matches {{h2.ip}} (and no default route), so it drops the packet and sends back an ICMP "net unreachable": ping prints `From {{ws.gateway}} icmp_seq=1 Destination Net Unreachable`.',
      hints: ['`ssh router-1 ip route del 192.168.2.0/24` deletes the route without an interactive login.', 'Then `ping -c 1 {{h2.ip}}`, or `traceroute -n {{h2.ip}}`, which stops at hop 1 with `!N`.'],
      solution: { text: 'Delete the route on router-1, then ping host-2: router-1 answers with "Destination Net Unreachable".', steps: ['ssh router-1 ip route del 192.168.2.0/24', 'ping -c 1 {{h2.ip}}'] },
    },
    {
      id: 'restore-route',
      title: 'Repair the route',
      description: 'Put router-1\'s route back, with the same next hop and device as before, so that host-2 answers again. The lab checks the route and sends a ping of its own.',
      needs: ['break-route'],
      check: {
        all: [
          { state: { route: { on: 'host:router-1', dst: '192.168.2.0/24', via: '{{r2.eth1Ip}}', dev: 'eth1' } } },
          { probe: { from: 'workstation', ping: '{{h2.ip}}', expect: 'reply' } },
        ],
      },
      passed: 'router-1 forwards to {{r2.eth1Ip}} again, and host-2 answers.',
      hints: ['`ip route add PREFIX via NEXT-HOP dev DEVICE`, run on router-1.', '`ssh router-1 ip route add 192.168.2.0/24 via {{r2.eth1Ip}} dev eth1`'],
      solution: { text: 'Add the route back on router-1: `ip route add 192.168.2.0/24 via {{r2.eth1Ip}} dev eth1`.', steps: ['ssh router-1 ip route add 192.168.2.0/24 via {{r2.eth1Ip}} dev eth1'] },
    },
  ],
});
