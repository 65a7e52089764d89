import { describe, expect, it } from 'vitest';
import { defineLab, LabDefinitionError, type LabInput } from './schema';
import { openSession } from '../../tests/support/session';
import { task, WEB_BINDINGS } from '../../tests/fixtures/labs/small';

const base = (): LabInput => ({
  id: 'fixture-schema',
  title: 'Fixture: schema',
  summary: 'A lab the schema tests bend out of shape.',
  topology: { name: 'preset', preset: 'kubernetes-web' },
  bindings: { ...WEB_BINDINGS },
  tasks: [task('one', { answer: { expect: '{{target.ip}}', normalize: 'ip' } }), task('two', { observed: { from: '@client', to: '@target' } })],
});

/** The problems defineLab lists for `lab`, one per line, without the heading. */
function problems(lab: LabInput): string[] {
  try {
    defineLab(lab);
  } catch (e) {
    expect(e).toBeInstanceOf(LabDefinitionError);
    const [head, ...lines] = (e as Error).message.split('\n');
    expect(head).toBe(`lab ${String(lab.id)} is invalid:`);
    return lines.map((l) => l.trim());
  }
  throw new Error('the lab was accepted');
}

const withTasks = (...tasks: NonNullable<LabInput['tasks']>) => ({ ...base(), tasks });

describe('a good lab', () => {
  it('is accepted, with defaults filled in', () => {
    const lab = defineLab(base());
    expect(lab.defaultSeed).toBe(1);
    expect(lab.hintCost).toBe(2);
    expect(lab.solutionAfter).toBe(3);
    expect(lab.tasks[0]!.points).toBe(10);
    expect(lab.tasks[0]!.check).toEqual({ key: 'answer', value: { expect: '{{target.ip}}', normalize: 'ip', wrong: 'That is not it yet.' } });
  });
});

describe('checks', () => {
  it('names an unknown check kind, with the known ones', () => {
    expect(problems(withTasks(task('one', { anwser: { expect: '1' } })))).toEqual(['tasks.0.check.anwser: unknown check kind "anwser"; known: answer, choice, predict, state, probe, observed, all, any, not']);
  });
  it('refuses a check with two keys, or none', () => {
    expect(problems(withTasks(task('one', { answer: { expect: '1' }, observed: { from: '@client' } })))).toEqual([
      'tasks.0.check: a check kind has exactly one key (one of answer, choice, predict, state, probe, observed, all, any, not); this one has answer, observed',
    ]);
    expect(problems(withTasks(task('one', {})))).toEqual(['tasks.0.check: a check kind has exactly one key (one of answer, choice, predict, state, probe, observed, all, any, not); this one has none']);
    expect(problems(withTasks(task('one', 'answer')))).toEqual(['tasks.0.check: expected a check kind: an object with one key, one of answer, choice, predict, state, probe, observed, all, any, not']);
  });
  it('refuses two inputs in one task', () => {
    expect(problems(withTasks(task('one', { any: [{ answer: { expect: '1' } }, { choice: { options: [{ text: 'a', correct: true }, { text: 'b' }] } }] })))).toEqual([
      'tasks.0.check: a task takes at most one input (answer, choice or predict); this one has 2',
    ]);
  });
});

