/**
 * Golden traces: the packet paths the lessons teach, each rebuilt from a fixed seed and fixed
 * commands and rendered with src/sim/trace-text.ts.
 *
 * Each definition returns the whole file: `# ` header lines saying what it shows and how it
 * was made, a blank line, then the rendered trace(s). traces.test.ts compares every file with
 * its definition; `npx tsx tests/traces/update.ts` rewrites them (review the diff).
 * Every scene builds its own sandbox, so ARP caches start cold and the first packet of each
 * trace resolves its neighbours the way a fresh cluster does.
 */
import { VirtualClock } from '../../src/sim/clock';
import type { ClusterSpec } from '../../src/sim/cluster';
import { podNsId } from '../../src/sim/cni';
import { dnsQuery, encodeDns } from '../../src/sim/dns';
import { buildDockerHosts, dockerHost, dockerRun } from '../../src/sim/docker';
import { inject, type TraceResult } from '../../src/sim/forward';
import { formatIp, ip, nth, parseCidr, type Ip } from '../../src/sim/ipv4';
import { createIngress, createService } from '../../src/sim/k8s/api';
import { WORKSTATION_NS } from '../../src/sim/k8s/cloud';
import type { Pod } from '../../src/sim/k8s/types';
import { ipv4, udp } from '../../src/sim/packet';
import { rngOver } from '../../src/sim/rng';
import { Sim } from '../../src/sim/sim';
import { traceText, tracesText } from '../../src/sim/trace-text';

export interface TraceDefinition {
  /** File name without `.txt`. */
  name: string;
  /** The file's whole text. */
  render(): string;
}

const T0 = Date.UTC(2025, 2, 14, 9, 30, 0);
/** Commands run ten minutes after the sandbox was created. */
const NOW = T0 + 600_000;
const SEED = 1;
const DOCKER_SEED = 7;
const PING_ID = 0x4242;

/** The three-pools lab's cluster: web (nginx) on node-1 and node-2, client on node-2. */
const CLUSTER: ClusterSpec = {
  nodes: 3,
  workloads: {
    deployments: [{ name: 'web', replicas: 3, image: 'nginx:1.27', ports: [80] }],
    pods: [{ name: 'client', image: 'busybox:1.36', command: ['sleep', '3600'] }],
    services: [{ name: 'web', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 80 }] }],
  },
};

const CLUSTER_HEADER = [
  `seed: ${SEED}`,
  'cluster: 3 nodes (control-plane 192.168.49.2, node-1 .3, node-2 .4), flannel VXLAN, pods 10.244.0.0/16,',
  '  services 10.96.0.0/12; Deployment web (3 x nginx:1.27, port 80), pod client (busybox), Service web (80/TCP)',
];

function file(header: string[], body: string): string {
  return header.map((l) => (l === '' ? '#' : `# ${l}`)).join('\n') + '\n\n' + body;
}

function cluster(): Sim {
  return Sim.create(CLUSTER, SEED, new VirtualClock(NOW), T0);
}

function podIp(p: Pod): Ip {
  return ip(p.status.podIP!);
}

function nsOf(p: Pod): string {
  return podNsId(p.metadata.namespace ?? 'default', p.metadata.name);
}

/** client, a web pod on client's node and one on another node (the lowest pod IP of each). */
function cast(sim: Sim): { client: Pod; sameNode: Pod; otherNode: Pod } {
  const client = sim.pod('default', 'client')!;
  const web = Object.values(sim.state.k8s.pods)
    .filter((p) => p.metadata.labels?.app === 'web')
    .sort((a, b) => podIp(a) - podIp(b));
  const sameNode = web.find((p) => p.spec.nodeName === client.spec.nodeName);
  const otherNode = web.find((p) => p.spec.nodeName !== client.spec.nodeName);
  if (!sameNode || !otherNode) throw new Error('the cluster should have web pods on and off the client node');
  return { client, sameNode, otherNode };
}

function nodeIp(sim: Sim, node: string): string {
  return sim.state.k8s.nodes[node]!.status.addresses.find((a) => a.type === 'InternalIP')!.address;
}

function podLine(p: Pod): string {
  return `${p.metadata.name} ${p.status.podIP} on ${p.spec.nodeName}`;
}

const enc = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const GET = (host: string): Uint8Array => enc(`GET / HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\nConnection: close\r\n\r\n`);

