import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Sim, type PingResult } from './sim';
import { VirtualClock } from './clock';
import type { ClusterSpec } from './cluster';
import { nodeNsId, podNsId } from './cni';
import { cidr, contains, formatIp, ip, type Ip } from './ipv4';
import { deviceByName } from './netns';
import { checksumsValid, decodeFrame, encodeFrame, encodeIpv4, icmp, ICMP_DEST_UNREACH, ICMP_TIME_EXCEEDED, ipv4, udp, type IcmpMessage, type Ipv4Packet } from './packet';
import { inject } from './forward';
import { quotedTuple } from './conntrack';
import { internetChecksum } from './checksum';
import { buildDockerHosts, dockerRun } from './docker';
import { applyIptables, parseIptables } from './linux/iptables';
import type { Pod } from './k8s/types';
import type { TraceResult } from './forward';
import { createDeployment, createIngress, createService } from './k8s/api';
import { rngOver } from './rng';

const T0 = Date.UTC(2025, 2, 14, 9, 30, 0);

const LAB_SPEC: ClusterSpec = {
  nodes: 3,
  workloads: {
    deployments: [{ name: 'web', replicas: 3, image: 'nginx:1.27', ports: [80] }],
    pods: [{ name: 'client', image: 'busybox:1.36', command: ['sleep', '3600'] }],
    services: [{ name: 'web', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 80 }] }],
  },
};

const build = (spec: ClusterSpec = LAB_SPEC, seed = 1): Sim => Sim.create(spec, seed, new VirtualClock(T0));

const podNetworkPods = (sim: Sim): Pod[] => Object.values(sim.state.k8s.pods).filter((p) => !p.spec.hostNetwork && p.status.podIP);
const nsOf = (p: Pod): string => podNsId(p.metadata.namespace!, p.metadata.name);
const nodeIp = (sim: Sim, node: string): Ip => ip(sim.state.k8s.nodes[node]!.status.addresses.find((a) => a.type === 'InternalIP')!.address);

/** The lab cluster's cast: client, a web pod on the client's node and one on another node. */
function cast(sim: Sim): { client: Pod; sameNode: Pod; otherNode: Pod } {
  const client = sim.pod('default', 'client')!;
  const web = podNetworkPods(sim).filter((p) => p.metadata.labels?.app === 'web');
  const sameNode = web.find((p) => p.spec.nodeName === client.spec.nodeName);
  const otherNode = web.find((p) => p.spec.nodeName !== client.spec.nodeName);
  if (!sameNode || !otherNode) throw new Error('the lab cluster should have web pods on and off the client node');
  return { client, sameNode, otherNode };
}

let seq = 0;
const ping = (sim: Sim, from: string, to: Ip | string, opts: { size?: number; ttl?: number; pmtu?: 'want' | 'do' | 'dont' } = {}): PingResult =>
  sim.ping(from, typeof to === 'string' ? ip(to) : to, { id: 0x4242, seq: seq++, ...opts });

const replyTtl = (r: PingResult): number => {
  if (r.outcome.kind !== 'reply') throw new Error(`expected a reply, got ${JSON.stringify(r.outcome)}`);
  return r.outcome.ttl;
};

/** Every IPv4 packet seen on any device during the trace, outer and inner. */
function capturedIpv4(trace: TraceResult): Ipv4Packet[] {
  const out: Ipv4Packet[] = [];
  for (const c of trace.captures) {
    const p = c.frame.payload;
    if (p.kind !== 'ipv4') continue;
    out.push(p);
    if (p.payload.kind === 'udp' && !(p.payload.payload instanceof Uint8Array) && p.payload.payload.inner.payload.kind === 'ipv4') out.push(p.payload.payload.inner.payload);
  }
  return out;
}

describe('TTL as docs/reference/fidelity.md 4.3 gives it', () => {
  const sim = build();
  const { client, sameNode, otherNode } = cast(sim);
  const from = nsOf(client);

  it('pod -> pod on the same node: 64 (a bridge does not decrement)', () => {
    expect(replyTtl(ping(sim, from, sameNode.status.podIP!))).toBe(64);
  });

  it('pod -> pod across nodes with flannel: 62', () => {
    expect(replyTtl(ping(sim, from, otherNode.status.podIP!))).toBe(62);
  });

  it('pod -> its own node IP: 64', () => {
    expect(replyTtl(ping(sim, from, nodeIp(sim, client.spec.nodeName!)))).toBe(64);
  });

  it('pod -> another node IP: 63', () => {
    for (const n of Object.keys(sim.state.k8s.nodes).filter((x) => x !== client.spec.nodeName)) {
      expect(replyTtl(ping(sim, from, nodeIp(sim, n))), n).toBe(63);
    }
  });

  it('pod -> its own address and loopback: 64, never on a wire', () => {
    const self = ping(sim, from, client.status.podIP!);
    expect(replyTtl(self)).toBe(64);
    expect(self.trace.captures).toEqual([]);
    expect(replyTtl(ping(sim, from, '127.0.0.1'))).toBe(64);
  });

  it('node -> pod on another node: the reply crosses one routed hop (63)', () => {
    expect(replyTtl(ping(sim, nodeNsId(client.spec.nodeName!), otherNode.status.podIP!))).toBe(63);
  });

  it('replies come from the pod address that was pinged (no NAT)', () => {
    const r = ping(sim, from, otherNode.status.podIP!);
    expect(r.outcome.kind === 'reply' && formatIp(r.outcome.from)).toBe(otherNode.status.podIP);
  });
});

