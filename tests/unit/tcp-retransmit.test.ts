import { describe, it, expect } from 'vitest';
import { openSession, type TestSession } from '../support/session';
import { neighbourTable, type Capture } from '../../src/sim/forward';
import { formatIp, ip } from '../../src/sim/ipv4';
import { nodeNsId, podNsId } from '../../src/sim/cni';
import { cachedPmtu } from '../../src/sim/netns';
import { encodeFrame, TCP_SYN, type TcpSegment } from '../../src/sim/packet';
import { PacketPrinter } from '../../src/shell/commands/tcpdump/print';

/**
 * TCP's retransmissions as a learner meets them: a SYN lost to a node's stale neighbour entry
 * (a pod address handed to a new pod) and a segment too big for flannel's VXLAN device on the
 * Canal cluster, where pods keep an MTU of 1500.
 */

/** A pod pinned to a node. */
const pod = (name: string, node: string, image: string, command?: string[]): string =>
  `kubectl apply -f - <<EOF\napiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  labels:\n    app: ${name}\nspec:\n  nodeName: ${node}\n  containers:\n  - name: main\n    image: ${image}\n${command ? `    command: [${command.map((c) => `'${c}'`).join(', ')}]\n` : ''}EOF`;

async function ok(t: TestSession, line: string): Promise<string> {
  const r = await t.run(line);
  expect(r.status, `${line}: ${r.stderr}`).toBe(0);
  return r.stdout;
}

/** The frames the sandbox moves on `dev` of namespace `ns` from now on, with their sandbox times. */
function capture(t: TestSession, ns: string, dev: string): { at: number; c: Capture }[] {
  const seen: { at: number; c: Capture }[] = [];
  t.session.sim.onTrace((trace, at) => {
    for (const c of trace.captures) if (c.ns === ns && c.dev === dev) seen.push({ at, c });
  });
  return seen;
}

/** tcpdump -n's line for a captured frame, without its timestamp (nor the HTTP text that follows it). */
function tcpdumpLine(c: Capture): string {
  const bytes = encodeFrame(c.frame);
  return new PacketPrinter({ numeric: true, verbose: 0, ether: false }).ethernetLine(0, 0, bytes, bytes.length).split('\n')[0]!.replace(/^\S+ /, '');
}

