/**
 * Properties of iptables writes, on a Kubernetes node (kube-proxy's shared chains under the
 * node's own) and on a Docker host: after any generated sequence of iptables commands, valid
 * or not,
 *   1. iptables-save's text, restored into an empty namespace by iptables-restore, saves to the
 *      same text (the printed rules parse back to themselves);
 *   2. every jump and goto names a chain that exists;
 *   3. packets still get a trace: a ping between pods and a request to a Service run to an
 *      answer or a failure, never an internal error;
 *   4. the shared copy of kube-proxy's chains, and so every other node's view, is unchanged.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openSession, type TestSession } from '../../../tests/support/session';
import { danglingJumps, restoreIptables, viewOf } from '../../sim/linux/iptables';
import { emptyNetfilter, formatTable, TABLE_ORDER, type Netfilter } from '../../sim/netfilter';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 20);
const TIMEOUT = 120_000;
const DATE = 'Fri Mar 14 09:30:00 2025';

const TABLES = ['filter', 'nat', 'mangle', 'raw'] as const;
const BUILTIN: Record<(typeof TABLES)[number], string[]> = {
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  raw: ['PREROUTING', 'OUTPUT'],
};

/** One iptables command line, from a small grammar that covers the valid and the refused. */
function command(kubeChains: string[]): fc.Arbitrary<string> {
  const table = fc.constantFrom(...TABLES);
  const user = fc.constantFrom('U1', 'U2', 'KEEP');
  const addr = fc.constantFrom('10.244.1.2', '10.244.0.0/16', '192.168.49.0/24', '! 10.96.0.0/12', '0.0.0.0/0', '172.17.0.2');
  const match = fc.oneof(
    fc.constant(''),
    fc.constantFrom('-p tcp --dport 80', '-p udp --dport 53', '-p tcp ! --dport 1000:2000', '-p icmp --icmp-type echo-request', '-p tcp -m multiport --dports 80,443'),
    fc.constantFrom('-m conntrack --ctstate NEW', '-m state ! --state ESTABLISHED', '-m mark --mark 0x4000/0x4000', '-m addrtype --dst-type LOCAL', '-m comment --comment "a b"', '-m statistic --mode random --probability 0.5'),
    fc.constantFrom('-i eth0', '! -o cni0', '-i veth+'),
  );
  return fc
    .tuple(table, fc.integer({ min: 0, max: 11 }), fc.integer({ min: 0, max: 5 }), user, addr, match, fc.constantFrom(...kubeChains, 'U1'), fc.integer({ min: 0, max: 3 }))
    .map(([t, op, pick, u, a, m, kube, n]) => {
      const chains = [...BUILTIN[t], 'U1', 'U2', ...(t === 'nat' ? [kube] : [])];
      const chain = chains[pick % chains.length]!;
      const targets =
        t === 'nat' ? ['ACCEPT', 'RETURN', `-j ${u}`, 'DNAT --to-destination 10.244.1.2:80', 'MASQUERADE', 'SNAT --to-source 192.168.49.9', 'MARK --set-mark 0x1', 'LOG'] : t === 'filter' ? ['ACCEPT', 'DROP', 'RETURN', 'REJECT', `-j ${u}`, `-g ${u}`, 'LOG --log-prefix "x: "'] : ['ACCEPT', 'DROP', 'MARK --or-mark 0x4000', `-j ${u}`];
      const target = targets[(pick + op) % targets.length]!;
      const jt = target.startsWith('-') ? target : `-j ${target}`;
      const spec = `${a.startsWith('!') ? `! -s ${a.slice(2)}` : `-s ${a}`} ${m} ${jt}`.replace(/ +/g, ' ');
      const tt = `-t ${t}`;
      switch (op) {
        case 0:
        case 1:
          return `iptables ${tt} -A ${chain} ${spec}`;
        case 2:
          return `iptables ${tt} -I ${chain} ${n + 1} ${spec}`;
        case 3:
          return `iptables ${tt} -D ${chain} ${n + 1}`;
        case 4:
          return `iptables ${tt} -R ${chain} ${n + 1} ${spec}`;
        case 5:
          return `iptables ${tt} -N ${u}`;
        case 6:
          return `iptables ${tt} -X ${u}`;
        case 7:
          return `iptables ${tt} -F ${n === 0 ? '' : chain}`.trim();
        case 8:
          return `iptables ${tt} -Z`;
        case 9:
          return `iptables ${tt} -P ${BUILTIN[t][n % BUILTIN[t].length]} ${n === 1 ? 'DROP' : 'ACCEPT'}`;
        case 10:
          return `iptables ${tt} -E ${u} ${u === 'U1' ? 'U2' : 'U1'}`;
        default:
          return `iptables ${tt} -D ${chain} ${spec}`;
      }
    });
}