function addService(sim: Sim, name: string, type: 'NodePort' | 'LoadBalancer') {
  const ctx = { state: sim.state, rng: rngOver(sim.state.rng), now: T0 + 300_000 };
  return createService(ctx, { name, namespace: 'default', type, selector: { app: 'web' }, ports: [{ protocol: 'TCP', port: 80, targetPort: 80 }] });
}

function tcpBody(sim: Sim, traces: TraceResult[], outcome: string): string {
  return `${tracesText(sim.state, traces)}\n# result: ${outcome}\n`;
}

// ------------------------------------------------------------------------------ Docker

function dockerScene(): { sim: Sim; c1: ReturnType<typeof dockerRun>; c2: ReturnType<typeof dockerRun> } {
  const state = buildDockerHosts({}, DOCKER_SEED, T0);
  const c1 = dockerRun(state, 'host-1', { name: 'c1', image: 'busybox' }, T0);
  const c2 = dockerRun(state, 'host-1', { name: 'c2', image: 'busybox' }, T0);
  return { sim: Sim.restore(state, new VirtualClock(NOW)), c1, c2 };
}

const DOCKER_HEADER = [
  `seed: ${DOCKER_SEED}`,
  'sandbox: two Docker 28 hosts on 192.168.56.0/24 (host-1 .11, host-2 .12, router .1), each with docker0 172.17.0.1/16;',
  '  on host-1: docker run -d --name c1 busybox (172.17.0.2), docker run -d --name c2 busybox (172.17.0.3)',
];

const dockerSameHost: TraceDefinition = {
  name: 'docker-same-host',
  render() {
    const { sim, c1, c2 } = dockerScene();
    const r = sim.ping(c1.ns, c2.ip, { id: PING_ID, seq: 0 });
    return file(
      [
        'Container to container on one Docker host: one ping from c1 to c2.',
        'The frame goes c1 eth0 -> veth -> docker0 -> veth -> c2 eth0: bridged, never routed, so the TTL stays 64.',
        'ARP first (c1 asks for c2; docker0 floods the request and forwards the reply), then the request and the reply cross docker0.',
        '(br_netfilter also runs the bridged frames through filter FORWARD: the request is accepted by',
        "-A DOCKER-FORWARD -i docker0 -j ACCEPT, the reply by DOCKER-CT's RELATED,ESTABLISHED rule. Traces show",
        'filter rules only when they drop or reject, so neither appears below.)',
        '',
        ...DOCKER_HEADER,
        `command: in c1, ping -c 1 ${formatIp(c2.ip)}`,
      ],
      traceText(sim.state, r.trace),
    );
  },
};

const dockerOtherHost: TraceDefinition = {
  name: 'docker-other-host',
  render() {
    const { sim, c1 } = dockerScene();
    const h2 = dockerHost(sim.state, 'host-2').ip;
    const r = sim.ping(c1.ns, h2, { id: PING_ID, seq: 0 });
    return file(
      [
        "Container to the other Docker host: one ping from c1 on host-1 to host-2's eth0 address.",
        'host-1 routes the packet out of eth0 (TTL 64 -> 63) and masquerades it to its own address',
        '(-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE); host-2 answers host-1, and',
        "host-1's conntrack turns the reply's destination back into c1's address (un-SNAT) and routes",
        'it into docker0 (TTL 63 on arrival).',
        '',
        ...DOCKER_HEADER,
        `command: in c1, ping -c 1 ${formatIp(h2)}`,
      ],
      traceText(sim.state, r.trace),
    );
  },
};

// ------------------------------------------------------------------------------ pods

const podSameNode: TraceDefinition = {
  name: 'pod-to-pod-same-node',
  render() {
    const sim = cluster();
    const { client, sameNode } = cast(sim);
    const r = sim.ping(nsOf(client), podIp(sameNode), { id: PING_ID, seq: 0 });
    return file(
      [
        'Pod to pod on one node: one ping from client to a web pod on the same node.',
        'The node bridges the frame between two veths on cni0: no routing, TTL 64 in both directions.',
        'ARP first: client broadcasts the request, cni0 floods it, and the reply comes back through cni0 to client\'s port.',
        '',
        ...CLUSTER_HEADER,
        `pods: client ${client.status.podIP} on ${client.spec.nodeName}; ${podLine(sameNode)}`,
        `command: kubectl exec client -- ping -c 1 ${sameNode.status.podIP}`,
      ],
      traceText(sim.state, r.trace),
    );
  },
};

