import { describe, it, expect } from 'vitest';
import { historyEntry, needsMore, parseCommandLine, ShellSyntaxError, tokenize, tokenizerSteps, wordAt, type CompoundCommand, type SimpleCommand, type Token } from './tokenize';

const values = (line: string): string[] => tokenize(line).map((t) => t.value);
const words = (line: string): string[] =>
  tokenize(line).flatMap((t) => (t.kind === 'word' ? [t.value] : []));
const syntaxError = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ShellSyntaxError);
    return (e as Error).message;
  }
  throw new Error('expected a ShellSyntaxError');
};
const EOF_QUOTE = "bash: unexpected EOF while looking for matching `''\nbash: syntax error: unexpected end of file";

describe('tokenize: words', () => {
  it('splits on blanks and ignores extra blanks', () => {
    expect(values('  kubectl\tget   pods  ')).toEqual(['kubectl', 'get', 'pods']);
    expect(tokenize('')).toEqual([]);
    expect(tokenize('   ')).toEqual([]);
  });

  it('joins adjacent quoted and unquoted parts', () => {
    expect(words(`a"b c"'d'`)).toEqual(['ab cd']);
  });

  it('keeps single-quoted text literal', () => {
    expect(words(`echo 'a\\b $HOME "x"'`)).toEqual(['echo', 'a\\b $HOME "x"']);
    expect(words(`'a\\'b`)).toEqual(['a\\b']);
  });

  it('honours backslash in double quotes only before $ ` " \\ and newline', () => {
    expect(words('"a\\b\\$c\\"d\\\\e\\`f"')).toEqual(['a\\b$c"d\\e`f']);
    expect(words('"a\\\nb"')).toEqual(['ab']);
  });

  it('handles backslash escapes outside quotes', () => {
    expect(words('echo a\\ b\\"c \\#x')).toEqual(['echo', 'a b"c', '#x']);
    expect(words('ab\\\ncd')).toEqual(['abcd']);
    expect(words('echo a\\')).toEqual(['echo', 'a']);
    expect(words('echo \\')).toEqual(['echo']);
  });

  it('marks quoted words', () => {
    const [a, b, c, d] = tokenize(`plain "q" a\\b ''`);
    expect([a?.quoted, b?.quoted, c?.quoted, d?.quoted]).toEqual([false, true, true, true]);
    expect(d?.value).toBe('');
  });

  it('records source offsets', () => {
    const toks = tokenize(`ls  "a b"|wc -l`);
    expect(toks.map((t) => [t.value, t.start, t.end])).toEqual([
      ['ls', 0, 2],
      ['a b', 4, 9],
      ['|', 9, 10],
      ['wc', 10, 12],
      ['-l', 13, 15],
    ]);
  });
});

describe('tokenize: operators and comments', () => {
  it('recognises every operator', () => {
    const toks = tokenize('a | b || c && d ; e & f > g >> h < i 2> j 2>&1 << EOF ;; 2>> k');
    expect(toks.filter((t) => t.kind === 'op').map((t) => t.value)).toEqual([
      '|', '||', '&&', ';', '&', '>', '>>', '<', '2>', '2>&1', '<<', ';;', '2>>',
    ]);
  });

  it('needs no blanks around operators', () => {
    expect(values('a|b&&c;d>e')).toEqual(['a', '|', 'b', '&&', 'c', ';', 'd', '>', 'e']);
    expect(values('cmd 2>/dev/null')).toEqual(['cmd', '2>', '/dev/null']);
  });

  it('treats 2> as an operator only at the start of a word', () => {
    expect(values('echo a2>f')).toEqual(['echo', 'a2', '>', 'f']);
    expect(values('echo 2')).toEqual(['echo', '2']);
    expect(values('echo "2">f')).toEqual(['echo', '2', '>', 'f']);
  });

  it('does not treat quoted operator characters as operators', () => {
    expect(values(`echo '|' "&&" \\;`)).toEqual(['echo', '|', '&&', ';']);
  });

  it('starts a comment only at the start of a word', () => {
    expect(values('echo a#b "c"#d x;#y')).toEqual(['echo', 'a#b', 'c#d', 'x', ';']);
    expect(values('# only a comment')).toEqual([]);
    expect(values("echo hi # it's fine")).toEqual(['echo', 'hi']);
  });

  it('turns an unquoted newline into a separator', () => {
    expect(values('a\nb')).toEqual(['a', '\n', 'b']);
    expect(words("'a\nb'")).toEqual(['a\nb']);
  });
});