/** A namespace's tables restored from its save text, saved again. */
function roundTrip(save: string): string {
  const place = { own: emptyNetfilter() };
  restoreIptables(place, save);
  return TABLE_ORDER.filter((t) => t === 'filter' || t === 'nat' || place.own[t]).map((t) => formatTable(place.own, t, DATE)).join('');
}

async function check(t: TestSession, host: string, nsId: string, lines: string[], sharedBefore: string | undefined): Promise<void> {
  await t.run(`ssh ${host}`);
  for (const l of lines) {
    const r = await t.run(l);
    expect(r.stderr, l).not.toContain('internal error');
    expect([0, 1, 2, 4], l).toContain(r.status);
  }
  const save = (await t.run('iptables-save')).stdout.replace(/on [A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}/g, `on ${DATE}`);
  expect(roundTrip(save)).toBe(save);
  await t.run('exit');
  const state = t.session.sim.state;
  const ns = state.netns[nsId]!;
  const kp = ns.kubeProxy;
  const view: Netfilter = viewOf(kp ? { own: ns.nf!, shared: kp.mode === 'live' ? state.kubeProxy! : kp.rules } : { own: ns.nf! });
  expect(danglingJumps(view)).toEqual([]);
  if (sharedBefore !== undefined) expect(JSON.stringify(state.kubeProxy)).toBe(sharedBefore);
}

describe('iptables writes keep the tables consistent', () => {
  it(
    'on a Kubernetes node',
    async () => {
      const kube = ['KUBE-SERVICES', 'KUBE-POSTROUTING', 'KUBE-MARK-MASQ', 'KUBE-PROXY-CANARY'];
      await fc.assert(
        fc.asyncProperty(fc.array(command(kube), { minLength: 1, maxLength: 14 }), async (lines) => {
          const t = await openSession();
          const svc = t.session.sim.state.k8s.services['default/web']!.spec.clusterIP!;
          await t.run('kubectl get pods');
          const shared = JSON.stringify(t.session.sim.state.kubeProxy);
          await check(t, 'node-1', 'node/node-1', lines, shared);
          for (const l of [`kubectl exec client -- wget -q -T 1 -O /dev/null http://${svc}`, 'kubectl exec client -- ping -c 1 -W 1 10.244.1.2']) {
            const r = await t.run(l);
            expect(r.stderr, l).not.toContain('internal error');
          }
          // Another node's view is kube-proxy's own.
          await t.run('ssh node-2');
          expect((await t.run('iptables -t nat -S KUBE-SERVICES')).stdout).toContain('default/web cluster IP');
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );

  it(
    'on a Docker host',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(command(['DOCKER']), { minLength: 1, maxLength: 14 }), async (lines) => {
          const t = await openSession({ topology: 'docker' });
          await check(t, 'host-1', 'host/host-1', lines, undefined);
          await t.run('ssh host-1');
          for (const l of ['docker run -d --name p1 -p 8080:80 nginx', 'curl -s -m 1 -o /dev/null http://localhost:8080', 'ping -c 1 -W 1 172.17.0.2']) {
            const r = await t.run(l);
            expect(r.stderr, l).not.toContain('internal error');
          }
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );
});