describe('what does not answer', () => {
  const sim = build();
  const { client, otherNode } = cast(sim);
  const from = nsOf(client);
  const svcIp = sim.state.k8s.services['default/web']!.spec.clusterIP!;

  it('a ClusterIP: the request is lost, no error comes back (docs/reference/fidelity.md 3.1)', () => {
    expect(contains(cidr('10.96.0.0/12'), ip(svcIp))).toBe(true);
    const r = ping(sim, from, svcIp);
    expect(r.outcome).toEqual({ kind: 'lost' });
    expect(r.trace.deliveries).toEqual([]);
    // Nothing anywhere has the address.
    for (const ns of Object.values(sim.state.netns)) for (const d of ns.devices) for (const a of d.addrs) expect(formatIp(a.ip)).not.toBe(svcIp);
    // kube-dns and kubernetes are not answered either.
    expect(ping(sim, from, '10.96.0.1').outcome).toEqual({ kind: 'lost' });
    expect(ping(sim, from, '10.96.0.10').outcome).toEqual({ kind: 'lost' });
  });

  it('an unused pod IP on the same node: ARP goes unanswered and sending fails with EHOSTUNREACH', () => {
    const unused = nodeSubnetAddr(sim, client.spec.nodeName!, 200);
    const r = ping(sim, from, unused);
    expect(r.outcome).toEqual({ kind: 'local-error', errno: 'EHOSTUNREACH', from: ip(client.status.podIP!) });
    const arp = r.trace.hops.filter((h) => h.action === 'arp-request' && h.ns === from);
    expect(arp.length).toBeGreaterThanOrEqual(1);
    expect(r.trace.hops.some((h) => h.action === 'drop' && /host unreachable/.test(h.detail))).toBe(true);
  });

  it('an unused pod IP on another node: that node answers ICMP host unreachable (type 3 code 1)', () => {
    const unused = nodeSubnetAddr(sim, otherNode.spec.nodeName!, 200);
    const r = ping(sim, from, unused);
    expect(r.outcome).toMatchObject({ kind: 'icmp-error', type: ICMP_DEST_UNREACH, code: 1 });
  });

  it('an address outside every pool leaves through the gateway and is lost', () => {
    expect(ping(sim, from, '8.8.8.8').outcome).toEqual({ kind: 'lost' });
  });

  it('TTL 1 to another node: the client\'s node answers time exceeded', () => {
    const r = ping(sim, from, otherNode.status.podIP!, { ttl: 1 });
    expect(r.outcome).toMatchObject({ kind: 'icmp-error', type: ICMP_TIME_EXCEEDED, code: 0, from: nodeSubnetAddr(sim, client.spec.nodeName!, 1) });
  });

  it('TTL 2 to another node: the remote node answers from its flannel.1 address (docs/reference/fidelity.md 4.4); TTL 3 gets through', () => {
    expect(ping(sim, from, otherNode.status.podIP!, { ttl: 2 }).outcome).toMatchObject({ kind: 'icmp-error', type: ICMP_TIME_EXCEEDED, from: nodeSubnetAddr(sim, otherNode.spec.nodeName!, 0) });
    expect(ping(sim, from, otherNode.status.podIP!, { ttl: 3 }).outcome.kind).toBe('reply');
  });

  it('the largest unfragmented ping in a flannel pod is 1422 bytes of data (docs/reference/fidelity.md 8)', () => {
    const ok = ping(sim, from, otherNode.status.podIP!, { size: 1422 });
    expect(ok.outcome).toMatchObject({ kind: 'reply', bytes: 1430 });
    // One byte more with DF (ping -M do) cannot leave the pod; without -M do it is fragmented.
    const big = ping(sim, from, otherNode.status.podIP!, { size: 1423, pmtu: 'do' });
    expect(big.outcome).toMatchObject({ kind: 'local-error', errno: 'EMSGSIZE', mtu: 1450 });
    const fragmented = ping(sim, from, otherNode.status.podIP!, { size: 1423 });
    expect(fragmented.outcome).toMatchObject({ kind: 'reply', bytes: 1431 });
    expect(fragmented.trace.hops.some((h) => h.detail.includes('sent as 2 fragments'))).toBe(true);
  });
});

