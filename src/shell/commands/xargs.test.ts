import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../sim/clock';
import { Sim } from '../../sim/sim';
import type { Location } from '../command';
import { Shell } from '../shell';
import { createRegistry } from './index';

function setup(location?: Location) {
  const clock = new VirtualClock(Date.UTC(2025, 2, 14, 9, 30));
  const sim = Sim.create({ nodes: 2, workloads: { pods: [{ name: 'bb', image: 'busybox:1.36' }] } }, 5, clock);
  const shell = new Shell({ sim, scheduler: clock, registry: createRegistry(), ...(location ? { location } : {}) });
  return async (line: string): Promise<{ out: string; err: string; status: number }> => {
    let out = '';
    let err = '';
    const status = await shell.run(line, { write: (t) => void (out += t) }, { write: (t) => void (err += t) });
    return { out, err, status };
  };
}
const BB: Location = { kind: 'pod', namespace: 'default', pod: 'bb', container: 'bb' };

describe('xargs', () => {
  it('runs the command with the items of its input: -n, -I, -0, -r, quotes', async () => {
    const run = setup();
    expect((await run("printf 'a b\\nc\\n' | xargs echo")).out).toBe('a b c\n');
    expect((await run('seq 5 | xargs -n 2 echo')).out).toBe('1 2\n3 4\n5\n');
    expect((await run("printf 'x\\n  y z\\n' | xargs -I {} echo '<{}>'")).out).toBe('<x>\n<y z>\n');
    expect((await run("printf 'a b\\0c\\0' | xargs -0 -n 1 echo")).out).toBe('a b\nc\n');
    expect((await run("printf '\"a b\" c\\\\ d\\n' | xargs -n 1 echo")).out).toBe('a b\nc d\n');
    expect((await run("printf '' | xargs echo hi; printf '' | xargs -r echo hi")).out).toBe('hi\n');
    expect((await run('echo a b | xargs')).out).toBe('a b\n');
    expect((await run('echo a | xargs -t echo')).err).toBe('echo a\n');
  });

  it('reports failures with its statuses', async () => {
    const run = setup();
    expect(await run('echo a | xargs nosuch')).toEqual({ out: '', err: 'xargs: nosuch: No such file or directory\n', status: 127 });
    expect((await run('echo a | xargs false')).status).toBe(123);
    expect((await run("echo \"it's\" | xargs echo")).err).toBe('xargs: unmatched single quote; by default quotes are special to xargs unless you use the -0 option\n');
  });

  it("is busybox's applet in a busybox pod", async () => {
    const run = setup(BB);
    expect((await run('seq 4 | xargs -n 3 echo')).out).toBe('1 2 3\n4\n');
    expect((await run("echo \"it's\" | xargs echo")).err).toBe('xargs: unmatched single quote\n');
  });
});
