import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../sim/clock';
import { Sim } from '../../sim/sim';
import { Shell } from '../shell';
import { createRegistry } from './index';

async function session() {
  const clock = new VirtualClock(Date.UTC(2025, 2, 14, 9, 30));
  const sim = Sim.create({ nodes: 1, workloads: { pods: [] } }, 1, clock);
  const shell = new Shell({ sim, scheduler: clock, registry: createRegistry() });
  return async (line: string) => {
    let out = '';
    let err = '';
    const status = await shell.run(line, { write: (t) => void (out += t) }, { write: (t) => void (err += t) });
    return { out, err, status };
  };
}

describe('cat', () => {
  it('numbers the lines with -n across its files, as GNU cat does', async () => {
    const run = await session();
    await run('echo a > f; echo b >> f');
    expect(await run('cat -n f - f <<< c')).toEqual({ out: '     1\ta\n     2\tb\n     3\tc\n     4\ta\n     5\tb\n', err: '', status: 0 });
    expect((await run('cat -- -n')).err).toBe('cat: -n: No such file or directory\n');
  });

  it('rejects an unknown option instead of reading it as a file', async () => {
    const run = await session();
    expect(await run('cat -x f')).toEqual({ out: '', err: "cat: invalid option -- 'x'\nTry 'cat --help' for more information.\n", status: 1 });
    expect(await run('cat --nope')).toEqual({ out: '', err: "cat: unrecognized option '--nope'\nTry 'cat --help' for more information.\n", status: 1 });
  });
});

describe('env', () => {
  it('asks for the argument of -u and does not call GNU options invalid', async () => {
    const run = await session();
    expect(await run('env -u')).toEqual({ out: '', err: "env: option requires an argument -- 'u'\nTry 'env --help' for more information.\n", status: 125 });
    expect((await run('env -i')).err).not.toContain('invalid option');
    expect((await run('env -q')).err).toBe("env: invalid option -- 'q'\nTry 'env --help' for more information.\n");
  });
});

describe('/dev/null', () => {
  it('reads as empty and swallows what is written, on every machine', async () => {
    const run = await session();
    expect(await run('cat /dev/null; echo [$?]')).toMatchObject({ out: '[0]\n' });
    expect(await run('echo hi > /dev/null; wc -c /dev/null')).toMatchObject({ out: '0 /dev/null\n' });
  });

  it('count and split a line of millions of spaces without running out of stack', async () => {
    const run = await session();
    expect(await run("printf 'a%16777000sb\\n' | wc")).toMatchObject({ out: '      1       2 16777003\n' });
    expect(await run("printf 'a%16777000sb\\n' | awk '{print NF, $2}'")).toMatchObject({ out: '2 b\n' });
    expect(await run("printf 'a%16777000sb\\n' | sort -k 2 | wc -c")).toMatchObject({ out: '16777003\n' });
  });
});