describe('a veth end whose MTU is larger than its peer\'s', () => {
  // Measured with two namespaces and a veth pair (va mtu 9000, vb mtu 1500): busybox ping -s 1476
  // (1504 bytes) is answered, -s 1477 (1505 bytes) is lost without any ICMP error, and
  // `ip -s link` counts it as dropped (TX on va, RX on vb): is_skb_forwardable allows MTU + 4.
  const sim = build();
  const { client, sameNode } = cast(sim);
  const from = nsOf(client);
  deviceByName(sim.state.netns[from]!, 'eth0')!.mtu = 9000;
  const peerMtu = 1450;

  it('delivers frames up to the peer\'s MTU plus a VLAN tag', () => {
    const r = ping(sim, from, sameNode.status.podIP!, { size: peerMtu + 4 - 28 });
    expect(r.outcome).toMatchObject({ kind: 'reply' });
  });

  it('drops a longer one at the peer, silently, even with DF set', () => {
    const r = ping(sim, from, sameNode.status.podIP!, { size: peerMtu + 5 - 28 });
    expect(r.outcome.kind).toBe('lost');
    const drop = r.trace.hops.find((h) => h.action === 'drop');
    expect(drop?.detail).toMatch(new RegExp(`^${peerMtu + 5} bytes are too long for veth\\w+ in ${client.spec.nodeName} \\(MTU ${peerMtu}\\): the veth peer drops the frame$`));
    expect(r.trace.hops.filter((h) => h.action === 'reply' || h.detail.includes('fragmentation'))).toEqual([]);
  });
});

function nodeSubnetAddr(sim: Sim, node: string, host: number): Ip {
  return (cidr(sim.state.k8s.nodes[node]!.spec.podCIDR).addr + host) >>> 0;
}

