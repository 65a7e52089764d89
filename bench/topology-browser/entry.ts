/**
 * The page bench/topology-browser.mjs drives: one lab session of a bench cluster
 * (bench/topology-labs.ts) on a script clock, and the lab panel's real Topology part
 * (src/ui/topology-panel.ts) opened on it, so the view loads, lays out in its worker and redraws
 * exactly as in a lesson. Built by Vite in production mode; only the bench uses it.
 */
import '../../src/styles/global.css';
import { REFERENCE_TIME } from '../../src/labs/catalog';
import { LabSession } from '../../src/labs/session';
import { ScriptClock } from '../../src/labs/transcript';
import { TopologyPanel } from '../../src/ui/topology-panel';
import { benchLab } from '../topology-labs';

interface Bench {
  open(nodes: 3 | 50): Promise<void>;
  run(line: string): Promise<string>;
  /** The view's own measures so far (`topology:redraw`, `topology:paint`), in ms. */
  measures(): { name: string; duration: number; start: number }[];
}

declare global {
  interface Window {
    bench: Bench;
  }
}

let session: LabSession | undefined;
let clock: ScriptClock | undefined;

window.bench = {
  async open(nodes) {
    clock = new ScriptClock(REFERENCE_TIME);
    session = await LabSession.create({ lab: benchLab(nodes), seed: 7, scheduler: clock });
    const main = document.getElementById('lab-bench')!;
    main.innerHTML = '<button type="button" data-topology-toggle aria-expanded="false">Topology</button><section class="lab-topology" id="lab-bench-topology" data-topology-panel hidden></section>';
    const panel = new TopologyPanel(main);
    panel.follow(session);
    await panel.setOpen(true);
  },
  async run(line) {
    let out = '';
    const sink = { write: (t: string) => void (out += t) };
    clock!.beginCommand(() => session!.interrupt());
    await session!.run(line, sink, sink);
    return out;
  },
  measures() {
    return performance.getEntriesByType('measure').filter((m) => m.name.startsWith('topology:')).map((m) => ({ name: m.name, duration: m.duration, start: m.startTime }));
  },
};
document.body.dataset.ready = '';
