/**
 * What the topology view draws, without the DOM: the session's models turned into boxes,
 * groups and lines, the graph handed to the layout library, its answer read back, and the
 * picture written as an SVG string.
 *
 * Design notes: both modes of the view (machines and links; the network model's processes
 * and switches) become one Diagram, so one layout and one renderer serve both.
 * - Sizes come from the names (which are part of the structure key) and a fixed width for an
 *   address, never from the addresses themselves, so a layout made for one structure key fits
 *   every later model with that key: a command that only changes addresses, states or tables
 *   re-renders with the cached layout, and only a new or removed box or line asks for a new one.
 * - Layout: ELK's layered algorithm, top to bottom, with groups as compound boxes (a node with
 *   its stack, bridge, VTEP and pods; a Docker host with its bridges and containers) and the
 *   edges across them laid out too. Each line points away from the workstation (breadth first
 *   over the lines), so the picture reads from the learner's side: the LAN, the machines on
 *   it, their bridges, their pods, the Services below their endpoints. VXLAN tunnels are left
 *   out of the layout (they are carried by the LAN, and a full mesh would dominate it): they
 *   are drawn as curves between the VTEPs afterwards, all of them while there are few, else
 *   only those of the selected VTEP and those the shown packet took.
 * - The SVG: every box is an option of one listbox (groups as ARIA groups), named by its
 *   title (kind, name, address with its pool, state); lines are decoration (the text
 *   equivalent lists them). Pools fill and edge each box in their colour, and every address
 *   starts with its pool's shape (square node, circle pod, diamond service, triangle
 *   external), so colour never carries the pool alone; a line or box that is down is dashed
 *   and says "down"; kinds of line differ by dash pattern and width as well as colour.
 * - The packet overlay numbers the boxes in the order the packet reached them and thickens
 *   the lines it took; the selected box is outlined twice.
 * Every text written into the SVG is escaped.
 */
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api';
import type { NetworkModel, PoolInfo, PoolKey, TopologyModel } from '../labs/contract';
import { kindWord } from '../labs/topology-view';

export type DiagramMode = 'machines' | 'network';

export interface DiagramItem {
  id: string;
  /** The CSS family of the box: an element kind or a vertex role. */
  kind: string;
  shape: 'box' | 'process' | 'switch' | 'segment' | 'service';
  /** `pod`, `bridge`, `process`, `switch`. */
  kindWord: string;
  name: string;
  address?: string;
  pool?: PoolKey;
  group?: string;
  up: boolean;
  status?: string;
  /** Its accessible name. */
  title: string;
  width: number;
  height: number;
}

export interface DiagramGroup {
  id: string;
  name: string;
  kindWord: string;
  up: boolean;
  members: string[];
}

export interface DiagramLink {
  id: string;
  kind: string;
  a: string;
  b: string;
  up: boolean;
  label: string;
  /** Part of the layout; else drawn afterwards between its ends' boxes. */
  laid: boolean;
}

export interface Diagram {
  mode: DiagramMode;
  /** The layout's cache key: the mode and the model's structure key. */
  key: string;
  items: DiagramItem[];
  groups: DiagramGroup[];
  links: DiagramLink[];
  pools: PoolInfo[];
}

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Layout {
  key: string;
  width: number;
  height: number;
  items: Record<string, Box>;
  groups: Record<string, Box>;
  /** Each laid-out line as points from one end to the other. */
  links: Record<string, { x: number; y: number }[]>;
}

/** Widths of a character: the kind word (12px), the name (12px bold), an address (11.5px monospace). */
const KIND_CHAR = 6.6;
const NAME_CHAR = 7.6;
const ADDRESS_WIDTH = 15 * 7 + 24;
const MAX_NAME_CHARS = 28;

