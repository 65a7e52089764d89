import { describe, expect, it } from 'vitest';
import { REFERENCE_TIME } from '../../labs/catalog';
import { ScriptClock } from '../../labs/transcript';
import { labSession } from '../../../tests/support/session';

async function session() {
  const clock = new ScriptClock(REFERENCE_TIME, 3_000);
  const s = await labSession({ lab: 'fixture-web', seed: 4, scheduler: clock });
  return async (line: string) => {
    let out = '';
    let err = '';
    clock.beginCommand(() => s.interrupt());
    const status = await s.run(line, { write: (t) => void (out += t) }, { write: (t) => void (err += t) });
    return { out, err, status };
  };
}

const FILE = "printf 'a\\nb\\nfoo\\nc\\nd\\ne\\nfoo bar\\nf\\n' > f.txt";

describe('sed', () => {
  it('substitutes with flags g, N, p and I, groups, & and case conversions', async () => {
    const run = await session();
    expect((await run("echo hello | sed 's/l/L/'")).out).toBe('heLlo\n');
    expect((await run("echo hello | sed 's/l/L/g'")).out).toBe('heLLo\n');
    expect((await run("echo aaa | sed 's/a/b/2'")).out).toBe('aba\n');
    expect((await run("echo aaa | sed 's/a/b/2g'")).out).toBe('abb\n');
    expect((await run("echo Hello | sed -n 's/h/J/Ip'")).out).toBe('Jello\n');
    expect((await run("echo 'foo bar' | sed -E 's/(\\w+) (\\w+)/\\2 \\1 [&]/'")).out).toBe('bar foo [foo bar]\n');
    expect((await run("echo hello | sed 's/\\(l\\+\\)/\\U\\1\\E!/'")).out).toBe('heLL!o\n');
    expect((await run("echo abc | sed 's/b*/x/g'")).out).toBe('xaxcx\n');
    expect((await run("echo ab | sed -E 's/(a)|b/[\\1]/g'")).out).toBe('[a][]\n');
    expect((await run("echo /usr/bin | sed 's|/usr|/opt|'")).out).toBe('/opt/bin\n');
  });

  it('selects lines by number, $, /re/, ranges, steps and !', async () => {
    const run = await session();
    await run(FILE);
    expect((await run("sed -n '2,4p' f.txt")).out).toBe('b\nfoo\nc\n');
    expect((await run("sed -n '/foo/,/d/p' f.txt")).out).toBe('foo\nc\nd\nfoo bar\nf\n');
    expect((await run("sed '$!d' f.txt")).out).toBe('f\n');
    expect((await run("sed -n '1~3p' f.txt")).out).toBe('a\nc\nfoo bar\n');
    expect((await run("sed '2,+5d' f.txt")).out).toBe('a\nf\n');
    expect((await run("sed -n '0,/o/p' f.txt")).out).toBe('a\nb\nfoo\n');
    expect((await run("sed -e 's/a/A/' -e '/^f/d' f.txt")).out).toBe('A\nb\nc\nd\ne\n');
    expect((await run("sed 3q f.txt")).out).toBe('a\nb\nfoo\n');
    expect((await run("sed -n '$=' f.txt")).out).toBe('8\n');
    expect((await run("sed -n '/foo/{s/o/0/g;p}' f.txt")).out).toBe('f00\nf00 bar\n');
    expect((await run("sed 'y/abc/xyz/' f.txt")).out.slice(0, 4)).toBe('x\ny\n');
  });

  it('runs hold-space programs, N, a/i/c, and keeps a missing last newline missing', async () => {
    const run = await session();
    expect((await run("printf '1\\n2\\n3\\n' | sed '1!G;h;$!d'")).out).toBe('3\n2\n1\n');
    expect((await run("printf '1\\n2\\n3\\n4\\n' | sed 'N;s/\\n/-/'")).out).toBe('1-2\n3-4\n');
    expect((await run("printf '1\\n2\\n3\\n' | sed '2a after'")).out).toBe('1\n2\nafter\n3\n');
    expect((await run("printf '1\\n2\\n3\\n' | sed '2i before'")).out).toBe('1\nbefore\n2\n3\n');
    expect((await run("printf '1\\n2\\n3\\n' | sed '/2/c changed'")).out).toBe('1\nchanged\n3\n');
    expect((await run("printf '1\\n2' | sed p")).out).toBe('1\n1\n2\n2');
    expect((await run("printf 'a b\\n' | sed ':a;s/ /_/;ta'")).out).toBe('a_b\n');
  });

  it('edits sandbox files in place with -i, keeping a backup when given a suffix', async () => {
    const run = await session();
    await run(FILE);
    expect(await run("sed -i.bak 's/foo/FOO/' f.txt")).toEqual({ out: '', err: '', status: 0 });
    expect((await run('grep -c FOO f.txt')).out).toBe('2\n');
    expect((await run('grep -c foo f.txt.bak')).out).toBe('2\n');
    expect(await run("sed -i 's/a/b/' nope.txt")).toEqual({ out: '', err: "sed: can't read nope.txt: No such file or directory\n", status: 2 });
    expect((await run("sed -i 's/a/b/'")).err).toBe('sed: no input files\n');
  });

  it("reports script errors in GNU sed's words, and busybox sed's in a busybox pod", async () => {
    const run = await session();
    const err = async (script: string) => (await run(`echo a | sed '${script}'`)).err;
    expect(await err('s/a/b')).toBe("sed: -e expression #1, char 5: unterminated `s' command\n");
    expect(await err('s/a')).toBe("sed: -e expression #1, char 3: unterminated `s' command\n");
    expect(await err('k')).toBe("sed: -e expression #1, char 1: unknown command: `k'\n");
    expect(await err('s/a/b/z')).toBe("sed: -e expression #1, char 7: unknown option to `s'\n");
    expect(await err('5,')).toBe("sed: -e expression #1, char 2: unexpected `,'\n");
    expect(await err('/x')).toBe('sed: -e expression #1, char 2: unterminated address regex\n');
    expect(await err('y/ab/c/')).toBe("sed: -e expression #1, char 7: strings for `y' command are different lengths\n");
    expect(await err('s/\\(a/b/')).toBe('sed: -e expression #1, char 8: Unmatched ( or \\(\n');
    expect(await err('s/a/\\1/')).toBe("sed: -e expression #1, char 7: invalid reference \\1 on `s' command's RHS\n");
    expect(await err('s/a/b/gg')).toBe("sed: -e expression #1, char 8: multiple `g' options to `s' command\n");
    expect(await err('0p')).toBe('sed: -e expression #1, char 2: invalid usage of line address 0\n');
    expect(await err('q x')).toBe('sed: -e expression #1, char 3: extra characters after command\n');
    expect(await err('p}')).toBe("sed: -e expression #1, char 2: unexpected `}'\n");
    expect((await run("echo a | sed -e p -e 'k'")).err).toBe("sed: -e expression #2, char 1: unknown command: `k'\n");
    await run('kubectl exec -it client -- sh');
    expect(await err('s/a/b')).toBe("sed: unmatched '/'\n");
    expect(await err('k')).toBe('sed: unsupported command k\n');
    expect(await err('s/\\(a/b/')).toBe("sed: bad regex '\\(a': Unmatched ( or \\(\n");
    expect((await run("echo abc | sed 's/b/X/'")).out).toBe('aXc\n');
  });

  it('stops a program that never ends instead of hanging', async () => {
    const run = await session();
    const r = await run("echo a | sed ':a;s/^/x/;ta'");
    expect(r.status).toBe(4);
    expect(r.err).toMatch(/^sed: stopped: this sandbox bounds the work of one sed run/);
    expect((await run("echo a | sed ':a;s/.*/&&/;ta'")).err).toBe("sed: couldn't re-allocate memory\n");
    expect((await run('echo ok')).out).toBe('ok\n');
  });
});
