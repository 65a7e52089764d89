/**
 * Calico's label selector language: parsing, its canonical text and evaluation.
 *
 * Design notes: the grammar and the canonical form are libcalico-go's
 * (lib/selector/tokenizer, lib/selector/parser): `||` of `&&` of operations, where an
 * operation is `label == "v"`, `label != "v"`, `label in {"a", "b"}`, `label not in {...}`,
 * `has(label)`, `all()`, a parenthesised expression, each optionally negated with `!`.
 * An `&&` or `||` of two or more operands prints as `(a && b)`; a value prints in double quotes
 * (single quotes when it contains a double quote); the values of a set are sorted and
 * de-duplicated. The canonical text matters because Felix names a selector's ipset after its
 * hash (`s:` + base64url(sha224("s:" + text))), so two spellings of one selector share an
 * ipset, and the sandbox's ipset names are Felix's.
 * Left out: `contains`, `starts with`, `ends with`, `global()` (Calico resources the sandbox
 * does not serve), error messages (a selector the sandbox cannot parse is a bug: the texts come
 * from the conversion of NetworkPolicies, which only writes what parses).
 */

export type Selector =
  | { k: 'all' }
  | { k: 'eq' | 'ne'; label: string; value: string }
  | { k: 'in' | 'notin'; label: string; values: string[] }
  | { k: 'has'; label: string }
  | { k: 'not'; operand: Selector }
  | { k: 'and' | 'or'; operands: Selector[] };

type Token = { t: 'label' | 'str'; v: string } | { t: '==' | '!=' | 'in' | 'notin' | 'has' | 'all' | '!' | '&&' | '||' | '(' | ')' | '{' | '}' | ',' | 'eof' };

const LABEL = /^[a-zA-Z0-9_./-]+/;

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let s = text;
  for (;;) {
    s = s.replace(/^\s+/, '');
    if (s === '') break;
    const two = s.slice(0, 2);
    if (two === '==' || two === '!=' || two === '&&' || two === '||') {
      out.push({ t: two });
      s = s.slice(2);
      continue;
    }
    const c = s[0]!;
    if (c === '(' || c === ')' || c === '{' || c === '}' || c === ',' || c === '!') {
      out.push({ t: c });
      s = s.slice(1);
      continue;
    }
    if (c === '"' || c === "'") {
      const end = s.indexOf(c, 1);
      if (end < 0) throw new Error(`unterminated string in selector ${text}`);
      out.push({ t: 'str', v: s.slice(1, end) });
      s = s.slice(end + 1);
      continue;
    }
    const has = /^has\(\s*([a-zA-Z0-9_./-]+)\s*\)/.exec(s);
    if (has) {
      out.push({ t: 'has' }, { t: 'label', v: has[1]! });
      s = s.slice(has[0].length);
      continue;
    }
    const all = /^all\(\s*\)/.exec(s);
    if (all) {
      out.push({ t: 'all' });
      s = s.slice(all[0].length);
      continue;
    }
    const notIn = /^not\s*in\b/.exec(s);
    if (notIn) {
      out.push({ t: 'notin' });
      s = s.slice(notIn[0].length);
      continue;
    }
    const inOp = /^in\b/.exec(s);
    if (inOp && out.length > 0 && out[out.length - 1]!.t === 'label') {
      out.push({ t: 'in' });
      s = s.slice(2);
      continue;
    }
    const label = LABEL.exec(s);
    if (!label) throw new Error(`unexpected character in selector ${text}`);
    out.push({ t: 'label', v: label[0] });
    s = s.slice(label[0].length);
  }
  out.push({ t: 'eof' });
  return out;
}