const podAcrossNodes: TraceDefinition = {
  name: 'pod-to-pod-across-nodes',
  render() {
    const sim = cluster();
    const { client, otherNode } = cast(sim);
    const r = sim.ping(nsOf(client), podIp(otherNode), { id: PING_ID, seq: 0 });
    return file(
      [
        'Pod to pod across nodes: one ping from client to a web pod on another node.',
        "client's node routes the packet (TTL 64 -> 63) into flannel.1, which wraps the frame in",
        'UDP/IPv4 between the node IPs (destination port 8472, VNI 1); the other node unwraps it and routes',
        'it into cni0 (63 -> 62). The reply takes the mirror path, so ping reports ttl=62.',
        '',
        ...CLUSTER_HEADER,
        `pods: client ${client.status.podIP} on ${client.spec.nodeName}; ${podLine(otherNode)}`,
        `command: kubectl exec client -- ping -c 1 ${otherNode.status.podIP}`,
      ],
      traceText(sim.state, r.trace),
    );
  },
};

const podToClusterIp: TraceDefinition = {
  name: 'pod-to-clusterip',
  render() {
    const sim = cluster();
    const { client } = cast(sim);
    const svc = sim.state.k8s.services['default/web']!;
    const vip = svc.spec.clusterIP!;
    const r = sim.tcpRequest(nsOf(client), ip(vip), 80, GET(vip), 41000);
    const web = Object.values(sim.state.k8s.pods).filter((p) => p.metadata.labels?.app === 'web').sort((a, b) => podIp(a) - podIp(b));
    const dnat = r.traces[0]?.hops.find((h) => h.action === 'dnat');
    const endpoint = web.find((p) => dnat?.ip && podIp(p) === dnat.ip.dst && p.spec.nodeName === client.spec.nodeName);
    return file(
      [
        'Pod to ClusterIP: one HTTP request from client to Service web (TCP, every segment traced).',
        "The SYN goes to client's gateway (cni0 on its node); in nat PREROUTING kube-proxy's chains",
        '(KUBE-SERVICES -> KUBE-SVC -> KUBE-SEP, only the DNAT rule that fired is listed) DNAT it to one web',
        "endpoint, picked by the statistic match; conntrack applies the same DNAT to the connection's later segments.",
        `Here the endpoint picked is ${endpoint ? `${endpoint.metadata.name} on client's own node` : 'a web pod'}: the node routes the SYN back out of`,
        'cni0 (TTL 63), while the answers, addressed to client on the same subnet, are bridged by cni0 (TTL 64);',
        'br_netfilter (bridge-nf-call-iptables=1) lets conntrack un-DNAT them on the bridge, so client sees them',
        `come from ${vip}:80, never from the pod.`,
        '',
        ...CLUSTER_HEADER,
        `pods: client ${client.status.podIP} on ${client.spec.nodeName}; ${web.map(podLine).join('; ')}`,
        `command: kubectl exec client -- curl -s http://${vip}/  (client port 41000)`,
      ],
      tcpBody(sim, r.traces, tcpOutcome(r)),
    );
  },
};

function tcpOutcome(r: ReturnType<Sim['tcpRequest']>): string {
  if (r.kind !== 'response') return r.kind;
  const head = new TextDecoder().decode(r.data).split('\r\n')[0];
  return `${head} (${r.data.length} bytes), connection closed by the server: ${r.closed}`;
}

// ------------------------------------------------------------------------------ from outside

const workstationNodePort: TraceDefinition = {
  name: 'workstation-to-nodeport',
  render() {
    const sim = cluster();
    const svc = addService(sim, 'web-np', 'NodePort');
    const nodePort = svc.spec.ports![0]!.nodePort!;
    const node = 'node-1';
    const target = nodeIp(sim, node);
    const r = sim.tcpRequest(WORKSTATION_NS, ip(target), nodePort, GET(`${target}:${nodePort}`), 51000);
    const web = Object.values(sim.state.k8s.pods).filter((p) => p.metadata.labels?.app === 'web').sort((a, b) => podIp(a) - podIp(b));
    return file(
      [
        "External client to a NodePort: the workstation (192.168.49.100, outside the cluster) sends an HTTP",
        `request to ${node}'s address on the node port of Service web-np.`,
        'On the node: KUBE-SERVICES ends in KUBE-NODEPORTS (destination is a local address), KUBE-EXT marks the',
        'packet for masquerading and sends it to KUBE-SVC, which DNATs it to a web endpoint; KUBE-POSTROUTING',
        "then masquerades it, so the pod sees a node-side address (and answers through this node). The replies are",
        'un-SNATed and un-DNATed on the node: the workstation sees answers from the node IP and node port only.',
        '',
        ...CLUSTER_HEADER,
        `service: kubectl expose deployment web --name web-np --type NodePort --port 80  (nodePort ${nodePort})`,
        `pods: ${web.map(podLine).join('; ')}`,
        `command: on the workstation, curl -s http://${target}:${nodePort}/  (client port 51000)`,
      ],
      tcpBody(sim, r.traces, tcpOutcome(r)),
    );
  },
};

