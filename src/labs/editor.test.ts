/**
 * The session's side of the YAML editor: the learner's files, and `kubectl edit` through an
 * editor a front end offers (and through $EDITOR when none is).
 */
import { describe, expect, it } from 'vitest';
import type { EditRequest, SessionEvent } from './contract';
import { openSession, type TestSession } from '../../tests/support/session';

/** Runs `line` and resolves once the editor was asked to open a file (or the command ended). */
function runUntilEdit(t: TestSession, events: SessionEvent[], line: string): { edit: Promise<EditRequest>; done: ReturnType<TestSession['run']> } {
  let found: (e: EditRequest) => void = () => {};
  const edit = new Promise<EditRequest>((resolve) => (found = resolve));
  const off = t.session.subscribe((e) => {
    events.push(e);
    if (e.type === 'edit') found(e);
  });
  const done = t.run(line).finally(off);
  return { edit, done };
}

describe('the learner files an editor lists', () => {
  it('lists the files at a place, sorted, with their sizes, binary files marked', async () => {
    const t = await openSession();
    await t.run("printf 'kind: Pod\\n' > b.yaml");
    t.session.writeFile('workstation', '~/a.yaml', 'apiVersion: v1\n');
    t.session.writeFile('workstation', '~/m/a.txt', 'hi\n');
    expect(t.session.listFiles('workstation')).toEqual([
      { path: '/home/learner/a.yaml', size: 15, binary: false },
      { path: '/home/learner/b.yaml', size: 10, binary: false },
      { path: '/home/learner/m/a.txt', size: 3, binary: false },
    ]);
    expect(t.session.readFile('workstation', '/home/learner/b.yaml')).toBe('kind: Pod\n');
    await t.run('ssh node-1 tcpdump -i eth0 -c 1 -w /root/x.pcap');
    expect(t.session.listFiles('node:node-1')).toEqual([{ path: '/root/x.pcap', size: 24, binary: true }]);
  });
});

describe('kubectl edit in the offered editor', () => {
  it('opens the object in the editor and applies what is saved', async () => {
    const t = await openSession();
    const withdraw = t.session.offerEditor();
    const events: SessionEvent[] = [];
    const { edit, done } = runUntilEdit(t, events, 'kubectl edit svc/web');
    const request = await edit;
    expect(request).toMatchObject({ type: 'edit', terminal: 1 });
    expect(request.path).toMatch(/^\/tmp\/kubectl-edit-\d+\.yaml$/);
    expect(request.text).toMatch(/^# Please edit the object below\. Lines beginning with a '#' will be ignored,\n/);
    expect(request.text).toContain('\nkind: Service\n');
    // The file is the editor's, not written on the workstation.
    expect(t.session.readFile('workstation', request.path)).toBeUndefined();
    t.session.finishEdit(request.id, request.text.replace('- port: 80\n', '- port: 8080\n'));
    expect(await done).toEqual({ stdout: 'service/web edited\n', stderr: '', status: 0 });
    expect((await t.run("kubectl get svc web -o jsonpath='{.spec.ports[0].port}'")).stdout).toBe('8080');
    // A second finish of the same request does nothing.
    t.session.finishEdit(request.id, '');
    withdraw();
    withdraw();
  });

  it('cancels the edit when the file is closed unchanged or unsaved', async () => {
    const t = await openSession();
    t.session.offerEditor();
    const unchanged = runUntilEdit(t, [], 'kubectl edit deploy/web');
    const r1 = await unchanged.edit;
    t.session.finishEdit(r1.id, r1.text);
    expect(await unchanged.done).toEqual({ stdout: '', stderr: 'Edit cancelled, no changes made.\n', status: 0 });
    const unsaved = runUntilEdit(t, [], 'kubectl edit deploy/web');
    t.session.finishEdit((await unsaved.edit).id, undefined);
    expect(await unsaved.done).toEqual({ stdout: '', stderr: 'Edit cancelled, no changes made.\n', status: 0 });
  });

  it('keeps the changes the server refuses in the temporary file', async () => {
    const t = await openSession();
    t.session.offerEditor();
    const e = runUntilEdit(t, [], 'kubectl edit svc web');
    const r = await e.edit;
    t.session.finishEdit(r.id, r.text.replace(/port: 80\n/, 'port: 70000\n'));
    const done = await e.done;
    expect(done.status).toBe(1);
    expect(done.stdout).toBe(`A copy of your changes has been stored to "${r.path}"\n`);
    expect(done.stderr).toMatch(/^The Service "web" is invalid: .*spec\.ports\[0\]\.port: Invalid value: 70000/s);
    expect(t.session.readFile('workstation', r.path)).toContain('port: 70000');
  });

  it('closes the file unsaved on Ctrl+C in its terminal, and tells the editor', async () => {
    const t = await openSession();
    t.session.offerEditor();
    const events: SessionEvent[] = [];
    const e = runUntilEdit(t, events, 'kubectl edit svc/web');
    const r = await e.edit;
    t.session.interrupt();
    expect(await e.done).toEqual({ stdout: '', stderr: 'Edit cancelled, no changes made.\n', status: 0 });
    expect(events.filter((x) => x.type === 'edit-end')).toEqual([{ type: 'edit-end', id: r.id }]);
    // Too late: the request is over.
    t.session.finishEdit(r.id, 'kind: Nope\n');
    expect((await t.run('echo $?')).stdout).toBe('0\n');
  });

  it("reaches the editor from another terminal's kubectl edit, naming that terminal", async () => {
    const t = await openSession();
    t.session.offerEditor();
    const second = t.session.openTerminal();
    let request: EditRequest | undefined;
    const off = t.session.subscribe((e) => {
      if (e.type === 'edit') request = e;
    });
    let out = '';
    const done = second.run('kubectl edit cm/nosuch; kubectl edit svc/web', { write: (s) => void (out += s) }, { write: (s) => void (out += s) });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(request?.terminal).toBe(2);
    t.session.finishEdit(request!.id, request!.text.replace('app: web\n', 'app: web\n    tier: front\n'));
    expect(await done).toBe(0);
    off();
    expect(out).toBe('Error from server (NotFound): configmaps "nosuch" not found\nservice/web edited\n');
  });

  it('runs $EDITOR when no editor is offered, as in a terminal without the panel', async () => {
    const t = await openSession();
    const withdraw = t.session.offerEditor();
    withdraw();
    const events: SessionEvent[] = [];
    const off = t.session.subscribe((e) => events.push(e));
    expect(await t.run('kubectl edit svc/web')).toEqual({ stdout: '', stderr: 'error: unable to launch the editor "vi"\n', status: 1 });
    expect(await t.run(`KUBE_EDITOR="sed -i 's/- port: 80$/- port: 8080/'" kubectl edit svc/web`)).toEqual({ stdout: 'service/web edited\n', stderr: '', status: 0 });
    off();
    expect(events.some((e) => e.type === 'edit')).toBe(false);
  });
});
