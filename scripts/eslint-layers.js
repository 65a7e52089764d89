// @ts-check
/**
 * ESLint rules for the project's layers.
 *
 * `layers/imports-point-down`: the four layers of the project may only import from their own
 * layer or the layers below it.
 *
 *   0 src/sim      the sandbox model
 *   1 src/shell    commands, text in and out
 *   2 src/labs     lab schema, grader, session (and the lab definitions in labs/)
 *   3 UI           src/ui, src/components, src/layouts, src/pages, src/cli
 *
 * A relative import is resolved against the importing file and both paths are mapped to a
 * layer; an import into a higher layer is reported.
 *
 * `layers/linux-floor`: inside src/sim, the Linux data path (addresses, packets, namespaces,
 * neighbours, netfilter, conntrack, IPVS, ipsets, forwarding, TCP, pcap, what a root shell
 * changes in src/sim/linux: LINUX_FLOOR) is the floor. Its modules import
 * only one another; Kubernetes (src/sim/k8s), Docker (src/sim/docker*), the applications
 * (src/sim/apps*) and every other model module are above them. The one exception is a
 * type-only import of state.ts (the whole sandbox's type, which the data path is handed), and
 * the imports listed in FLOOR_EXCEPTIONS, each with the reason it is still there.
 */
import path from 'node:path';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

const LAYERS = [
  { name: 'sim', rank: 0, dirs: ['src/sim'] },
  { name: 'shell', rank: 1, dirs: ['src/shell'] },
  { name: 'labs', rank: 2, dirs: ['src/labs', 'labs'] },
  { name: 'ui', rank: 3, dirs: ['src/ui', 'src/components', 'src/layouts', 'src/pages', 'src/cli', 'src/content.config.ts'] },
];

/** @param {string} file absolute path */
export function layerOf(file) {
  const rel = path.relative(ROOT, file).split(path.sep).join('/');
  for (const l of LAYERS) for (const d of l.dirs) if (rel === d || rel.startsWith(d + '/')) return l;
  return undefined;
}

/** @type {import('eslint').Rule.RuleModule} */
const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'imports only point down the layers sim < shell < labs < UI' },
    schema: [],
    messages: { upward: 'The {{from}} layer must not import from the {{to}} layer ({{spec}}): imports only point down (sim < shell < labs < UI).' },
  },
  create(context) {
    const from = layerOf(context.filename);
    if (!from || context.filename.endsWith('.test.ts')) return {};
    /** @param {any} node */
    const check = (node) => {
      const spec = node.source && node.source.value;
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const target = layerOf(path.resolve(path.dirname(context.filename), spec));
      if (target && target.rank > from.rank) context.report({ node, messageId: 'upward', data: { from: from.name, to: target.name, spec } });
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: check };
  },
};

/**
 * The Linux data path: module paths without `.ts` (a directory entry ends in `/`). Everything
 * they import must be in this list too.
 */
export const LINUX_FLOOR = [
  'src/sim/checksum',
  'src/sim/clock',
  'src/sim/clone',
  'src/sim/conntrack',
  'src/sim/daemons',
  'src/sim/dns',
  'src/sim/forward',
  'src/sim/ipset',
  'src/sim/ipv4',
  'src/sim/ipvs',
  'src/sim/mac',
  'src/sim/mesh',
  'src/sim/neigh',
  'src/sim/netfilter',
  'src/sim/netns',
  'src/sim/packet',
  'src/sim/pcap',
  'src/sim/pcap-filter',
  'src/sim/rng',
  'src/sim/sockets',
  'src/sim/tcp-stack',
  'src/sim/trace-text',
  'src/sim/linux/',
];

/**
 * Imports from the floor to modules above it that are still there, in one place. Temporary:
 * each goes when the dependency it names is inverted.
 */
/** @type {{ from: string; to: string; why: string }[]} */
export const FLOOR_EXCEPTIONS = [];

/** @param {string} file absolute path, with or without extension */
function modulePath(file) {
  return path.relative(ROOT, file).split(path.sep).join('/').replace(/\.(ts|js|mjs)$/, '').replace(/\/index$/, '');
}

/** @param {string} mod a module path from modulePath */
export function onFloor(mod) {
  return LINUX_FLOOR.some((f) => (f.endsWith('/') ? mod.startsWith(f) : mod === f));
}

/** @type {import('eslint').Rule.RuleModule} */
const floor = {
  meta: {
    type: 'problem',
    docs: { description: 'the Linux data path in src/sim imports nothing from Kubernetes, Docker, the apps or any module above it' },
    schema: [],
    messages: {
      above: 'The Linux data path ({{from}}) must not import {{spec}}: {{what}} is above it. Invert the dependency (let the higher module register or pass in what the data path needs), or list the import in FLOOR_EXCEPTIONS in scripts/eslint-layers.js with the reason.',
    },
  },
  create(context) {
    const from = modulePath(context.filename);
    if (!onFloor(from) || context.filename.endsWith('.test.ts')) return {};
    /** @param {any} node */
    const check = (node) => {
      const spec = node.source && node.source.value;
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const to = modulePath(path.resolve(path.dirname(context.filename), spec));
      if (!to.startsWith('src/sim/') || onFloor(to)) return;
      const typeOnly = node.importKind === 'type' || node.exportKind === 'type';
      if (typeOnly && to === 'src/sim/state') return;
      if (FLOOR_EXCEPTIONS.some((e) => e.from === from && e.to === to)) return;
      const what = to.startsWith('src/sim/k8s') ? 'Kubernetes' : to.startsWith('src/sim/docker') ? 'Docker' : to.startsWith('src/sim/apps') ? 'the applications\' code' : `${to}.ts`;
      context.report({ node, messageId: 'above', data: { from: `${from}.ts`, spec, what } });
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: check };
  },
};

export default { rules: { 'imports-point-down': rule, 'linux-floor': floor } };
