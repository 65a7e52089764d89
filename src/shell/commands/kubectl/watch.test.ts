import { describe, expect, it } from 'vitest';
import { ManualClock, labSession, openSession } from '../../../../tests/support/session';
import { deleteObject, scaleObject } from '../../../sim/k8s/controllers';
import { applyFault } from '../../../sim/faults';
import { REFERENCE_TIME } from '../../../labs/catalog';
import { LabSession } from '../../../labs/session';
import { ScriptClock } from '../../../labs/transcript';


async function start(line: string) {
  const clock = new ManualClock(REFERENCE_TIME);
  const session = await labSession({ lab: 'fixture-web', seed: 1, scheduler: clock });
  let stdout = '';
  let stderr = '';
  const done = session.run(line, { write: (t) => void (stdout += t) }, { write: (t) => void (stderr += t) });
  const api = () => ({ state: session.sim.state, rng: session.sim.rng, now: clock.now() });
  return { clock, session, done, api, out: () => stdout, err: () => stderr };
}

const webPods = (s: LabSession) => Object.values(s.sim.state.k8s.pods).filter((p) => p.metadata.labels?.['app'] === 'web').map((p) => p.metadata.name).sort();

describe('kubectl get -w', () => {
  it('prints the table, then one row per change, until Ctrl+C (kubectl exits 1)', async () => {
    const w = await start('kubectl get pods -l app=web -w');
    await w.clock.advance(0);
    const first = w.out();
    const before = webPods(w.session);
    expect(first.split('\n')[0]).toBe('NAME                   READY   STATUS    RESTARTS   AGE');
    expect(first.trimEnd().split('\n')).toHaveLength(4);

    // Nothing changes: nothing printed, however long we wait.
    await w.clock.advance(1000);
    await w.clock.advance(1000);
    expect(w.out()).toBe(first);

    // A readiness probe starts failing: the pod's row again, now 0/1.
    applyFault(w.session.sim.state, { kind: 'pod-not-ready', pod: before[1]! }, w.clock.now());
    await w.clock.advance(1000);
    expect(w.out().slice(first.length)).toBe(`${before[1]}   0/1     Running   0          8m3s\n`);

    // Scale up: the new pod's row; delete a pod: its last row, and its replacement's.
    const mark = w.out().length;
    scaleObject(w.api(), 'deployments', 'default', 'web', 4);
    await w.clock.advance(1000);
    const added = webPods(w.session).filter((n) => !before.includes(n));
    expect(added).toHaveLength(1);
    expect(w.out().slice(mark)).toBe(`${added[0]}   1/1     Running   0          1s\n`);
    const mark2 = w.out().length;
    deleteObject(w.api(), 'pods', 'default', before[0]!);
    await w.clock.advance(1000);
    const rows = w.out().slice(mark2).trimEnd().split('\n');
    const replacement = webPods(w.session).filter((n) => !before.includes(n) && n !== added[0]);
    expect(rows.map((r) => r.split(/ +/)[0]).sort()).toEqual([before[0], replacement[0]].sort());
    expect(rows.every((r) => /^\S+ {3}1\/1 {5}Running {3}0 {10}\S+$/.test(r))).toBe(true);

    w.session.interrupt();
    expect(await w.done).toBe(1);
    expect(w.err()).toBe('');
  });

  it('--watch-only prints nothing at first, then the header with the first change', async () => {
    const w = await start('kubectl get deployments --watch-only');
    await w.clock.advance(1000);
    expect(w.out()).toBe('');
    scaleObject(w.api(), 'deployments', 'default', 'web', 2);
    await w.clock.advance(1000);
    expect(w.out()).toBe('NAME   READY   UP-TO-DATE   AVAILABLE   AGE\nweb    2/2     2            2           8m2s\n');
    w.session.interrupt();
    expect(await w.done).toBe(1);
  });

  it('a column widens for a longer cell and stays wide (the tabwriter remembers widths)', async () => {
    const w = await start('kubectl get deploy -o custom-columns=NAME:.metadata.name,REPLICAS:.spec.replicas');
    await w.done;
    const v = await start('kubectl get deploy -w -o custom-columns=N:.metadata.name,R:.spec.replicas');
    await v.clock.advance(0);
    expect(v.out()).toBe('N     R\nweb   3\n');
    scaleObject(v.api(), 'deployments', 'default', 'web', 10);
    await v.clock.advance(1000);
    expect(v.out()).toBe('N     R\nweb   3\nweb   10\n');
    expect(w.out()).toBe('NAME   REPLICAS\nweb    3\n');
    v.session.interrupt();
    await v.done;
  });

  it('refuses several types, and a missing name', async () => {
    const clock = new ScriptClock(REFERENCE_TIME);
    const session = await labSession({ lab: 'fixture-web', seed: 1, scheduler: clock });
    const run = async (line: string) => {
      let stderr = '';
      clock.beginCommand(() => session.interrupt());
      const status = await session.run(line, { write: () => undefined }, { write: (t) => void (stderr += t) });
      return { stderr, status };
    };
    expect(await run('kubectl get pods,svc -w')).toEqual({ stderr: 'error: you may only specify a single resource type\n', status: 1 });
    expect(await run('kubectl get pod nope -w')).toEqual({ stderr: 'Error from server (NotFound): pods "nope" not found\n', status: 1 });
  });

  it('in a script, ends after the interrupt timeout with only the first table', async () => {
    const clock = new ScriptClock(REFERENCE_TIME, 30_000);
    const session = await labSession({ lab: 'fixture-web', seed: 1, scheduler: clock });
    let stdout = '';
    clock.beginCommand(() => session.interrupt());
    const t0 = clock.now();
    const status = await session.run('kubectl get svc -w', { write: (t) => void (stdout += t) }, { write: () => undefined });
    expect(status).toBe(1);
    expect(clock.now() - t0).toBe(30_000);
    expect(stdout.split('\n')[0]).toMatch(/^NAME {9}TYPE/);
  });
});

describe('kubectl get -w during a rolling update', () => {
  it('shows the rollout moving on, with nothing but the watch running', async () => {
    const s = await openSession({ interruptAfterMs: 15_000 });
    const old = Object.keys(s.session.sim.state.k8s.replicasets).find((k) => k.startsWith('default/web-'))!.slice('default/'.length);
    await s.run('kubectl set image deployment/web nginx=nginx:1.28');
    const fresh = Object.keys(s.session.sim.state.k8s.replicasets).find((k) => k.startsWith('default/web-') && !k.endsWith(old))!.slice('default/'.length);
    const rows = (await s.run('kubectl get rs -w --no-headers')).stdout.trimEnd().split('\n').map((l) => l.split(/\s+/).slice(0, 4).join(' '));
    // The old ReplicaSet goes down to 0 and the new one up to 3, all ready, while kubectl only watches.
    expect(rows).toContain(`${old} 0 0 0`);
    expect(rows[rows.length - 1]).toBe(`${fresh} 3 3 3`);
  });
});