/** Parses a selector; the empty selector is `all()`. */
export function parseSelector(text: string): Selector {
  const tokens = tokenize(text);
  if (tokens[0]!.t === 'eof') return { k: 'all' };
  let at = 0;
  const peek = (): Token => tokens[at]!;
  const orExpr = (): Selector => {
    const operands = [andExpr()];
    while (peek().t === '||') {
      at++;
      operands.push(andExpr());
    }
    return operands.length === 1 ? operands[0]! : { k: 'or', operands };
  };
  const andExpr = (): Selector => {
    const operands = [operation()];
    while (peek().t === '&&') {
      at++;
      operands.push(operation());
    }
    return operands.length === 1 ? operands[0]! : { k: 'and', operands };
  };
  const operation = (): Selector => {
    let negated = false;
    while (peek().t === '!') {
      negated = !negated;
      at++;
    }
    const tok = tokens[at++]!;
    let sel: Selector;
    if (tok.t === 'has') sel = { k: 'has', label: (tokens[at++] as { v: string }).v };
    else if (tok.t === 'all') sel = { k: 'all' };
    else if (tok.t === '(') {
      sel = orExpr();
      if (tokens[at++]!.t !== ')') throw new Error('Expected )');
    } else if (tok.t === 'label') {
      const op = tokens[at++]!;
      if (op.t === '==' || op.t === '!=') {
        const v = tokens[at++]!;
        if (v.t !== 'str') throw new Error('Expected string');
        sel = { k: op.t === '==' ? 'eq' : 'ne', label: tok.v, value: v.v };
      } else if (op.t === 'in' || op.t === 'notin') {
        if (tokens[at++]!.t !== '{') throw new Error('Expected set literal');
        const values: string[] = [];
        while (peek().t === 'str') {
          values.push((tokens[at++] as { v: string }).v);
          if (peek().t === ',') at++;
          else break;
        }
        if (tokens[at++]!.t !== '}') throw new Error('Expected }');
        sel = { k: op.t, label: tok.v, values: [...new Set(values)].sort() };
      } else throw new Error(`Expected == or != in selector`);
    } else throw new Error(`Unexpected token in selector`);
    return negated ? { k: 'not', operand: sel } : sel;
  };
  const sel = orExpr();
  if (peek().t !== 'eof') throw new Error(`unexpected content at end of selector ${text}`);
  return sel;
}

function quoted(v: string): string {
  return v.includes('"') ? `'${v}'` : `"${v}"`;
}

/** The canonical text (libcalico-go's selector String()). */
export function selectorText(sel: Selector): string {
  switch (sel.k) {
    case 'all':
      return 'all()';
    case 'eq':
      return `${sel.label} == ${quoted(sel.value)}`;
    case 'ne':
      return `${sel.label} != ${quoted(sel.value)}`;
    case 'in':
    case 'notin':
      return `${sel.label} ${sel.k === 'in' ? 'in' : 'not in'} {${sel.values.map(quoted).join(', ')}}`;
    case 'has':
      return `has(${sel.label})`;
    case 'not':
      return `!${selectorText(sel.operand)}`;
    case 'and':
    case 'or':
      return `(${sel.operands.map(selectorText).join(sel.k === 'and' ? ' && ' : ' || ')})`;
  }
}

/** Prefixes every label a selector names (libcalico-go's PrefixVisitor: `pcns.` for namespace labels). */
export function prefixLabels(sel: Selector, prefix: string): Selector {
  switch (sel.k) {
    case 'all':
      return sel;
    case 'not':
      return { k: 'not', operand: prefixLabels(sel.operand, prefix) };
    case 'and':
    case 'or':
      return { k: sel.k, operands: sel.operands.map((o) => prefixLabels(o, prefix)) };
    default:
      return { ...sel, label: prefix + sel.label };
  }
}

export function matches(sel: Selector, labels: Record<string, string>): boolean {
  switch (sel.k) {
    case 'all':
      return true;
    case 'eq':
      return labels[sel.label] === sel.value;
    case 'ne':
      return labels[sel.label] !== sel.value;
    case 'in':
      return sel.label in labels && sel.values.includes(labels[sel.label]!);
    case 'notin':
      return !(sel.label in labels) || !sel.values.includes(labels[sel.label]!);
    case 'has':
      return sel.label in labels;
    case 'not':
      return !matches(sel.operand, labels);
    case 'and':
      return sel.operands.every((o) => matches(o, labels));
    case 'or':
      return sel.operands.some((o) => matches(o, labels));
  }
}

/** parse + String(): how Calico normalises a selector before hashing or comparing it. */
export function normalise(text: string): string {
  return selectorText(parseSelector(text));
}
