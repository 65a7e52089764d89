import { describe, expect, it } from 'vitest';
import { openSession } from '../../../../tests/support/session';
import { VirtualClock } from '../../../sim/clock';
import { advanceCluster, nextClusterDue } from '../../../sim/k8s/advance';
import { podReady } from '../../../sim/k8s/endpoints';
import { Sim } from '../../../sim/sim';

const webPods = (s: Awaited<ReturnType<typeof openSession>>) =>
  Object.values(s.session.sim.state.k8s.pods)
    .filter((p) => p.metadata.labels?.['app'] === 'web')
    .map((p) => p.metadata.name)
    .sort();

describe('kubectl wait', () => {
  it('returns at the first moment the pod is Ready, printing kubectl\'s line', async () => {
    const s = await openSession();
    await s.run('kubectl run x --image=nginx:1.27');
    // When the pod becomes Ready, found independently on a copy of the sandbox.
    const copy = Sim.restore(s.session.sim.state, new VirtualClock(s.clock.now()));
    let readyAt = s.clock.now();
    while (!podReady(copy.state.k8s.pods['default/x']!)) {
      readyAt = nextClusterDue(copy.state);
      advanceCluster({ state: copy.state, rng: copy.rng, now: readyAt, podStartup: 'timed' });
    }
    const t0 = s.clock.now();
    expect(readyAt).toBeGreaterThan(t0);
    const r = await s.run('kubectl wait --for=condition=Ready pod/x');
    expect(r).toEqual({ stdout: 'pod/x condition met\n', stderr: '', status: 0 });
    expect(s.clock.now()).toBe(readyAt);
  });

  it('waits for every object a selector lists, deployments by their Available condition', async () => {
    const s = await openSession();
    await s.run('kubectl scale deployment web --replicas=5');
    const r = await s.run('kubectl wait --for=condition=Ready pods -l app=web');
    expect(r.stdout.trimEnd().split('\n')).toEqual(webPods(s).map((n) => `pod/${n} condition met`));
    expect(await s.run('kubectl wait --for=condition=available deploy/web --timeout=0')).toEqual({ stdout: 'deployment.apps/web condition met\n', stderr: '', status: 0 });
    expect((await s.run("kubectl wait --for=jsonpath='{.status.readyReplicas}'=5 deployment web")).stdout).toBe('deployment.apps/web condition met\n');
    expect((await s.run("kubectl wait --for=jsonpath='{.status.podIP}' pod -l app=web -o name")).stdout).toBe(webPods(s).map((n) => `pod/${n}\n`).join(''));
  });

  it('times out after --timeout of sandbox time, checks once with 0, and names each object left waiting', async () => {
    const s = await openSession();
    const t0 = s.clock.now();
    expect(await s.run('kubectl wait --for=condition=Ready=false deployment/web --timeout=5s')).toEqual({ stdout: '', stderr: 'error: timed out waiting for the condition on deployments/web\n', status: 1 });
    expect(s.clock.now() - t0).toBe(5000);
    const t1 = s.clock.now();
    expect((await s.run('kubectl wait --for=condition=Ready=false pod -l app=web --timeout=0')).stderr).toBe(webPods(s).map((n) => `condition not met for pods/${n}\n`).join(''));
    expect(s.clock.now()).toBe(t1);
    // Past the deadline the other objects time out too; several errors print without `error: `.
    const r = await s.run('kubectl wait --for=condition=Ready=false pod -l app=web --timeout=2s');
    expect(r.stderr).toBe(webPods(s).map((n) => `timed out waiting for the condition on pods/${n}\n`).join(''));
    expect(r.status).toBe(1);
  });

  it('waits for a deletion the Deployment controller makes, and is silent about objects already gone', async () => {
    const s = await openSession();
    const old = webPods(s)[0]!;
    await s.run('kubectl set image deployment/web nginx=nginx:1.28');
    expect(await s.run(`kubectl wait --for=delete pod/${old} --timeout=60s`)).toEqual({ stdout: `pod/${old} condition met\n`, stderr: '', status: 0 });
    expect(s.session.sim.state.k8s.pods[`default/${old}`]).toBeUndefined();
    expect(await s.run(`kubectl wait --for=delete pod/${old}`)).toEqual({ stdout: '', stderr: '', status: 0 });
    expect((await s.run(`kubectl wait --for=condition=Ready pod/${old}`)).stderr).toBe(`Error from server (NotFound): pods "${old}" not found\n`);
    expect((await s.run('kubectl wait --for=delete pod/client --timeout=0')).stderr).toBe('error: condition not met for pods/client\n');
  });

  it('waits for an object to be created, polling until the deadline', async () => {
    const s = await openSession();
    const t0 = s.clock.now();
    expect((await s.run('kubectl wait --for=create configmap/settings --timeout=2s')).stderr).toBe('error: timed out waiting for the condition\n');
    expect(s.clock.now() - t0).toBe(2000);
    await s.run('kubectl create configmap settings --from-literal=a=b');
    expect((await s.run('kubectl wait --for=create configmap/settings')).stdout).toBe('configmap/settings condition met\n');
    expect((await s.run('kubectl wait --for=create cm/one cm/two')).stderr).toBe('Error from server (NotFound): configmaps "one" not found\nError from server (NotFound): configmaps "two" not found\n');
  });

  it('a week-long wait ends at Ctrl+C with status 1 and nothing printed', async () => {
    const s = await openSession({ interruptAfterMs: 10_000 });
    const r = await s.run('kubectl wait --for=condition=Ready=false pod/client --timeout=-1s');
    expect(r).toEqual({ stdout: '', stderr: '', status: 1 });
  });

  it('refuses bad input in kubectl\'s words, changing nothing', async () => {
    const s = await openSession();
    const before = JSON.stringify(s.session.sim.state.k8s);
    const err = async (line: string) => (await s.run(line)).stderr;
    expect(await err('kubectl wait pod/client')).toBe('error: unrecognized condition: ""\n');
    expect(await err('kubectl wait --for=Ready pod/client')).toBe('error: unrecognized condition: "Ready"\n');
    expect(await err('kubectl wait --for=condition=Ready pod -l app=nothing')).toBe('error: no matching resources found\n');
    expect(await err('kubectl wait --for=condition=Ready pods')).toBe('error: resource(s) were provided, but no name was specified\n');
    expect(await err('kubectl wait --for=condition=Ready pod/client -A')).toBe('error: a resource cannot be retrieved by name across all namespaces\n');
    expect(await err('kubectl wait --for=condition=Ready pod/client --timeout=soon')).toBe('error: invalid argument "soon" for "--timeout" flag: time: invalid duration "soon"\nSee \'kubectl wait --help\' for usage.\n');
    expect(await err("kubectl wait --for=jsonpath='{.status.conditions[*].type}' pod/client")).toBe('error: given jsonpath expression matches more than one value\n');
    expect(await err("kubectl wait --for=jsonpath='{.status}'=x pod/client")).toBe('error: jsonpath leads to a nested object or list which is not supported\n');
    expect(await err("kubectl wait --for=jsonpath='{.status.phase}'= pod/client")).toBe("error: jsonpath wait has to have a value after equal sign, like --for=jsonpath='{.status.readyReplicas}'=3\n");
    expect(await err('kubectl wait --for=jsonpath=a=b=c pod/client')).toBe("error: jsonpath wait format must be --for=jsonpath='{.status.readyReplicas}'=3 or --for=jsonpath='{.status.readyReplicas}'\n");
    expect(await err('kubectl wait --for=condition=Ready pod/client pod/nope')).toBe('Error from server (NotFound): pods "nope" not found\n');
    expect(JSON.stringify(s.session.sim.state.k8s)).toBe(before);
  });

  it('has kubectl\'s help, and completes its flags and object names', async () => {
    const s = await openSession();
    expect((await s.run('kubectl wait --help')).stdout).toMatch(/^Experimental: Wait for a specific condition on one or many resources\.\n[\s\S]*--timeout=30s: /);
    expect((await s.run('kubectl --help')).stdout).toContain('  wait            Experimental: Wait for a specific condition on one or many resources\n');
    const c = (line: string): string[] => s.session.complete(line, line.length).candidates;
    expect(c('kubectl wa')).toEqual(['wait']);
    expect(c('kubectl wait --ti')).toEqual(['--timeout']);
    expect(c('kubectl wait --for=condition=Ready pods cl')).toEqual(['client']);
  });
});