describe('traces', () => {
  const sim = build();
  const { client, sameNode, otherNode } = cast(sim);
  const from = nsOf(client);
  const clientNode = client.spec.nodeName!;
  const remoteNode = otherNode.spec.nodeName!;

  it('a cross-node ping is wrapped in VXLAN between the node IPs, with inner TTL 63 inside the tunnel', () => {
    const r = ping(sim, from, otherNode.status.podIP!);
    const encap = r.trace.hops.filter((h) => h.action === 'vxlan-encap');
    const decap = r.trace.hops.filter((h) => h.action === 'vxlan-decap');
    expect(encap).toHaveLength(2); // request and reply
    expect(decap).toHaveLength(2);
    // The request: client node -> remote node.
    const [reqEncap, repEncap] = encap as [(typeof encap)[0], (typeof encap)[0]];
    expect(reqEncap.ns).toBe(nodeNsId(clientNode));
    expect(reqEncap.dev).toBe('flannel.1');
    expect(reqEncap.outer).toEqual({ src: nodeIp(sim, clientNode), dst: nodeIp(sim, remoteNode), ttl: 64 });
    expect(reqEncap.ip).toMatchObject({ src: ip(client.status.podIP!), dst: ip(otherNode.status.podIP!), ttl: 63 });
    expect(decap[0]!.ns).toBe(nodeNsId(remoteNode));
    expect(decap[0]!.outer).toMatchObject({ src: nodeIp(sim, clientNode), dst: nodeIp(sim, remoteNode) });
    expect(decap[0]!.ip?.ttl).toBe(63);
    // The reply goes back the other way.
    expect(repEncap.ns).toBe(nodeNsId(remoteNode));
    expect(repEncap.outer).toMatchObject({ src: nodeIp(sim, remoteNode), dst: nodeIp(sim, clientNode) });
    expect(repEncap.ip).toMatchObject({ src: ip(otherNode.status.podIP!), dst: ip(client.status.podIP!), ttl: 63 });
    // Two routed hops each way.
    expect(r.trace.hops.filter((h) => h.action === 'forward')).toHaveLength(4);
    expect(r.trace.routed).toBe(4);
  });

  it('the VXLAN frames on the wire are what docs/reference/fidelity.md 6 describes', () => {
    const r = ping(sim, from, otherNode.status.podIP!);
    const onWire = r.trace.captures.filter((c) => c.dev === 'eth0' && c.ns === nodeNsId(clientNode) && c.dir === 'out' && c.frame.payload.kind === 'ipv4');
    expect(onWire.length).toBeGreaterThanOrEqual(1);
    const localVtep = deviceByName(sim.state.netns[nodeNsId(clientNode)]!, 'flannel.1')!;
    const remoteVtep = deviceByName(sim.state.netns[nodeNsId(remoteNode)]!, 'flannel.1')!;
    for (const c of onWire) {
      const outer = c.frame.payload as Ipv4Packet;
      expect(outer.proto).toBe(17);
      expect(outer.src).toBe(nodeIp(sim, clientNode));
      expect(outer.dst).toBe(nodeIp(sim, remoteNode));
      const u = outer.payload;
      if (u.kind !== 'udp' || u.payload instanceof Uint8Array) throw new Error('expected VXLAN in UDP');
      expect(u.dstPort).toBe(8472);
      expect(u.checksum).toBe(0);
      expect(u.srcPort).toBeGreaterThanOrEqual(32768);
      expect(u.srcPort).toBeLessThanOrEqual(60999);
      expect(u.payload.vni).toBe(1);
      expect(u.payload.inner.dst).toBe(remoteVtep.mac);
      expect(u.payload.inner.src).toBe(localVtep.mac);
      const bytes = encodeFrame(c.frame);
      expect([...bytes.subarray(42, 50)]).toEqual([0x08, 0, 0, 0, 0, 0, 1, 0]);
    }
  });

  it('a same-node ping crosses the bridge only: bridge-forward, no routing, no tunnel', () => {
    const r = ping(sim, from, sameNode.status.podIP!);
    const actions = r.trace.hops.map((h) => h.action);
    expect(actions).toContain('bridge-forward');
    expect(actions).not.toContain('forward');
    expect(actions).not.toContain('vxlan-encap');
    expect(r.trace.routed).toBe(0);
    // TTL stays 64 at every step.
    for (const h of r.trace.hops) if (h.ip) expect(h.ip.ttl).toBe(64);
  });

  it('a first same-node ping: the sender ARPs, cni0 floods the request and forwards the reply, and asks nothing itself', () => {
    const fresh = build();
    const c = cast(fresh);
    const node = nodeNsId(c.client.spec.nodeName!);
    const peerNs = nsOf(c.sameNode);
    const r = ping(fresh, nsOf(c.client), c.sameNode.status.podIP!);
    const arp = r.trace.hops.filter((h) => h.frame?.payload.kind === 'arp').map((h) => [h.ns, h.dev, h.action, h.frame!.dst]);
    const clientVeth = fresh.state.netns[node]!.devices.find((d) => d.peer?.ns === nsOf(c.client))!;
    const clientMac = deviceByName(fresh.state.netns[nsOf(c.client)]!, 'eth0')!.mac;
    expect(arp).toEqual([
      [nsOf(c.client), 'eth0', 'arp-request', 'ff:ff:ff:ff:ff:ff'],
      [node, 'cni0', 'bridge-flood', 'ff:ff:ff:ff:ff:ff'],
      [peerNs, 'eth0', 'arp-reply', clientMac],
      [node, 'cni0', 'bridge-forward', clientMac],
    ]);
    expect(r.trace.hops.find((h) => h.action === 'bridge-flood')!.detail).toBe(`cni0 floods the ARP request to its other ports and up to ${c.client.spec.nodeName} itself`);
    expect(r.trace.hops.filter((h) => h.action === 'bridge-forward' && !h.ip)[0]!.detail).toBe(`cni0 forwards the ARP reply to port ${clientVeth.name} (FDB: ${clientMac})`);
    // The flooded request reached every port of cni0, and only the reply's port got the reply.
    const ports = fresh.state.netns[node]!.devices.filter((d) => d.master === 'cni0').map((d) => d.name);
    const out = (op: number) => r.trace.captures.filter((x) => x.ns === node && x.dir === 'out' && x.frame.payload.kind === 'arp' && x.frame.payload.op === op).map((x) => x.dev);
    expect(out(1).sort()).toEqual(ports.filter((p) => p !== clientVeth.name).sort());
    expect(out(2)).toEqual([clientVeth.name]);
    // The node learned nothing: the request was not for its address.
    expect(r.trace.hops.some((h) => h.ns === node && (h.action === 'arp-request' || h.action === 'arp-reply'))).toBe(false);
    // A second ping finds the MAC cached: no ARP at all.
    const again = ping(fresh, nsOf(c.client), c.sameNode.status.podIP!);
    expect(again.trace.hops.filter((h) => h.frame?.payload.kind === 'arp')).toEqual([]);
  });

  it('every IPv4 packet captured on any device carries correct checksums and decodes back to itself', () => {
    const targets = [sameNode.status.podIP!, otherNode.status.podIP!, formatIp(nodeIp(sim, remoteNode)), formatIp(nodeIp(sim, clientNode)), '10.96.0.1', formatIp(nodeSubnetAddr(sim, remoteNode, 222))];
    let count = 0;
    for (const t of targets) {
      const r = ping(sim, from, t);
      for (const p of capturedIpv4(r.trace)) {
        expect(checksumsValid(p), `${formatIp(p.src)} > ${formatIp(p.dst)} ttl ${p.ttl}`).toBe(true);
        count++;
      }
      for (const c of r.trace.captures) expect(decodeFrame(encodeFrame(c.frame))).toEqual(c.frame);
    }
    expect(count).toBeGreaterThan(20);
  });

  it('each TTL decrement adds 0x0100 to the header checksum (docs/reference/fidelity.md 4.3)', () => {
    const r = ping(sim, from, otherNode.status.podIP!);
    const withIp = r.trace.hops.filter((h) => h.ip);
    for (let i = 0; i < withIp.length; i++) {
      const h = withIp[i]!;
      if (h.action !== 'forward') continue;
      // The previous step that saw the same packet (same id) one TTL higher.
      const before = withIp.slice(0, i).reverse().find((x) => x.ip!.id === h.ip!.id && x.ip!.src === h.ip!.src && x.ip!.ttl === h.ip!.ttl + 1)!;
      expect(before).toBeDefined();
      const sum = before.ip!.checksum + 0x0100;
      expect(h.ip!.checksum).toBe((sum & 0xffff) + (sum >>> 16));
    }
  });

  it('ARP is resolved once and then cached', () => {
    const fresh = build();
    const c = cast(fresh);
    const first = ping(fresh, nsOf(c.client), c.otherNode.status.podIP!);
    const second = ping(fresh, nsOf(c.client), c.otherNode.status.podIP!);
    expect(first.trace.arps).toBeGreaterThan(0);
    expect(second.trace.arps).toBe(0);
    expect(second.outcome.kind).toBe('reply');
  });
});

