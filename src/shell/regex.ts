/**
 * The regular expression engine behind bash's `[[ STRING =~ REGEX ]]`.
 *
 * Design notes: bash matches with the system's POSIX extended regular expressions (regcomp
 * with REG_EXTENDED), the dialect `grep -E` reads. Every `=~` goes through `matchEre`, so the
 * engine is chosen in one place: today JavaScript's RegExp run on the ERE text (ERE's syntax
 * is, for the patterns a learner types, a subset of it: bracket expressions, `^` `$`, groups,
 * alternation, `*` `+` `?` `{m,n}`; `[[:alpha:]]`-style classes are translated). The result
 * is the leftmost match and its groups, as BASH_REMATCH holds them.
 */

const CLASSES: Record<string, string> = {
  alpha: 'A-Za-z', digit: '0-9', alnum: '0-9A-Za-z', upper: 'A-Z', lower: 'a-z', xdigit: '0-9A-Fa-f',
  space: ' \\t\\n\\r\\f\\v', blank: ' \\t', punct: '!-\\/:-@\\[-`{-~', word: 'A-Za-z0-9_',
};

/** The match of an ERE in `text`: the whole match first, then each group ('' when it took no part). */
export type EreMatch = string[];

/** Compiles an ERE; undefined when the pattern is invalid (bash's `=~` then has status 2). */
export function compileEre(pattern: string): ((text: string) => EreMatch | null) | undefined {
  const source = pattern.replace(/\[:([a-z]+):\]/g, (all, name: string) => CLASSES[name] ?? all);
  let re: RegExp;
  try {
    re = new RegExp(source);
  } catch {
    return undefined;
  }
  return (text) => {
    const m = re.exec(text);
    return m ? m.map((g) => g ?? '') : null;
  };
}

/** Matches `text` against ERE `pattern`: the match, null for none, undefined for a bad pattern. */
export function matchEre(text: string, pattern: string): EreMatch | null | undefined {
  const m = compileEre(pattern);
  return m ? m(text) : undefined;
}