describe('kubectl exec into a pod that cannot run the command', () => {
  it('speaks as kubectl 1.32 over WebSockets: the kubelet\'s answer wrapped by the API server', async () => {
    const s = await openSession();
    await s.run('kubectl run tools --image=busybox -- sleep 3600');
    expect((await s.run('kubectl exec tools -- ls')).stderr).toBe('error: Internal error occurred: unable to upgrade connection: container not found ("tools")\n');
    await s.run('kubectl wait --for=condition=Ready pod/tools');
    expect((await s.run('kubectl exec tools -c shell -- ls')).stderr).toBe('Error from server (BadRequest): container shell is not valid for pod tools\n');
    s.session.sim.state.k8s.pods['default/tools']!.status.phase = 'Succeeded';
    expect((await s.run('kubectl exec tools -- ls')).stderr).toBe('error: cannot exec into a container in a completed pod; current phase is Succeeded\n');
  });

  it('attach says the same of a container not running yet, and names a missing container as kubectl does', async () => {
    const s = await openSession();
    await s.run('kubectl run tools --image=busybox -- sleep 3600');
    expect((await s.run('kubectl attach tools')).stderr).toBe('error: Internal error occurred: unable to upgrade connection: container not found ("tools")\n');
    await s.run('kubectl wait --for=condition=Ready pod/tools');
    expect((await s.run('kubectl attach tools -c shell')).stderr).toBe('error: cannot attach to the container: container shell not found in pod tools\n');
  });
});
