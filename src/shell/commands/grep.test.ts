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

const FILE = "printf 'a\\nb\\nfoo\\nc\\nd\\ne\\nfoo bar\\nf\\ng\\nh\\nfoo\\n' > f.txt";

describe('grep', () => {
  it('matches in linear time: a pattern that backtracks forever in JavaScript ends at once', async () => {
    const run = await session();
    const r = await run(`echo ${'a'.repeat(50_000)} | grep -cE '(a*)*b'`);
    expect(r).toEqual({ out: '0\n', err: '', status: 1 });
    expect((await run(`echo ${'x'.repeat(20_000)}y | grep -c '\\(x*\\)*y'`)).out).toBe('1\n');
  });

  it('reads basic and extended expressions as GNU grep does', async () => {
    const run = await session();
    await run(FILE);
    expect((await run("grep 'fo\\+ b' f.txt")).out).toBe('foo bar\n');
    expect((await run("grep 'a\\|^h' f.txt")).out).toBe('a\nfoo bar\nh\n');
    expect((await run("grep -E 'fo{2} (b|x)' f.txt")).out).toBe('foo bar\n');
    expect((await run("grep '[[:space:]]' f.txt")).out).toBe('foo bar\n');
    expect((await run("echo 'a+b (c)' | grep 'a+b (c)'")).out).toBe('a+b (c)\n');
    expect((await run("echo '*star' | grep '*s'")).out).toBe('*star\n');
    expect((await run("echo 'x{1' | grep -E 'x{1'")).out).toBe('x{1\n');
    expect((await run("echo 'a.b' | grep -F 'a.b'")).out).toBe('a.b\n');
    expect((await run("echo 'axb' | grep -cF 'a.b'")).out).toBe('0\n');
  });

  it('-o, -w, -x, -i, -v, -c, -n and several -e', async () => {
    const run = await session();
    await run(FILE);
    expect((await run("grep -o 'o*' f.txt")).out).toBe('oo\noo\noo\n');
    expect((await run("echo 'foo,foo foox' | grep -ow foo")).out).toBe('foo\nfoo\n');
    expect((await run('grep -x foo f.txt')).out).toBe('foo\nfoo\n');
    expect((await run('grep -in FOO f.txt')).out).toBe('3:foo\n7:foo bar\n11:foo\n');
    expect((await run('grep -vc o f.txt')).out).toBe('8\n');
    expect((await run("grep -e foo -e '^a' f.txt")).out).toBe('a\nfoo\nfoo bar\nfoo\n');
  });

  it('prints context with -A/-B/-C and GNU grep\'s -- separators', async () => {
    const run = await session();
    await run(FILE);
    expect((await run('grep -n -C1 foo f.txt')).out).toBe('2-b\n3:foo\n4-c\n--\n6-e\n7:foo bar\n8-f\n--\n10-h\n11:foo\n');
    expect((await run('grep -A1 foo f.txt')).out).toBe('foo\nc\n--\nfoo bar\nf\n--\nfoo\n');
    expect((await run('grep -B2 -n foo f.txt f.txt')).out.split('\n').slice(8, 14).join('\n')).toBe('f.txt-9-g\nf.txt-10-h\nf.txt:11:foo\n--\nf.txt-1-a\nf.txt-2-b');
    expect((await run('grep -m1 -A1 foo f.txt')).out).toBe('foo\nc\n');
    expect((await run('grep -2 -n bar f.txt')).out).toBe('5-d\n6-e\n7:foo bar\n8-f\n9-g\n');
    expect((await run('grep -C 2147483648 -m 1 foo f.txt')).out).toBe('a\nb\nfoo\nc\nd\ne\nfoo bar\nf\ng\nh\nfoo\n');
    expect(await run('grep -A x foo f.txt')).toEqual({ out: '', err: 'grep: x: invalid context length argument\n', status: 2 });
  });

  it("refuses a bad pattern in GNU grep's words on the workstation and busybox's in a busybox pod", async () => {
    const run = await session();
    expect(await run("echo a | grep 'a\\('")).toEqual({ out: '', err: 'grep: Unmatched ( or \\(\n', status: 2 });
    expect((await run("echo a | grep '[a'")).err).toBe('grep: Unmatched [, [^, [:, [., or [=\n');
    expect((await run("echo a | grep 'a\\{2,1\\}'")).err).toBe('grep: Invalid content of \\{\\}\n');
    expect((await run("echo a | grep '[z-a]'")).err).toBe('grep: Invalid range end\n');
    expect((await run("echo a | grep 'a\\'")).err).toBe('grep: Trailing backslash\n');
    expect((await run("echo a | grep '[:space:]'")).err).toBe('grep: character class syntax is [[:space:]], not [:space:]\n');
    expect((await run("echo aa | grep '\\(a\\)\\1'")).err).toMatch(/^grep: back-references .* not supported in this sandbox\n$/);
    await run('kubectl exec -it client -- sh');
    expect(await run("echo a | grep 'a\\('")).toEqual({ out: '', err: "grep: bad regex 'a\\(': Unmatched ( or \\(\n", status: 2 });
    expect((await run("echo pa | grep '[:space:]'")).out).toBe('pa\n');
  });
});
