import { describe, expect, it } from 'vitest';
import { openSession, type TestSession } from '../../../tests/support/session';
import { imageDef, imageEnv, isKnownImage, parseImageRef } from './index';

describe('image references', () => {
  it('parses registry, path, tag and digest the way the runtime names them', () => {
    expect(parseImageRef('nginx')).toEqual({ repo: 'nginx', name: 'nginx', tag: 'latest' });
    expect(parseImageRef('docker.io/library/busybox:1.28')).toEqual({ repo: 'busybox', name: 'busybox', tag: '1.28' });
    expect(parseImageRef('localhost:5000/team/app')).toEqual({ repo: 'localhost:5000/team/app', name: 'app', tag: 'latest' });
    expect(parseImageRef('registry.k8s.io/echoserver:1.10@sha256:abc')).toMatchObject({ repo: 'registry.k8s.io/echoserver', tag: '1.10' });
    expect(parseImageRef('registry.k8s.io/echoserver@sha256:abc')).toMatchObject({ repo: 'registry.k8s.io/echoserver', tag: '' });
  });

  it('knows the images of the walk-throughs by repository or name, and nothing else', () => {
    const id = (ref: string): string | undefined => imageDef(ref)?.def.id;
    expect(id('registry.k8s.io/serve_hostname')).toBe('serve-hostname');
    expect(id('gcr.io/google_containers/serve_hostname:1.1')).toBe('serve-hostname');
    expect(id('registry.k8s.io/echoserver:1.10')).toBe('echoserver');
    expect(id('us-docker.pkg.dev/google-samples/containers/gke/hello-app:1.0')).toBe('hello-app');
    expect(id('gcr.io/google-samples/hello-app:2.0')).toBe('hello-app');
    expect(id('registry.k8s.io/e2e-test-images/agnhost:2.39')).toBe('agnhost');
    expect(id('registry.k8s.io/e2e-test-images/jessie-dnsutils:1.3')).toBe('dnsutils');
    expect(id('curlimages/curl:8.12.1')).toBe('curl');
    expect(id('registry.k8s.io/ingress-nginx/controller:v1.12.1')).toBe('ingress-nginx');
    expect(id('nginx:1.27')).toBe('nginx');
    expect(id('registry.k8s.io/kube-proxy:v1.32.3')).toBe('system');
    expect(isKnownImage('ghcr.io/example/mystery:1.0')).toBe(false);
    // a repository that merely ends like a known one is not it
    expect(id('someone/curl')).toBeUndefined();
  });

  it("gives each image its Dockerfile's Env, and containerd's default PATH to an unknown one", () => {
    expect(imageEnv('nginx:1.27').map(([k]) => k)).toEqual(['PATH', 'NGINX_VERSION', 'NJS_VERSION', 'NJS_RELEASE', 'PKG_RELEASE', 'DYNPKG_RELEASE']);
    expect(imageEnv('gcr.io/google-samples/hello-app:1.0')).toContainEqual(['PORT', '8080']);
    expect(imageEnv('example.com/x')).toEqual([['PATH', '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']]);
  });
});

const POD = (name: string, image: string, extra = ''): string => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  containers:
  - name: ${name}
    image: ${image}
