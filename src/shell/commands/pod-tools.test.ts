import { describe, expect, it } from 'vitest';
import { REFERENCE_TIME } from '../../labs/catalog';
import { LabSession } from '../../labs/session';
import { ScriptClock } from '../../labs/transcript';
import { createRegistry } from './index';
import { digRecord } from './dig';
import { playgroundSession } from '../../../tests/support/session';

async function run(session: LabSession, line: string): Promise<{ out: string; status: number }> {
  let out = '';
  const sink = { write: (t: string) => void (out += t) };
  const status = await session.run(line, sink, sink);
  return { out, status };
}

async function netshootSession(): Promise<LabSession> {
  return playgroundSession({ topology: 'kubernetes-netshoot', seed: 3, scheduler: new ScriptClock(REFERENCE_TIME, 60_000) });
}

describe('per-image implementations', () => {
  it('picks the image family\'s own version of a program and refuses what the image lacks', () => {
    const r = createRegistry();
    const pod = { kind: 'pod' as const, namespace: 'default', pod: 'x', container: 'x' };
    expect(r.find('ping', pod, 'busybox:1.36')?.usage).toContain('BusyBox');
    expect(r.find('ping', pod, 'nicolaka/netshoot:v0.14')?.usage).toContain('-M <pmtud opt>');
    expect(r.find('ip', pod, 'busybox:1.36')?.usage).toContain('BusyBox');
    expect(r.find('ip', pod, 'nicolaka/netshoot')?.usage).toContain('OBJECT := { address');
    expect(r.find('nslookup', pod, 'nicolaka/netshoot')?.summary).toContain('bind');
    expect(r.find('dig', pod, 'busybox:1.36')).toBeUndefined();
    expect(r.find('ip', pod, 'nginx:1.27')).toBeUndefined();
    expect(r.find('ping', { kind: 'node', node: 'n', ns: 'node/n' })?.usage).toContain('-M <pmtud opt>');
    const names = r.available(pod, 'busybox:1.36').map((c) => c.name);
    expect(names).toContain('ifconfig');
    expect(names).not.toContain('dig');
    expect(new Set(names).size).toBe(names.length);
  });

  it('rejects two implementations that could claim the same place', () => {
    const r = createRegistry();
    const base = { summary: '', usage: '', run: async () => 0 };
    expect(() => r.register({ ...base, name: 'ping', where: ['pod'], images: ['netshoot'] })).toThrow(/twice/);
    expect(() => r.register({ ...base, name: 'ping', where: ['pod'] })).toThrow(/twice/);
    expect(() => r.register({ ...base, name: 'ping', where: ['pod'], images: ['agnhost'] })).not.toThrow();
  });

  it('completes and lists only what the pod\'s image ships', async () => {
    const s = await netshootSession();
    await run(s, 'kubectl exec -it netshoot -- sh');
    expect(s.complete('di', 2).candidates).toEqual(['dig']);
    await run(s, 'exit');
    await run(s, 'kubectl exec -it client -- sh');
    expect(s.complete('di', 2).candidates).toEqual([]);
    expect(await run(s, 'dig web')).toEqual({ out: 'sh: dig: not found\n', status: 127 });
  });
});