describe('bindings and placeholders', () => {
  it('names an unknown binding in @name and in {{name.field}}', () => {
    expect(problems(withTasks(task('one', { observed: { from: '@cliant', to: '@target' } })))).toEqual(['tasks.0.check.observed: "@cliant" names no binding']);
    expect(problems(withTasks(task('one', { answer: { expect: '{{tagret.ip}}' } })))).toEqual(['tasks.0.check: {{tagret.ip}} names no binding']);
    expect(problems(withTasks(task('one', { answer: { expect: '1' } }, { description: 'Ping {{targte.ip}}.' })))).toEqual(['tasks.0.description: {{targte.ip}} names no binding']);
  });
  it('names an unknown field of a binding, with the fields it has', () => {
    expect(problems(withTasks(task('one', { answer: { expect: '1' } }, { title: 'Find {{target.address}}' })))).toEqual([
      'tasks.0.title: {{target.address}}: a pod binding has no field address (it has name, namespace, ip, node, nodeIp, place, image, container, mac, mtu, ifindex, peerIfindex, veth, netns, uid, pausePid)',
    ]);
  });
  it('checks every text: hints, the passed text, the solution and the summary', () => {
    const lab = {
      ...withTasks(task('one', { answer: { expect: '1' } }, { passed: '{{a.b}}', hints: ['{{c.d}}', { text: '{{e.f}}', cost: 1 }], solution: { text: '{{g.h}}', steps: ['{{i.j}}'] } })),
      summary: '{{k.l}}',
    };
    expect(problems(lab)).toEqual([
      'tasks.0.passed: {{a.b}} names no binding',
      'tasks.0.hints.0: {{c.d}} names no binding',
      'tasks.0.hints.1: {{e.f}} names no binding',
      'tasks.0.solution.text: {{g.h}} names no binding',
      'tasks.0.solution.steps.0: {{i.j}} names no binding',
      'summary: {{k.l}} names no binding',
    ]);
  });
  it('allows {{expected.TASK}} in solution steps only, for a task that takes an answer', () => {
    expect(problems(withTasks(task('one', { answer: { expect: '1' } }, { hints: ['Answer {{expected.one}}.'] })))).toEqual(['tasks.0.hints.0: {{expected.one}} is allowed in solution steps only']);
    expect(problems(withTasks(task('one', { answer: { expect: '{{expected.one}}' } })))).toEqual(['tasks.0.check: {{expected.one}} is allowed in solution steps only']);
    expect(problems(withTasks(task('two', { observed: { from: '@client' } }, { solution: { text: 's', steps: ['answer two {{expected.two}}'] } })))).toEqual(['tasks.0.solution.steps.0: {{expected.two}} names no task that takes an answer']);
    expect(() => defineLab(withTasks(task('one', { answer: { expect: '1' } }, { solution: { text: 's', steps: ['answer one {{expected.one}}'] } })))).not.toThrow();
    expect(problems(withTasks(task('guess', { predict: { reveal: { value: 'reply-ttl', from: '@client', to: '@target' } } }, { solution: { text: 's', steps: ['answer guess {{expected.guess}}'] } })))).toEqual([
      'tasks.0.solution.steps.0: {{expected.guess}}: task guess takes a prediction, whose right value is known only once it is revealed',
    ]);
  });
  it('knows {{task.why}} and nothing else of task', () => {
    expect(problems(withTasks(task('one', { answer: { expect: '1' } }, { hints: ['{{task.why}} {{task.title}}'] })))).toEqual(['tasks.0.hints.0: {{task.title}} is unknown (only {{task.why}})']);
  });
  it('keeps task and expected for the template language', () => {
    expect(problems({ ...base(), bindings: { ...WEB_BINDINGS, task: { pod: { name: 'client' } } } })).toEqual(['bindings.task: "task" is reserved for the template language']);
  });
  it('lets a binding name earlier bindings only', () => {
    expect(problems({ ...base(), bindings: { ...WEB_BINDINGS, far: { pod: { labels: { app: 'web' }, notOnNodeOf: 'later' } }, later: { pod: { name: 'client' } } } })).toEqual(['bindings.far.pod.notOnNodeOf: "later" is not an earlier binding']);
    expect(problems({ ...base(), bindings: { eth0: { interface: { on: '@client', dev: 'eth0' } }, ...WEB_BINDINGS } })).toEqual(['bindings.eth0: "@client" is not an earlier binding']);
    expect(problems({ ...base(), bindings: { eth0: { interface: { on: 'node:{{client.node}}', dev: 'eth0' } }, ...WEB_BINDINGS } })).toEqual(['bindings.eth0: {{client...}} is not an earlier binding']);
  });
  it('names an unknown binding kind and a bad binding name', () => {
    expect(problems({ ...base(), bindings: { ...WEB_BINDINGS, db: { pods: { name: 'db' } } } })).toEqual(['bindings.db.pods: unknown binding kind "pods"; known: pod, service, node, interface, container, host, deployment']);
    expect(problems({ ...base(), bindings: { ...WEB_BINDINGS, 'web-2': { service: { name: 'web' } } } })).toEqual(['bindings.web-2: use a lowerCamel name']);
    expect(problems({ ...base(), bindings: { ...WEB_BINDINGS, n: { node: { name: 'node-1', index: 1 } } } })).toEqual(['bindings.n.node: give exactly one of name, index and nodeOf']);
  });
});

describe('tasks', () => {
  it('refuses needs that point forward, at itself or nowhere', () => {
    expect(problems(withTasks(task('one', { answer: { expect: '1' } }, { needs: ['two'] }), task('two', { answer: { expect: '2' } })))).toEqual(['tasks.0.needs: "two" is not an earlier task']);
    expect(problems(withTasks(task('one', { answer: { expect: '1' } }, { needs: ['one'] })))).toEqual(['tasks.0.needs: "one" is not an earlier task']);
    expect(problems(withTasks(task('one', { answer: { expect: '1' } }, { needs: ['zero'] })))).toEqual(['tasks.0.needs: "zero" is not an earlier task']);
  });
  it('refuses a task id used twice', () => {
    expect(problems(withTasks(task('one', { answer: { expect: '1' } }), task('one', { answer: { expect: '2' } })))).toEqual(['tasks.1.id: task id one is used twice']);
  });
  it('names a bad id, points or hint with its path', () => {
    expect(problems(withTasks(task('One', { answer: { expect: '1' } })))).toEqual(['tasks.0.id: use lower-case kebab-case']);
    expect(problems(withTasks(task('one', { answer: { expect: '1' } }, { points: 0 })))).toEqual(['tasks.0.points: Number must be greater than 0']);
    expect(problems(withTasks(task('one', { answer: { expect: '1' } }, { hints: [''] })))).toEqual(['tasks.0.hints.0: String must contain at least 1 character(s)']);
    expect(problems(withTasks(task('one', { answer: { expect: '1' } }, { hints: [{ text: 'x', cost: -1 }] })))).toEqual(['tasks.0.hints.0.cost: Number must be greater than or equal to 0']);
    expect(problems(withTasks({ id: 'one', title: 't', description: 'd', check: { answer: { expect: '1' } } } as never))).toEqual(['tasks.0.solution: Required']);
    expect(problems(withTasks(task('one', { answer: { expect: '1' } }, { hint: 'x' } as never)))).toEqual(["tasks.0: Unrecognized key(s) in object: 'hint'"]);
  });
  it('lists every problem the schema sees, then (once it passes) every other problem', () => {
    expect(problems(withTasks(task('one', { anwser: {} }), task('one', { answer: { expect: '{{x.y}}' } }, { needs: ['three'] })))).toEqual([
      'tasks.0.check.anwser: unknown check kind "anwser"; known: answer, choice, predict, state, probe, observed, all, any, not',
    ]);
    expect(problems(withTasks(task('one', { answer: { expect: '1' } }), task('one', { answer: { expect: '{{x.y}}' } }, { needs: ['three'] })))).toEqual([
      'tasks.1.id: task id one is used twice',
      'tasks.1.needs: "three" is not an earlier task',
      'tasks.1.check: {{x.y}} names no binding',
    ]);
  });
});

