/**
 * The layout library behind the topology view: ELK (elkjs), running in a Web Worker of its
 * own so that laying out a large cluster never holds up the page.
 *
 * Design notes: loaded with the view (topology-view.ts), itself loaded when the learner first
 * opens the Topology panel; the worker script (elkjs's prebuilt one) is fetched when the first
 * layout is asked for. One worker serves every view on the page; layouts queue in it.
 */
import ElkConstructor, { type ELK, type ElkNode } from 'elkjs/lib/elk-api';
import workerUrl from 'elkjs/lib/elk-worker.min.js?url';

let elk: ELK | undefined;

/** ELK's layout of `graph` (coordinates as its layoutOptions ask). */
export function layoutInWorker(graph: ElkNode): Promise<ElkNode> {
  elk ??= new ElkConstructor({ workerUrl });
  return elk.layout(graph);
}