describe('tokenize: expansions', () => {
  const word = (line: string): Token => {
    const t = tokenize(line)[0];
    if (!t) throw new Error('no token');
    return t;
  };

  it('reports $NAME, ${...} and $(...) spans in the word value', () => {
    const t = word('pre$HOME-${USER}x$(hostname -s)');
    expect(t.value).toBe('pre$HOME-${USER}x$(hostname -s)');
    expect(t.kind === 'word' && t.expansions).toEqual([
      { kind: 'var', inner: 'HOME', start: 3, end: 8, quoted: false },
      { kind: 'braced', inner: 'USER', start: 9, end: 16, quoted: false },
      { kind: 'command', inner: 'hostname -s', start: 17, end: 31, quoted: false },
    ]);
  });

  it('offsets refer to the value after quote removal', () => {
    const t = word(`'$no'"a $B"`);
    expect(t.value).toBe('$noa $B');
    expect(t.kind === 'word' && t.expansions).toEqual([{ kind: 'var', inner: 'B', start: 5, end: 7, quoted: true }]);
    if (t.kind === 'word') for (const x of t.expansions) expect(t.value.slice(x.start, x.end)).toBe('$B');
  });

  it('ignores $ inside single quotes and escaped $', () => {
    const t = word(`'$HOME'\\$X"\\$Y"`);
    expect(t.value).toBe('$HOME$X$Y');
    expect(t.kind === 'word' && t.expansions).toEqual([]);
  });

  it('knows special parameters and a lone $', () => {
    const t = word('$?$$x$10$');
    expect(t.kind === 'word' && t.expansions.map((x) => [x.inner, x.start, x.end])).toEqual([
      ['?', 0, 2],
      ['$', 2, 4],
      ['1', 5, 7],
    ]);
    expect(t.value).toBe('$?$$x$10$');
    expect(word('"$"').kind === 'word' && (word('"$"') as { expansions: unknown[] }).expansions).toEqual([]);
  });

  it('keeps nested $(...) with quotes as raw text', () => {
    const line = `echo "$(kubectl get pod -o jsonpath='{.items[0].metadata.name}' | cut -d")" -f1)"x`;
    const toks = tokenize(line);
    expect(toks).toHaveLength(2);
    const t = toks[1];
    const inner = `kubectl get pod -o jsonpath='{.items[0].metadata.name}' | cut -d")" -f1`;
    expect(t?.value).toBe(`$(${inner})x`);
    expect(t?.kind === 'word' && t.expansions).toEqual([
      { kind: 'command', inner, start: 0, end: inner.length + 3, quoted: true },
    ]);
    const nested = word('$(echo $(echo a) ")")');
    expect(nested.kind === 'word' && nested.expansions[0]?.inner).toBe('echo $(echo a) ")"');
  });

  it('reports nested ${...} and backquotes', () => {
    const t = word('${a:-${b}}`date`');
    expect(t.kind === 'word' && t.expansions.map((x) => [x.kind, x.inner])).toEqual([
      ['braced', 'a:-${b}'],
      ['command', 'date'],
    ]);
  });

  it('does not split words at operators inside $(...)', () => {
    expect(values('x=$(a | b; c) y')).toEqual(['x=$(a | b; c)', 'y']);
  });
});