describe('the sandbox', () => {
  it('refuses manifests that are not YAML, with the line', () => {
    const manifests = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web2\n spec: [\n';
    expect(problems({ ...base(), manifests })[0]).toBe('manifests: All mapping items must start at the same column at line 5, column 1');
    expect(problems({ ...base(), manifests: 'kind: Service\nmetadata: {name: x\n' })).toEqual(['manifests: Flow map in block collection must be sufficiently indented and end with a } at line 3, column 1']);
  });
  it('takes manifests on a Kubernetes preset, and refuses them where there is no Kubernetes API', async () => {
    const web2 = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web2\nspec:\n  selector:\n    app: web\n  ports:\n  - port: 80\n';
    const lab = defineLab({ ...base(), manifests: web2, bindings: { ...WEB_BINDINGS, web2: { service: { name: 'web2' } } } });
    const { session, run } = await openSession({ lab });
    expect((await run('kubectl get svc web2 -o jsonpath={.spec.clusterIP}')).stdout).toBe(session.bindings.web2!.ip);
    expect(problems({ ...base(), bindings: {}, tasks: [], topology: { name: 'docker' }, manifests: web2 })).toEqual(['manifests: the docker topology has no Kubernetes API to apply them to']);
    expect(problems({ ...base(), bindings: {}, tasks: [], topology: { name: 'preset', preset: 'routed' }, manifests: web2 })).toEqual(['manifests: the routed topology has no Kubernetes API to apply them to']);
  });
  it('names a fault of an unknown kind, or with a field it does not take', () => {
    expect(problems({ ...base(), faults: [{ kind: 'node-crash', node: 'node-1' } as never] })).toEqual([
      "faults.0.kind: Invalid discriminator value. Expected 'node-down' | 'route-deleted' | 'kube-proxy-stopped' | 'wrong-selector' | 'pod-not-ready' | 'coredns-down' | 'mtu-mismatch' | 'interface-down'",
    ]);
    expect(problems({ ...base(), faults: [{ kind: 'node-down', name: 'node-1' } as never] })).toEqual(['faults.0.node: Required', "faults.0: Unrecognized key(s) in object: 'name'"]);
    expect(problems({ ...base(), faults: [{ kind: 'mtu-mismatch', target: { pod: 'client' }, device: 'eth0', mtu: 0 }] })).toEqual(['faults.0.mtu: Number must be greater than 0']);
  });
  it('names a misspelt topology option, or an unknown topology or preset', () => {
    expect(problems({ ...base(), topology: { name: 'kubernetes', node: 4 } as never })).toEqual(["topology: Unrecognized key(s) in object: 'node'"]);
    expect(problems({ ...base(), topology: { name: 'kubernetes', cni: 'calico' } as never })).toEqual(["topology.cni: Invalid enum value. Expected 'flannel-vxlan' | 'flannel-host-gw' | 'canal', received 'calico'"]);
    expect(problems({ ...base(), topology: { name: 'kubernetes', nodes: 0 } })).toEqual(['topology.nodes: Number must be greater than or equal to 1']);
    expect(problems({ ...base(), topology: { name: 'k8s' } as never })).toEqual(["topology.name: Invalid discriminator value. Expected 'kubernetes' | 'docker' | 'routed' | 'preset'"]);
    expect(problems({ ...base(), topology: { name: 'preset', preset: 'kubernetes-7' } })).toEqual([expect.stringMatching(/^topology\.preset: no topology "kubernetes-7"; topologies: kubernetes, /)]);
  });
  it('names a bad lab field', () => {
    expect(problems({ ...base(), id: 'Schema Lab' })).toEqual(['id: use lower-case kebab-case']);
    expect(problems({ ...base(), hintcost: 1 } as never)).toEqual(["(lab): Unrecognized key(s) in object: 'hintcost'"]);
    expect(problems({ ...base(), setup: [''] })).toEqual(['setup.0: String must contain at least 1 character(s)']);
  });
});
