/**
 * The parts of a lab panel that follow its session besides the terminals and the task list:
 * the packet path view (path-panel.ts), the topology view (topology-panel.ts), the capture
 * downloads (downloads.ts) and the YAML editor (editor-panel.ts).
 *
 * Design notes: each part is built once per panel from the panel's element (finding its own
 * markup there, or adding it), is told about every session the panel runs (the first one, and
 * each new one after Reset) with `follow`, and is disposed with the panel. The runtime
 * (lab-runtime.ts) does exactly that for every entry of LAB_PARTS and nothing else, so a new
 * part is one module implementing LabPart, one line here, its markup or styles in Lab.astro
 * if it has any, and its test (docs/how-to-add.md, "A lab panel part").
 */
import type { LabSessionApi } from '../labs/contract';
import { CaptureDownloads } from './downloads';
import { EditorPanel } from './editor-panel';
import { PathPanel } from './path-panel';
import { TopologyPanel } from './topology-panel';

export interface LabPart {
  /** Starts following `session` (and stops following the one before, if any). */
  follow(session: LabSessionApi): void;
  dispose(): void;
}

/** Every part, in the order they are built. */
export const LAB_PARTS: ReadonlyArray<(panel: HTMLElement) => LabPart> = [
  (panel) => new PathPanel(panel),
  (panel) => new TopologyPanel(panel),
  (panel) => new CaptureDownloads(panel),
  (panel) => new EditorPanel(panel),
];