/** A box wide enough for its kind word and name on one line and any address on the next. */
function itemSize(kindWordText: string, name: string, address: boolean, shape: DiagramItem['shape']): { width: number; height: number } {
  const line = (kindWordText.length + 1) * KIND_CHAR + Math.min(name.length, MAX_NAME_CHARS) * NAME_CHAR + 18 + (shape === 'switch' ? 14 : 0);
  const width = Math.max(shape === 'segment' ? 150 : 96, Math.ceil(Math.max(line, address ? ADDRESS_WIDTH : 0)));
  return { width, height: address ? 42 : 28 };
}

/** The picture of the sandbox's machines and links. */
export function topologyDiagram(model: TopologyModel): Diagram {
  const items: DiagramItem[] = model.elements.map((e) => {
    const shape: DiagramItem['shape'] = e.kind === 'segment' ? 'segment' : e.kind === 'service' ? 'service' : e.kind === 'bridge' || e.kind === 'vtep' ? 'switch' : 'box';
    // A machine's own box inside its group stands for its network stack (the group is titled with the machine).
    const word = e.group !== undefined && e.group === `group/${e.id}` ? 'stack' : shortKind(e.kind);
    const item: DiagramItem = { id: e.id, kind: e.kind, shape, kindWord: word, name: e.name, up: e.up, title: e.title, ...itemSize(word, e.name, e.address !== undefined, shape) };
    if (e.address !== undefined) item.address = e.address;
    if (e.pool !== undefined) item.pool = e.pool;
    if (e.group !== undefined) item.group = e.group;
    if (e.status !== undefined) item.status = e.status;
    return item;
  });
  const groups = model.groups.map((g) => ({ id: g.id, name: g.name, kindWord: g.kind === 'node' ? 'node' : 'host', up: g.up, members: g.members }));
  const links = model.links.map((l) => ({ id: l.id, kind: l.kind, a: l.a, b: l.b, up: l.up, label: l.label, laid: l.kind !== 'tunnel' }));
  return { mode: 'machines', key: `machines:${model.structureKey}`, items, groups, links, pools: model.pools };
}

function shortKind(kind: Parameters<typeof kindWord>[0]): string {
  switch (kind) {
    case 'vtep':
      return 'VXLAN';
    case 'segment':
      return 'switch';
    case 'load-balancer':
      return 'load balancer';
    case 'gateway':
      return 'gateway';
    default:
      return kindWord(kind);
  }
}

const ROLE_WORD: Record<string, string> = { pod: 'process', node: 'host processes', gateway: 'process', host: 'process', router: 'router', bridge: 'switch', segment: 'switch' };

