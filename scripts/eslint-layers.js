// @ts-check
/**
 * ESLint rule `layers/imports-point-down`: the four layers of the project may only import
 * from their own layer or the layers below it.
 *
 *   0 src/sim      the sandbox model
 *   1 src/shell    commands, text in and out
 *   2 src/labs     lab schema, grader, session (and the lab definitions in labs/)
 *   3 UI           src/ui, src/components, src/layouts, src/pages, src/cli
 *
 * A relative import is resolved against the importing file and both paths are mapped to a
 * layer; an import into a higher layer is reported.
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

export default { rules: { 'imports-point-down': rule } };
