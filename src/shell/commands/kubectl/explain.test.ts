import { describe, expect, it } from 'vitest';
import { openSession } from '../../../../tests/support/session';
import { completeExplain, wordWrap } from './explain';

describe('kubectl explain', () => {
  it('prints a field in kubectl 1.32 plaintext layout: header, FIELD, two blank lines, DESCRIPTION, FIELDS', async () => {
    const { run } = await openSession();
    const r = await run('kubectl explain deployment.spec.strategy');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      [
        'GROUP:      apps',
        'KIND:       Deployment',
        'VERSION:    v1',
        '',
        'FIELD: strategy <DeploymentStrategy>',
        '',
        '',
        'DESCRIPTION:',
        '    How pods are replaced when the template changes: RollingUpdate (the default)',
        '    or Recreate.',
        '    How a Deployment replaces its old pods with new ones.',
        '    ',
        'FIELDS:',
        '  rollingUpdate\t<RollingUpdateDeployment>',
        '    The pace of a rolling update.',
        '',
        '  type\t<string>',
        '  enum: Recreate, RollingUpdate',
        '    RollingUpdate: new pods come up while old ones go; Recreate: all old pods go',
        '    first.',
        '',
        '',
        '',
      ].join('\n'),
    );
  });

  it('resolves short names, plurals, kinds and plural.group prefixes to the same type', async () => {
    const { run } = await openSession();
    const want = (await run('kubectl explain pods.spec')).stdout;
    expect(want).toMatch(/^KIND: {7}Pod\nVERSION: {4}v1\n\nFIELD: spec <PodSpec>\n\n\nDESCRIPTION:\n/);
    expect(want).toContain('  containers\t<[]Container> -required-\n');
    expect(want).toContain('  dnsPolicy\t<string>\n  enum: ClusterFirst, ClusterFirstWithHostNet, Default, None\n');
    expect(want).toContain('  restartPolicy\t<string>\n  enum: Always, Never, OnFailure\n');
    for (const form of ['po.spec', 'pod.spec', 'Pod.spec']) expect((await run(`kubectl explain ${form}`)).stdout).toBe(want);
    expect((await run('kubectl explain deployments.apps.spec.replicas')).stdout).toBe((await run('kubectl explain deploy.spec.replicas')).stdout);
    expect((await run('kubectl explain deployments --api-version=apps/v1')).stdout).toBe((await run('kubectl explain deployment')).stdout);
  });

  it('lists nested fields with --recursive, two spaces deeper per level, enum lines kept', async () => {
    const { run } = await openSession();
    expect((await run('kubectl explain deploy.spec.strategy --recursive')).stdout).toMatch(
      /FIELDS:\n {2}rollingUpdate\t<RollingUpdateDeployment>\n {4}maxSurge\t<IntOrString>\n {4}maxUnavailable\t<IntOrString>\n {2}type\t<string>\n {2}enum: Recreate, RollingUpdate\n\n$/,
    );
    const all = (await run('kubectl explain pods --recursive')).stdout;
    expect(all).toContain('\n    containers\t<[]Container> -required-\n      args\t<[]string>\n');
    expect(all).toContain('\n        limits\t<map[string]Quantity>\n');
  });

  it('prints a scalar field with its ENUM values in the long view', async () => {
    const { run } = await openSession();
    expect((await run('kubectl explain svc.spec.type')).stdout).toMatch(/^KIND: {7}Service\nVERSION: {4}v1\n\nFIELD: type <string>\nENUM:\n {4}ClusterIP\n {4}ExternalName\n {4}LoadBalancer\n {4}NodePort\n\nDESCRIPTION:\n {4}ClusterIP /);
  });

  it('refuses as kubectl 1.32 refuses', async () => {
    const { run } = await openSession();
    expect(await run('kubectl explain foo')).toEqual({ stdout: '', stderr: 'error: the server doesn\'t have a resource type "foo"\n', status: 1 });
    const missing = await run('kubectl explain pods.spec.foo.bar');
    expect(missing.stdout).toBe('KIND:       Pod\nVERSION:    v1\n\n');
    expect(missing.stderr).toBe('error: field "bar" does not exist\n');
    expect(missing.status).toBe(1);
    expect((await run('kubectl explain')).stderr).toBe('error: You must specify the type of resource to explain. Use "kubectl api-resources" for a complete list of supported resources.\n');
    expect((await run('kubectl explain pods svc')).stderr).toBe('error: We accept only this format: explain RESOURCE\n');
    expect((await run('kubectl explain deploy --api-version=apps/v2')).stderr).toBe('error: couldn\'t find resource for "apps/v2, Resource=deployments"\n');
    expect((await run('kubectl explain deploy --api-version=v1')).stderr).toBe('error: GVR (/v1, Resource=deployments) not found in OpenAPI schema\n');
    expect((await run('kubectl explain pods --output=json')).stderr).toBe('error: unrecognized format: json\n');
    expect((await run('kubectl explain statefulsets')).stderr).toMatch(/^error: the sandbox does not model statefulsets.apps/);
  });

  it('prints the OpenAPI v2 layout with --output=plaintext-openapiv2', async () => {
    const { run } = await openSession();
    const r = await run('kubectl explain deploy.spec.replicas --output=plaintext-openapiv2');
    expect(r.stdout).toMatch(/^KIND: {5}Deployment\nVERSION: {2}apps\/v1\n\nFIELD: {4}replicas <integer>\n\nDESCRIPTION:\n {5}How many pods/);
    expect((await run('kubectl explain cm --output=plaintext-openapiv2')).stdout).toContain('   immutable\t<boolean>\n');
  });

  it('completes resource names, then field paths', () => {
    expect(completeExplain('')).toContain('deployments');
    expect(completeExplain('pod.spec.')).toContain('pod.spec.containers');
    expect(completeExplain('deploy.spec.strategy.')).toEqual(['deploy.spec.strategy.rollingUpdate', 'deploy.spec.strategy.type']);
    expect(completeExplain('pod.spec.hostNetwork.')).toEqual([]);
  });

  it('wraps as go-wordwrap does: at spaces, keeping line breaks, leaving a long word whole', () => {
    expect(wordWrap('aaa bbb ccc', 7)).toBe('aaa bbb\nccc');
    expect(wordWrap('a\nb c', 3)).toBe('a\nb c');
    expect(wordWrap('x https://example.com/long', 5)).toBe('x\nhttps://example.com/long');
  });
});