describe('tokenize: errors', () => {
  it('uses bash wording for an unterminated single quote', () => {
    expect(syntaxError(() => tokenize("echo 'abc"))).toBe(EOF_QUOTE);
  });

  it('names the missing delimiter', () => {
    const msg = (d: string): string =>
      `bash: unexpected EOF while looking for matching \`${d}'\nbash: syntax error: unexpected end of file`;
    expect(syntaxError(() => tokenize('echo "abc'))).toBe(msg('"'));
    expect(syntaxError(() => tokenize('echo $(ls'))).toBe(msg(')'));
    expect(syntaxError(() => tokenize('echo "$(ls'))).toBe(msg(')'));
    expect(syntaxError(() => tokenize('echo ${HOME'))).toBe(msg('}'));
    expect(syntaxError(() => tokenize('echo `ls'))).toBe(msg('`'));
  });

  it('is a real Error subclass', () => {
    const err = (() => {
      try {
        tokenize("'");
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).name).toBe('ShellSyntaxError');
  });
});

describe('parseCommandLine', () => {
  const argv = (line: string): string[][][] =>
    parseCommandLine(line).items.map((it) => it.pipeline.commands.map((c) => (c as SimpleCommand).argv.map((w) => w.value)));

  it('parses an empty line or a comment as an empty list', () => {
    expect(parseCommandLine('').items).toEqual([]);
    expect(parseCommandLine('  # hi').items).toEqual([]);
  });

  it('splits pipelines and lists', () => {
    const list = parseCommandLine('kubectl get pods | grep web && echo ok || echo no; date &');
    expect(list.items.map((i) => i.terminator)).toEqual(['&&', '||', ';', '&']);
    expect(argv('kubectl get pods | grep web && echo ok || echo no; date &')).toEqual([
      [['kubectl', 'get', 'pods'], ['grep', 'web']],
      [['echo', 'ok']],
      [['echo', 'no']],
      [['date']],
    ]);
    expect(parseCommandLine('a;b').items.map((i) => i.terminator)).toEqual([';', null]);
  });

  it('collects redirections apart from argv', () => {
    const [item] = parseCommandLine('curl -s 10.96.0.1 > out.txt 2>&1 < in 2>> err').items;
    const cmd = item?.pipeline.commands[0] as SimpleCommand | undefined;
    expect(cmd?.argv.map((w) => w.value)).toEqual(['curl', '-s', '10.96.0.1']);
    expect(cmd?.redirects.map((r) => [r.op, r.target?.value ?? null])).toEqual([
      ['>', 'out.txt'],
      ['2>&1', null],
      ['<', 'in'],
      ['2>>', 'err'],
    ]);
  });

  it('accepts a redirection with no command, and a heredoc marker', () => {
    const [a] = parseCommandLine('> f').items;
    expect(a?.pipeline.commands[0]).toMatchObject({ argv: [], redirects: [{ op: '>' }] });
    const [b] = parseCommandLine("cat <<'EOF'").items;
    expect(b?.pipeline.commands[0]?.redirects[0]?.target).toMatchObject({ value: 'EOF', quoted: true });
  });

  it('keeps expansions on argv words', () => {
    const [item] = parseCommandLine('echo "$HOME"').items;
    expect((item?.pipeline.commands[0] as SimpleCommand | undefined)?.argv[1]?.expansions[0]).toMatchObject({ kind: 'var', inner: 'HOME' });
  });

  it('treats newlines as separators and allows them after && || |', () => {
    expect(argv('a\n\nb &&\n c |\n d')).toEqual([[['a']], [['b']], [['c'], ['d']]]);
  });

  it('reports unexpected tokens like bash', () => {
    const near = (t: string): string => `bash: syntax error near unexpected token \`${t}'`;
    expect(syntaxError(() => parseCommandLine('| a'))).toBe(near('|'));
    expect(syntaxError(() => parseCommandLine('a | | b'))).toBe(near('|'));
    expect(syntaxError(() => parseCommandLine(';'))).toBe(near(';'));
    expect(syntaxError(() => parseCommandLine('&'))).toBe(near('&'));
    expect(syntaxError(() => parseCommandLine('a ; ; b'))).toBe(near(';'));
    expect(syntaxError(() => parseCommandLine('a && ; b'))).toBe(near(';'));
    expect(syntaxError(() => parseCommandLine('echo a;;'))).toBe(near(';;'));
    expect(syntaxError(() => parseCommandLine('a >'))).toBe(near('newline'));
    expect(syntaxError(() => parseCommandLine('a > | b'))).toBe(near('|'));
    expect(syntaxError(() => parseCommandLine('a <\nb'))).toBe(near('newline'));
  });

  it('reports a dangling | && || as unexpected end of file', () => {
    for (const line of ['a |', 'a &&', 'a ||', 'a && ']) {
      expect(syntaxError(() => parseCommandLine(line))).toBe('bash: syntax error: unexpected end of file');
    }
  });

  it('passes tokenizer errors through', () => {
    expect(syntaxError(() => parseCommandLine("echo 'abc | wc"))).toBe(EOF_QUOTE);
  });
});

describe('wordAt', () => {
  it('finds the word under or just before the cursor', () => {
    expect(wordAt('kubectl get po', 14)).toEqual({
      index: 2, start: 12, prefix: 'po', preceding: ['kubectl', 'get'], redirectTarget: false,
    });
    // Mid-word: only the part before the cursor is the prefix.
    expect(wordAt('kubectl get pods', 14)).toMatchObject({ index: 2, start: 12, prefix: 'po' });
    expect(wordAt('kub', 3)).toMatchObject({ index: 0, start: 0, prefix: 'kub', preceding: [] });
  });

  it('starts a new empty word after a blank', () => {
    expect(wordAt('kubectl get ', 12)).toEqual({
      index: 2, start: 12, prefix: '', preceding: ['kubectl', 'get'], redirectTarget: false,
    });
    expect(wordAt('', 0)).toMatchObject({ index: 0, start: 0, prefix: '' });
    expect(wordAt('kubectl   get', 8)).toMatchObject({ index: 1, start: 8, prefix: '' });
  });

  it('restarts argv after a pipe or list operator', () => {
    expect(wordAt('kubectl get pods | gr', 21)).toMatchObject({ index: 0, start: 19, prefix: 'gr', preceding: [] });
    expect(wordAt('a && b c', 8)).toMatchObject({ index: 1, prefix: 'c', preceding: ['b'] });
    expect(wordAt('a|', 2)).toMatchObject({ index: 0, start: 2, prefix: '' });
  });

  it('completes a partial word with an open quote without throwing', () => {
    expect(wordAt(`echo 'hel`, 9)).toMatchObject({ index: 1, start: 5, prefix: 'hel' });
    expect(wordAt(`echo "a b`, 9)).toMatchObject({ index: 1, start: 5, prefix: 'a b' });
    expect(wordAt(`x "$(ls`, 7)).toMatchObject({ index: 1, start: 2, prefix: '$(ls' });
    expect(wordAt(`kubectl get "po`, 15)).toMatchObject({ index: 2, start: 12, prefix: 'po' });
  });

  it('flags redirection targets and leaves them out of argv', () => {
    expect(wordAt('kubectl get pods > ou', 21)).toMatchObject({
      index: 3, start: 19, prefix: 'ou', preceding: ['kubectl', 'get', 'pods'], redirectTarget: true,
    });
    expect(wordAt('cmd > f ', 8)).toMatchObject({ index: 1, preceding: ['cmd'], redirectTarget: false });
    expect(wordAt('cmd 2>&1 ', 9)).toMatchObject({ index: 1, redirectTarget: false });
  });

  it('clamps the cursor', () => {
    expect(wordAt('ab', 99)).toMatchObject({ start: 0, prefix: 'ab' });
    expect(wordAt('ab', -3)).toMatchObject({ start: 0, prefix: '' });
  });
});

describe('here-documents, assignments and more redirections', () => {
  const first = (text: string) => parseCommandLine(text).items[0]!.pipeline.commands[0]! as SimpleCommand;

  it('reads a here-document body after its line, with expansions unless the delimiter is quoted', () => {
    const list = parseCommandLine('cat <<EOF | kubectl apply -f -\nname: $NAME\n  x: \\$y\nEOF\necho done');
    expect(list.items).toHaveLength(2);
    const r = list.items[0]!.pipeline.commands[0]!.redirects[0]!;
    expect(r.op).toBe('<<');
    expect(r.body?.value).toBe('name: $NAME\n  x: $y\n');
    expect(r.body?.expansions.map((x) => x.inner)).toEqual(['NAME']);
    expect((list.items[0]!.pipeline.commands[1] as SimpleCommand).argv.map((w) => w.value)).toEqual(['kubectl', 'apply', '-f', '-']);
    expect((list.items[1]!.pipeline.commands[0] as SimpleCommand).argv.map((w) => w.value)).toEqual(['echo', 'done']);
    expect(first("cat <<'EOF'\n$HOME\nEOF").redirects[0]!.body).toEqual({ value: '$HOME\n', expansions: [] });
    expect(first('cat <<-END\n\t\tindented\n\tEND').redirects[0]!.body?.value).toBe('indented\n');
    expect(parseCommandLine('cat <<EOF\na # not a comment\nEOF').items).toHaveLength(1);
  });

  it('warns like bash when the input ends before the delimiter line', () => {
    const list = parseCommandLine('echo x\ncat <<EOF\nbody');
    expect(list.warnings).toEqual(["bash: warning: here-document at line 2 delimited by end-of-file (wanted `EOF')"]);
    expect(list.items[1]!.pipeline.commands[0]!.redirects[0]!.body?.value).toBe('body\n');
  });

  it('separates leading NAME=value words as assignments', () => {
    const cmd = first('A=1 B="x $Y" kubectl get C=3');
    expect(cmd.assignments.map((a) => [a.name, a.value.value])).toEqual([['A', '1'], ['B', 'x $Y']]);
    expect(cmd.assignments[1]!.value.expansions).toEqual([{ kind: 'var', inner: 'Y', start: 2, end: 4, quoted: true }]);
    expect(cmd.argv.map((w) => w.value)).toEqual(['kubectl', 'get', 'C=3']);
    expect(first('POD=$(kubectl get pod -o name)').argv).toEqual([]);
    expect(first('"A"=1').assignments).toEqual([]);
    expect(first('1A=1').assignments).toEqual([]);
  });

  it('knows the other redirection spellings', () => {
    expect(first('a 1>f 1>>g >&2 1>&2 &>h &>>i <<<w').redirects.map((r) => [r.op, r.target?.value ?? null])).toEqual([
      ['>', 'f'], ['>>', 'g'], ['>&2', null], ['>&2', null], ['&>', 'h'], ['&>>', 'i'], ['<<<', 'w'],
    ]);
    expect(tokenize('~/x ~')[0]).toMatchObject({ value: '~/x', tilde: true });
    expect(tokenize('"~"')[0]!).not.toHaveProperty('tilde');
  });

  it('runs comments to the end of their line only', () => {
    expect(values('a # c\nb')).toEqual(['a', '\n', 'b']);
  });
});

describe('needsMore', () => {
  it('asks for more after an open quote, substitution, final backslash, |, && or ||, or open here-document', () => {
    for (const t of ["echo 'a", 'echo "a', 'echo $(ls', 'echo `ls', 'echo ${A', 'echo a \\', 'a |', 'a &&', 'a ||', 'cat <<EOF', 'cat <<EOF\nline', "cat <<'X'\nX1"]) {
      expect(needsMore(t), t).toBe(true);
    }
  });

  it('is complete otherwise, syntax errors included (running them reports the error)', () => {
    for (const t of ['', 'echo a', "echo 'a\nb'", 'a |\nb', 'cat <<EOF\nx\nEOF', 'a ;;', '| a', 'echo a\\\nb', 'echo # open quote \' in a comment']) {
      expect(needsMore(t), t).toBe(false);
    }
  });
});

describe('linear work', () => {
  /** Steps (characters read, tokens visited) to decide needsMore and then parse `line`. */
  const work = (line: string): number => {
    const before = tokenizerSteps();
    needsMore(line);
    try {
      parseCommandLine(line);
    } catch (e) {
      expect(e).toBeInstanceOf(ShellSyntaxError);
    }
    return tokenizerSteps() - before;
  };
  const shapes = ['a', 'word ', '"$(x) ', "'q' ", '$A${B}', 'a|b;c&&d ', '\\x', '$(', '"', '((((', ') ', 'A=1 ', "$'\\n\\'x' ",
    '`', '${', "'", '"$(', '$((x)) ', 'a=$(b) ', '# c\n', 'x\n', 'cat <<EOF\n', 'cat <<-EOF\n\tx $Y\n',
    'for i in a b; do x; done\n', 'if a; then b; elif c; then d; else e; fi; ', '{ a; } ', '(a) ', 'case $x in a|b) c;; *) d;; esac\n',
    'f() { a; }; ', 'function g { b; }\n', '[[ $a == b* && -n $c ]] ', '(( x += 1 )) ', 'while a; do ', 'if ', '( ', '! a | b; ',
    'for ((i=0; i<3; i++)); do x; done; ', '[[ a =~ ^(b|c)$ ]]; '];

  // A pasted line of any shape: each scan reads a character at most a few times, so the steps
  // per character stay small (rescanning the rest of the line at each character would take
  // thousands at this length) and 8 times the input takes 8 times the steps (64 if quadratic).
  it('reads a line of any shape a bounded number of times per character, in steps linear in its length', () => {
    for (const s of shapes) {
      // An even number of copies in both, so an odd quote in the shape is closed in both.
      const copies = 2 * Math.ceil(4_000 / s.length);
      const small = s.repeat(copies);
      const big = s.repeat(8 * copies);
      const wBig = work(big);
      expect(wBig / big.length, s).toBeLessThanOrEqual(10);
      expect(wBig, s).toBeLessThanOrEqual(8.5 * Math.max(work(small), 1));
    }
  });

  it('finds the word at the cursor of a long line in steps linear in its length', () => {
    const steps = (line: string): number => {
      const before = tokenizerSteps();
      expect(wordAt(line, line.length).index).toBe(line.split(' ').length - 1);
      return tokenizerSteps() - before;
    };
    const big = 'word '.repeat(12_800);
    const wBig = steps(big);
    expect(wBig / big.length).toBeLessThanOrEqual(4);
    expect(wBig).toBeLessThanOrEqual(8.5 * steps('word '.repeat(1_600)));
  });

  it('refuses nesting deeper than it supports with a message, not a crash', () => {
    const deep = '"$('.repeat(100) + ')"'.repeat(100);
    expect(syntaxError(() => tokenize(`echo ${deep}`))).toMatch(/nested more than 32 deep/);
    expect(needsMore(`echo ${deep}`)).toBe(false);
  });
});

describe("tokenize: $'...' (ANSI-C quoting)", () => {
  it("decodes bash's backslash escapes into one quoted word", () => {
    expect(words(`echo $'a\\tb' $'it\\'s' $'\\x41\\102' $'\\1234' $'x\\ny'`)).toEqual(['echo', 'a\tb', "it's", 'AB', 'S4', 'x\ny']);
    expect(words(`$'\\\\' $'\\"\\?' $'\\e[1m' $'\\cA' $'\\u00e9' $'\\x4'Z`)).toEqual(['\\', '"?', '\x1b[1m', '\x01', 'é', '\x04Z']);
    const t = tokenize(`$'a'`)[0];
    expect(t?.kind === 'word' && t.quoted && t.expansions).toEqual([]);
  });

  it('keeps an unknown escape as written and ends the text at a NUL byte', () => {
    expect(words(`$'\\q' $'\\x' $'\\xZ' $'a\\0b'c $''`)).toEqual(['\\q', '\\x', '\\xZ', 'ac', '']);
  });

  it('joins other parts of the word; is plain text in double quotes', () => {
    expect(words(`a$'b'c "$'x'" '$y'`)).toEqual(['abc', "$'x'", '$y']);
    expect(words(`$'$HOME'`)).toEqual(['$HOME']);
  });

  it('is skipped whole inside $(...), an escaped quote included', () => {
    const t = tokenize(`echo $(echo $'in\\'s') z`);
    expect(t.map((x) => x.value)).toEqual(['echo', `$(echo $'in\\'s')`, 'z']);
  });

  it('asks for more input while open, like a single quote', () => {
    expect(syntaxError(() => tokenize(`echo $'abc`))).toBe(EOF_QUOTE);
    expect(needsMore(`echo $'a\\'`)).toBe(true);
    expect(needsMore(`echo $'a\\''`)).toBe(false);
  });

  it("reads `$` and a single-quoted string when ANSI-C quoting is off (dash)", () => {
    const argv = (parseCommandLine(`echo $'a\\tb'`, { ansiC: false }).items[0]?.pipeline.commands[0] as SimpleCommand | undefined)?.argv;
    expect(argv?.map((w) => w.value)).toEqual(['echo', '$a\\tb']);
  });
});

/** The first command of the first pipeline, when it is a compound command. */
const compound = (text: string): CompoundCommand => {
  const c = parseCommandLine(text).items[0]!.pipeline.commands[0]!;
  if (c.type === undefined) throw new Error('a simple command');
  return c;
};

describe('compound commands', () => {
  it('parses for, while, until, if, case, groups, subshells and functions', () => {
    const f = compound('for i in a "b c" $X; do echo $i; done > out');
    expect(f.type === 'for' && [f.name, f.words?.map((w) => w.value), f.body.length, f.redirects[0]?.op]).toEqual(['i', ['a', 'b c', '$X'], 1, '>']);
    const bare = compound('for arg\ndo echo; done');
    expect(bare.type === 'for' && bare.words).toBeNull();
    const w = compound('until false; do :; done < file');
    expect(w.type === 'while' && [w.until, w.cond.length, w.redirects[0]?.op]).toEqual([true, 1, '<']);
    const i = compound('if a; then b; elif c; then d; else e; fi');
    expect(i.type === 'if' && [i.clauses.length, i.otherwise?.length]).toEqual([2, 1]);
    const c = compound('case $x in (a|b*) one;; c) ;; *) two; esac');
    expect(c.type === 'case' && c.arms.map((a) => [a.patterns.map((p) => p.raw), a.body.length])).toEqual([[['a', 'b*'], 1], [['c'], 0], [['*'], 1]]);
    expect(compound('{ a; b; }').type).toBe('group');
    expect(compound('(a; b)').type).toBe('subshell');
    const fn = compound('greet() { echo hi; }');
    expect(fn.type === 'function' && [fn.name, fn.body.type]).toEqual(['greet', 'group']);
    const fn2 = compound('function greet {\necho hi\n}');
    expect(fn2.type === 'function' && fn2.name).toBe('greet');
    const a = compound('(( x = 1 + 2 ))');
    expect(a.type === 'arith' && a.text).toBe(' x = 1 + 2 ');
    const af = compound('for ((i = 0; i < 3; i++)); do :; done');
    expect(af.type === 'arith-for' && [af.init, af.cond, af.step]).toEqual(['i = 0', ' i < 3', ' i++']);
    const cond = compound('[[ $a =~ ^v([0-9]+)|x$ && -f /x ]]');
    expect(cond.type === 'cond' && cond.words.map((x) => ('op' in x ? x.op : x.raw))).toEqual(['$a', '=~', '^v([0-9]+)|x$', '&&', '-f', '/x']);
    expect(parseCommandLine('! a | b').items[0]?.pipeline.bang).toBe(true);
  });

  it('takes reserved words only where a command starts, unquoted', () => {
    expect(words('echo for do done "if" }')).toEqual(['echo', 'for', 'do', 'done', 'if', '}']);
    expect(parseCommandLine('"if" x').items[0]?.pipeline.commands[0]?.type).toBeUndefined();
  });

  it("reports a misplaced word with bash's wording and the token for other shells", () => {
    for (const [text, token] of [['done', 'done'], ['if true; then fi', 'fi'], [')', ')'], ['if true; then; fi', ';'], ['case a in x y) ;; esac', 'y'], ['echo (', '(']]) {
      let err: unknown;
      try {
        parseCommandLine(text!);
      } catch (e) {
        err = e;
      }
      expect(err, text).toBeInstanceOf(ShellSyntaxError);
      expect((err as ShellSyntaxError).message, text).toBe(`bash: syntax error near unexpected token \`${token}'`);
      expect((err as ShellSyntaxError).token, text).toBe(token);
    }
  });

  it('says a for loop variable is not a name the way bash does, at parse time', () => {
    expect(syntaxError(() => parseCommandLine('for 1 in a; do :; done'))).toBe("bash: `1': not a valid identifier");
  });

  it('asks for more input while a compound command is open, as bash prompts with PS2', () => {
    for (const t of ['for i in 1 2', 'for i in 1 2; do', 'for i in 1 2; do echo $i', 'while true', 'if true; then', 'if a; then b; else', '{', '{ echo', 'case x in', 'case x in a) b;;', 'f() {', '(', '(echo a', '[[ a', 'function f', 'if a; then b; fi |']) {
      expect(needsMore(t), t).toBe(true);
    }
    for (const t of ['for i in 1 2; do echo $i; done', 'if a; then b; fi', '{ a; }', '(a)', 'case x in a) b;; esac', 'done', 'fi', 'if then']) {
      expect(needsMore(t), t).toBe(false);
    }
  });

  it('refuses compound commands nested deeper than it supports with a message', () => {
    const deep = '{ '.repeat(300) + 'a; ' + '} '.repeat(300);
    expect(syntaxError(() => parseCommandLine(deep))).toMatch(/nested more than 200 deep/);
  });
});

describe('historyEntry', () => {
  it('joins the lines of one command the way bash records it (cmdhist)', () => {
    expect(historyEntry('for i in a b\ndo\n  echo $i\ndone')).toBe('for i in a b; do   echo $i; done');
    expect(historyEntry('{\necho g\n}')).toBe('{ echo g; }');
    expect(historyEntry('(\necho s\n)')).toBe('( echo s; )');
    expect(historyEntry('case x in\nx) echo X;;\nesac')).toBe('case x in x) echo X;; esac');
    expect(historyEntry('echo a |\ncat')).toBe('echo a | cat');
    expect(historyEntry('echo "a\nb"')).toBe('echo "a\nb"');
    expect(historyEntry('cat <<E\nhi\nE')).toBe('cat <<E\nhi\nE');
    expect(historyEntry('one line')).toBe('one line');
  });
});

describe('wordAt in compound commands', () => {
  it('starts a command after do, then, {, ( and !', () => {
    for (const line of ['for i in 1; do kub', 'if true; then kub', '{ kub', '(kub', '! kub', 'while kub']) {
      const w = wordAt(line, line.length);
      expect([w.index, w.prefix, w.redirectTarget], line).toEqual([0, 'kub', false]);
    }
    expect(wordAt('for i in 1; do kubectl ge', 26).preceding).toEqual(['kubectl']);
  });
});
