/**
 * Writes docs/lab-reference.md, the reference half of the lab author's guide, from the code:
 * the lab and task fields, topologies and faults, every binding kind with its fields, every
 * check kind, state predicate and observable with its parameters, each with the doc comment
 * its schema carries in the source and the example its registry entry gives. A test
 * (tests/unit/lab-reference.test.ts) fails when the file is out of date, so adding a kind
 * without documenting it, or changing a field without regenerating, is caught.
 *
 *   npx tsx scripts/lab-reference.ts          # rewrite docs/lab-reference.md
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { BINDING_KINDS } from '../src/labs/bindings/index';
import { CHECK_KINDS } from '../src/labs/checks/index';
import { HOP_ACTIONS } from '../src/labs/checks/observed';
import { NORMALIZERS } from '../src/labs/normalize';
import { OBSERVABLES } from '../src/labs/observables';
import { PLACE_SYNTAX } from '../src/labs/places';
import { PREDICATES } from '../src/labs/predicates/index';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
export const REFERENCE_FILE = resolve(ROOT, 'docs/lab-reference.md');

interface Field {
  name: string;
  type: string;
  doc: string;
}

function source(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(resolve(ROOT, file), 'utf8'), ts.ScriptTarget.ES2022, true);
}

function jsDoc(node: ts.Node, sf: ts.SourceFile): string {
  const ranges = ts.getLeadingCommentRanges(sf.text, node.getFullStart()) ?? [];
  const docs = ranges.map((r) => sf.text.slice(r.pos, r.end)).filter((c) => c.startsWith('/**'));
  const last = docs.at(-1);
  if (!last) return '';
  return last
    .replace(/^\/\*\*|\*\/$/g, '')
    .split('\n')
    .map((l) => l.replace(/^\s*\* ?/, '').trim())
    .filter(Boolean)
    .join(' ');
}

/** A reader's summary of a zod expression: `text`, `whole number, default 10`, `one of a, b`. */
function describeType(expr: string): string {
  const e = expr.replace(/\s+/g, ' ');
  const opts: string[] = [];
  const def = /\.default\((.*?)\)(?:\.|$)/.exec(e);
  if (def) opts.push(`default \`${def[1]!.replace(/^'(.*)'$/, '$1') || "''"}\``);
  else if (/\.optional\(\)/.test(e)) opts.push('optional');
  let base: string;
  if (/^z\.union\(\[z\.string\(\), z\.array\(z\.string\(\)\)/.test(e)) base = 'text, or a list of texts';
  else if (/^z\.union\(\[z\.string\(\), z\.number\(\)/.test(e)) base = 'text or number';
  else if (/^z\.union\(\[z\.string\(\), http\]/.test(e)) base = 'URL text, or an object with `url` and `host`';
  else if (/^z\.union\(\[z\.string\(\)\.min\(1\), z\s*\.object/.test(e)) base = 'text, or `{ text, cost }`';
  else if (/^z\.union\(\[z\.enum\(HOP_ACTIONS/.test(e)) base = 'a trace action, or a list of them (below)';
  else if (/^z\.union/.test(e)) base = 'one of several forms';
  else if (/^z\.enum\(\[(.*?)\]\)/.test(e)) base = `one of ${/^z\.enum\(\[(.*?)\]\)/.exec(e)![1]!.replace(/'/g, '`')}`;
  else if (/^z\.enum\(NORMALIZERS/.test(e)) base = `one of ${NORMALIZERS.map((n) => `\`${n}\``).join(', ')}`;
  else if (/^z\.enum\(HOP_ACTIONS/.test(e)) base = 'a trace action (see `observed`)';
  else if (/^z\.literal\('(.*?)'\)/.test(e)) base = `\`${/^z\.literal\('(.*?)'\)/.exec(e)![1]}\``;
  else if (/^z\.number\(\)\.int\(\)/.test(e)) base = 'whole number';
  else if (/^z\.number\(\)/.test(e)) base = 'number';
  else if (/^z\.boolean\(\)/.test(e)) base = 'true or false';
  else if (/^z\.record\(.*bindingSchema\)/.test(e)) base = 'map of names to bindings (below)';
  else if (/^z\.record\(/.test(e)) base = 'map of text to text';
  else if (/^z\.array\(z\.string\(\)/.test(e)) base = 'list of texts';
  else if (/^z\.array\(option\)/.test(e)) base = 'list of options (below)';
  else if (/^z\.array\(check\)/.test(e)) base = 'list of checks';
  else if (/^z\.array\(taskSchema\)/.test(e)) base = 'list of tasks (below)';
  else if (/^z\.array\(hintSchema\)/.test(e)) base = 'list of hints: text, or `{ text, cost }`';
  else if (/^z\.array\(faultSchema\)/.test(e)) base = 'list of faults (below)';
  else if (/^z\.array\(/.test(e)) base = 'list';
  else if (/^check\b/.test(e)) base = 'a check';
  else if (/^checkSchema/.test(e)) base = 'a check (below)';
  else if (/^solutionSchema/.test(e)) base = '`{ text, steps }` (below)';
  else if (/^topologySchema/.test(e)) base = 'a topology (below)';
  else if (/^observableSchema/.test(e)) base = 'an observable: `{ value, from, to?, at?, dev? }` (below)';
  else if (/^target\b/.test(e)) base = '`{ node }`, `{ host }` or a pod `{ pod | labels, namespace? }`';
  else if (/^cidrText/.test(e)) base = 'CIDR text';
  else if (/^kebab/.test(e)) base = 'kebab-case text';
  else if (/^z\.string\(\)/.test(e)) base = 'text';
  else base = 'see the source';
  return [base, ...opts].join(', ');
}

/** The fields of the `z.object({...})` that `name`'s initializer builds (its first one). */
function fieldsOf(file: string, name: string): Field[] {
  const sf = source(file);
  let found: ts.ObjectLiteralExpression | undefined;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isVariableDeclaration(n) && n.name.getText(sf) === name && n.initializer) {
      const findObject = (m: ts.Node): void => {
        if (found) return;
        if (ts.isCallExpression(m) && m.expression.getText(sf).endsWith('.object') && m.arguments[0] && ts.isObjectLiteralExpression(m.arguments[0])) found = m.arguments[0];
        else ts.forEachChild(m, findObject);
      };
      findObject(n.initializer);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  if (!found) throw new Error(`${file}: no z.object in ${name}`);
  return propertiesOf(found, sf);
}

/** The fields of an object literal of zod schemas; `...name` spreads another such object of the file. */
function propertiesOf(obj: ts.ObjectLiteralExpression, sf: ts.SourceFile): Field[] {
  return obj.properties.flatMap((p): Field[] => {
    if (ts.isPropertyAssignment(p)) return [{ name: p.name.getText(sf).replace(/'/g, ''), type: describeType(p.initializer.getText(sf)), doc: jsDoc(p, sf) }];
    if (ts.isShorthandPropertyAssignment(p)) return [{ name: p.name.getText(sf), type: describeType(p.name.getText(sf)), doc: jsDoc(p, sf) }];
    if (ts.isSpreadAssignment(p) && ts.isIdentifier(p.expression)) {
      const id = p.expression.getText(sf);
      let spread: ts.ObjectLiteralExpression | undefined;
      const find = (n: ts.Node): void => {
        if (ts.isVariableDeclaration(n) && n.name.getText(sf) === id && n.initializer && ts.isObjectLiteralExpression(n.initializer)) spread = n.initializer;
        else ts.forEachChild(n, find);
      };
      find(sf);
      return spread ? propertiesOf(spread, sf) : [];
    }
    return [];
  });
}

/** Each `z.object({ kind: z.literal('x'), ... })` in a discriminated union: its kind and fields. */
function unionMembers(file: string, name: string, discriminator: string): { kind: string; fields: Field[] }[] {
  const sf = source(file);
  const out: { kind: string; fields: Field[] }[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isVariableDeclaration(n) && n.name.getText(sf) === name && n.initializer) {
      const walk = (m: ts.Node): void => {
        if (ts.isCallExpression(m) && m.expression.getText(sf).endsWith('.object') && m.arguments[0] && ts.isObjectLiteralExpression(m.arguments[0])) {
          const props = m.arguments[0].properties.filter(ts.isPropertyAssignment);
          const d = props.find((p) => p.name.getText(sf) === discriminator);
          const lit = d && /'(.*?)'/.exec(d.initializer.getText(sf))?.[1];
          if (lit) {
            out.push({ kind: lit, fields: propertiesOf(m.arguments[0], sf).filter((f) => f.name !== discriminator) });
            return;
          }
        }
        ts.forEachChild(m, walk);
      };
      walk(n.initializer);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

function table(fields: Field[]): string {
  if (fields.length === 0) return 'No parameters.\n';
  return ['| field | value | what it is |', '| --- | --- | --- |', ...fields.map((f) => `| \`${f.name}\` | ${f.type} | ${f.doc.replace(/\|/g, '\\|')} |`)].join('\n') + '\n';
}

function example(value: unknown): string {
  return '```ts\n' + toTs(value, 0) + '\n```\n';
}

/** A plain value as TypeScript source in a lab file's style. */
function toTs(v: unknown, depth: number): string {
  const pad = '  '.repeat(depth + 1);
  const end = '  '.repeat(depth);
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (typeof v !== 'object' || v === null) return String(v);
  const flat = JSON.stringify(v);
  if (Array.isArray(v)) {
    const items = v.map((x) => toTs(x, depth + 1));
    return flat.length < 70 ? `[${items.join(', ')}]` : `[\n${items.map((i) => pad + i).join(',\n')},\n${end}]`;
  }
  const entries = Object.entries(v).map(([k, x]) => `${/^[a-zA-Z_$][\w$]*$/.test(k) ? k : `'${k}'`}: ${toTs(x, depth + 1)}`);
  return flat.length < 70 ? `{ ${entries.join(', ')} }` : `{\n${entries.map((e) => pad + e).join(',\n')},\n${end}}`;
}

export function reference(): string {
  const out: string[] = [];
  out.push('# Lab format reference');
  out.push('');
  out.push('Generated from the code by `npx tsx scripts/lab-reference.ts`; do not edit by hand (a test checks it is');
  out.push('current). The guide, with a whole lab and how to try it, is [lab-authoring.md](lab-authoring.md).');
  out.push('');
  out.push('Every text field may use bindings as `{{name.field}}`. Places are written ' + PLACE_SYNTAX.replace('@binding', '`@binding`') + '.');
  out.push('');
  out.push('## The lab');
  out.push('');
  out.push('`defineLab({...})` in `labs/<id>.ts`:');
  out.push('');
  out.push(table(fieldsOf('src/labs/schema.ts', 'labSchema')));
  out.push('## A task');
  out.push('');
  out.push(table(fieldsOf('src/labs/schema.ts', 'taskSchema')));
  out.push('A task\'s `solution`:');
  out.push('');
  out.push(table(fieldsOf('src/labs/schema.ts', 'solutionSchema')));
  out.push('## Topologies');
  out.push('');
  for (const name of ['kubernetes', 'docker', 'routed', 'preset']) {
    out.push(`### \`${name}\``);
    out.push('');
    out.push(table(fieldsOf('src/labs/topology.ts', name).filter((f) => f.name !== 'name')));
  }
  out.push('## Faults');
  out.push('');
  out.push('Injected after the manifests, before the setup commands (what each does: `src/sim/faults.ts`).');
  out.push('');
  for (const m of unionMembers('src/labs/topology.ts', 'faultSchema', 'kind')) {
    out.push(`### \`${m.kind}\``);
    out.push('');
    out.push(table(m.fields));
  }
  out.push('## Bindings');
  out.push('');
  out.push('`bindings: { name: { KIND: {...} } }`, resolved in order when the session starts; a later binding may name an earlier one.');
  out.push('');
  for (const k of BINDING_KINDS) {
    out.push(`### \`${k.name}\``);
    out.push('');
    out.push(k.doc);
    out.push('');
    out.push(example({ [k.name]: k.example }));
    out.push(table(fieldsOf(`src/labs/bindings/${k.name}.ts`, 'params')));
    out.push('Fields, as `{{name.FIELD}}`:');
    out.push('');
    out.push(['| field | holds |', '| --- | --- |', ...Object.entries(k.fields).map(([f, d]) => `| \`${f}\` | ${d.replace(/\|/g, '\\|')} |`)].join('\n') + '\n');
  }
  out.push('## Check kinds');
  out.push('');
  out.push('`check: { KIND: {...} }`; `all`, `any` and `not` nest other checks.');
  out.push('');
  for (const k of CHECK_KINDS) {
    out.push(`### \`${k.name}\``);
    out.push('');
    out.push(k.doc);
    out.push('');
    out.push(example(k.example));
    if (['all', 'any'].includes(k.name)) out.push('The value is a list of checks.\n');
    else if (k.name === 'not') out.push(table([{ name: 'check', type: 'a check', doc: 'The check that must not pass.' }, { name: 'because', type: 'text, optional', doc: 'What a pass means, shown when it passes (templated).' }]));
    else if (k.name === 'state') out.push('The value is one predicate (below): `{ PREDICATE: {...} }`.\n');
    else out.push(table(fieldsOf(`src/labs/checks/${k.name}.ts`, 'params')));
    if (k.name === 'observed') {
      out.push('The actions a packet trace records (`src/sim/forward.ts`): ' + HOP_ACTIONS.map((a) => `\`${a}\``).join(', ') + '.\n');
    }
    if (k.name === 'choice') {
      out.push('Each option:');
      out.push('');
      out.push(table(fieldsOf('src/labs/checks/choice.ts', 'option')));
    }
  }
  out.push('## State predicates');
  out.push('');
  for (const p of PREDICATES) {
    out.push(`### \`${p.name}\``);
    out.push('');
    out.push(p.doc);
    out.push('');
    out.push(example(p.example));
    out.push(table(fieldsOf(`src/labs/predicates/${p.name}.ts`, 'params')));
  }
  out.push('## Observables');
  out.push('');
  out.push('Values read off the learner\'s own traffic, for `answer` (`observed`) and `predict` (`reveal`): `{ value, from, to?, at?, dev? }`.');
  out.push('');
  out.push(['| value | compared as | needs | what it is |', '| --- | --- | --- | --- |', ...Object.values(OBSERVABLES).map((o) => `| \`${o.name}\` | ${o.normalize} | ${['from', ...o.needs].map((n) => `\`${n}\``).join(', ')} | ${o.doc.replace(/\|/g, '\\|')} |`)].join('\n') + '\n');
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  writeFileSync(REFERENCE_FILE, reference());
  process.stdout.write(`wrote ${REFERENCE_FILE}\n`);
}
