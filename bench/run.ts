/**
 * `npm run bench`: how fast the sandbox is, measured on this machine.
 *
 * Prints medians over repeated runs (after warm-up) for: building the default lab cluster,
 * one cross-node ping traced hop by hop, and each command family through the shell.
 * Speed targets are checked here, not in timed tests.
 */
import { performance } from 'node:perf_hooks';
import { REFERENCE_TIME } from '../src/labs/catalog';
import { LabSession } from '../src/labs/session';
import { ScriptClock } from '../src/labs/transcript';
import { VirtualClock } from '../src/sim/clock';
import { ip } from '../src/sim/ipv4';
import { Sim } from '../src/sim/sim';
import { findLab } from '../labs/index';

function median(samples: number[]): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function measure(runs: number, fn: () => void): number {
  for (let i = 0; i < Math.min(20, runs); i++) fn();
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const a = performance.now();
    fn();
    t.push(performance.now() - a);
  }
  return median(t);
}

async function measureAsync(runs: number, fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(20, runs); i++) await fn();
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const a = performance.now();
    await fn();
    t.push(performance.now() - a);
  }
  return median(t);
}

const rows: [string, number, string][] = [];
const lab = findLab('three-pools')!;
const spec = { nodes: lab.cluster.nodes, workloads: lab.cluster.workloads };

rows.push(['build the three-pools cluster (3 nodes, 16 pods)', measure(200, () => Sim.create(spec, 7, new VirtualClock(REFERENCE_TIME))), 'ms']);

const sim = Sim.create(spec, 7, new VirtualClock(REFERENCE_TIME));
const client = sim.pod('default', 'client')!;
const target = Object.values(sim.state.k8s.pods).find((p) => p.metadata.labels?.app === 'web' && p.spec.nodeName !== client.spec.nodeName)!;
const ns = sim.podNetns(client)!.id;
const dst = ip(target.status.podIP!);
let seq = 0;
rows.push(['trace one cross-node ping (request + reply, VXLAN both ways)', measure(2000, () => sim.ping(ns, dst, { id: 1, seq: seq++ })), 'ms']);

const session = LabSession.create({ labId: 'three-pools', seed: 7, scheduler: new ScriptClock(REFERENCE_TIME) });
const sink = { write: () => {} };
for (const [name, line] of [
  ['kubectl get pods -A -o wide', 'kubectl get pods -A -o wide'],
  ['kubectl get nodes -o wide', 'kubectl get nodes -o wide'],
  ['kubectl exec client -- ping -c 1', `kubectl exec client -- ping -c 1 ${target.status.podIP}`],
  ['tab completion (kubectl exec <pod>)', ''],
] as const) {
  if (line === '') rows.push([name, measure(2000, () => session.complete('kubectl exec c', 14)), 'ms']);
  else rows.push([name, await measureAsync(500, () => session.run(line, sink, sink)), 'ms']);
}

const heap = process.memoryUsage().heapUsed / 1024 / 1024;
const width = Math.max(...rows.map((r) => r[0].length));
console.log(`median of repeated runs, node ${process.version}\n`);
for (const [name, v, unit] of rows) console.log(`${name.padEnd(width)}  ${v.toFixed(3).padStart(8)} ${unit}`);
console.log(`${'heap in use after the runs'.padEnd(width)}  ${heap.toFixed(1).padStart(8)} MB`);