describe('kubectl apply --validate', () => {
  const BAD = `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  foo: 1
  containers:
  - name: c
    image: busybox
    bar: 2
`;

  it('refuses unknown fields by default, warns with warn, drops them with false; type errors fail always', async () => {
    const { run } = await openSession();
    const write = (text: string) => `cat > p.yaml <<'EOF'\n${text}EOF`;
    await run(write(BAD));
    expect(await run('kubectl apply -f p.yaml')).toEqual({
      stdout: '',
      stderr: 'Error from server (BadRequest): error when creating "p.yaml": Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containers[0].bar", unknown field "spec.foo"\n',
      status: 1,
    });
    expect(await run('kubectl apply -f p.yaml --validate=warn')).toEqual({ stdout: 'pod/p created\n', stderr: 'Warning: unknown field "spec.containers[0].bar"\nWarning: unknown field "spec.foo"\n', status: 0 });
    await run('kubectl delete pod p');
    expect(await run('kubectl create -f p.yaml --validate=false')).toEqual({ stdout: 'pod/p created\n', stderr: '', status: 0 });
    expect((await run('kubectl apply -f p.yaml --validate=maybe')).stderr).toBe('error: invalid - validate option "maybe"; must be one of: strict (or true), warn, ignore (or false)\n');
    await run(write(BAD.replace('name: p', 'name: q').replace('image: busybox', 'image: 7')));
    expect((await run('kubectl apply -f p.yaml --validate=ignore')).stderr).toBe('Error from server (BadRequest): error when creating "p.yaml": Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal number into Go struct field Container.spec.containers.image of type string\n');
    expect((await run('kubectl get pod q')).status).toBe(1);
  });
});