describe('dig', () => {
  it('lays records out on dig\'s tab stops', () => {
    expect(digRecord({ name: 'example.com', class: 1, ttl: 86400, type: 'A', address: 0x5db8d822 })).toBe('example.com.\t\t86400\tIN\tA\t93.184.216.34');
    expect(digRecord({ name: 'kubernetes.default.svc.cluster.local', class: 1, ttl: 30, type: 'A', address: 0x0a600001 })).toBe('kubernetes.default.svc.cluster.local. 30 IN A\t10.96.0.1');
    expect(digRecord({ name: 'web', class: 1, ttl: 0, type: 'raw', code: 1, data: new Uint8Array() }, true)).toBe(';web.\t\t\t\tIN\tA');
  });

  it('does not apply the search list unless told: dig web fails where nslookup web works', async () => {
    const s = await netshootSession();
    const plain = await run(s, 'kubectl exec netshoot -- dig web');
    expect(plain.out).toContain('status: NXDOMAIN');
    expect(plain.out).toContain(';web.\t\t\t\tIN\tA');
    expect(plain.status).toBe(0);
    const svcIp = s.sim.state.k8s.services['default/web']!.spec.clusterIP!;
    expect((await run(s, 'kubectl exec netshoot -- dig +short +search web')).out).toBe(`${svcIp}\n`);
    const ns = await run(s, 'kubectl exec netshoot -- nslookup web');
    expect(ns.out).toBe(`Server:\t\t10.96.0.10\nAddress:\t10.96.0.10#53\n\nName:\tweb.default.svc.cluster.local\nAddress: ${svcIp}\n\n`);
    const full = await run(s, 'kubectl exec netshoot -- dig web.default.svc.cluster.local');
    expect(full.out).toMatch(/^\n; <<>> DiG 9\.20\.11 <<>> web\.default\.svc\.cluster\.local\n;; global options: \+cmd\n;; Got answer:\n/);
    expect(full.out).toContain(`;; ANSWER SECTION:\nweb.default.svc.cluster.local. 30 IN\tA\t${svcIp}\n`);
    expect(full.out).toContain(';; SERVER: 10.96.0.10#53(10.96.0.10) (UDP)\n');
    expect(full.out).toMatch(/;; MSG SIZE {2}rcvd: \d+\n\n$/);
    expect((await run(s, 'kubectl exec netshoot -- nslookup nope')).out).toContain("** server can't find nope: NXDOMAIN\n");
  });

  it('a server that answers port unreachable: dig and nslookup report connection refused on each of three tries, at once', async () => {
    const s = await netshootSession();
    await run(s, 'kubectl expose deployment web --name=fakedns --port=53 --protocol=UDP');
    const vip = s.sim.state.k8s.services['default/fakedns']!.spec.clusterIP!;
    const refused = `;; communications error to ${vip}#53: connection refused\n`.repeat(3);
    const start = s.sim.clock.now();
    expect(await run(s, `kubectl exec netshoot -- dig @${vip} kubernetes.default`)).toEqual({
      out: `${refused}\n; <<>> DiG 9.20.11 <<>> @${vip} kubernetes.default\n; (1 server found)\n;; global options: +cmd\n;; no servers could be reached\ncommand terminated with exit code 9\n`,
      status: 9,
    });
    expect(await run(s, `kubectl exec netshoot -- dig +short @${vip} kubernetes.default`)).toEqual({ out: `${refused};; no servers could be reached\ncommand terminated with exit code 9\n`, status: 9 });
    expect(await run(s, `kubectl exec netshoot -- nslookup kubernetes.default ${vip}`)).toEqual({ out: `${refused};; no servers could be reached\n\ncommand terminated with exit code 1\n`, status: 1 });
    expect(s.sim.clock.now() - start).toBeLessThan(1000);
  });
});

describe('ip netns', () => {
  it('lists the node\'s pod namespaces under the names ip link shows, and runs commands inside them', async () => {
    const s = await netshootSession();
    const node = s.sim.pod('default', 'netshoot')!.spec.nodeName!;
    await run(s, `ssh ${node}`);
    const list = (await run(s, 'ip netns')).out.trim().split('\n');
    const links = (await run(s, 'ip link')).out;
    for (const [i, l] of list.entries()) {
      const m = /^(cni-[0-9a-f-]{36}) \(id: (\d+)\)$/.exec(l)!;
      expect(m).not.toBeNull();
      expect(Number(m[2])).toBe(i);
      expect(links).toContain(`link-netns ${m[1]}`);
    }
    const podIp = s.sim.pod('default', 'netshoot')!.status.podIP!;
    const name = s.sim.podNetns(s.sim.pod('default', 'netshoot')!)!.name;
    expect((await run(s, `ip netns exec ${name} ip addr show dev eth0`)).out).toContain(`inet ${podIp}/24`);
    expect(await run(s, 'ip netns exec cni-nope ip a')).toEqual({ out: 'Cannot open network namespace "cni-nope": No such file or directory\n', status: 255 });
  });
});

