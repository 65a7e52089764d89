import { defineLab } from '../src/labs/schema';

/**
 * Lab for the lesson "The IPv4 header, field by field".
 * On the routed topology, with the transit link between the routers at MTU 1400, the learner
 * captures a ping with tcpdump -v -x and reads the header length and the protocol number,
 * computes the header checksum of their own echo request by RFC 1071, says what that checksum
 * covers, predicts the TTL an echo request sent with -t 3 arrives with before capturing it on
 * host-2, reads the fragment offset (in 8-byte units) of a ping too big for one packet, and sends
 * a DF ping too big for the transit link to read router-1's "fragmentation needed".
 */
export const ipv4Header = defineLab({
  id: 'ipv4-header',
  title: 'Read an IPv4 header',
  summary: 'The routed network again, with a narrower link between the routers (MTU 1400). Capture a ping with tcpdump -v -x and read its header: the length, the protocol, the checksum by hand, the TTL after two routers; then make a ping too big for one packet, and one that may not be cut.',
  defaultSeed: 1,
  topology: { name: 'routed', transitMtu: 1400 },
  bindings: {
    ws: { host: { name: 'workstation' } },
    h1: { host: { name: 'host-1' } },
    r1: { host: { name: 'router-1' } },
    r2: { host: { name: 'router-2' } },
    h2: { host: { name: 'host-2' } },
  },
  tasks: [
    {
      id: 'header-length',
      title: 'Read the header length',
      description: 'Capture on the transit link while the workstation pings host-2: in a second terminal (the + tab) run `ssh router-1 tcpdump -v -x -n -i eth1 icmp`, then `ping -c 1 {{h2.ip}}` in the first. The bytes after `0x0000:` start with `45`. How many bytes long is this IPv4 header? Answer with `answer header-length <bytes>`.',
      check: { answer: { expect: '20', normalize: 'number', wrong: 'The first byte holds two 4-bit fields: the version (4) and the IHL. The IHL counts 32-bit words, 4 bytes each.' } },
      passed: 'The IHL is 5: five 32-bit words of 4 bytes, 20 bytes, a header without options. The ICMP message starts right after it, at byte 20 (`0800` for an echo request).',
      hints: ['`45` is one byte: its high 4 bits are the version, its low 4 bits the IHL.', 'The IHL is 5, in 32-bit words; a 32-bit word is 4 bytes.'],
      solution: { text: 'The low half of `45` is the IHL, 5 words of 32 bits: 5 x 4 = 20 bytes.', steps: ['answer header-length 20'] },
    },
    {
      id: 'protocol',
      title: 'Name the protocol number',
      description: 'traceroute on Linux sends UDP probes. What number does the protocol field of a traceroute probe hold? Check it with `ssh router-1 tcpdump -v -x -n -i eth1 udp` while you run `traceroute -n {{h2.ip}}` in another terminal, then answer with `answer protocol <number>`.',
      check: { answer: { expect: '17', normalize: 'number', wrong: 'tcpdump -v prints the protocol field as `proto NAME (NUMBER)`; in the `-x` bytes it is byte 9, the second byte of the fifth 16-bit group (the first is the TTL), in hex.' } },
      passed: 'UDP is protocol 17 (`11` in hex, byte 9 of the header); ICMP is 1 and TCP 6. The protocol field tells the receiver which program in its kernel gets the bytes after the header.',
      hints: ['Protocol numbers: 1 is ICMP, 6 is TCP; UDP is the other one the lesson names.', 'In the capture: `proto UDP (17)`, and the fifth group of the `-x` bytes ends in `11`, hex for 17.'],
      solution: { text: 'UDP is protocol 17 (0x11): tcpdump -v shows `proto UDP (17)` for every traceroute probe.', steps: ['answer protocol 17'] },
    },
    {
      id: 'checksum',
      title: 'Compute a header checksum by hand',
      description: 'Capture one of your own echo requests on router-1 (`ssh router-1 tcpdump -v -x -n -i eth1 icmp` in a second terminal, `ping -c 1 {{h2.ip}}` in the first). Take its header, the first ten 16-bit groups, set the checksum group (the sixth) to `0000`, add the ten groups, add any carry back into the low 16 bits, and invert every bit. What checksum do you get, in hex? Answer with `answer checksum <hex>`; then compare with the sixth group of the capture.',
      check: {
        answer: {
          observed: { value: 'echo-request-checksum', from: 'workstation', to: '@h2', at: '@r1' },
          wrong: 'The answer is the checksum of one of your echo requests as it crossed router-1. Work from the header of the packet you captured: if your result plus the checksum in the capture makes `ffff`, you stopped before inverting; if it is close, check the carries.',
        },
      },
      passed: 'That is the checksum your packet carried. A receiver adds all ten groups, checksum included, and must get ffff; a router that lowers the TTL writes a new one.',
      hints: ['Add the nine groups other than the checksum, in hex (or in decimal, converting each). The sum has more than four hex digits: add the digits above the low four back into them. For example, a sum of 0x2a3b4 folds to 0xa3b4 + 0x2 = 0xa3b6.', 'Inverting 16 bits is subtracting from ffff: in the example, ffff - a3b6 = 5c49. The sixth group of your capture tells you whether you got it right.'],
      solution: { text: 'Ping host-2 while router-1 captures on eth1, then add the nine other 16-bit groups of the header, fold the carry in and invert: the result is the sixth group of the capture.', steps: ['ping -c 1 {{h2.ip}}', 'answer checksum {{expected.checksum}}'] },
    },
    {
      id: 'checksum-covers',
      title: 'What the header checksum covers',
      description: 'On the way to host-2 one bit of the ping\'s data (the bytes after the ICMP header) is flipped. Which checksum in the packet catches it? Pick one with `answer checksum-covers <letter>`, or in the panel.',
      check: {
        choice: {
          options: [
            { text: 'The IPv4 header checksum', why: 'It covers the 20 bytes of the IPv4 header and nothing else: a router updates it at every hop without reading the data.' },
            { text: 'The ICMP checksum', correct: true, why: 'ICMP has its own checksum, over the ICMP header and all its data; host-2 checks it before it answers. (UDP and TCP checksums likewise cover their data.)' },
            { text: 'Both of them', why: 'The IPv4 header checksum covers only the header; a flipped data bit leaves it correct.' },
            { text: 'Neither: IP packets carry no checksum over data', why: 'The IP layer does not, but the protocol inside does: ICMP, UDP and TCP each carry a checksum over their own header and data.' },
          ],
          wrong: 'Ask, for each checksum, which bytes went into its sum.',
        },
      },
      hints: ['RFC 791 defines the IPv4 checksum as a checksum "on the header only".'],
      solution: { text: 'The IPv4 header checksum covers only the header; the ICMP checksum covers the ICMP header and data: b.', steps: ['answer checksum-covers b'] },
    },
    {
      id: 'predict-ttl',
      title: 'Predict the TTL at host-2',
      description: '`ping -t 3` sends echo requests with TTL 3 instead of 64. With what TTL will such an echo request arrive at host-2? Lock in your prediction with `answer predict-ttl <number>`, then capture on host-2 (`ssh host-2 tcpdump -v -n -i eth0 icmp` in a second terminal) while you run `ping -c 1 -t 3 {{h2.ip}}`. (The `ttl=` that ping prints is the reply\'s, not the request\'s.)',
      check: {
        predict: {
          reveal: { value: 'echo-request-ttl', from: 'workstation', to: '@h2', at: '@h2' },
          explain: 'router-1 and router-2 each take one off the TTL before forwarding, and host-2 does not decrement a packet it keeps: a request sent with `-t 3` arrives with TTL 1 (3, 2, 1), one sent with Linux\'s default 64 with 62. Either way host-2 answers with a reply of its own that starts at 64, so ping prints ttl=62. The TTL counts hops, not seconds.',
        },
      },
      passed: 'Well predicted.',
      hints: ['Count the routers between the workstation and host-2; each subtracts 1 before it forwards.', 'A router drops a packet only when it would have to forward it with TTL 0. host-2 is the destination, not a router on the way.'],
      solution: { text: 'Predict 1: 3 minus one for router-1 and one for router-2. `tcpdump -v` on host-2 shows `ttl 1`, and the ping still gets its reply.', steps: ['answer predict-ttl 1', 'ping -c 1 -t 3 {{h2.ip}}'] },
    },
    {
      id: 'fragments',
      title: 'Read a fragment offset',
      description: 'Send a ping that cannot fit in one packet, `ping -c 1 -s 3000 {{h2.ip}}`, while router-1 captures on the transit link (`ssh router-1 tcpdump -v -n -i eth1 icmp`). Your echo request crosses it in several fragments, all with the same `id`. tcpdump prints each fragment\'s offset in bytes; the header holds it in 8-byte units. What number does the fragment offset field of the last fragment of your echo request hold? Answer in decimal with `answer fragments <number>`.',
      check: {
        answer: {
          observed: { value: 'fragment-offset', from: 'workstation', to: '@h2', at: '@r1', dev: 'eth1' },
          wrong: 'Take the fragment of your echo request ({{ws.ip}} > {{h2.ip}}) with `flags [none]` and an offset other than 0, and divide tcpdump\'s offset by 8; or read the low 13 bits of the fourth 16-bit group of its bytes.',
        },
      },
      passed: 'The offset field counts 8-byte blocks, so every fragment but the last carries a multiple of 8 bytes of data. The fragments share the identification, and all but the last have MF set (`flags [+]`).',
      hints: ['The last fragment of your request is the one from {{ws.ip}} with `flags [none]`: MF is clear. Its `offset` is in bytes.', 'Divide that offset by 8. (With `-x`, the fourth 16-bit group of its bytes holds the flags in its top three bits and the offset, in 8-byte units, in the other thirteen.)'],
      solution: { text: 'Ping with 3000 bytes of data while router-1 captures on eth1; the last fragment shows `offset 2960` (or 2752 once the workstation has learned the path MTU to host-2), which the header holds as 2960 / 8 = 370 (or 344).', steps: ['ping -c 1 -s 3000 {{h2.ip}}', 'answer fragments {{expected.fragments}}'] },
    },
    {
      id: 'frag-needed',
      title: 'Make a router say "fragmentation needed"',
      description: 'Send a ping that does not fit the transit link and may not be fragmented: `ping -c 1 -M do -s 1400 {{h2.ip}}` (`-M do` sets DF). Which router refuses it, and what next-hop MTU does its ICMP error report? Answer the MTU with `answer frag-needed <number>`.',
      needs: ['fragments'],
      check: {
        all: [
          { answer: { expect: '{{r1.eth1Mtu}}', normalize: 'number', wrong: 'ping prints the MTU from the router\'s ICMP error: `Frag needed and DF set (mtu = N)`.' } },
          {
            any: [
              { observed: { from: 'workstation', to: '@h2', proto: 'icmp', through: 'host:router-1', action: 'drop', reason: 'DF set', hint: 'Send a ping with DF set that is too big for the transit link: `ping -c 1 -M do -s 1400 {{h2.ip}}`.' } },
              // Once router-1 has said so, the workstation knows the path MTU and refuses such a packet itself.
              { observed: { from: 'workstation', to: '@h2', proto: 'icmp', through: 'workstation', action: 'drop', reason: 'path MTU' } },
            ],
          },
        ],
      },
      passed: 'router-1 could not send the packet out of eth1 (MTU 1400) and was not allowed to cut it, so it dropped it and sent back ICMP type 3, code 4, "fragmentation needed", with its next hop\'s MTU: ping prints `From {{r1.eth0Ip}} icmp_seq=1 Frag needed and DF set (mtu = {{r1.eth1Mtu}})`. The workstation now remembers that MTU for host-2 for ten minutes, and refuses a DF packet that does not fit it itself (`local error: message too long`).',
      hints: ['Run exactly `ping -c 1 -M do -s 1400 {{h2.ip}}` and read the line that starts with `From`.', 'If ping says `local error: message too long`, the workstation already knows the path MTU from an earlier error: the number after `mtu=` is the same.'],
      solution: { text: 'A 1428-byte packet with DF cannot cross the 1400-byte transit link: router-1 answers "Frag needed and DF set (mtu = {{r1.eth1Mtu}})".', steps: ['ping -c 1 -M do -s 1400 {{h2.ip}}', 'answer frag-needed {{r1.eth1Mtu}}'] },
    },
    {
      id: 'largest-df',
      title: 'Find the largest ping that fits',
      description: 'What is the largest `-s` (bytes of ping data) for which `ping -c 1 -M do -s <size> {{h2.ip}}` gets a reply from host-2, across the {{r1.eth1Mtu}}-byte transit link? Work it out from the header sizes, try it, and answer with `answer largest-df <number>`.',
      needs: ['frag-needed'],
      check: { answer: { expect: '1372', normalize: 'number', wrong: 'The whole IP packet must fit the MTU: the IPv4 header, the ICMP header and the data. Try your number and the next one with `ping -M do`.' } },
      passed: '{{r1.eth1Mtu}} bytes of packet = 20 of IPv4 header + 8 of ICMP echo header + 1372 of data. `ping -M do -s 1372` gets its reply; `-s 1373` does not fit.',
      hints: ['ping prints the packet size next to the data size: `1372(1400) bytes of data`.', 'MTU - 20 - 8.'],
      solution: { text: '{{r1.eth1Mtu}} - 20 (IPv4) - 8 (ICMP) = 1372: `ping -c 1 -M do -s 1372 {{h2.ip}}` gets a reply.', steps: ['answer largest-df 1372'] },
    },
  ],
});
