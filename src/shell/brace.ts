/**
 * bash's brace expansion: `{a,b,c}` and sequences `{1..10}`, `{01..10}`, `{10..1..3}`, `{a..e}`.
 *
 * Design notes: bash expands braces first, before any other expansion, and only in unquoted
 * text; dash and busybox ash have none. The shell applies it to words with no quoting and no
 * `$` expansions (`for i in {1..3}`, `echo web-{a,b}`), left to right and nested
 * (`{a,b{1,2}}`); a brace with no top-level comma or valid sequence stays as it is (`{}`,
 * `{x}`, `{1..}`). A zero-padded end pads every number to its width. A word expands to at most
 * BRACE_LIMIT words (bash has no bound; the sandbox says it stopped).
 */

export const BRACE_LIMIT = 100_000;

export class BraceLimit extends Error {
  override name = 'BraceLimit';
}

/** The alternatives of the brace group starting at `open` and where it closes, or undefined. */
function group(s: string, open: number): { alts: string[]; close: number } | undefined {
  let depth = 0;
  const commas: number[] = [];
  for (let i = open; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) {
        const body = s.slice(open + 1, i);
        if (commas.length > 0) {
          const alts: string[] = [];
          let from = open + 1;
          for (const k of commas) {
            alts.push(s.slice(from, k));
            from = k + 1;
          }
          alts.push(s.slice(from, i));
          return { alts, close: i };
        }
        const seq = sequence(body);
        return seq ? { alts: seq, close: i } : undefined;
      }
    } else if (c === ',' && depth === 1) commas.push(i);
  }
  return undefined;
}

function sequence(body: string): string[] | undefined {
  const num = /^([-+]?\d+)\.\.([-+]?\d+)(?:\.\.([-+]?\d+))?$/.exec(body);
  if (num) {
    const [, a, b, stepText] = num;
    const from = Number(a);
    const to = Number(b);
    const step = Math.abs(Number(stepText ?? '1')) || 1;
    const width = /^[-+]?0\d/.test(a!) || /^[-+]?0\d/.test(b!) ? Math.max(a!.replace(/^[-+]/, '').length, b!.replace(/^[-+]/, '').length) : 0;
    const out: string[] = [];
    for (let v = from; from <= to ? v <= to : v >= to; v += from <= to ? step : -step) {
      if (out.length >= BRACE_LIMIT) throw new BraceLimit();
      const digits = String(Math.abs(v)).padStart(width - (v < 0 ? 1 : 0), '0');
      out.push((v < 0 ? '-' : '') + digits);
    }
    return out;
  }
  const chars = /^([A-Za-z])\.\.([A-Za-z])(?:\.\.([-+]?\d+))?$/.exec(body);
  if (chars) {
    const from = chars[1]!.charCodeAt(0);
    const to = chars[2]!.charCodeAt(0);
    const step = Math.abs(Number(chars[3] ?? '1')) || 1;
    const out: string[] = [];
    for (let v = from; from <= to ? v <= to : v >= to; v += from <= to ? step : -step) out.push(String.fromCharCode(v));
    return out;
  }
  return undefined;
}

/** The words `s` brace-expands to (just `[s]` when it has no brace group). */
export function braceExpand(s: string): string[] {
  if (!s.includes('{')) return [s];
  const out: string[] = [];
  // Words still to expand, the next one last (a stack: the output keeps bash's order).
  const pending = [s];
  while (pending.length > 0) {
    const w = pending.pop()!;
    let done = true;
    for (let i = 0; i < w.length; i++) {
      if (w[i] === '\\') {
        i++;
        continue;
      }
      if (w[i] !== '{' || (i > 0 && w[i - 1] === '$')) continue;
      const g = group(w, i);
      if (!g) continue;
      const pre = w.slice(0, i);
      const post = w.slice(g.close + 1);
      if (out.length + pending.length + g.alts.length > BRACE_LIMIT) throw new BraceLimit();
      for (let k = g.alts.length - 1; k >= 0; k--) pending.push(pre + g.alts[k]! + post);
      done = false;
      break;
    }
    if (done) out.push(w);
  }
  return out;
}