/** The picture of the network model: processes and switches, grouped by node (or Docker host). */
export function networkDiagram(model: NetworkModel): Diagram {
  const groupsById = new Map<string, DiagramGroup>();
  const hostsWithBridges = new Set(model.vertices.filter((v) => v.role === 'bridge' && v.node === undefined && v.ns !== undefined).map((v) => v.ns!));
  const groupOf = (v: NetworkModel['vertices'][number]): string | undefined => {
    if (v.node !== undefined) return `group/node/${v.node}`;
    if (v.ns === undefined) return undefined;
    if (hostsWithBridges.has(v.ns)) return `group/${v.ns}`;
    const m = /^container\/([^/]+)\//.exec(v.ns);
    if (m && hostsWithBridges.has(`host/${m[1]!}`)) return `group/host/${m[1]!}`;
    return undefined;
  };
  const items: DiagramItem[] = model.vertices.map((v) => {
    const shape: DiagramItem['shape'] = v.role === 'segment' ? 'segment' : v.kind === 'switch' ? 'switch' : 'process';
    const word = ROLE_WORD[v.role] ?? v.kind;
    const first = v.addresses.find((a) => a.ip !== undefined);
    const name = v.role === 'router' ? 'IP forwarding' : v.role === 'segment' ? v.label : v.name;
    const showAddress = first !== undefined && v.role !== 'router' && v.role !== 'segment';
    const item: DiagramItem = {
      id: v.id,
      kind: `role-${v.role}`,
      shape,
      kindWord: word,
      name,
      up: true,
      title: `${v.kind} ${v.id}: ${v.label}${v.role === 'router' && v.forwards === false ? ', ip_forward off' : ''}`,
      ...itemSize(word, name, showAddress, shape),
    };
    if (showAddress) {
      item.address = first!.ip!;
      if (first!.pool !== undefined) item.pool = first!.pool;
    }
    const g = groupOf(v);
    if (g !== undefined) {
      item.group = g;
      let group = groupsById.get(g);
      if (!group) {
        const isNode = g.startsWith('group/node/');
        const gname = isNode ? g.slice('group/node/'.length) : g.slice('group/host/'.length);
        group = { id: g, name: gname, kindWord: isNode ? 'node' : 'host', up: true, members: [] };
        groupsById.set(g, group);
      }
      group.members.push(v.id);
    }
    return item;
  });
  const links: DiagramLink[] = model.edges.map((e) => ({
    id: e.id,
    kind: e.kind,
    a: e.a.vertex,
    b: e.b.vertex,
    up: e.up,
    label: `${e.kind} link ${e.a.vertex}${e.a.dev ? ` (${e.a.dev})` : ''} to ${e.b.vertex}${e.b.dev ? ` (${e.b.dev})` : ''}, MTU ${e.mtu}${e.up ? '' : ', down'}`,
    laid: e.kind !== 'tunnel',
  }));
  for (const l of links) {
    if (l.up) continue;
    for (const end of [l.a, l.b]) {
      const it = items.find((i) => i.id === end);
      if (it && it.shape === 'process' && !links.some((x) => x.up && (x.a === end || x.b === end) && x.kind !== 'local')) {
        it.up = false;
        it.status = 'cut off';
      }
    }
  }
  return { mode: 'network', key: `network:${model.structureKey}`, items, groups: [...groupsById.values()], links, pools: model.pools };
}

// --------------------------------------------------------------------------- layout

/** Where the picture starts: the workstation, else the first segment, else the first box. */
function rootOf(d: Diagram): string | undefined {
  return d.items.find((i) => i.id === 'workstation')?.id ?? d.items.find((i) => i.shape === 'segment')?.id ?? d.items[0]?.id;
}

/** Each laid-out line oriented away from the root (breadth first), as [source, target]. */
export function orientLinks(d: Diagram): Map<string, [string, string]> {
  const adj = new Map<string, DiagramLink[]>();
  for (const l of d.links) {
    if (!l.laid) continue;
    (adj.get(l.a) ?? adj.set(l.a, []).get(l.a)!).push(l);
    (adj.get(l.b) ?? adj.set(l.b, []).get(l.b)!).push(l);
  }
  const depth = new Map<string, number>();
  const queue: string[] = [];
  const visit = (start: string): void => {
    depth.set(start, depth.get(start) ?? 0);
    queue.push(start);
    while (queue.length) {
      const at = queue.shift()!;
      for (const l of adj.get(at) ?? []) {
        const to = l.a === at ? l.b : l.a;
        if (depth.has(to)) continue;
        depth.set(to, depth.get(at)! + 1);
        queue.push(to);
      }
    }
  };
  const root = rootOf(d);
  if (root !== undefined) visit(root);
  for (const i of d.items) if (!depth.has(i.id)) visit(i.id);
  const out = new Map<string, [string, string]>();
  for (const l of d.links) {
    if (!l.laid) continue;
    const da = depth.get(l.a) ?? 0;
    const db = depth.get(l.b) ?? 0;
    out.set(l.id, db < da ? [l.b, l.a] : [l.a, l.b]);
  }
  return out;
}

