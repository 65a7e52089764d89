/**
 * Label selectors as the API server parses and matches them (`kubectl get -l ...`).
 *
 * Design notes: the grammar and error texts are apimachinery's `labels.Parse`:
 * requirements separated by commas, each `key`, `!key`, `key=value`, `key==value`,
 * `key!=value`, `key in (a,b)`, `key notin (a,b)`, `key>N` or `key<N`. The lexer splits on
 * blanks and on the characters `! = ( ) , < >`; `in` and `notin` are keywords. Requirements
 * are ANDed; `!=` and `notin` also match objects without the key, as in Kubernetes. An empty
 * selector matches everything. Keys and values are validated with the label syntax rules
 * (a prefix with `/` is accepted, its DNS form is not checked further).
 */

export type Operator = 'exists' | '!' | '=' | '==' | '!=' | 'in' | 'notin' | 'gt' | 'lt';

export interface Requirement {
  key: string;
  op: Operator;
  values: string[];
}

export class SelectorError extends Error {}

type Tok = { t: 'id' | 'op' | 'eos'; lit: string };

const SPECIAL = '!=(),<>';

function lex(text: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (SPECIAL.includes(c)) {
      const two = text.slice(i, i + 2);
      if (two === '==' || two === '!=') {
        out.push({ t: 'op', lit: two });
        i += 2;
      } else {
        out.push({ t: 'op', lit: c });
        i++;
      }
      continue;
    }
    let j = i;
    while (j < text.length && !SPECIAL.includes(text[j]!) && !/\s/.test(text[j]!)) j++;
    out.push({ t: 'id', lit: text.slice(i, j) });
    i = j;
  }
  out.push({ t: 'eos', lit: '' });
  return out;
}

const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function validateKey(key: string): void {
  const slash = key.lastIndexOf('/');
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  if (prefix !== undefined && (prefix === '' || prefix.length > 253 || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(prefix))) {
    throw new SelectorError(`key: Invalid value: "${key}": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`);
  }
  if (name.length > 63) throw new SelectorError(`key: Invalid value: "${key}": name part must be no more than 63 characters`);
  if (!NAME.test(name)) {
    throw new SelectorError(`key: Invalid value: "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`);
  }
}

function validateValue(key: string, i: number, v: string): void {
  if (v.length > 63) throw new SelectorError(`values[${i}][${key}]: Invalid value: "${v}": must be no more than 63 characters`);
  if (!VALUE.test(v)) {
    throw new SelectorError(`values[${i}][${key}]: Invalid value: "${v}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`);
  }
}

/** Parses a selector; throws SelectorError with apimachinery's message (without kubectl's prefix). */
export function parseSelector(text: string): Requirement[] {
  const toks = lex(text);
  let p = 0;
  const peek = (): Tok => toks[p]!;
  const next = (): Tok => toks[p++]!;
  const isKeyword = (t: Tok, k: string): boolean => t.t === 'id' && t.lit === k;
  const out: Requirement[] = [];
  for (;;) {
    const t = peek();
    if (t.t === 'eos') return out;
    if (!(t.t === 'id' || t.lit === '!')) throw new SelectorError(`found '${t.lit}', expected: !, identifier, or 'end of string'`);
    try {
      out.push(requirement());
    } catch (e) {
      throw new SelectorError(`unable to parse requirement: ${(e as Error).message}`);
    }
    const after = next();
    if (after.t === 'eos') return out;
    if (after.lit !== ',') throw new SelectorError(`found '${after.lit}', expected: ',' or 'end of string'`);
    const t2 = peek();
    if (!(t2.t === 'id' || t2.lit === '!')) throw new SelectorError(`found '${t2.lit}', expected: identifier after ','`);
  }

  function requirement(): Requirement {
    let t = next();
    if (t.lit === '!') {
      t = next();
      if (t.t !== 'id') throw new SelectorError(`found '${t.lit}', expected: identifier`);
      validateKey(t.lit);
      return { key: t.lit, op: '!', values: [] };
    }
    const key = t.lit;
    validateKey(key);
    const look = peek();
    if (look.t === 'eos' || look.lit === ',') return { key, op: 'exists', values: [] };
    const o = next();
    let op: Operator;
    if (isKeyword(o, 'in')) op = 'in';
    else if (isKeyword(o, 'notin')) op = 'notin';
    else if (o.lit === '=' || o.lit === '==' || o.lit === '!=') op = o.lit;
    else if (o.lit === '>') op = 'gt';
    else if (o.lit === '<') op = 'lt';
    else throw new SelectorError(`found '${o.lit}', expected: in, notin, =, ==, !=, gt, lt`);
    let values: string[];
    if (op === 'in' || op === 'notin') {
      const open = next();
      if (open.lit !== '(') throw new SelectorError(`found '${open.lit}' expected: '('`);
      values = [];
      for (;;) {
        const v = peek();
        if (v.t === 'id') {
          values.push(next().lit);
          const sep = next();
          if (sep.lit === ')') break;
          if (sep.lit !== ',') throw new SelectorError(`found '${sep.lit}', expected: ',' or ')'`);
        } else if (v.lit === ')') {
          next();
          if (values.length === 0) values.push('');
          break;
        } else if (v.lit === ',') {
          next();
          values.push('');
        } else throw new SelectorError(`found '${v.lit}', expected: ',', ')' or identifier`);
      }
    } else {
      const v = peek();
      if (v.t === 'eos' || v.lit === ',') values = [''];
      else if (v.t === 'id') values = [next().lit];
      else throw new SelectorError(`found '${v.lit}', expected: identifier`);
    }
    if ((op === 'gt' || op === 'lt') && !/^-?\d+$/.test(values[0]!)) {
      throw new SelectorError(`for 'Gt', 'Lt' operators, the value must be an integer`);
    }
    if (op !== 'gt' && op !== 'lt') values.forEach((v, i) => validateValue(key, i, v));
    return { key, op, values: [...new Set(values)].sort() };
  }
}

/** Whether labels satisfy every requirement. */
export function matches(reqs: Requirement[], labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case 'exists':
        return has;
      case '!':
        return !has;
      case '=':
      case '==':
      case 'in':
        return has && r.values.includes(v!);
      case '!=':
      case 'notin':
        return !has || !r.values.includes(v!);
      case 'gt':
      case 'lt': {
        if (!has || !/^-?\d+$/.test(v!)) return false;
        const a = Number(v);
        const b = Number(r.values[0]);
        return r.op === 'gt' ? a > b : a < b;
      }
    }
  });
}