const workstationLoadBalancer: TraceDefinition = {
  name: 'workstation-to-loadbalancer',
  render() {
    const sim = cluster();
    const svc = addService(sim, 'web-lb', 'LoadBalancer');
    const nodePort = svc.spec.ports![0]!.nodePort!;
    const lbIp = svc.status.loadBalancer.ingress![0]!.ip!;
    const r = sim.tcpRequest(WORKSTATION_NS, ip(lbIp), 80, GET(lbIp), 52000);
    const web = Object.values(sim.state.k8s.pods).filter((p) => p.metadata.labels?.app === 'web').sort((a, b) => podIp(a) - podIp(b));
    return file(
      [
        'External client to a LoadBalancer: the workstation sends an HTTP request to the EXTERNAL-IP of',
        'Service web-lb. The cloud load balancer (cloud-lb, 192.168.49.250, holding the pool address) picks a',
        "node, DNATs to that node's NodePort and SNATs to its own address; from there the path is the NodePort",
        'path (KUBE-NODEPORTS -> KUBE-EXT -> KUBE-SVC -> KUBE-SEP, masquerade). Replies retrace every NAT,',
        `so the workstation only ever sees ${lbIp}:80.`,
        '',
        ...CLUSTER_HEADER,
        `service: kubectl expose deployment web --name web-lb --type LoadBalancer --port 80  (EXTERNAL-IP ${lbIp}, nodePort ${nodePort})`,
        `pods: ${web.map(podLine).join('; ')}`,
        `command: on the workstation, curl -s http://${lbIp}/  (client port 52000)`,
      ],
      tcpBody(sim, r.traces, tcpOutcome(r)),
    );
  },
};

// ------------------------------------------------------------------------------ DNS

const podDns: TraceDefinition = {
  name: 'pod-dns-lookup',
  render() {
    const sim = cluster();
    const { client } = cast(sim);
    const name = 'web.default.svc.cluster.local';
    const query = encodeDns(dnsQuery(0x1d2e, name, 'A'));
    const r = sim.udpRequest(nsOf(client), ip('10.96.0.10'), 53, query, 43210);
    const dns = Object.values(sim.state.k8s.pods).filter((p) => p.metadata.labels?.['k8s-app'] === 'kube-dns').sort((a, b) => podIp(a) - podIp(b));
    const outcome = r.kind === 'reply' ? `a reply from ${formatIp(r.from)}:${r.sport}` : r.kind;
    return file(
      [
        `A DNS lookup from a pod: client asks kube-dns (10.96.0.10:53/UDP) for ${name} A.`,
        "On client's node kube-proxy DNATs the datagram to one CoreDNS pod (both run on control-plane, so",
        'it crosses the VXLAN tunnel); CoreDNS answers with the ClusterIP of Service web, and conntrack on',
        "client's node rewrites the answer's source back to 10.96.0.10:53 (un-DNAT), as the resolver expects.",
        '',
        ...CLUSTER_HEADER,
        `pods: client ${client.status.podIP} on ${client.spec.nodeName}; ${dns.map(podLine).join('; ')}`,
        `command: kubectl exec client -- nslookup -type=A ${name}  (one query, client port 43210, DNS id 0x1d2e)`,
        `result: ${outcome}`,
      ],
      traceText(sim.state, r.trace),
    );
  },
};

// ------------------------------------------------------------------------------ traceroute

