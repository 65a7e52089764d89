/**
 * The YAML editor's dry run: what the API server says about a manifest file, with each error
 * placed on the line and columns it is about.
 *
 * Design notes: the text goes through exactly what `kubectl apply --dry-run=server -f FILE` runs
 * (apply.ts applyText: the same YAML reading, strict decoding, admission and allocators, on a
 * copy of the cluster), whose lines are returned as kubectl prints them. For the places, each
 * document is applied again on its own, in order, to one more copy of the cluster (so a
 * Namespace created by the first is there for the second), and each failure is placed in the
 * document's YAML (yaml-paths.ts): an Invalid status's causes at their field paths (the value
 * of an Invalid or Unsupported value, the key of a Forbidden or missing one), a strict decoding
 * error's unknown fields at their keys, encoding/json's type error at the first value of the
 * named kind on its (index-less) path, a kind the server does not serve at `kind`, a namespace
 * `-n` forbids at `metadata.namespace`, YAML that does not parse on the line kubectl's message
 * names (else where the parser stopped; the documents after it are not read, as kubectl reads
 * no further), and anything else on the
 * document's first line. Warnings (an object created without apply) are problems of severity
 * `warning`. Problems come in the order of their places. Nothing in the learner's cluster
 * changes.
 * Left out: the items of a `kind: List` document are placed at the document's first line.
 */
import { LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';
import { clone } from '../sim/clone';
import type { ApiContext } from '../sim/k8s/api';
import { applyEach, type ManifestError } from '../sim/k8s/manifests';
import { rngOver } from '../sim/rng';
import { applyText } from '../shell/commands/kubectl/apply';
import { parseManifest } from '../shell/commands/kubectl/mutate';
import type { DryRunReport, ManifestProblem } from './contract';
import { documentStart, jsonKindOf, locateField, type TextRange } from './yaml-paths';

/** Field error types whose field is marked at its key (the value is absent or beside the point). */
const AT_KEY = /^(Required value|Forbidden|Not found|Too many)\b/;

/** An Invalid status's cause, `path: Type: ...`, split at its field path. */
function causeField(cause: string): { field: string; rest: string } | undefined {
  const m = /^([^\s:]+): (.*)$/s.exec(cause);
  return m ? { field: m[1]!, rest: m[2]! } : undefined;
}

const UNMARSHAL = /json: cannot unmarshal (\w+)(?: [^ ]+)? into Go struct field \w+\.(\S+) of type/;

/** The problems of one refused YAML document of the text */
function placeError(e: ManifestError, text: string, lc: LineCounter, doc: Document, index: number): ManifestProblem[] {
  const at = (range: TextRange, message: string, field?: string): ManifestProblem => ({ ...range, severity: 'error', message, document: index, ...(field !== undefined ? { field } : {}) });
  if (e.causes.length > 0) {
    return e.causes.map((cause) => {
      const c = causeField(cause);
      if (!c) return at(documentStart(text, lc, doc), cause);
      return at(locateField(text, lc, doc, c.field, AT_KEY.test(c.rest) ? 'key' : 'value').range, cause, c.field);
    });
  }
  const strict = /^(.*?strict decoding error: )(.*)$/s.exec(e.message);
  if (strict) {
    const fields = [...strict[2]!.matchAll(/unknown field "([^"]*)"/g)].map((m) => m[1]!);
    if (fields.length > 0) return fields.map((f) => at(locateField(text, lc, doc, f, 'key').range, `${strict[1]!}unknown field "${f}"`, f));
  }
  const unmarshal = UNMARSHAL.exec(e.message);
  if (unmarshal) {
    const kind = unmarshal[1]!;
    const field = unmarshal[2]!;
    return [at(locateField(text, lc, doc, field, 'value', (n: Node | null) => jsonKindOf(n) === kind).range, e.text, field)];
  }
  if (/no matches for kind|the sandbox does not model|does not serve/.test(e.message)) return [at(locateField(text, lc, doc, 'kind', 'value').range, e.text, 'kind')];
  if (/^the namespace from the provided object/.test(e.message)) return [at(locateField(text, lc, doc, 'metadata.namespace', 'value').range, e.text, 'metadata.namespace')];
  return [at(documentStart(text, lc, doc), e.text)];
}

/** Where a YAML error is: the parser's position, else a `line N` in go-yaml's message, else the document's start. */
function syntaxRange(text: string, lc: LineCounter, doc: Document, message: string): TextRange {
  const pos = doc.errors[0]?.linePos?.[0];
  const m = /\byaml: line (\d+):/.exec(message);
  if (m && Number(m[1]) !== pos?.line) {
    // The line the message names, from its first character to its end.
    const line = Number(m[1]);
    const content = text.split('\n')[line - 1] ?? '';
    const first = content.length - content.trimStart().length;
    return { line, column: first + 1, endLine: line, endColumn: Math.max(first + 2, content.trimEnd().length + 1) };
  }
  if (pos) return { line: pos.line, column: pos.col, endLine: pos.line, endColumn: pos.col + 1 };
  return documentStart(text, lc, doc);
}

/**
 * A server-side dry run of `text` against the cluster of `ctx` (which is not changed), with every
 * failure placed in the text.
 */
export function dryRunManifests(ctx: ApiContext, text: string, opts: { source?: string; namespace?: string } = {}): DryRunReport {
  const source = opts.source ?? 'STDIN';
  const whole = applyText(ctx, text, { source, dryRun: 'server', ...(opts.namespace !== undefined ? { namespace: opts.namespace } : {}) });
  const problems: ManifestProblem[] = [];
  const lc = new LineCounter();
  const docs = Array.from(parseAllDocuments(text, { lineCounter: lc }) as Iterable<Document>);
  const target: ApiContext = { ...ctx, state: clone(ctx.state), rng: rngOver(clone(ctx.state.rng)) };
  for (const [index, doc] of docs.entries()) {
    // The document alone, on the lines it has in the file (so go-yaml's line numbers stay the file's).
    const [start, , end] = doc.range ?? [0, text.length, text.length];
    const before = text.slice(0, start).split('\n').length - 1;
    const own = '\n'.repeat(before) + text.slice(start, end);
    const sourced = parseManifest(own, source);
    const unreadable = sourced.find((d) => d.error !== undefined);
    const readable = sourced.filter((d) => d.error === undefined);
    if (readable.length > 0) {
      const outcome = applyEach(target, readable, { namespace: opts.namespace ?? 'default', enforceNamespace: opts.namespace !== undefined, mode: 'apply', validate: 'strict' });
      for (const r of outcome.results) {
        if (r.warning) problems.push({ ...documentStart(text, lc, doc), severity: 'warning', message: r.warning, document: index });
      }
      for (const e of outcome.errors) problems.push(...placeError(e, text, lc, doc, index));
    }
    if (unreadable) {
      problems.push({ ...syntaxRange(text, lc, doc, unreadable.error!), severity: 'error', message: `error: ${unreadable.error!}`, document: index });
      break;
    }
  }
  problems.sort((a, b) => a.line - b.line || a.column - b.column);
  return { ok: whole.ok, lines: whole.lines, problems };
}
