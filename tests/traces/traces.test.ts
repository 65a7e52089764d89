import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { VirtualClock } from '../../src/sim/clock';
import { podNsId } from '../../src/sim/cni';
import { ip } from '../../src/sim/ipv4';
import { Sim } from '../../src/sim/sim';
import { traceText, tracesText } from '../../src/sim/trace-text';
import { DEFINITIONS } from './definitions';
import { TRACES_DIR, traceFile } from './update';

/**
 * Regenerates every golden trace from tests/traces/definitions.ts and compares it with its
 * file. When a trace changes on purpose, run `npx tsx tests/traces/update.ts` and review the diff.
 */
describe('golden traces', () => {
  it('every .txt file has a definition and every definition a file', () => {
    const files = readdirSync(TRACES_DIR).filter((f) => f.endsWith('.txt')).sort();
    expect(files).toEqual(DEFINITIONS.map((d) => `${d.name}.txt`).sort());
  });

  for (const def of DEFINITIONS) {
    it(def.name, () => {
      const file = traceFile(def.name);
      expect(existsSync(file), `${def.name}.txt is missing: run npx tsx tests/traces/update.ts`).toBe(true);
      expect(def.render()).toBe(readFileSync(file, 'utf8'));
    });
  }

  it('are deterministic: rendering twice gives the same text', () => {
    for (const def of DEFINITIONS) expect(def.render()).toBe(def.render());
  });

  it('keep MACs out unless asked for them', () => {
    const mac = /\b[0-9a-f]{2}(?::[0-9a-f]{2}){5}\b/;
    for (const def of DEFINITIONS) expect(def.render()).not.toMatch(mac);
    const sim = Sim.create({ nodes: 2, workloads: { pods: [{ name: 'a', image: 'busybox' }, { name: 'b', image: 'busybox' }] } }, 3, new VirtualClock(Date.UTC(2025, 0, 1)));
    const b = sim.pod('default', 'b')!;
    const r = sim.ping(podNsId('default', 'a'), ip(b.status.podIP!), { id: 1, seq: 1 });
    expect(traceText(sim.state, r.trace)).not.toMatch(mac);
    expect(traceText(sim.state, r.trace, { macs: true })).toMatch(mac);
    expect(traceText(sim.state, r.trace, { checksums: true })).toMatch(/ cksum 0x[0-9a-f]{4} /);
  });

  it('label TCP traces by their segments and other traces by number or the given labels', () => {
    const sim = Sim.create({ nodes: 2, workloads: { pods: [{ name: 'a', image: 'busybox' }, { name: 'web', image: 'nginx' }] } }, 3, new VirtualClock(Date.UTC(2025, 0, 1)));
    const web = sim.pod('default', 'web')!;
    const r = sim.tcpRequest(podNsId('default', 'a'), ip(web.status.podIP!), 80, Uint8Array.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n', (c) => c.charCodeAt(0)));
    const text = tracesText(sim.state, r.traces);
    expect(text.split('\n').filter((l) => l.startsWith('== '))).toEqual([
      '== 1. SYN, SYN-ACK ==',
      '== 2. ACK ==',
      expect.stringMatching(/^== 3\. PSH-ACK \d+ bytes, PSH-ACK \d+ bytes, FIN-ACK ==$/),
      '== 4. FIN-ACK, ACK ==',
    ]);
    const ping = sim.ping(podNsId('default', 'a'), ip(web.status.podIP!), { id: 1, seq: 1 });
    expect(tracesText(sim.state, [ping.trace, ping.trace], { labels: ['first'] }).split('\n').filter((l) => l.startsWith('== '))).toEqual(['== 1. first ==', '== 2. trace 2 ==']);
  });
});
