import { describe, expect, it } from 'vitest';
import { ManualClock, labSession } from '../../../../tests/support/session';
import { REFERENCE_TIME } from '../../../labs/catalog';
import type { CommandContext } from '../../command';
import { CommandError } from '../../errors';
import { WORKSTATION_LOCATION } from '../../location';
import { editorArgs, kubectlEdit } from './edit';
import { ScriptClock, transcript } from '../../../labs/transcript';

/** kubectl edit with the lab's editor hook standing in for the learner's editing. */
async function edit(args: string[], change: (text: string) => string | undefined) {
  const clock = new ManualClock(REFERENCE_TIME);
  const session = await labSession({ lab: 'fixture-web', seed: 1, scheduler: clock });
  let stdout = '';
  let stderr = '';
  let shown: { path: string; text: string } | undefined;
  const ctx: CommandContext = {
    argv: ['kubectl', 'edit', ...args],
    stdout: { write: (t) => void (stdout += t) },
    stderr: { write: (t) => void (stderr += t) },
    env: { sim: session.sim, scheduler: clock, location: WORKSTATION_LOCATION, vars: {} },
    interrupt: { interrupted: false },
    sleep: async () => true,
    endless: () => undefined,
    tty: true,
    spawn: async () => 127,
    enter: () => undefined,
    edit: async (path, text) => {
      shown = { path, text };
      return change(text);
    },
  };
  let error: string | undefined;
  let status = 1;
  try {
    status = await kubectlEdit(ctx, args);
  } catch (e) {
    if (!(e instanceof CommandError)) throw e;
    error = e.message;
  }
  return { status, stdout, stderr, error, shown, state: session.sim.state };
}

describe('kubectl edit', () => {
  it('shows the object as YAML under kubectl\'s header and applies the saved text', async () => {
    const r = await edit(['svc', 'web'], (t) => t.replace('app: web', 'app: nope'));
    expect(r.shown!.path).toMatch(/^\/tmp\/kubectl-edit-\d+\.yaml$/);
    expect(r.shown!.text.startsWith("# Please edit the object below. Lines beginning with a '#' will be ignored,\n")).toBe(true);
    expect(r.shown!.text).toContain('kind: Service\n');
    expect(r.stdout).toBe('service/web edited\n');
    expect(r.state.k8s.services['default/web']!.spec.selector).toEqual({ app: 'nope' });
  });

  it('scales a Deployment through the same path as apply', async () => {
    const r = await edit(['deployment/web'], (t) => t.replace(/^  replicas: 3$/m, '  replicas: 5'));
    expect(r.stdout).toBe('deployment.apps/web edited\n');
    expect(Object.values(r.state.k8s.pods).filter((p) => p.metadata.labels?.app === 'web')).toHaveLength(5);
  });

  it('closing the editor without saving, or saving it unchanged, changes nothing', async () => {
    const r = await edit(['svc', 'web'], () => undefined);
    expect(r.stderr).toBe('Edit cancelled, no changes made.\n');
    const e = await edit(['svc', 'web'], () => '# nothing\n');
    expect(e.stderr).toBe('Edit cancelled, saved file was empty.\n');
  });

  it('keeps a copy of text that does not parse', async () => {
    const r = await edit(['svc', 'web'], (t) => t + 'bad: [\n');
    expect(r.stdout).toMatch(/^A copy of your changes has been stored to "\/tmp\/kubectl-edit-\d+\.yaml"\n$/);
    expect(r.error).toMatch(/^error: Edit cancelled, no valid changes were saved\./);
    const path = /"(.*)"/.exec(r.stdout)![1]!;
    expect(r.state.files?.['workstation']?.[path]?.content).toContain('bad: [');
  });
});

describe('kubectl edit: the editor command', () => {
  it('is split as kubectl splits it: one word, at single spaces, or through the shell when it has quotes', () => {
    expect(editorArgs('vi', undefined)).toEqual(['vi']);
    expect(editorArgs('code --wait', undefined)).toEqual(['code', '--wait']);
    expect(editorArgs("sed -i 's/a/b/'", '/bin/bash')).toEqual(['/bin/bash', '-c', "sed -i 's/a/b/'"]);
    expect(editorArgs('sed -i "s/a/b/"', undefined)).toEqual(['/bin/bash', '-c', 'sed -i "s/a/b/"']);
  });

  it('a KUBE_EDITOR with quotes edits the coredns ConfigMap, and the change is stored', async () => {
    const clock = new ScriptClock(REFERENCE_TIME);
    const session = await labSession({ lab: 'fixture-web', seed: 1, scheduler: clock });
    const out = await transcript(session, clock, [`export KUBE_EDITOR='sed -i "s/^\\( *\\)errors$/\\1log\\n&/"'`, 'kubectl -n kube-system edit configmap coredns', 'KUBE_EDITOR=nano kubectl -n kube-system edit cm coredns']);
    expect(out).toContain('configmap/coredns edited\n');
    expect(out).toContain('error: unable to launch the editor "nano"\n');
    const cm = session.sim.state.k8s.objects!.configmaps!['kube-system/coredns']!;
    expect((cm.data as { Corefile: string }).Corefile).toMatch(/^\.:53 \{\n    log\n    errors\n/);
  });
});