${extra}`;

async function withPods(...docs: string[]): Promise<TestSession> {
  const t = await openSession({ topology: 'kubernetes-web' });
  t.session.apply(docs.join('---\n'));
  return t;
}

const ipOf = async (t: TestSession, pod: string): Promise<string> => (await t.run(`kubectl get pod ${pod} -o jsonpath='{.status.podIP}'`)).stdout;

describe('what each image serves', () => {
  it('serve_hostname answers with the hostname on 9376, hello-app with its version on $PORT', async () => {
    const t = await withPods(
      POD('hostnames', 'registry.k8s.io/serve_hostname'),
      POD('hello', 'gcr.io/google-samples/hello-app:2.0', '    env:\n    - name: PORT\n      value: "9000"\n'),
    );
    expect((await t.run(`kubectl exec client -- wget -qO- http://${await ipOf(t, 'hostnames')}:9376/`)).stdout).toBe('hostnames');
    const hello = await ipOf(t, 'hello');
    expect((await t.run(`kubectl exec client -- wget -qO- http://${hello}:9000/any`)).stdout).toBe('Hello, world!\nVersion: 2.0.0\nHostname: hello\n');
    expect((await t.run(`kubectl exec client -- wget -qO- -T 1 http://${hello}:8080/`)).stderr).toContain('Connection refused');
    expect((await t.run('kubectl logs hello')).stdout).toMatch(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d Server listening on port 9000\n\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d Serving request: \/any\n$/);
  });

  it('kubernetes-bootcamp answers on 8080 with its pod and version, logs each request, and ships server.js, bash and curl', async () => {
    const t = await withPods(POD('boot', 'gcr.io/google-samples/kubernetes-bootcamp:v1'));
    const ip = await ipOf(t, 'boot');
    expect((await t.run(`kubectl exec client -- wget -qO- http://${ip}:8080/x`)).stdout).toBe('Hello Kubernetes bootcamp! | Running on: boot | v=1\n');
    expect((await t.run('kubectl exec boot -- curl -s localhost:8080')).stdout).toBe('Hello Kubernetes bootcamp! | Running on: boot | v=1\n');
    const log = (await t.run('kubectl logs boot')).stdout.split('\n');
    expect(log[0]).toMatch(/^Kubernetes Bootcamp App Started At: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \| Running On: {2}boot $/);
    expect(log[1]).toBe('');
    expect(log[2]).toMatch(/^Running On: boot \| Total Requests: 1 \| App Uptime: [\d.]+ seconds \| Log Time: \d{4}-\d\d-\d\dT[\d:.]+Z$/);
    expect(log[3]).toMatch(/\| Total Requests: 2 \|/);
    expect((await t.run('kubectl exec boot -- cat /server.js')).stdout).toContain("response.end('Hello Kubernetes bootcamp! | Running on: ' + host + ' | v=1\\n');\n");
    expect((await t.run('kubectl exec boot -- env')).stdout).toContain('NPM_CONFIG_LOGLEVEL=info\nNODE_VERSION=6.3.1\n');
  });

  it("a Job's program (kube-webhook-certgen) ends by itself: the pod is Completed", async () => {
    const t = await withPods();
    await t.run('kubectl run job --image=registry.k8s.io/ingress-nginx/kube-webhook-certgen:v1.4.4 --restart=Never');
    await t.run('sleep 10');
    expect((await t.run('kubectl get pod job')).stdout).toMatch(/\njob +0\/1 +Completed +0 +10s\n$/);
    const job = t.session.sim.state.k8s.pods['default/job']!;
    expect(job.status.phase).toBe('Succeeded');
    expect(job.status.containerStatuses![0]!.state.terminated).toMatchObject({ reason: 'Completed', exitCode: 0 });
    expect(job.status.conditions!.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'PodCompleted' });
  });

  it('echoserver 1.10 reports the request with the address it saw and the downward-API pod information', async () => {
    const t = await withPods(
      POD('echo', 'registry.k8s.io/echoserver:1.10', '    env:\n    - name: POD_NAME\n      valueFrom: {fieldRef: {fieldPath: metadata.name}}\n    - name: NODE_NAME\n      valueFrom: {fieldRef: {fieldPath: spec.nodeName}}\n'),
      POD('old', 'registry.k8s.io/echoserver:1.4'),
    );
    const client = await ipOf(t, 'client');
    const echo = await ipOf(t, 'echo');
    const out = (await t.run(`kubectl exec client -- wget -qO- 'http://${echo}:8080/a?b=1' --header 'X-Test: "q"'`)).stdout;
    expect(out.startsWith('\n\nHostname: echo\n\nPod Information:\n\tnode name:\tnode-')).toBe(true);
    expect(out).toContain('\tpod name:\techo\n\tpod namespace:\tN/A\n\tpod IP:\tN/A\n\nServer values:\n\tserver_version=nginx: 1.13.3 - lua: 10008\n');
    expect(out).toContain(`\tclient_address=${client}\n\tmethod=GET\n\treal path=/a?b=1\n\tquery=b=1\n\trequest_version=1.1\n\trequest_scheme=http\n\trequest_uri=http://${echo}:8080/a?b=1\n`);
    expect(out).toContain('Request Headers:\n\tconnection=close  \n\thost=' + echo + ':8080  \n\tuser-agent=Wget  \n\tx-test=&quot;q&quot;  \n\nRequest Body:\n\t-no body in request-\n\n');
    const old = (await t.run(`kubectl exec client -- wget -qO- http://${await ipOf(t, 'old')}:8080/`)).stdout;
    expect(old.startsWith(`CLIENT VALUES:\nclient_address=${client}\ncommand=GET\nreal path=/\nquery=nil\n`)).toBe(true);
    expect(old.endsWith('BODY:\n-no body in request-')).toBe(true);
  });

  it('agnhost runs its subcommand: netexec on --http-port with UDP on 8081, pause on nothing', async () => {
    const t = await withPods(
      POD('netexec', 'registry.k8s.io/e2e-test-images/agnhost:2.39', '    args: ["netexec", "--http-port=9090"]\n'),
      POD('paused', 'registry.k8s.io/e2e-test-images/agnhost:2.39'),
    );
    const ip = await ipOf(t, 'netexec');
    expect((await t.run(`kubectl exec client -- wget -qO- http://${ip}:9090/hostname`)).stdout).toBe('netexec');
    expect((await t.run(`kubectl exec client -- wget -qO- "http://${ip}:9090/echo?msg=a%20b"`)).stdout).toBe('a b');
    expect((await t.run(`kubectl exec client -- wget -qO- http://${ip}:9090/clientip`)).stdout).toMatch(new RegExp(`^${(await ipOf(t, 'client')).replace(/\./g, '\\.')}:\\d+$`));
    expect((await t.run(`kubectl exec netexec -- ss -lntu`)).stdout).toMatch(/udp +UNCONN.*\*:8081/);
    expect((await t.run(`kubectl exec client -- wget -qO- -T 1 http://${await ipOf(t, 'paused')}:8080/`)).stderr).toContain('Connection refused');
  });

  it("nginx serves what the pod's html directory holds: the image's page until one is written there", async () => {
    const t = await withPods(POD('site', 'nginx:1.27'));
    const ip = await ipOf(t, 'site');
    expect((await t.run(`kubectl exec client -- wget -qO- http://${ip}/`)).stdout).toContain('<title>Welcome to nginx!</title>');
    expect((await t.run('kubectl exec site -- wc -c /usr/share/nginx/html/index.html')).stdout).toBe('615 /usr/share/nginx/html/index.html\n');
    await t.run('kubectl exec -it site -- sh');
    await t.run('echo hello > /usr/share/nginx/html/index.html');
    await t.run('echo {} > /usr/share/nginx/html/a.json');
    await t.run('exit');
    expect((await t.run(`kubectl exec client -- wget -qO- http://${ip}/`)).stdout).toBe('hello\n');
    expect((await t.run(`kubectl exec client -- wget -S -qO /dev/null http://${ip}/a.json`)).stderr).toContain('Content-Type: application/json');
    expect((await t.run(`kubectl exec client -- wget -qO- http://${ip}/nope.html`)).stderr).toContain('404 Not Found');
  });

  it('an image the sandbox does not know runs, refuses connections, and its events say why', async () => {
    const t = await withPods(POD('mystery', 'ghcr.io/example/mystery:1.0'));
    expect((await t.run('kubectl get pod mystery')).stdout).toMatch(/mystery +1\/1 +Running/);
    expect((await t.run(`kubectl exec client -- wget -qO- -T 1 http://${await ipOf(t, 'mystery')}/`)).stderr).toContain(`wget: can't connect to remote host (${await ipOf(t, 'mystery')}): Connection refused\n`);
    const described = (await t.run('kubectl describe pod mystery')).stdout;
    expect(described).toMatch(/\n {2}Normal {2}NotModelled {2}\d+s {4}sandbox {12}The sandbox does not model image "ghcr.io\/example\/mystery:1.0": the container runs but its program listens on nothing\n$/);
    // the cluster's own images are known: no such event for them
    expect((await t.run('kubectl get events -A')).stdout.match(/NotModelled/g)).toHaveLength(1);
  });
});
