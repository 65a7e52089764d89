import { describe, expect, it } from 'vitest';
import { clusterPicture, sampleCapture, sampleFact, sampleOutput, samplePacket } from './samples';
import { REFERENCE_TIME } from './catalog';
import { defineLab } from './schema';
import { LabSession } from './session';
import { ScriptClock, transcript } from './transcript';
import { fixtureWeb } from '../../tests/fixtures/labs/web';

describe('lesson samples', () => {
  it('print exactly what the lab terminal prints for the default seed', async () => {
    const clock = new ScriptClock(REFERENCE_TIME);
    const s = await LabSession.create({ lab: fixtureWeb, seed: fixtureWeb.defaultSeed, scheduler: clock });
    const expected = await transcript(s, clock, ['kubectl get pods -o wide'], { quiet: true });
    const sample = await sampleOutput(fixtureWeb, 'kubectl get pods -o wide');
    expect(sample.output).toBe(expected);
    expect(sample.output).toMatch(/^NAME {3,}READY {3}STATUS {4}RESTARTS {3}AGE {3}IP /);
  });

  it('fill in bindings, so a ping sample targets the lab pod on the other node', async () => {
    const ip = await sampleFact(fixtureWeb, 'target.ip');
    const sample = await sampleOutput(fixtureWeb, 'kubectl exec client -- ping -c 2 {{target.ip}}');
    expect(sample.command).toBe(`kubectl exec client -- ping -c 2 ${ip}`);
    expect(sample.output).toContain(`64 bytes from ${ip}: seq=0 ttl=62`);
    expect(sample.output).toContain('2 packets transmitted, 2 packets received, 0% packet loss');
  });

  it('capture the traffic another terminal makes while tcpdump listens', async () => {
    const ip = await sampleFact(fixtureWeb, 'target.ip');
    const node = await sampleFact(fixtureWeb, 'target.node');
    const sample = await sampleCapture(fixtureWeb, `ssh ${node} tcpdump -n -i cni0 icmp`, 'kubectl exec client -- ping -c 1 {{target.ip}}');
    expect(sample.during).toBe(`kubectl exec client -- ping -c 1 ${ip}`);
    const lines = sample.output.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{6} IP 10\\.244\\.\\d+\\.\\d+ > ${ip.replace(/\./g, '\\.')}: ICMP echo request`));
    expect(lines[1]).toContain(`IP ${ip} > `);
  });

  it('start the traffic only once the capture listens, however long ssh and tcpdump take to start', async () => {
    const routed = defineLab({ id: 'routed-sample', title: 'Routed', summary: 'Two LANs.', topology: { name: 'routed', transitMtu: 1400 }, bindings: { h2: { host: { name: 'host-2' } } } });
    const sample = await sampleCapture(routed, 'ssh router-1 tcpdump -v -x -n -i eth0 icmp and src host 192.168.1.1', 'ping -c 1 -M do -s 1400 {{h2.ip}}');
    expect(sample.output).toContain('192.168.1.1 > 192.168.1.100: ICMP 192.168.2.10 unreachable - need to frag (mtu 1400), length 556');
  });

  it('draw every node with its own pods and every Service', async () => {
    const pic = await clusterPicture(fixtureWeb);
    expect(pic.nodes.map((n) => [n.name, n.ip, n.podCidr, n.bridgeIp])).toEqual([
      ['control-plane', '192.168.49.2', '10.244.0.0/24', '10.244.0.1'],
      ['node-1', '192.168.49.3', '10.244.1.0/24', '10.244.1.1'],
      ['node-2', '192.168.49.4', '10.244.2.0/24', '10.244.2.1'],
    ]);
    for (const n of pic.nodes) {
      const prefix = n.podCidr.split('.').slice(0, 3).join('.') + '.';
      for (const p of n.pods) expect(p.ip.startsWith(prefix)).toBe(true);
      expect(n.hostNetworkPods.some((p) => p.startsWith('kube-proxy-'))).toBe(true);
    }
    expect(pic.nodes[0]!.pods.map((p) => p.name.replace(/-[a-z0-9]+-[a-z0-9]{5}$/, ''))).toEqual(['coredns', 'coredns']);
    expect(pic.services.map((s) => s.name).sort()).toEqual(['kube-dns', 'kubernetes', 'web']);
  });
});

describe('the first packet a command sends', () => {
  it('is the echo request as it left the workstation, the bytes the pcap file holds', async () => {
    const sample = await samplePacket('packets', 'ping -c 1 {{h2.ip}}');
    expect(sample.command).toBe('ping -c 1 192.168.2.10');
    expect(sample.summary).toBe('ICMP echo request 192.168.1.100 > 192.168.2.10');
    expect(sample.host).toBe('workstation');
    expect(sample.output).toContain('1 packets transmitted, 1 received');
    // Ethernet type IPv4, then the header tcpdump -x prints for this packet.
    expect(Array.from(sample.frame.subarray(12, 14))).toEqual([0x08, 0x00]);
    expect(sample.packet).toEqual(sample.frame.subarray(14));
    expect(Buffer.from(sample.packet.subarray(0, 20)).toString('hex')).toBe('4500005478c940004001' + '3d21c0a80164c0a8020a');
    expect(sample.packet.length).toBe(84);
  });

  it('comes after the setup commands, and a command that sends nothing is an error', async () => {
    const after = await samplePacket('packets', 'ping -c 1 {{h2.ip}}', ['ssh router-1 ip route del 192.168.2.0/24']);
    expect(after.summary).toBe('ICMP echo request 192.168.1.100 > 192.168.2.10');
    await expect(samplePacket('packets', 'ip route')).rejects.toThrow('samplePacket: "ip route" in lab packets put no IPv4 packet on a wire.');
  });
});