describe('what each hop records for the packet path view', () => {
  const sim = build();
  const { client, otherNode } = cast(sim);
  const from = nsOf(client);

  /** Every hop names one of the run's legs. */
  const legsValid = (t: TraceResult): boolean => t.hops.every((h) => Number.isInteger(h.leg) && h.leg >= 0 && h.leg < t.legs.length);

  it('splits a ping into the request and the reply (sent because of it), the ARP exchanges with the packet that waited for them', () => {
    const fresh = build();
    const c = cast(fresh);
    const r = ping(fresh, nsOf(c.client), c.otherNode.status.podIP!);
    const t = r.trace;
    expect(t.legs.map((l) => [l.ns, formatIp(l.packet.src), formatIp(l.packet.dst), (l.packet.payload as { type: number }).type, l.cause])).toEqual([
      [nsOf(c.client), c.client.status.podIP, c.otherNode.status.podIP, 8, undefined],
      [nsOf(c.otherNode), c.otherNode.status.podIP, c.client.status.podIP, 0, 0],
    ]);
    const replyAt = t.hops.findIndex((h) => h.action === 'reply');
    expect(t.hops.slice(0, replyAt).every((h) => h.leg === 0)).toBe(true);
    expect(t.hops.slice(replyAt).every((h) => h.leg === 1)).toBe(true);
    // The first packet resolved three neighbours on its way (its gateway, the remote node, the pod).
    expect(t.hops.filter((h) => h.action === 'arp-request' && h.leg === 0)).toHaveLength(3);
    expect(legsValid(t)).toBe(true);
  });

  it('keeps the frame a step moves, the packet it describes, and the route it matched', () => {
    const t = ping(sim, from, otherNode.status.podIP!).trace;
    for (const h of t.hops) {
      if (h.ip) expect(h.packet && h.packet.src === h.ip.src && h.packet.dst === h.ip.dst && h.packet.ttl === h.ip.ttl && h.packet.id === h.ip.id).toBe(true);
      if (h.action === 'veth' || h.action === 'bridge-forward') {
        // A bridge moving an ARP frame has no IPv4 packet to describe.
        if (h.frame?.payload.kind === 'arp') expect(h.packet).toBeUndefined();
        else expect(h.frame?.payload).toBe(h.packet);
      }
      if (h.action === 'route') expect(h.route).toBeDefined();
    }
    const first = t.hops[0]!;
    expect(first).toMatchObject({ action: 'route', route: { dst: '10.244.0.0/16', via: nodeSubnetAddr(sim, client.spec.nodeName!, 1), dev: 'eth0' } });
    const encap = t.hops.find((h) => h.action === 'vxlan-encap')!;
    // The inner frame goes into the tunnel packet whole.
    const tunnel = encap.tunnel!;
    expect(tunnel.payload.kind === 'udp' && !(tunnel.payload.payload instanceof Uint8Array) && tunnel.payload.payload.inner).toBe(encap.frame);
    expect(encap.frame!.payload).toBe(encap.packet);
    const decap = t.hops.find((h) => h.action === 'vxlan-decap')!;
    expect(decap.tunnel!.dst).toBe(nodeIp(sim, otherNode.spec.nodeName!));
    const sw = t.hops.find((h) => h.action === 'switch')!;
    expect(sw.frame!.payload).toBe(sw.tunnel);
    const arp = t.hops.filter((h) => h.action === 'arp-request' || h.action === 'arp-reply');
    for (const h of arp) expect(h.frame?.payload.kind).toBe('arp');
  });

  it('keeps a NAT step\'s packet before and after: DNAT to an endpoint, and the reply\'s source put back', () => {
    const svc = ip(sim.state.k8s.services['default/web']!.spec.clusterIP!);
    const t = sim.tcpRequest(from, svc, 80, new TextEncoder().encode('GET / HTTP/1.1\r\nHost: web\r\n\r\n'), 41000);
    if (t.kind !== 'response') throw new Error(`expected a response, got ${t.kind}`);
    const hops = t.traces[0]!.hops;
    const dnat = hops.find((h) => h.action === 'dnat')!;
    expect(dnat.before).toMatchObject({ dst: svc });
    expect(dnat.packet!.dst).not.toBe(svc);
    expect(dnat.before!.src).toBe(dnat.packet!.src);
    expect(dnat.before!.payload.kind === 'tcp' && dnat.before!.payload.dstPort).toBe(80);
    const undnat = hops.find((h) => h.action === 'un-dnat')!;
    expect(undnat.packet!.src).toBe(svc);
    expect(undnat.before!.src).toBe(dnat.packet!.dst);
    for (const tr of t.traces) expect(legsValid(tr)).toBe(true);
  });

  it('an ICMP error is a leg of its own, sent by the host that dropped the packet', () => {
    const node = nodeNsId(client.spec.nodeName!);
    const t = ping(sim, from, otherNode.status.podIP!, { ttl: 1 }).trace;
    const drop = t.hops.find((h) => h.action === 'drop')!;
    expect(drop).toMatchObject({ ns: node, leg: 0, detail: 'TTL expired in transit' });
    expect(drop.packet!.ttl).toBe(1);
    expect(t.legs).toHaveLength(2);
    expect(t.legs[1]!.ns).toBe(node);
    expect(t.legs[1]!.cause).toBe(0);
    expect(t.legs[1]!.packet.payload).toMatchObject({ kind: 'icmp', type: ICMP_TIME_EXCEEDED, code: 0 });
    expect(t.hops.filter((h) => h.leg === 1).at(-1)).toMatchObject({ ns: from, action: 'deliver' });
    expect(legsValid(t)).toBe(true);
  });

  it('a proxy\'s own connection joins the run with legs after the ones before it', () => {
    const s = Sim.create({ ingressController: true }, 21, new VirtualClock(T0 + 900_000), T0);
    const ctx = { state: s.state, rng: rngOver(s.state.rng), now: T0 + 300_000 };
    createDeployment(ctx, { name: 'shop', namespace: 'default', replicas: 1, labels: { app: 'shop' }, spec: { containers: [{ name: 'agnhost', image: 'registry.k8s.io/e2e-test-images/agnhost:2.53', args: ['serve-hostname'] }] } });
    createService(ctx, { name: 'shop', namespace: 'default', selector: { app: 'shop' }, ports: [{ protocol: 'TCP', port: 80, targetPort: 9376 }] });
    createIngress(ctx, { name: 'site', namespace: 'default', ingressClassName: 'nginx', rules: [{ host: 'shop.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'shop', port: { number: 80 } } } }] } }] });
    const lb = ip(s.state.k8s.services['ingress-nginx/ingress-nginx-controller']!.status.loadBalancer.ingress![0]!.ip!);
    const r = s.tcpRequest('workstation', lb, 80, new TextEncoder().encode('GET / HTTP/1.1\r\nHost: shop.example.com\r\n\r\n'));
    if (r.kind !== 'response') throw new Error(`expected a response, got ${r.kind}`);
    const proxied = r.traces.find((t) => t.hops.some((h) => h.action === 'proxy'))!;
    const at = proxied.hops.findIndex((h) => h.action === 'proxy');
    // The controller's SYN to the pod is a packet of its own, after the request that made it connect.
    const controllerSyn = proxied.hops[at + 1]!;
    expect(controllerSyn.leg).toBeGreaterThan(proxied.hops[at]!.leg);
    expect(proxied.legs[controllerSyn.leg]!).toMatchObject({ ns: controllerSyn.ns, cause: proxied.hops[at]!.leg });
    // The pod's answer to the controller answers the controller's SYN, not the learner's segment.
    const podAnswer = proxied.hops.find((h, i) => i > at && h.action === 'reply' && h.ns !== proxied.hops[at]!.ns)!;
    expect(proxied.legs[podAnswer.leg]!.cause).toBe(controllerSyn.leg);
    for (const t of r.traces) expect(legsValid(t)).toBe(true);
  });
});

describe('every pod reaches every pod (property over generated clusters)', () => {
  it('with echo replies from the target address, TTL 64 - 2 * (different nodes), and no shared addresses', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 0xffffffff }), fc.boolean(), (nodes, replicas, seed, withClient) => {
        const sim = build(
          {
            nodes,
            workloads: {
              deployments: [{ name: 'web', replicas, image: 'nginx:1.27' }],
              ...(withClient ? { pods: [{ name: 'client', image: 'busybox:1.36' }] } : {}),
              services: [{ name: 'web', selector: { app: 'web' }, ports: [{ port: 80 }] }],
            },
          },
          seed,
        );
        const ps = podNetworkPods(sim);
        // No two pods, nodes or Services share an address.
        const addrs = [...ps.map((p) => p.status.podIP!), ...Object.keys(sim.state.k8s.nodes).map((n) => formatIp(nodeIp(sim, n))), ...Object.values(sim.state.k8s.services).map((s) => s.spec.clusterIP!)];
        expect(new Set(addrs).size).toBe(addrs.length);
        const problems: string[] = [];
        for (const a of ps) {
          for (const b of ps) {
            const r = sim.ping(nsOf(a), ip(b.status.podIP!), { id: 1, seq: 0 });
            const want = 64 - (a.spec.nodeName === b.spec.nodeName ? 0 : 2);
            const o = r.outcome;
            if (o.kind !== 'reply') problems.push(`${a.metadata.name} -> ${b.metadata.name}: ${o.kind}`);
            else if (formatIp(o.from) !== b.status.podIP || o.ttl !== want) problems.push(`${a.metadata.name} -> ${b.metadata.name}: from ${formatIp(o.from)} ttl ${o.ttl}, want ${b.status.podIP} ttl ${want}`);
            for (const p of capturedIpv4(r.trace)) if (!checksumsValid(p)) problems.push(`bad checksum ${formatIp(p.src)} > ${formatIp(p.dst)}`);
          }
        }
        expect(problems).toEqual([]);
      }),
      { numRuns: 25 },
    );
  });
});