describe('a SYN lost to a stale neighbour entry is sent again', () => {
  it('curl gets through once the node has resolved the reused address afresh, 11 s later', async () => {
    const t = await openSession({ topology: 'kubernetes', seed: 3 });
    const sim = t.session.sim;
    await ok(t, pod('old', 'node-1', 'nginx:1.27'));
    await ok(t, pod('client', 'node-2', 'nicolaka/netshoot', ['sleep', '360000']));
    // A pod of its own keeps cni0 up on node-1 while `old` is gone (a bridge without ports loses carrier and its entries).
    await ok(t, pod('keeper', 'node-1', 'busybox:1.36', ['sleep', '360000']));
    await ok(t, 'sleep 20');
    const addr = sim.state.k8s.pods['default/old']!.status.podIP!;
    await ok(t, `kubectl exec client -- curl -sS -o /dev/null http://${addr}/`);
    const oldMac = sim.state.netns[podNsId('default', 'old')]!.devices.find((d) => d.name === 'eth0')!.mac;
    const entry = () => neighbourTable(sim.state, nodeNsId('node-1'), sim.clock.now()).find((n) => n.dev === 'cni0' && formatIp(n.ip) === addr);
    expect(entry()?.mac).toBe(oldMac);
    await ok(t, 'kubectl delete pod old');
    // host-local hands the released address out next (as it does once it has gone round its range).
    const ipam = sim.state.k8s.alloc.podIpam['node-1']!;
    ipam.last = Number(addr.split('.')[3]) - 1;
    await ok(t, pod('new', 'node-1', 'nginx:1.27'));
    await ok(t, 'sleep 60');
    expect(sim.state.k8s.pods['default/new']!.status.podIP).toBe(addr);
    const newMac = sim.state.netns[podNsId('default', 'new')]!.devices.find((d) => d.name === 'eth0')!.mac;
    expect(newMac).not.toBe(oldMac);
    // The node still holds the old MAC, STALE: the first packets for the address go there.
    expect(entry()).toMatchObject({ mac: oldMac, state: 'STALE' });

    const onClient = capture(t, podNsId('default', 'client'), 'eth0');
    const onNode = capture(t, nodeNsId('node-1'), 'cni0');
    const start = sim.clock.now();
    const r = await t.run(`kubectl exec client -- curl -sS -w '%{http_code}\\n' -o /dev/null http://${addr}/`);
    expect([r.status, r.stdout, r.stderr]).toEqual([0, '200\n', '']);
    const syns = onClient.filter(({ c }) => c.dir === 'out' && c.frame.payload.kind === 'ipv4' && c.frame.payload.payload.kind === 'tcp' && c.frame.payload.payload.flags === TCP_SYN);
    // Linux 6.8's schedule: 1 s, four more 1 s apart, then 2 s and 4 s: the SYN at 11 s finds the entry FAILED, resolved afresh.
    expect(syns.map((s) => s.at - start)).toEqual([0, 1000, 2000, 3000, 4000, 5000, 7000, 11_000]);
    const segs = syns.map(({ c }) => (c.frame.payload as { payload: TcpSegment }).payload);
    expect(new Set(segs.map((s) => s.seq)).size).toBe(1);
    expect(new Set(segs.map((s) => s.srcPort)).size).toBe(1);
    // tcpdump prints each copy as it printed the first, but for the IP identification and the timestamp.
    const lines = syns.map((s) => tcpdumpLine(s.c).replace(/TS val \d+/, 'TS val N'));
    expect(new Set(lines).size).toBe(1);
    expect(lines[0]).toMatch(new RegExp(`^IP ${podAddrPattern(sim, 'client')}\\.\\d+ > ${addr.replace(/\./g, '\\.')}\\.80: Flags \\[S\\], seq \\d+, win 64860, options \\[mss 1410,sackOK,TS val N ecr 0,nop,wscale 7\\], length 0$`));
    // On node-1's bridge: the first seven went to the old MAC, the last to the new pod, which answered.
    const toPod = onNode.filter(({ c }) => c.dir === 'out' && c.frame.payload.kind === 'ipv4' && c.frame.payload.payload.kind === 'tcp' && c.frame.payload.payload.flags === TCP_SYN);
    expect(toPod.map(({ c }) => c.frame.dst)).toEqual([...Array(7).fill(oldMac), newMac]);
    expect(entry()).toMatchObject({ mac: newMac });
  }, 120_000);

  it('with a timeout shorter than the stall, the tools give up as on a real node', async () => {
    const t = await openSession({ topology: 'kubernetes', seed: 3 });
    const sim = t.session.sim;
    await ok(t, pod('old', 'node-1', 'nginx:1.27'));
    await ok(t, pod('client', 'node-2', 'busybox:1.36', ['sleep', '360000']));
    await ok(t, pod('keeper', 'node-1', 'busybox:1.36', ['sleep', '360000']));
    await ok(t, 'sleep 20');
    const addr = sim.state.k8s.pods['default/old']!.status.podIP!;
    await ok(t, `kubectl exec client -- wget -qO /dev/null http://${addr}/`);
    await ok(t, 'kubectl delete pod old');
    sim.state.k8s.alloc.podIpam['node-1']!.last = Number(addr.split('.')[3]) - 1;
    await ok(t, pod('new', 'node-1', 'nginx:1.27'));
    await ok(t, 'sleep 60');
    const start = sim.clock.now();
    const r = await t.run(`kubectl exec client -- wget -qO /dev/null -T 5 http://${addr}/`);
    expect([r.status, r.stderr]).toEqual([1, 'wget: download timed out\ncommand terminated with exit code 1\n']);
    expect(sim.clock.now() - start).toBe(5000);
    // busybox's default (-T 900) outlasts the stall: the next attempt starts while the entry is
    // in PROBE (5 s after its first use); its SYN at 3 s finds it FAILED and resolves it afresh.
    const again = sim.clock.now();
    await ok(t, `kubectl exec client -- wget -qO /dev/null http://${addr}/`);
    expect(sim.clock.now() - again).toBe(3000);
  }, 120_000);
});

function podAddrPattern(sim: TestSession['session']['sim'], name: string): string {
  return formatIp(ip(sim.state.k8s.pods[`default/${name}`]!.status.podIP!)).replace(/\./g, '\\.');
}

