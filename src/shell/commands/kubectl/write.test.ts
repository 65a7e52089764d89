import { describe, expect, it } from 'vitest';
import { openSession } from '../../../../tests/support/session';
import { REFERENCE_TIME } from '../../../labs/catalog';
import { writeFile } from '../../../sim/files';
import { clone } from '../../../sim/clone';

/** kubectl's commands that change the cluster, on the three-pools lab (web x3, client, Service web). */
async function open() {
  const { session, run } = await openSession();
  const file = (path: string, text: string) => writeFile(session.sim.state, 'workstation', path, text, REFERENCE_TIME);
  return { session, run, file, k8s: () => session.sim.state.k8s };
}

const DEPLOY = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: echo
spec:
  replicas: 2
  selector:
    matchLabels:
      app: echo
  template:
    metadata:
      labels:
        app: echo
    spec:
      containers:
      - name: agnhost
        image: registry.k8s.io/e2e-test-images/agnhost:2.39
        ports:
        - containerPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: echo
spec:
  selector:
    app: echo
  ports:
  - port: 80
    targetPort: 8080
`;

describe('kubectl apply / create -f', () => {
  it('creates from a multi-document file, then reports unchanged and configured', async () => {
    const { run, file, k8s } = await open();
    file('echo.yaml', DEPLOY);
    expect(await run('kubectl apply -f echo.yaml')).toEqual({ stdout: 'deployment.apps/echo created\nservice/echo created\n', stderr: '', status: 0 });
    expect(Object.values(k8s().pods).filter((p) => p.metadata.labels?.app === 'echo')).toHaveLength(2);
    expect(k8s().deployments['default/echo']!.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration']).toMatch(/^\{"apiVersion":"apps\/v1","kind":"Deployment","metadata":\{"annotations":\{\},"name":"echo","namespace":"default"\},"spec":/);
    expect((await run('kubectl apply -f echo.yaml')).stdout).toBe('deployment.apps/echo unchanged\nservice/echo unchanged\n');
    file('echo.yaml', DEPLOY.replace('replicas: 2', 'replicas: 4'));
    expect((await run('kubectl apply -f echo.yaml')).stdout).toBe('deployment.apps/echo configured\nservice/echo unchanged\n');
    expect(Object.values(k8s().pods).filter((p) => p.metadata.labels?.app === 'echo')).toHaveLength(4);
    const r = await run('kubectl create -f echo.yaml');
    expect(r).toEqual({
      stdout: '',
      stderr: 'Error from server (AlreadyExists): error when creating "echo.yaml": deployments.apps "echo" already exists\nError from server (AlreadyExists): error when creating "echo.yaml": services "echo" already exists\n',
      status: 1,
    });
  });

  it('reads a List from standard input and warns about objects created without apply', async () => {
    const { run } = await open();
    const r = await run('kubectl get svc web -o json | kubectl apply -f -');
    expect(r.stderr).toMatch(/^Warning: resource services\/web is missing the kubectl.kubernetes.io\/last-applied-configuration annotation/);
    expect(r.stdout).toBe('service/web configured\n');
    expect((await run('kubectl get deploy,svc -o yaml | kubectl apply -f -')).stdout).toBe('deployment.apps/web configured\nservice/kubernetes configured\nservice/web configured\n');
  });

  it('prints kubectl errors for missing files, bad YAML and bad documents; a bad document changes nothing', async () => {
    const { run, file, session } = await open();
    expect(await run('kubectl apply -f nope.yaml')).toEqual({ stdout: '', stderr: 'error: the path "nope.yaml" does not exist\n', status: 1 });
    file('bad.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: name: x\n');
    expect((await run('kubectl apply -f bad.yaml')).stderr).toBe('error: error parsing bad.yaml: error converting YAML to JSON: yaml: line 3: mapping values are not allowed in this context\n');
    expect((await run('kubectl apply')).stderr).toBe('error: must specify one of -f and -k\n');
    const before = clone(session.sim.state.k8s);
    file('two.yaml', DEPLOY + '---\napiVersion: v1\nkind: Service\nmetadata:\n  name: Bad_Name\nspec:\n  ports:\n  - port: 80\n');
    const r = await run('kubectl apply -f two.yaml');
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('deployment.apps/echo created\nservice/echo created\n');
    expect(r.stderr).toMatch(/^The Service "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a DNS-1035 label/);
    expect(Object.keys(session.sim.state.k8s.services)).toEqual(Object.keys({ ...before.services, 'default/echo': 1 }));
    file('widget.yaml', 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n');
    expect((await run('kubectl apply -f widget.yaml')).stderr).toBe('error: resource mapping not found for name: "w" namespace: "" from "widget.yaml": no matches for kind "Widget" in version "example.com/v1"\nensure CRDs are installed first\n');
  });
});

describe('kubectl create, run, expose, scale, label, delete', () => {
  it('creates a deployment, a service and a pod with the labels kubectl gives them', async () => {
    const { run, k8s } = await open();
    expect((await run('kubectl create deployment api --image=nginx:1.27 --replicas=2 --port=80')).stdout).toBe('deployment.apps/api created\n');
    const d = k8s().deployments['default/api']!;
    expect(d.spec.selector.matchLabels).toEqual({ app: 'api' });
    expect(d.spec.template.spec.containers).toEqual([{ name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80, protocol: 'TCP' }] }]);
    expect((await run('kubectl create deployment api --image=nginx')).stderr).toBe('error: failed to create deployment: deployments.apps "api" already exists\n');
    expect((await run('kubectl create deployment api2')).stderr).toBe('error: required flag(s) "image" not set\n');
    expect((await run('kubectl create service nodeport api --tcp=80:80')).stdout).toBe('service/api created\n');
    expect(k8s().services['default/api']!.spec.ports![0]).toMatchObject({ name: '80-80', port: 80, targetPort: 80 });
    expect((await run('kubectl create service clusterip x')).stderr).toBe('error: at least one tcp port specifier must be provided\n');
    expect((await run('kubectl run probe --image=busybox:1.36')).stdout).toBe('pod/probe created\n');
    expect(k8s().pods['default/probe']!.metadata.labels).toEqual({ run: 'probe' });
    expect((await run('kubectl run probe --image=busybox:1.36')).stderr).toBe('Error from server (AlreadyExists): pods "probe" already exists\n');
    expect((await run('kubectl run')).stderr).toBe('error: required flag(s) "image" not set\n');
  });

  it('exposes a deployment with its selector and labels', async () => {
    const { run, k8s } = await open();
    expect((await run('kubectl expose deployment web --port=8080 --target-port=80 --name=web2 --type=NodePort')).stdout).toBe('service/web2 exposed\n');
    const s = k8s().services['default/web2']!;
    expect(s.spec.selector).toEqual({ app: 'web' });
    expect(s.spec.ports![0]).toMatchObject({ port: 8080, targetPort: 80, protocol: 'TCP' });
    expect(s.spec.ports![0]!.nodePort).toBeGreaterThanOrEqual(30000);
    expect((await run('kubectl get endpoints web2')).stdout).toMatch(/web2 {3,}10\.244\.\d+\.\d+:80,/);
    expect((await run('kubectl expose deployment web --port=80')).stderr).toBe('Error from server (AlreadyExists): services "web" already exists\n');
    expect((await run('kubectl expose node node-1 --port=80')).stderr).toBe('error: cannot expose a Node\n');
  });

  it('scales, labels and deletes with kubectl messages and exit codes', async () => {
    const { run, k8s } = await open();
    const webs = () => Object.values(k8s().pods).filter((p) => p.metadata.labels?.app === 'web');
    expect((await run('kubectl scale deployment/web --replicas=4')).stdout).toBe('deployment.apps/web scaled\n');
    expect(webs()).toHaveLength(4);
    expect((await run('kubectl scale deploy web')).stderr).toBe('error: required flag(s) "replicas" not set\n');
    expect((await run('kubectl scale deploy web --replicas=-1')).stderr).toBe('error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0\n');
    expect((await run('kubectl scale deploy nope --replicas=1')).stderr).toBe('Error from server (NotFound): deployments.apps "nope" not found\n');
    expect(await run('kubectl label pod client app=web')).toEqual({ stdout: 'pod/client labeled\n', stderr: '', status: 0 });
    expect((await run('kubectl label pod client app=x')).stderr).toBe("error: 'app' already has a value (web), and --overwrite is false\n");
    expect((await run('kubectl label pod client app=x --overwrite')).stdout).toBe('pod/client labeled\n');
    expect((await run('kubectl label pod client app=x --overwrite')).stdout).toBe('pod/client not labeled\n');
    expect((await run('kubectl label pod client app-')).stdout).toBe('pod/client unlabeled\n');
    expect((await run('kubectl label pod client')).stderr).toBe('error: at least one label update is required\n');
    expect((await run('kubectl label pod client a=b c')).stderr).toBe('error: all resources must be specified before label changes: c\n');
    const victim = webs()[0]!.metadata.name;
    expect(await run(`kubectl delete pod ${victim} nope`)).toEqual({ stdout: `pod "${victim}" deleted\n`, stderr: 'Error from server (NotFound): pods "nope" not found\n', status: 1 });
    expect(webs()).toHaveLength(4);
    expect((await run('kubectl delete pods -l app=nothing')).stdout).toBe('No resources found\n');
    expect((await run('kubectl delete deployment/web')).stdout).toBe('deployment.apps "web" deleted\n');
    expect(webs()).toHaveLength(0);
    const forced = await run('kubectl delete pod client --force');
    expect(forced.stdout).toBe('pod "client" force deleted\n');
    expect(forced.stderr).toMatch(/^Warning: Immediate deletion does not wait/);
    expect((await run('kubectl delete')).stderr).toMatch(/^error: You must provide one or more resources by argument or filename\.\n/);
  });

  it('scale stops at the first object the server refuses, as kubectl does', async () => {
    const { run, k8s } = await open();
    const before = JSON.stringify(k8s());
    // A Service has no scale subresource: kubectl returns at once, the Deployment after it is not scaled.
    expect(await run('kubectl scale svc/web deploy/web --replicas=5')).toEqual({ stdout: '', stderr: 'Error from server (NotFound): the server could not find the requested resource\n', status: 1 });
    // A failed precondition also ends the command; the NotFound of `nope` is then not reported.
    expect(await run('kubectl scale deploy web nope --replicas=2 --current-replicas=9')).toEqual({ stdout: '', stderr: 'error: Expected replicas to be 9, was 3\n', status: 1 });
    expect(JSON.stringify(k8s())).toBe(before);
    // An object that does not exist is looked up under its own type first.
    expect((await run('kubectl scale svc nope --replicas=1')).stderr).toBe('Error from server (NotFound): services "nope" not found\n');
    expect(await run('kubectl scale deploy nope web --replicas=4')).toEqual({ stdout: 'deployment.apps/web scaled\n', stderr: 'Error from server (NotFound): deployments.apps "nope" not found\n', status: 1 });
  });

  it('label prints several failures one per line, as CheckErr prints an aggregate', async () => {
    const { run, k8s } = await open();
    await run('kubectl label pods --all env=prod');
    const clash = "'env' already has a value (prod), and --overwrite is false\n";
    expect(await run('kubectl label pods --all env=dev')).toEqual({ stdout: '', stderr: clash.repeat(4), status: 1 });
    await run('kubectl label pod client a=1');
    expect((await run('kubectl label pod client a=2 env=x')).stderr).toBe("'a' already has a value (1), and --overwrite is false\n" + clash);
    expect((await run('kubectl label pod client nope env=x')).stderr).toBe(`${clash}Error from server (NotFound): pods "nope" not found\n`);
    // The server refuses a bad key on every object; each refusal is printed and none is labelled.
    const before = JSON.stringify(k8s());
    const bad = await run("kubectl label pods --all 'bad key=1'");
    expect(bad.status).toBe(1);
    expect(bad.stderr.split('\n').filter((l) => l.startsWith('Error from server (Invalid): Pod "'))).toHaveLength(4);
    expect(JSON.stringify(k8s())).toBe(before);
  });

  it('completes subcommands, types, names and -f files', async () => {
    const { session, file } = await open();
    file('web.yaml', DEPLOY);
    expect(session.complete('kubectl sc', 10)).toBeDefined();
    const words = (line: string): string[] => {
      const c = session.complete(line, line.length) as unknown;
      return JSON.stringify(c).match(/"[^"]+"/g)?.map((s) => s.slice(1, -1)) ?? [];
    };
    expect(words('kubectl apply -f w')).toContain('web.yaml');
    expect(words('kubectl scale deploy w')).toContain('web');
    expect(words('kubectl delete po c')).toContain('client');
    expect(words('kubectl label --ov')).toContain('--overwrite');
    expect(words('kubectl rollout st')).toContain('status');
    expect(words('kubectl rollout status deploy')).toContain('deployment/web');
    expect(words('kubectl port-forward serv')).toContain('service/web');
    expect(words('kubectl debug node/node')).toContain('node/node-1');
    expect(words('kubectl patch deploy w')).toContain('web');
  });
});

describe('an empty -l', () => {
  it('counts as no selector in describe, delete and label, as kubectl\'s builder trims and ignores it', async () => {
    const { run } = await open();
    expect((await run("kubectl describe pods -l ''")).stdout).toMatch(/^Name: +client$/m);
    expect(await run("kubectl delete pods -l ' '")).toMatchObject({ stderr: 'error: resource(s) were provided, but no name was specified\n', status: 1 });
    expect(await run("kubectl label pods -l '' x=y")).toMatchObject({ stderr: 'error: resource(s) were provided, but no name was specified\n', status: 1 });
  });
});
