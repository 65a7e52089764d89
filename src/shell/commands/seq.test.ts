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

describe('seq (GNU coreutils)', () => {
  it('counts up or down by an increment, with -s, -w and -f', async () => {
    const run = setup();
    expect((await run('seq 3')).out).toBe('1\n2\n3\n');
    expect((await run('seq 2 4; seq 10 -3 1; seq 5 1')).out).toBe('2\n3\n4\n10\n7\n4\n1\n');
    expect((await run('seq -s, 4; seq -s " " 2 3')).out).toBe('1,2,3,4\n2 3\n');
    expect((await run('seq -w 8 10; seq -w -1 1')).out).toBe('08\n09\n10\n-1\n00\n01\n');
    expect((await run('seq 0 0.5 1.5; seq -f %03g 2; seq -f "n=%.1f" 1 2')).out).toBe('0.0\n0.5\n1.0\n1.5\n001\n002\nn=1.0\nn=2.0\n');
  });

  it("reports errors in GNU's words", async () => {
    const run = setup();
    const tryLine = "\nTry 'seq --help' for more information.\n";
    expect(await run('seq x')).toEqual({ out: '', err: `seq: invalid floating point argument: ‘x’${tryLine}`, status: 1 });
    expect(await run('seq')).toEqual({ out: '', err: `seq: missing operand${tryLine}`, status: 1 });
    expect(await run('seq 1 0 3')).toEqual({ out: '', err: `seq: invalid Zero increment value: ‘0’${tryLine}`, status: 1 });
    expect(await run('seq 1 2 3 4')).toEqual({ out: '', err: `seq: extra operand ‘4’${tryLine}`, status: 1 });
  });
});

describe('seq (busybox)', () => {
  it('has -w and -s, and prints its usage for a bad number', async () => {
    const run = setup(BB);
    expect((await run('seq -s: 3; seq -w 9 10')).out).toBe('1:2:3\n09\n10\n');
    const r = await run('seq x');
    expect([r.status, r.out, r.err.startsWith('BusyBox v1.36.1')]).toEqual([1, '', true]);
    expect((await run('seq -f %g 3')).err).toMatch(/^seq: invalid option -- 'f'\nBusyBox/);
  });
});