const traceroute: TraceDefinition = {
  name: 'traceroute-across-nodes',
  render() {
    const sim = cluster();
    const { client, otherNode } = cast(sim);
    const ns = sim.state.netns[nsOf(client)]!;
    const src = podIp(client);
    const dst = podIp(otherNode);
    const traces: TraceResult[] = [];
    const labels: string[] = [];
    const hops: string[] = [];
    for (let ttl = 1; ttl <= 3; ttl++) {
      const id = ns.ipId;
      ns.ipId = (ns.ipId + 1) & 0xffff;
      const dport = 33434 + ttl - 1;
      const probe = ipv4({ src, dst, ttl, id, df: false, payload: udp(src, dst, 40001, dport, new Uint8Array(32)) });
      const t = inject(sim.state, ns.id, probe, sim.clock.now(), { openPorts: new Set([`${ns.id}|udp|40001`]) });
      traces.push(t);
      labels.push(`probe TTL ${ttl}, UDP 40001 > ${dport}`);
      const back = t.deliveries.find((d) => d.ns === ns.id && d.packet.payload.kind === 'icmp');
      hops.push(`${ttl}  ${back ? formatIp(back.packet.src) : '*'}`);
    }
    const clientSubnet = parseCidr(sim.state.k8s.nodes[client.spec.nodeName!]!.spec.podCIDR)!;
    const remoteSubnet = parseCidr(sim.state.k8s.nodes[otherNode.spec.nodeName!]!.spec.podCIDR)!;
    return file(
      [
        `Traceroute across nodes: UDP probes from client to ${otherNode.metadata.name} on another node with TTL 1, 2, 3.`,
        `TTL 1 expires on client's node, which answers ICMP time exceeded from its cni0 address (${formatIp(nth(clientSubnet, 1))});`,
        `TTL 2 expires on the remote node after the tunnel, answered from its flannel.1 address (${formatIp(remoteSubnet.addr)});`,
        'TTL 3 reaches the pod, where nothing listens on the port: ICMP port unreachable. (docs/reference/fidelity.md 4.4)',
        '',
        ...CLUSTER_HEADER,
        `pods: client ${client.status.podIP} on ${client.spec.nodeName}; ${podLine(otherNode)}`,
        `command: kubectl exec client -- traceroute -q 1 -m 3 ${otherNode.status.podIP}  (source port 40001, ports 33434-33436)`,
        `hops seen: ${hops.join(', ')}`,
      ],
      tracesText(sim.state, traces, { labels }),
    );
  },
};

// ------------------------------------------------------------------------------ Ingress

const workstationIngress: TraceDefinition = {
  name: 'workstation-to-ingress',
  render() {
    const sim = Sim.create({ ...CLUSTER, ingressController: true }, SEED, new VirtualClock(NOW), T0);
    const ctx = { state: sim.state, rng: rngOver(sim.state.rng), now: T0 + 300_000 };
    createIngress(ctx, {
      name: 'web',
      namespace: 'default',
      ingressClassName: 'nginx',
      rules: [{ host: 'web.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }],
    });
    const lbIp = sim.state.k8s.services['ingress-nginx/ingress-nginx-controller']!.status.loadBalancer.ingress![0]!.ip!;
    const req = Uint8Array.from(`GET / HTTP/1.1\r\nHost: web.example.com\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n`, (c) => c.charCodeAt(0));
    const r = sim.tcpRequest(WORKSTATION_NS, ip(lbIp), 80, req, 53000);
    const controller = Object.values(sim.state.k8s.pods).find((p) => p.metadata.namespace === 'ingress-nginx')!;
    const web = Object.values(sim.state.k8s.pods).filter((p) => p.metadata.labels?.app === 'web').sort((a, b) => podIp(a) - podIp(b));
    return file(
      [
        'Through an Ingress: the workstation sends GET / with Host web.example.com to the load balancer address of',
        'the ingress-nginx-controller Service. The cloud load balancer and kube-proxy bring it to the controller pod',
        "(the LoadBalancer path; the Service's externalTrafficPolicy is Local, so the load balancer picks the",
        "controller's node, which does not masquerade); nginx matches the Ingress rule by host and path and opens its own connection",
        'straight to a web pod (ingress-nginx reads the endpoints; it does not use the ClusterIP), adding',
        "X-Forwarded-For; the pod's answer goes back to the controller, and the controller's answer back out.",
        '',
        ...CLUSTER_HEADER,
        `ingress: web.example.com / -> service web:80; controller ${controller.metadata.name} ${controller.status.podIP} on ${controller.spec.nodeName}; EXTERNAL-IP ${lbIp}`,
        `pods: ${web.map(podLine).join('; ')}`,
        `command: on the workstation, curl -s -H 'Host: web.example.com' http://${lbIp}/  (client port 53000)`,
      ],
      tcpBody(sim, r.traces, tcpOutcome(r)),
    );
  },
};

export const DEFINITIONS: TraceDefinition[] = [
  dockerSameHost,
  dockerOtherHost,
  podSameNode,
  podAcrossNodes,
  podToClusterIp,
  workstationNodePort,
  workstationLoadBalancer,
  podDns,
  traceroute,
  workstationIngress,
];
