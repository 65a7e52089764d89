import { describe, expect, it } from 'vitest';
import { ManualClock, labSession } from '../../../../tests/support/session';
import { REFERENCE_TIME } from '../../../labs/catalog';
import { deleteObject } from '../../../sim/k8s/controllers';

/** `kubectl port-forward` in one terminal, `curl localhost:PORT` in another, on the same sandbox. */
async function setup(line: string) {
  const clock = new ManualClock(REFERENCE_TIME);
  const session = await labSession({ lab: 'fixture-web', seed: 1, scheduler: clock });
  let out = '';
  let err = '';
  const done = session.run(line, { write: (t) => void (out += t) }, { write: (t) => void (err += t) });
  await clock.advance(0);
  const other = session.openTerminal();
  const run = async (cmd: string): Promise<{ status: number; stdout: string; stderr: string }> => {
    let stdout = '';
    let stderr = '';
    const p = other.run(cmd, { write: (t) => void (stdout += t) }, { write: (t) => void (stderr += t) });
    for (let i = 0; i < 50; i++) await clock.advance(10);
    return { status: await p, stdout, stderr };
  };
  return { clock, session, done, run, out: () => out, err: () => err };
}

describe('kubectl port-forward', () => {
  it('listens on localhost until Ctrl+C; another terminal reaches the pod through it', async () => {
    const pf = await setup('kubectl port-forward svc/web 8080:80');
    expect(pf.out()).toBe('Forwarding from 127.0.0.1:8080 -> 80\nForwarding from [::1]:8080 -> 80\n');
    const r = await pf.run('curl -s localhost:8080');
    expect(r.stdout).toContain('<title>Welcome to nginx!</title>');
    await pf.clock.advance(200);
    expect(pf.out()).toContain('Handling connection for 8080\n');
    // A second forward on the same port cannot bind.
    const again = await pf.run('kubectl port-forward deploy/web 8080:80');
    expect(again.stderr).toContain('bind: address already in use');
    expect(again.stderr).toContain('error: unable to listen on any of the requested ports: [{8080 80}]');
    pf.session.interrupt();
    await pf.clock.advance(200);
    expect(await pf.done).toBe(0);
    // The forward ended with the command.
    const after = await pf.run('curl -s localhost:8080');
    expect(after.stdout).toBe('');
    expect(after.status).toBe(7);
  });

  it('ends when its pod goes away', async () => {
    const pf = await setup('kubectl port-forward pod/client 9000:80');
    expect(pf.out()).toContain('Forwarding from 127.0.0.1:9000 -> 80');
    deleteObject({ state: pf.session.sim.state, rng: pf.session.sim.rng, now: pf.clock.now() }, 'pods', 'default', 'client');
    await pf.clock.advance(200);
    expect(await pf.done).toBe(1);
    expect(pf.err()).toBe('error: lost connection to pod\n');
  });
});