describe('iptables', () => {
  it('lists from the same rules iptables-save prints', async () => {
    const s = await netshootSession();
    await run(s, 'ssh node-1');
    const saved = (await run(s, 'iptables-save -t nat')).out.split('\n').filter((l) => l.startsWith('-A KUBE-SERVICES '));
    const listed = (await run(s, 'iptables -t nat -S KUBE-SERVICES')).out.split('\n').filter((l) => l.startsWith('-A '));
    expect(listed).toEqual(saved);
    const table = (await run(s, 'iptables -t nat -L KUBE-SERVICES -n')).out.split('\n');
    expect(table[0]).toBe('Chain KUBE-SERVICES (2 references)');
    expect(table[1]).toBe('target     prot opt source               destination         ');
    expect(table.length - 3).toBe(saved.length);
    const svc = await run(s, 'iptables -t nat -L KUBE-SVC-NPX46M4PTMTKRN6Y');
    expect(svc.out).toContain('KUBE-MARK-MASQ  tcp  -- !10.244.0.0/16        10.96.0.1            /* default/kubernetes:https cluster IP */ tcp dpt:https\n');
    expect(await run(s, 'iptables -L NOPE')).toEqual({ out: 'iptables: No chain/target/match by that name.\n', status: 1 });
  });

  it('-x prints bytes with the packets\' width under the wider heading, as xtables_print_num does', async () => {
    const s = await netshootSession();
    await run(s, 'ssh node-1');
    const lines = (await run(s, 'iptables -x -nvL INPUT')).out.split('\n');
    expect(lines[1]).toBe('    pkts      bytes target     prot opt in     out     source               destination         ');
    expect(lines[2]).toMatch(/^ {7}0 {8}0 KUBE-/);
  });

  it('-V prints the version; a stray word is Bad argument and the try-help line, both on stderr (xshared.c), exit 2', async () => {
    const s = await netshootSession();
    await run(s, 'ssh node-1');
    expect(await run(s, 'iptables -V')).toEqual({ out: 'iptables v1.8.10 (nf_tables)\n', status: 0 });
    expect(await run(s, 'iptables --version')).toEqual({ out: 'iptables v1.8.10 (nf_tables)\n', status: 0 });
    expect(await run(s, 'iptables -L -n INPUT 2>/dev/null')).toEqual({ out: '', status: 2 });
    expect(await run(s, 'iptables -L -n INPUT >/dev/null')).toEqual({ out: "Bad argument `INPUT'\nTry `iptables -h' or 'iptables --help' for more information.\n", status: 2 });
  });
});

describe('names that cannot go on the wire', () => {
  it('dig and nslookup refuse them as BIND does, ping and busybox nslookup find nothing', async () => {
    const s = await netshootSession();
    expect(await run(s, 'kubectl exec netshoot -- dig .x')).toEqual({ out: "dig: '.x' is not a legal name (empty label)\ncommand terminated with exit code 10\n", status: 10 });
    expect(await run(s, `kubectl exec netshoot -- dig ${'a'.repeat(64)}.com`)).toMatchObject({ out: expect.stringContaining('is not a legal name (label too long)'), status: 10 });
    expect(await run(s, 'kubectl exec netshoot -- nslookup a..b')).toEqual({ out: "nslookup: 'a..b' is not a legal name (empty label)\ncommand terminated with exit code 1\n", status: 1 });
    expect(await run(s, 'kubectl exec client -- nslookup .x')).toMatchObject({ out: expect.stringContaining(';; connection timed out; no servers could be reached'), status: 1 });
    expect(await run(s, 'ping -c 1 .x')).toEqual({ out: 'ping: .x: Name or service not known\n', status: 2 });
  });
});
