import ELK from 'elkjs/lib/elk.bundled.js';
import { describe, expect, it } from 'vitest';
import { defineLab } from '../labs/schema';
import { openSession } from '../../tests/support/session';
import { elkGraph, layoutOf, MAX_TUNNELS_DRAWN, neighbourIn, networkDiagram, orientLinks, renderSvg, topologyDiagram, type Diagram, type Layout } from './topology-diagram';

/** A layout by hand: each box on a grid (column, row), 100 x 40. */
function grid(d: Diagram, at: Record<string, [number, number]>): Layout {
  const items: Layout['items'] = {};
  for (const [id, [c, r]] of Object.entries(at)) items[id] = { x: c * 150, y: r * 80, w: 100, h: 40 };
  return { key: d.key, width: 1000, height: 800, items, groups: {}, links: {} };
}

describe('the topology diagram', () => {
  it('turns the model into boxes sized by their names, groups, and lines; tunnels stay out of the layout', async () => {
    const { session } = await openSession({ topology: 'kubernetes-web' });
    const d = topologyDiagram(session.topologyModel());
    expect(d.key).toBe(`machines:${session.topologyModel().structureKey}`);
    const stack = d.items.find((i) => i.id === 'node/node-1')!;
    expect(stack).toMatchObject({ kindWord: 'stack', group: 'group/node/node-1', pool: 'node' });
    expect(d.items.find((i) => i.id === 'node/node-1#flannel.1')).toMatchObject({ kindWord: 'VXLAN', shape: 'switch' });
    expect(d.items.find((i) => i.id === 'service/default/web')).toMatchObject({ shape: 'service', pool: 'service' });
    expect(d.links.filter((l) => !l.laid).every((l) => l.kind === 'tunnel')).toBe(true);
    // A longer name makes a wider box; an address makes it taller.
    const client = d.items.find((i) => i.id === 'pod/default/client')!;
    const web = d.items.find((i) => i.kind === 'pod' && i.name.startsWith('web-'))!;
    expect(web.width).toBeGreaterThan(client.width);
    expect(client.height).toBeGreaterThan(d.items.find((i) => i.kind === 'segment')!.height - 1);
  });

  it('points every laid-out line away from the workstation, so the picture reads from the learner outwards', async () => {
    const { session } = await openSession({ topology: 'kubernetes-web' });
    const d = topologyDiagram(session.topologyModel());
    const o = orientLinks(d);
    expect(o.get('cable/workstation#eth0')).toEqual(['workstation', 'segment/lan']);
    expect(o.get('cable/node/node-1#eth0')).toEqual(['segment/lan', 'node/node-1']);
    expect(o.get('bridge/node/node-1#cni0')).toEqual(['node/node-1', 'node/node-1#cni0']);
    const veth = d.links.find((l) => l.kind === 'veth' && l.a === 'pod/default/client')!;
    expect(o.get(veth.id)![1]).toBe('pod/default/client');
    const g = elkGraph(d);
    expect(g.children!.map((c) => c.id)).toContain('group/node/node-1');
    const home = d.items.find((i) => i.id === 'pod/default/client')!.group!;
    expect(g.children!.find((c) => c.id === home)!.children!.map((c) => c.id)).toContain('pod/default/client');
    expect(g.edges!.some((e) => e.id.startsWith('tunnel/'))).toBe(false);
  });

  it('is laid out by ELK: every box and group gets a place, and lines get points', async () => {
    const { session } = await openSession({ topology: 'routed' });
    const d = topologyDiagram(session.topologyModel());
    const laid = await new ELK().layout(elkGraph(d));
    const layout = layoutOf(d.key, laid, d);
    for (const i of d.items) expect(layout.items[i.id], i.id).toBeDefined();
    for (const l of d.links) expect(layout.links[l.id]?.length, l.id).toBeGreaterThanOrEqual(2);
    expect(layout.width).toBeGreaterThan(0);
    // Left to right: the workstation before its LAN, the LAN before router-1.
    expect(layout.items['workstation']!.x).toBeLessThan(layout.items['segment/lan-1']!.x);
    expect(layout.items['segment/lan-1']!.x).toBeLessThan(layout.items['host/router-1']!.x);
  });

  it('writes one listbox: an option per box named by its title, groups as groups, the selection, the packet, and escapes every text', async () => {
    const { session } = await openSession({ topology: 'kubernetes-web' });
    const d = topologyDiagram(session.topologyModel());
    const at: Record<string, [number, number]> = {};
    d.items.forEach((i, n) => (at[i.id] = [n % 5, Math.floor(n / 5)]));
    const layout = grid(d, at);
    layout.groups['group/node/node-1'] = { x: 0, y: 0, w: 10, h: 10 };
    d.items.find((i) => i.id === 'pod/default/client')!.name = 'a<b>&"c"';
    const svg = renderSvg(d, layout, { idBase: 'lab', label: 'Your sandbox', selected: 'pod/default/client', active: 'pod/default/client', overlay: { elements: ['pod/default/client', 'node/node-2#cni0'], links: [] } });
    expect(svg.startsWith('<svg class="topo-svg"')).toBe(true);
    expect(svg).toContain('role="listbox" aria-label="Your sandbox"');
    expect(svg.match(/role="option"/g)).toHaveLength(d.items.length);
    expect(svg.match(/tabindex="0"/g)).toHaveLength(1);
    expect(svg).toContain('<g role="group" aria-label="node node-1">');
    expect(svg).toMatch(/aria-selected="true" tabindex="0" data-id="pod\/default\/client" aria-label="pod client on node-\d, 10\.244\.\d+\.\d+ \(pod network\), step 1 of the last packet"/);
    expect(svg).toContain('a&lt;b&gt;&amp;&quot;c&quot;');
    expect(svg).not.toContain('a<b>');
    // Lines are decoration for assistive technology: the text equivalent lists them.
    expect(svg).toContain('<g aria-hidden="true" class="topo-links">');
  });

  it('draws every tunnel while there are few, and past that only the selected VTEP\'s', async () => {
    const small = topologyDiagram((await openSession({ topology: 'kubernetes-web' })).session.topologyModel());
    const layout = (d: Diagram): Layout => grid(d, Object.fromEntries(d.items.map((i, n) => [i.id, [n % 8, Math.floor(n / 8)] as [number, number]])));
    expect(renderSvg(small, layout(small), { idBase: 'x', label: 'x' }).match(/topo-link-tunnel/g)).toHaveLength(3);
    const { session } = await openSession({ lab: defineLab({ id: 'eight-nodes', title: 'Eight nodes', summary: 'Eight nodes.', topology: { name: 'kubernetes', nodes: 8 } }) });
    const big = topologyDiagram(session.topologyModel());
    expect(big.links.filter((l) => l.kind === 'tunnel')).toHaveLength(28);
    expect(28).toBeGreaterThan(MAX_TUNNELS_DRAWN);
    expect(renderSvg(big, layout(big), { idBase: 'x', label: 'x' }).match(/topo-link-tunnel/g)).toBeNull();
    expect(renderSvg(big, layout(big), { idBase: 'x', label: 'x', selected: 'node/node-3#flannel.1' }).match(/topo-link-tunnel/g)).toHaveLength(7);
  });

  it('the network model: processes and switches grouped by node, routers named for what they do', async () => {
    const { session } = await openSession({ topology: 'kubernetes-web' });
    const d = networkDiagram(session.networkModel());
    expect(d.items.find((i) => i.id === 'node-1/router')).toMatchObject({ name: 'IP forwarding', kindWord: 'router', shape: 'switch', group: 'group/node/node-1' });
    expect(d.items.find((i) => i.id === 'K8s-Pod(default/client)')).toMatchObject({ shape: 'process', pool: 'pod' });
    expect(d.items.find((i) => i.id === 'lan')).toMatchObject({ shape: 'segment' });
    expect(d.groups.map((g) => g.id)).toEqual(['group/node/control-plane', 'group/node/node-1', 'group/node/node-2']);
  });

  it('arrow keys go to the nearest box that way', () => {
    const d: Diagram = { mode: 'machines', key: 'k', items: [], groups: [], links: [], pools: [] };
    const layout = grid(d, { a: [0, 0], b: [1, 0], c: [2, 0], d: [0, 1], e: [1, 3] });
    const ids = ['a', 'b', 'c', 'd', 'e'];
    expect(neighbourIn(layout, ids, 'a', 'right')).toBe('b');
    expect(neighbourIn(layout, ids, 'b', 'right')).toBe('c');
    expect(neighbourIn(layout, ids, 'c', 'right')).toBeUndefined();
    expect(neighbourIn(layout, ids, 'a', 'down')).toBe('d');
    expect(neighbourIn(layout, ids, 'd', 'down')).toBe('e');
    expect(neighbourIn(layout, ids, 'e', 'up')).toBe('b');
    expect(neighbourIn(layout, ids, 'a', 'up')).toBeUndefined();
  });
});