describe('path MTU discovery: a segment too big for flannel.1 is sent again in smaller ones', () => {
  /** Canal's pods have an MTU of 1500 while flannel.1 between the nodes has 1450. */
  async function canal(): Promise<{ t: TestSession; webIp: string }> {
    const t = await openSession({ topology: 'kubernetes-canal', seed: 2 });
    await ok(t, pod('web', 'node-1', 'nginx:1.27'));
    await ok(t, pod('client', 'node-2', 'nicolaka/netshoot', ['sleep', '360000']));
    await ok(t, 'kubectl expose pod web --port=80');
    await ok(t, 'sleep 20');
    await ok(t, "kubectl exec web -- sh -c 'seq 1 600 > /usr/share/nginx/html/big.txt'");
    return { t, webIp: t.session.sim.state.k8s.pods['default/web']!.status.podIP! };
  }

  /** The TCP segments and ICMP errors a capture holds, as `tcpdump -n` prints them (no timestamps). */
  const lines = (seen: { c: Capture }[]): string[] => seen.filter(({ c }) => c.frame.payload.kind === 'ipv4').map(({ c }) => `${c.dir} ${tcpdumpLine(c)}`);

  it('a response larger than 1450 bytes from a pod on another node arrives whole', async () => {
    const { t, webIp } = await canal();
    const sim = t.session.sim;
    expect(await ok(t, 'kubectl exec client -- ip link show eth0')).toContain(' mtu 1500 ');
    const web = capture(t, podNsId('default', 'web'), 'eth0');
    const body = await ok(t, `kubectl exec client -- curl -sS http://${webIp}/big.txt`);
    expect(body).toBe(Array.from({ length: 600 }, (_, i) => `${i + 1}\n`).join(''));
    const clientIp = sim.state.k8s.pods['default/client']!.status.podIP!;
    const node1 = sim.state.k8s.nodes['node-1']!.status.addresses!.find((a) => a.type === 'InternalIP')!.address;
    // What web's eth0 saw after the request: the response (nginx's head and 2292 bytes of body)
    // in a full segment of the client's MSS and the rest, the FIN, node-1's ICMP about the
    // first, and that one again at once in pieces that fit: 1410 bytes and the 50 left.
    const seen = lines(web)
      .filter((l) => (l.startsWith(`out IP ${webIp}.80 `) && !/Flags \[(S\.|\.)\], (seq \d+, )?ack \d+, win \d+, (options \[.*\], )?length 0$/.test(l)) || l.includes('ICMP'))
      .map((l) => l.replace(/^out IP .*Flags \[([^\]]*)\].*length (\d+)(: HTTP.*)?$/, 'out $1 $2'));
    const rest = Number(seen[1]!.split(' ')[2]);
    expect(seen).toEqual(['out P. 1460', `out P. ${rest}`, 'out F. 0', `in IP ${node1} > ${webIp}: ICMP ${clientIp} unreachable - need to frag (mtu 1450), length 556`, 'out . 1410', 'out P. 50']);
    expect(1460 + rest).toBeGreaterThan(2292);
    // The server learned the path MTU: the next response is cut to fit from the start.
    web.length = 0;
    await ok(t, `kubectl exec client -- curl -sS -o /dev/null http://${webIp}/big.txt`);
    expect(lines(web).filter((l) => l.includes('ICMP'))).toEqual([]);
    expect(cachedPmtu(sim.state.netns[podNsId('default', 'web')]!, ip(clientIp), sim.clock.now())?.mtu).toBe(1450);
  }, 120_000);

  it('a request larger than 1450 bytes to a Service reaches the pod on the other node', async () => {
    const { t } = await canal();
    const sim = t.session.sim;
    const svc = sim.state.k8s.services['default/web']!.spec.clusterIP!;
    const big = 'x'.repeat(2000);
    const client = capture(t, podNsId('default', 'client'), 'eth0');
    const out = await ok(t, `kubectl exec client -- curl -sS -o /dev/null -w '%{http_code}\\n' -H 'X-Big: ${big}' http://${svc}/`);
    expect(out).toBe('200\n');
    const sent = lines(client).filter((l) => l.startsWith('out IP') && /length [1-9]/.test(l)).map((l) => /Flags \[([^\]]*)\].*length (\d+)/.exec(l)!.slice(1).join(' '));
    // curl's request in segments of 1460 (the pod's MTU), then the first again in two after node-2's ICMP.
    const total = sent.slice(0, 2).reduce((n, s) => n + Number(s.split(' ')[1]), 0);
    expect(sent).toEqual(['. 1460', `P. ${total - 1460}`, '. 1410', '. 50']);
    expect(lines(client).some((l) => l.startsWith('in IP') && l.includes('unreachable - need to frag (mtu 1450)'))).toBe(true);
    // The client learned the path MTU for the Service's address it connected to.
    expect(await ok(t, `kubectl exec client -- ip route get ${svc}`)).toMatch(/ mtu 1450/);
    // nginx logged the request: it arrived whole.
    expect(await ok(t, 'kubectl logs web')).toMatch(/"GET \/ HTTP\/1\.1" 200 615 "-" "curl\/8\.5\.0"/);
  }, 120_000);
});