describe('fragmentation (RFC 791)', () => {
  it('splits a packet without DF into 8-byte-aligned fragments that reassemble to the original', async () => {
    const { fragment } = await import('./forward');
    const { ipv4, icmp, encodeIpv4 } = await import('./packet');
    const p = ipv4({ src: 1, dst: 2, id: 77, df: false, payload: icmp(8, 0, 0x00010001, new Uint8Array(2972).map((_, i) => i & 255)) });
    const frags = fragment(p, 1450);
    expect(frags.map((f) => [f.fragOffset * 8, encodeIpv4(f).length, f.mf])).toEqual([
      [0, 1444, true],
      [1424, 1444, true],
      [2848, 152, false],
    ]);
    for (const f of frags) expect(f.id).toBe(77);
    const joined = new Uint8Array(frags.reduce((n, f) => n + encodeIpv4(f).length - 20, 0));
    let at = 0;
    for (const f of frags) {
      joined.set(encodeIpv4(f).subarray(20), at);
      at += encodeIpv4(f).length - 20;
    }
    expect(joined).toEqual(encodeIpv4(p).subarray(20));
  });
});

describe('ICMP errors cross NAT as RELATED packets (docs/reference/fidelity.md 36)', () => {
  const dockerSim = (): { sim: Sim; c1: string; c1Ip: Ip } => {
    const state = buildDockerHosts({}, 3, T0);
    const c = dockerRun(state, 'host-1', { name: 'c1', image: 'busybox', cmd: ['sleep', '3600'] }, T0);
    return { sim: Sim.fromState(state, new VirtualClock(T0 + 1000)), c1: c.ns, c1Ip: c.ip };
  };
  const FAR = ip('192.0.2.14');
  /** The ICMP error delivered to `ns` in a run, if any. */
  const errorIn = (t: TraceResult, ns: string): Ipv4Packet | undefined => t.deliveries.find((d) => d.ns === ns && d.packet.payload.kind === 'icmp' && d.packet.payload.type !== 0)?.packet;
  const iptables = (sim: Sim, ns: string, line: string): void => {
    const cmd = parseIptables(line.split(' '));
    if ('help' in cmd || 'version' in cmd) throw new Error(line);
    applyIptables({ own: sim.state.netns[ns]!.nf! }, cmd);
  };

  it('a container\'s probes beyond two masquerades: every router answers, and the error quotes what the container sent', () => {
    const { sim, c1, c1Ip } = dockerSim();
    const data = new Uint8Array(18);
    const hops: [number, string, number, number][] = [];
    for (let ttl = 1; ttl <= 3; ttl++) {
      const r = sim.udpRequest(c1, FAR, 33433 + ttl, data, 41000, ttl);
      if (r.kind !== 'icmp-error') throw new Error(`hop ${ttl}: ${r.kind}`);
      hops.push([ttl, formatIp(r.from), r.type, r.code]);
      const err = errorIn(r.trace, c1)!;
      expect(err.dst).toBe(c1Ip);
      expect(checksumsValid(err)).toBe(true);
      // The quoted header is the container's: its address and port, its destination, its IP checksum.
      const q = (err.payload as IcmpMessage).data;
      expect(quotedTuple(err)).toEqual({ proto: 17, src: c1Ip, dst: FAR, sport: 41000, dport: 33433 + ttl });
      expect(internetChecksum(q, 0, 20)).toBe(0);
    }
    expect(hops).toEqual([
      [1, '172.17.0.1', ICMP_TIME_EXCEEDED, 0],
      [2, '192.168.56.1', ICMP_TIME_EXCEEDED, 0],
      [3, '192.0.2.14', ICMP_DEST_UNREACH, 3],
    ]);
  });

  it('undoes each masquerade where it was done: the LAN router first, then the Docker host', () => {
    const { sim, c1 } = dockerSim();
    const r = sim.udpRequest(c1, FAR, 33434, new Uint8Array(18), 41000, 3);
    const back = r.trace.hops.filter((h) => h.leg > 0 && h.action === 'un-snat');
    expect(back.map((h) => [h.ns, formatIp(h.before!.dst), formatIp(h.packet!.dst)])).toEqual([
      ['router', '198.51.100.2', '192.168.56.11'],
      ['host/host-1', '192.168.56.11', '172.17.0.2'],
    ]);
    for (const h of back) expect(h.detail).toMatch(/RELATED/);
  });

  it('iptables sees the error as ctstate RELATED, and one that quotes no connection as INVALID', () => {
    const { sim, c1 } = dockerSim();
    iptables(sim, 'host/host-1', '-I FORWARD 1 -p icmp -m conntrack --ctstate RELATED -j LOG --log-prefix related');
    const r = sim.udpRequest(c1, FAR, 33434, new Uint8Array(18), 41000, 2);
    expect(r.kind).toBe('icmp-error');
    expect(r.trace.hops.some((h) => h.ns === 'host/host-1' && h.detail === 'filter FORWARD: LOG' && h.leg > 0)).toBe(true);
    // A forged port unreachable about a flow host-1 never saw: INVALID, dropped by the rule that says so.
    iptables(sim, 'host/host-1', '-I INPUT 1 -p icmp -m conntrack --ctstate INVALID -j DROP');
    const stray = ipv4({ src: ip('192.168.56.1'), dst: ip('192.168.56.11'), payload: icmp(3, 3, 0, encodeIpv4(ipv4({ src: ip('192.168.56.11'), dst: FAR, payload: udp(ip('192.168.56.11'), FAR, 40999, 53, new Uint8Array(4)) }))) });
    const t = inject(sim.state, 'router', stray, T0 + 2000);
    expect(t.hops.some((h) => h.ns === 'host/host-1' && h.detail === 'filter INPUT: DROP')).toBe(true);
    expect(t.deliveries).toEqual([]);
  });

  it('path MTU discovery works through the masquerade: the container learns the MTU a router beyond names', () => {
    const { sim, c1 } = dockerSim();
    for (const [ns, dev] of [['router', 'eth1'], ['internet', 'eth0']] as const) deviceByName(sim.state.netns[ns]!, dev)!.mtu = 1400;
    const first = sim.ping(c1, FAR, { id: 0x77, seq: 1, size: 1400, pmtu: 'do' });
    expect(first.outcome).toEqual({ kind: 'icmp-error', from: ip('192.168.56.1'), type: ICMP_DEST_UNREACH, code: 4, mtu: 1400 });
    const again = sim.ping(c1, FAR, { id: 0x77, seq: 2, size: 1400, pmtu: 'do' });
    expect(again.outcome).toMatchObject({ kind: 'local-error', errno: 'EMSGSIZE', mtu: 1400 });
    expect(sim.ping(c1, FAR, { id: 0x77, seq: 3, size: 1372, pmtu: 'do' }).outcome.kind).toBe('reply');
  });

  it('host unreachable for a neighbour that never answers ARP: quoted as it was about to leave, masquerade undone', () => {
    const { sim, c1, c1Ip } = dockerSim();
    sim.state.netns['host/host-1']!.routes.push({ dst: { addr: ip('10.81.0.0'), len: 24 }, dev: 'eth0', scope: 'link' });
    const r = sim.ping(c1, ip('10.81.0.5'), { id: 0x55, seq: 1 });
    expect(r.outcome).toMatchObject({ kind: 'icmp-error', from: ip('192.168.56.11'), type: ICMP_DEST_UNREACH, code: 1 });
    const err = errorIn(r.trace, c1)!;
    expect(quotedTuple(err)).toEqual({ proto: 1, src: c1Ip, dst: ip('10.81.0.5'), sport: 0x55, dport: 8 });
    // TTL 63: the request had been forwarded by host-1 when its ARP request went unanswered.
    expect((err.payload as IcmpMessage).data[8]).toBe(63);
    expect(checksumsValid(err)).toBe(true);
  });

  it('a pod\'s probes reach the LAN router through its node\'s masquerade', () => {
    const sim = build();
    const { client } = cast(sim);
    const router = sim.state.config.gateway;
    const hop1 = sim.udpRequest(nsOf(client), router, 33434, new Uint8Array(18), 42000, 1);
    expect(hop1).toMatchObject({ kind: 'icmp-error', type: ICMP_TIME_EXCEEDED, from: nodeSubnetAddr(sim, client.spec.nodeName!, 1) });
    const hop2 = sim.udpRequest(nsOf(client), router, 33435, new Uint8Array(18), 42000, 2);
    expect(hop2).toMatchObject({ kind: 'icmp-error', type: ICMP_DEST_UNREACH, code: 3, from: router });
    expect(quotedTuple(errorIn(hop2.trace, nsOf(client))!)).toMatchObject({ src: ip(client.status.podIP!), sport: 42000 });
  });

  for (const proxyMode of ['iptables', 'ipvs'] as const) {
    it(`a UDP query to a ClusterIP whose pods do not listen gets port unreachable from the ClusterIP (${proxyMode} mode)`, () => {
      const sim = build({ ...LAB_SPEC, proxyMode });
      const ctx = { state: sim.state, rng: rngOver(sim.state.rng), now: T0 };
      const svc = createService(ctx, { name: 'fakedns', namespace: 'default', selector: { app: 'web' }, ports: [{ protocol: 'UDP', port: 53, targetPort: 53 }] });
      const vip = ip(svc.spec.clusterIP!);
      const { client } = cast(sim);
      const pods = new Set(podNetworkPods(sim).filter((p) => p.metadata.labels?.app === 'web').map((p) => ip(p.status.podIP!)));
      const seen = new Set<Ip>();
      // Enough queries to meet every endpoint: on the client's node (bridged) and on the others (routed).
      for (let i = 0; i < 16; i++) {
        const r = sim.udpRequest(nsOf(client), vip, 53, new Uint8Array(12), 43000 + i);
        expect(r).toMatchObject({ kind: 'icmp-error', type: ICMP_DEST_UNREACH, code: 3, from: vip });
        const err = errorIn(r.trace, nsOf(client))!;
        expect(quotedTuple(err)).toEqual({ proto: 17, src: ip(client.status.podIP!), dst: vip, sport: 43000 + i, dport: 53 });
        expect(checksumsValid(err)).toBe(true);
        const sender = r.trace.legs.find((l) => l.packet.payload.kind === 'icmp')!;
        expect(pods.has(sender.packet.src)).toBe(true);
        seen.add(sender.packet.src);
      }
      expect(seen.size).toBe(pods.size);
    });
  }

  it('an error the node itself sends about a DNATed packet comes from the ClusterIP too', () => {
    const sim = build();
    const { client } = cast(sim);
    const dns = ip('10.96.0.10');
    const r = sim.udpRequest(nsOf(client), dns, 53, new Uint8Array(12), 44000, 1);
    expect(r).toMatchObject({ kind: 'icmp-error', type: ICMP_TIME_EXCEEDED, from: dns });
    expect(quotedTuple(errorIn(r.trace, nsOf(client))!)).toMatchObject({ dst: dns, dport: 53 });
  });
});