const ROOT_OPTIONS: Record<string, string> = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.layered.spacing.nodeNodeBetweenLayers': '34',
  'elk.spacing.nodeNode': '16',
  'elk.spacing.edgeNode': '10',
  'elk.spacing.edgeEdge': '6',
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
  'elk.padding': '[top=10,left=10,bottom=10,right=10]',
  'elk.json.shapeCoords': 'ROOT',
  'elk.json.edgeCoords': 'ROOT',
};

const GROUP_OPTIONS: Record<string, string> = {
  'elk.padding': '[top=30,left=10,bottom=10,right=10]',
};

/** The graph ELK lays out: groups as compound boxes, laid-out lines oriented away from the workstation. */
export function elkGraph(d: Diagram): ElkNode {
  const orient = orientLinks(d);
  const byGroup = new Map<string, DiagramItem[]>();
  const top: ElkNode[] = [];
  const leaf = (i: DiagramItem): ElkNode => ({ id: i.id, width: i.width, height: i.height });
  for (const i of d.items) {
    if (i.group !== undefined && d.groups.some((g) => g.id === i.group)) (byGroup.get(i.group) ?? byGroup.set(i.group, []).get(i.group)!).push(i);
  }
  // Groups stand where their first member would: the order of the model is kept.
  const placed = new Set<string>();
  for (const i of d.items) {
    if (i.group !== undefined && byGroup.has(i.group)) {
      if (placed.has(i.group)) continue;
      placed.add(i.group);
      top.push({ id: i.group, layoutOptions: GROUP_OPTIONS, children: byGroup.get(i.group)!.map(leaf) });
    } else top.push(leaf(i));
  }
  const edges: ElkExtendedEdge[] = [];
  for (const l of d.links) {
    const o = orient.get(l.id);
    if (!o) continue;
    edges.push({ id: l.id, sources: [o[0]], targets: [o[1]] });
  }
  return { id: 'root', layoutOptions: ROOT_OPTIONS, children: top, edges };
}

/** Reads ELK's answer (every coordinate relative to the root) into a Layout. */
export function layoutOf(key: string, laid: ElkNode, d: Diagram): Layout {
  const items: Record<string, Box> = {};
  const groups: Record<string, Box> = {};
  const groupIds = new Set(d.groups.map((g) => g.id));
  const walk = (n: ElkNode): void => {
    for (const c of n.children ?? []) {
      const box = { x: c.x ?? 0, y: c.y ?? 0, w: c.width ?? 0, h: c.height ?? 0 };
      if (groupIds.has(c.id)) groups[c.id] = box;
      else items[c.id] = box;
      walk(c);
    }
  };
  walk(laid);
  const links: Layout['links'] = {};
  const collect = (n: ElkNode): void => {
    for (const e of n.edges ?? []) {
      const pts: { x: number; y: number }[] = [];
      for (const s of e.sections ?? []) {
        if (pts.length === 0) pts.push(s.startPoint);
        pts.push(...(s.bendPoints ?? []), s.endPoint);
      }
      if (pts.length) links[e.id] = pts.map((p) => ({ x: p.x, y: p.y }));
    }
    for (const c of n.children ?? []) collect(c);
  };
  collect(laid);
  return { key, width: Math.ceil(laid.width ?? 0), height: Math.ceil(laid.height ?? 0), items, groups, links };
}

// --------------------------------------------------------------------------- the SVG

export interface RenderState {
  /** Prefix of the element ids in the page. */
  idBase: string;
  /** The drawing's size against the layout's (default 1). */
  scale?: number;
  /** The id of the text that says how to move in the picture. */
  describedBy?: string;
  selected?: string;
  /** The box that takes the listbox's one tab stop. */
  active?: string;
  /** The packet's boxes in order, and its lines. */
  overlay?: { elements: string[]; links: string[] };
  /** The listbox's accessible name. */
  label: string;
}

/** At most this many tunnels are all drawn; past it, only the selected VTEP's and the packet's. */
export const MAX_TUNNELS_DRAWN = 15;

