import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../sim/clock';
import { deleteObject } from '../sim/k8s/controllers';
import { Sim } from '../sim/sim';
import { createRegistry } from './commands/index';
import { Shell } from './shell';

const START = Date.UTC(2025, 2, 14, 9, 30);

function setup() {
  const clock = new VirtualClock(START);
  const sim = Sim.create({ nodes: 3, workloads: { pods: [{ name: 'bb', image: 'busybox:1.36' }] } }, 5, clock);
  const shell = new Shell({ sim, scheduler: clock, registry: createRegistry() });
  const run = async (line: string): Promise<{ out: string; err: string; status: number }> => {
    let out = '';
    let err = '';
    const status = await shell.run(line, { write: (t) => void (out += t) }, { write: (t) => void (err += t) });
    return { out, err, status };
  };
  const remove = (): void => deleteObject({ state: sim.state, rng: sim.rng, now: clock.now() }, 'pods', 'default', 'bb');
  return { sim, shell, run, remove, clock };
}

describe('a kubectl exec shell ends with its pod', () => {
  it('returns to the workstation with exit code 137 when the pod is deleted, and runs the next line there', async () => {
    const { shell, run, remove } = setup();
    await run('kubectl exec -it bb -- sh');
    expect(shell.prompt()).toMatch(/^\/ # $/);
    remove();
    const r = await run('hostname');
    expect(r.err).toBe('command terminated with exit code 137\n');
    expect(r.out).toBe('workstation\n');
    expect(shell.env.location.kind).toBe('workstation');
    expect(shell.prompt()).toMatch(/^learner@workstation/);
  });

  it('answers `exit` at the dead shell with the exit status 137, without leaving the workstation', async () => {
    const { shell, run, remove } = setup();
    await run('kubectl exec -it bb -- sh');
    remove();
    const r = await run('exit');
    expect(r).toEqual({ out: '', err: 'command terminated with exit code 137\n', status: 137 });
    expect(shell.env.location.kind).toBe('workstation');
    expect((await run('echo $?')).out).toBe('137\n');
  });

  it('ends when a new pod of the same name replaces the one it ran in', async () => {
    const { sim, shell, run, remove, clock } = setup();
    await run('kubectl exec -it bb -- sh');
    const loc = shell.env.location;
    remove();
    // Back as a new object (as a re-applied manifest would make it), Running again.
    const other = new Shell({ sim, scheduler: clock, registry: createRegistry() });
    const quiet = { write: () => {} };
    await other.run('kubectl run bb --image=busybox:1.36', quiet, quiet);
    clock.advance(10_000);
    await other.run('kubectl get pods', quiet, quiet);
    expect(sim.pod('default', 'bb')?.status.phase).toBe('Running');
    expect(shell.env.location).toBe(loc);
    expect((await run('')).err).toBe('command terminated with exit code 137\n');
    expect(shell.env.location.kind).toBe('workstation');
  });

  it('a session restored inside a pod that is gone starts on the workstation', () => {
    const { sim, remove } = setup();
    remove();
    const restored = new Shell({ sim, scheduler: sim.clock as VirtualClock, registry: createRegistry(), location: { kind: 'pod', namespace: 'default', pod: 'bb', container: 'bb' } });
    expect(restored.env.location.kind).toBe('workstation');
  });

  it('keeps the shell while the pod lives', async () => {
    const { shell, run } = setup();
    await run('kubectl exec -it bb -- sh');
    expect((await run('hostname')).out).toBe('bb\n');
    expect((await run('exit')).status).toBe(0);
    expect(shell.env.location.kind).toBe('workstation');
  });
});