const POOL_SHAPE: Record<PoolKey, string> = {
  node: '<rect x="-4" y="-4" width="8" height="8"/>',
  pod: '<circle r="4.3"/>',
  service: '<path d="M0 -5.2 5.2 0 0 5.2 -5.2 0Z"/>',
  external: '<path d="M0 -5 5 4 -5 4Z"/>',
};

/** The pool's mark (a square, a circle, a diamond, a triangle), centred on 0,0, filled in its colour. */
export function poolMark(pool: PoolKey): string {
  return POOL_SHAPE[pool];
}

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;'));
}

/** A DOM id for the box at `index`. */
export const itemDomId = (idBase: string, index: number): string => `${idBase}-el-${index}`;

function truncate(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

const fmt = (n: number): string => String(Math.round(n * 10) / 10);

function pathOf(points: { x: number; y: number }[]): string {
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${fmt(p.x)} ${fmt(p.y)}`).join('');
}

/** Halfway along a polyline. */
function midpoint(pts: { x: number; y: number }[]): { x: number; y: number } {
  let total = 0;
  for (let i = 1; i < pts.length; i++) total += Math.hypot(pts[i]!.x - pts[i - 1]!.x, pts[i]!.y - pts[i - 1]!.y);
  let left = total / 2;
  for (let i = 1; i < pts.length; i++) {
    const a = pts[i - 1]!;
    const b = pts[i]!;
    const len = Math.hypot(b.x - a.x, b.y - a.y);
    if (len >= left && len > 0) return { x: a.x + ((b.x - a.x) * left) / len, y: a.y + ((b.y - a.y) * left) / len };
    left -= len;
  }
  return pts[0]!;
}

function centre(b: Box): { x: number; y: number } {
  return { x: b.x + b.w / 2, y: b.y + b.h / 2 };
}

/**
 * A curve between two boxes drawn after the layout: from the middle of one's left side to the
 * other's, bowed out to the left (the layout runs left to right, so that side faces the
 * boxes' own links), a little further for each next curve so they stay apart.
 */
function curveBetween(a: Box, b: Box, nth: number): string {
  const p = { x: a.x, y: a.y + a.h / 2 };
  const q = { x: b.x, y: b.y + b.h / 2 };
  const bow = 22 + 7 * nth + Math.abs(q.y - p.y) * 0.05;
  return `M${fmt(p.x)} ${fmt(p.y)}C${fmt(p.x - bow)} ${fmt(p.y)} ${fmt(q.x - bow)} ${fmt(q.y)} ${fmt(q.x)} ${fmt(q.y)}`;
}

/** The lines that are drawn: every laid-out one, and the tunnels as MAX_TUNNELS_DRAWN says. */
export function drawnLinks(d: Diagram, st: Pick<RenderState, 'selected' | 'overlay'>): DiagramLink[] {
  const unlaid = d.links.filter((l) => !l.laid);
  const few = unlaid.length <= MAX_TUNNELS_DRAWN;
  const onPath = new Set(st.overlay?.links ?? []);
  return d.links.filter((l) => l.laid || few || onPath.has(l.id) || l.a === st.selected || l.b === st.selected);
}

/**
 * The picture in parts, so that a view can write only what changed: the svg element's own tag,
 * the groups' frames, the lines, and each box (outside groups, then each group's, with the
 * group's accessible name). Joined in that order they are renderSvg's markup.
 */
export interface SvgParts {
  open: string;
  frames: string;
  links: string;
  loose: { id: string; markup: string }[];
  groups: { label: string; items: { id: string; markup: string }[] }[];
}

/** The whole picture as an SVG element's markup. */
export function renderSvg(d: Diagram, layout: Layout, st: RenderState): string {
  return joinSvg(svgParts(d, layout, st));
}

export function joinSvg(p: SvgParts): string {
  const out = [p.open, p.frames, p.links];
  for (const i of p.loose) out.push(i.markup);
  for (const g of p.groups) out.push(`<g role="group" aria-label="${escapeXml(g.label)}">`, ...g.items.map((i) => i.markup), '</g>');
  out.push('</svg>');
  return out.join('');
}

export function svgParts(d: Diagram, layout: Layout, st: RenderState): SvgParts {
  const W = layout.width;
  const H = layout.height;
  const onPath = new Set(st.overlay?.links ?? []);
  const order = new Map((st.overlay?.elements ?? []).map((id, i) => [id, i + 1]));
  const scale = st.scale ?? 1;
  const described = st.describedBy !== undefined ? ` aria-describedby="${escapeXml(st.describedBy)}"` : '';
  const open = `<svg class="topo-svg" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${Math.round(W * scale)}" height="${Math.round(H * scale)}" role="listbox" aria-label="${escapeXml(st.label)}"${described}>`;

  // Groups' frames, under everything.
  const frames: string[] = ['<g aria-hidden="true" class="topo-frames">'];
  for (const g of d.groups) {
    const b = layout.groups[g.id];
    if (!b) continue;
    frames.push(`<rect class="topo-group${g.up ? '' : ' topo-down'}" x="${fmt(b.x)}" y="${fmt(b.y)}" width="${fmt(b.w)}" height="${fmt(b.h)}" rx="8"/>`);
    frames.push(`<text class="topo-group-title" x="${fmt(b.x + 10)}" y="${fmt(b.y + 19)}"><tspan class="topo-kind">${escapeXml(g.kindWord)}</tspan> ${escapeXml(g.name)}${g.up ? '' : ' <tspan class="topo-bad">✕ down</tspan>'}</text>`);
  }
  frames.push('</g>');

  // Lines.
  const links: string[] = ['<g aria-hidden="true" class="topo-links">'];
  let bend = 0;
  for (const l of drawnLinks(d, st)) {
    const cls = `topo-link topo-link-${l.kind}${l.up ? '' : ' topo-down'}${onPath.has(l.id) ? ' topo-on-path' : ''}`;
    let path: string | undefined;
    if (l.laid) {
      const pts = layout.links[l.id];
      if (pts) path = pathOf(pts);
    } else {
      const a = layout.items[l.a];
      const b = layout.items[l.b];
      if (a && b) path = curveBetween(a, b, bend++);
    }
    if (path === undefined) continue;
    links.push(`<path class="${cls}" d="${path}"/>`);
    if (!l.up) {
      const pts = l.laid ? layout.links[l.id] : undefined;
      const a = layout.items[l.a];
      const b = layout.items[l.b];
      const mid = pts ? midpoint(pts) : a && b ? { x: Math.min(a.x, b.x) - 24, y: (centre(a).y + centre(b).y) / 2 } : undefined;
      if (mid) links.push(`<text class="topo-link-down" x="${fmt(mid.x + 4)}" y="${fmt(mid.y - 4)}">✕ down</text>`);
    }
  }
  links.push('</g>');

  // Boxes: ungrouped ones first, then each group's as an ARIA group.
  const items = new Map(d.items.map((i, index) => [i.id, { i, index }]));
  const box = (id: string): string => {
    const entry = items.get(id);
    const b = layout.items[id];
    if (!entry || !b) return '';
    const { i, index } = entry;
    const selected = st.selected === id;
    const n = order.get(id);
    const cls = `topo-item topo-k-${i.kind} topo-s-${i.shape}${i.pool ? ` topo-pool-${i.pool}` : ''}${i.up ? '' : ' topo-down'}${selected ? ' topo-selected' : ''}${n !== undefined ? ' topo-on-path' : ''}`;
    const label = `${i.title}${n !== undefined ? `, step ${n} of the last packet` : ''}`;
    const parts: string[] = [];
    parts.push(`<g id="${itemDomId(st.idBase, index)}" class="${cls}" role="option" aria-selected="${selected}" tabindex="${st.active === id ? 0 : -1}" data-id="${escapeXml(id)}" aria-label="${escapeXml(label)}" transform="translate(${fmt(b.x)} ${fmt(b.y)})">`);
    const rx = i.shape === 'process' ? 14 : i.shape === 'segment' ? 3 : i.shape === 'switch' ? 2 : 6;
    parts.push(`<rect class="topo-ring" x="-4" y="-4" width="${fmt(b.w + 8)}" height="${fmt(b.h + 8)}" rx="${rx + 3}"/>`);
    parts.push(`<rect class="topo-box" width="${fmt(b.w)}" height="${fmt(b.h)}" rx="${rx}"/>`);
    if (i.shape === 'switch') parts.push(`<path class="topo-switch-mark" d="M${fmt(b.w - 14)} 6h8M${fmt(b.w - 14)} 10h8M${fmt(b.w - 14)} 14h8"/>`);
    const kind = i.kindWord === i.name ? '' : `<tspan class="topo-kind">${escapeXml(i.kindWord)}</tspan> `;
    parts.push(`<text class="topo-name" x="9" y="17">${kind}${escapeXml(truncate(i.name, MAX_NAME_CHARS))}</text>`);
    if (i.address !== undefined) {
      const pool = i.pool ?? 'external';
      parts.push(`<g class="topo-mark topo-pool-${pool}" transform="translate(14 31)">${poolMark(pool)}</g>`);
      parts.push(`<text class="topo-addr" x="23" y="35">${escapeXml(i.address)}</text>`);
    }
    if (!i.up || i.status) parts.push(`<text class="topo-status${i.up ? '' : ' topo-bad'}" x="${fmt(b.w - 6)}" y="${fmt(b.h + 12)}" text-anchor="end">${i.up ? '' : '✕ '}${escapeXml(i.status ?? 'down')}</text>`);
    if (n !== undefined) parts.push(`<g class="topo-step" transform="translate(${fmt(b.w)} 0)"><circle r="9"/><text y="3.5" text-anchor="middle">${n}</text></g>`);
    parts.push('</g>');
    return parts.join('');
  };
  const grouped = new Set(d.groups.flatMap((g) => (layout.groups[g.id] ? g.members : [])));
  const loose = d.items.filter((i) => !grouped.has(i.id) && layout.items[i.id]).map((i) => ({ id: i.id, markup: box(i.id) }));
  const groups = d.groups
    .filter((g) => layout.groups[g.id])
    .map((g) => ({ label: `${g.kindWord} ${g.name}${g.up ? '' : ', down'}`, items: g.members.filter((m) => layout.items[m]).map((m) => ({ id: m, markup: box(m) })) }));
  return { open, frames: frames.join(''), links: links.join(''), loose, groups };
}

// --------------------------------------------------------------------------- moving by keyboard

export type Direction = 'up' | 'down' | 'left' | 'right';

/**
 * The box an arrow key moves to from `from`: the nearest one whose centre lies in that
 * direction (within a 45-degree cone first, else anywhere on that side), or undefined.
 */
export function neighbourIn(layout: Layout, ids: readonly string[], from: string, dir: Direction): string | undefined {
  const a = layout.items[from];
  if (!a) return undefined;
  const p = centre(a);
  let best: { id: string; score: number } | undefined;
  let loose: { id: string; score: number } | undefined;
  for (const id of ids) {
    if (id === from) continue;
    const b = layout.items[id];
    if (!b) continue;
    const q = centre(b);
    const dx = q.x - p.x;
    const dy = q.y - p.y;
    const along = dir === 'right' ? dx : dir === 'left' ? -dx : dir === 'down' ? dy : -dy;
    const across = dir === 'right' || dir === 'left' ? Math.abs(dy) : Math.abs(dx);
    if (along <= 1) continue;
    const score = along + across * 2;
    if (across <= along && (!best || score < best.score)) best = { id, score };
    if (!loose || score < loose.score) loose = { id, score };
  }
  return (best ?? loose)?.id;
}
