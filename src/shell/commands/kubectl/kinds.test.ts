import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSession } from '../../../../tests/support/session';
import { REFERENCE_TIME } from '../../../labs/catalog';
import { writeFile } from '../../../sim/files';
import { EXAMPLES } from './examples/bundle';

async function open() {
  const { session, run } = await openSession();
  const file = (path: string, text: string) => writeFile(session.sim.state, 'workstation', path, text, REFERENCE_TIME);
  return { session, run, file, k8s: () => session.sim.state.k8s };
}

const NETPOL = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: db
spec:
  podSelector:
    matchLabels:
      role: db
  egress:
  - to:
    - namespaceSelector: {}
      podSelector:
        matchLabels:
          app: web
  ingress:
  - ports:
    - port: 6379
`;

describe('NetworkPolicy', () => {
  it('is stored with the API server defaults, listed, described as kubectl does and deleted', async () => {
    const { run, file } = await open();
    file('np.yaml', NETPOL);
    expect((await run('kubectl apply -f np.yaml')).stdout).toBe('networkpolicy.networking.k8s.io/db created\n');
    expect((await run('kubectl get netpol')).stdout).toMatch(/^NAME   POD-SELECTOR   AGE\ndb     role=db        0s\n$/);
    const yaml = (await run('kubectl get networkpolicies.networking.k8s.io db -o yaml')).stdout;
    expect(yaml).toContain('  policyTypes:\n  - Ingress\n  - Egress\n');
    expect(yaml).toContain('  - ports:\n    - port: 6379\n      protocol: TCP\n');
    const d = (await run('kubectl describe networkpolicy db')).stdout;
    expect(d).toContain('Spec:\n  PodSelector:     role=db\n  Allowing ingress traffic:\n    To Port: 6379/TCP\n    From: <any> (traffic not restricted by source)\n  Allowing egress traffic:\n    To Port: <any> (traffic allowed to all ports)\n    To:\n      NamespaceSelector: <none>\n      PodSelector: app=web\n  Policy Types: Ingress, Egress\n');
    expect(d).toMatch(/^Name: {9}db\nNamespace: {4}default\nCreated on: {3}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 UTC\n/);
    expect((await run('kubectl delete netpol db')).stdout).toBe('networkpolicy.networking.k8s.io "db" deleted\n');
    expect((await run('kubectl get netpol')).stderr).toBe('No resources found in default namespace.\n');
  });
});

describe('ConfigMap and Secret', () => {
  it('every namespace has kube-root-ca.crt and kube-system has CoreDNS\'s Corefile', async () => {
    const { run } = await open();
    const cms = (await run('kubectl get cm -n kube-system')).stdout;
    expect(cms).toMatch(/^NAME {15}DATA   AGE\ncoredns {12}1 {6}\S+\nkube-root-ca.crt {3}1 {6}\S+\n$/);
    const corefile = (await run("kubectl get cm coredns -n kube-system -o jsonpath='{.data.Corefile}'")).stdout;
    expect(corefile).toContain('    kubernetes cluster.local in-addr.arpa ip6.arpa {\n       pods insecure\n');
    expect(corefile).toContain('    cache 30 {\n       disable success cluster.local\n       disable denial cluster.local\n    }\n    loop\n    reload\n    loadbalance\n}\n');
  });

  it('create configmap reads literals, files and env files, with kubectl\'s errors', async () => {
    const { run, file } = await open();
    file('app.env', 'A=1\n# comment\n\nB=two words\n');
    file('index.html', '<h1>hi</h1>\n');
    expect((await run('kubectl create configmap web --from-literal=color=blue,green --from-file=index.html --from-file=page=index.html')).stdout).toBe('configmap/web created\n');
    expect((await run('kubectl get cm web')).stdout).toMatch(/^NAME   DATA   AGE\nweb    3      0s\n$/);
    const dry = await run('kubectl create cm envs --from-env-file=app.env --dry-run=client -o yaml');
    expect(dry.stdout).toBe('apiVersion: v1\ndata:\n  A: "1"\n  B: two words\nkind: ConfigMap\nmetadata:\n  creationTimestamp: null\n  name: envs\n');
    expect((await run('kubectl get cm envs')).status).toBe(1);
    expect((await run('kubectl create cm x --from-literal=k')).stderr).toBe('error: invalid literal source k, expected key=value\n');
    expect((await run('kubectl create cm x --from-literal=a=1 --from-literal=a=2')).stderr).toBe('error: cannot add key "a", another key by that name already exists in Data for ConfigMap "x"\n');
    expect((await run('kubectl create cm x --from-env-file=app.env --from-literal=a=b')).stderr).toBe('error: from-env-file cannot be combined with from-file or from-literal\n');
    expect((await run('kubectl create cm x --from-file=nope.txt')).stderr).toBe('error: error reading nope.txt: no such file or directory\n');
    expect((await run('kubectl create configmap web --from-literal=a=b')).stderr).toBe('error: failed to create configmap: configmaps "web" already exists\n');
    const d = (await run('kubectl describe cm web')).stdout;
    expect(d).toContain('\nData\n====\ncolor:\n----\nblue,green\n\nindex.html:\n----\n<h1>hi</h1>\n\n\npage:\n----\n<h1>hi</h1>\n\n\n\nBinaryData\n====\n\nEvents:  <none>\n');
  });

  it('secrets hold base64 data; get shows TYPE and DATA, describe only sizes', async () => {
    const { run, file } = await open();
    expect((await run('kubectl create secret generic db --from-literal=password=s3cr3t --from-literal=user=admin')).stdout).toBe('secret/db created\n');
    expect((await run('kubectl get secrets')).stdout).toMatch(/^NAME   TYPE     DATA   AGE\ndb     Opaque   2      0s\n$/);
    expect((await run("kubectl get secret db -o jsonpath='{.data.password}'")).stdout).toBe('czNjcjN0');
    const d = (await run('kubectl describe secret db')).stdout;
    expect(d).toContain('\nType:  Opaque\n\nData\n====\npassword:  6 bytes\nuser:      5 bytes\n');
    expect(d).not.toContain('s3cr3t');
    file('tls.crt', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    file('tls.key', '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n');
    expect((await run('kubectl create secret tls web-tls --cert=tls.crt --key=tls.key')).stdout).toBe('secret/web-tls created\n');
    expect((await run('kubectl get secret web-tls')).stdout).toContain('web-tls   kubernetes.io/tls   2      0s\n');
    expect((await run('kubectl create secret tls x --cert=tls.key --key=tls.key')).stderr).toBe('error: tls: failed to find "CERTIFICATE" PEM block in certificate input after skipping PEM blocks of the following types: [PRIVATE KEY]\n');
    expect((await run('kubectl create secret tls x --cert=tls.crt')).stderr).toBe('error: key and cert must be specified\n');
    // The API server checks a TLS secret's keys and refuses data that is not base64.
    file('bad.yaml', 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: t\ntype: kubernetes.io/tls\ndata:\n  tls.crt: QQ==\n');
    expect((await run('kubectl apply -f bad.yaml')).stderr).toBe('The Secret "t" is invalid: data[tls.key]: Required value\n');
    file('bad.yaml', 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: t\ndata:\n  k: not*base64\n');
    expect((await run('kubectl apply -f bad.yaml')).stderr).toBe('Error from server (BadRequest): error when creating "bad.yaml": Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 3\n');
    file('ok.yaml', 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  token: abc\n');
    await run('kubectl apply -f ok.yaml');
    expect((await run("kubectl get secret s -o jsonpath='{.data.token} {.type}'")).stdout).toBe('YWJj Opaque');
  });
});

describe('kubectl create ingress', () => {
  it('builds kubectl\'s rules from host/path=svc:port[,tls=secret]', async () => {
    const { run } = await open();
    const r = await run('kubectl create ingress simple --class=nginx --rule="foo.com/bar=svc1:8080,tls=my-cert" --rule="foo.com/*=svc2:http" --dry-run=client -o yaml');
    expect(r.stdout).toBe(`apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  creationTimestamp: null
  name: simple
spec:
  ingressClassName: nginx
  rules:
  - host: foo.com
    http:
      paths:
      - backend:
          service:
            name: svc1
            port:
              number: 8080
        path: /bar
        pathType: Exact
      - backend:
          service:
            name: svc2
            port:
              name: http
        path: /
        pathType: Prefix
  tls:
  - hosts:
    - foo.com
    secretName: my-cert
status:
  loadBalancer: {}
`);
    expect((await run('kubectl create ingress bad --rule=foo')).stderr).toBe('error: rule foo is invalid and should be in format host/path=svcname:svcport[,tls[=secret]]\n');
    expect((await run('kubectl create ingress bad')).stderr).toBe('error: not enough information provided: every ingress has to either specify a default-backend (which catches all traffic) or a list of rules (which catch specific paths)\n');
    expect((await run('kubectl create ingress web --class=nginx --rule="web.example/*=web:80"')).stdout).toBe('ingress.networking.k8s.io/web created\n');
    expect((await run('kubectl get ing web -o jsonpath={.spec.rules[0].http.paths[0].pathType}')).stdout).toBe('Prefix');
  });
});

describe('kinds the sandbox does not serve', () => {
  it('a CRD kind gets the real resource-mapping error from apply, create and get', async () => {
    const { run, file } = await open();
    file('gw.yaml', 'apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata:\n  name: x\nspec: {}\n');
    const msg = 'error: resource mapping not found for name: "x" namespace: "" from "gw.yaml": no matches for kind "Gateway" in version "gateway.networking.k8s.io/v1"\nensure CRDs are installed first\n';
    expect((await run('kubectl apply -f gw.yaml')).stderr).toBe(msg);
    expect((await run('kubectl create -f gw.yaml')).stderr).toBe(msg);
    expect((await run('kubectl get gateways')).stderr).toBe('error: the server doesn\'t have a resource type "gateways"\n');
    expect((await run('kubectl describe httproute x')).stderr).toBe('error: the server doesn\'t have a resource type "httproute"\n');
  });

  it('a built-in kind the sandbox does not model lists as empty where that is true, and says so otherwise', async () => {
    const { run, file } = await open();
    expect((await run('kubectl get jobs')).stderr).toBe('No resources found in default namespace.\n');
    expect((await run('kubectl get statefulsets.apps web')).stderr).toBe('Error from server (NotFound): statefulsets.apps "web" not found\n');
    expect((await run('kubectl get pv')).stderr).toBe('No resources found\n');
    expect((await run('kubectl get sa')).stderr).toMatch(/^error: the sandbox does not model serviceaccounts/);
    file('sts.yaml', 'apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\nspec: {}\n');
    expect((await run('kubectl apply -f sts.yaml')).stderr).toMatch(/^error: the sandbox does not model StatefulSet objects \(apps\/v1\), which a real API server accepts/);
  });

  it('api-resources lists every kind the sandbox serves, grouped as kubectl sorts them', async () => {
    const { run } = await open();
    const names = (await run('kubectl api-resources -o name')).stdout.trim().split('\n');
    for (const n of ['configmaps', 'endpoints', 'events', 'namespaces', 'nodes', 'pods', 'secrets', 'services', 'daemonsets.apps', 'deployments.apps', 'replicasets.apps', 'endpointslices.discovery.k8s.io', 'ingresses.networking.k8s.io', 'networkpolicies.networking.k8s.io']) expect(names).toContain(n);
    // The kinds a real server serves that the sandbox does not model are listed too.
    for (const n of ['serviceaccounts', 'statefulsets.apps', 'jobs.batch', 'ingressclasses.networking.k8s.io', 'leases.coordination.k8s.io', 'tokenreviews.authentication.k8s.io']) expect(names).toContain(n);
    expect(names.indexOf('services')).toBeLessThan(names.indexOf('mutatingwebhookconfigurations.admissionregistration.k8s.io'));
    expect((await run('kubectl api-resources')).stdout).toMatch(/\nnetworkpolicies {21}netpol {7}networking\.k8s\.io\/v1 {14}true {9}NetworkPolicy\n/);
  });
});

describe('Endpoints and EndpointSlices written for a Service without a selector', () => {
  it('are listed beside the derived ones, and kube-proxy sends the Service to them', async () => {
    const { run, file, session } = await open();
    const web = Object.values(session.sim.state.k8s.pods).find((p) => p.metadata.labels?.app === 'web')!;
    const ip = web.status.podIP!;
    file('ext.yaml', `apiVersion: v1
kind: Service
metadata:
  name: ext
spec:
  ports:
  - name: http
    port: 8080
    targetPort: 9999
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: ext-1
  labels:
    kubernetes.io/service-name: ext
addressType: IPv4
ports:
- name: http
  port: 80
endpoints:
- addresses: ["${ip}"]
`);
    expect((await run('kubectl apply -f ext.yaml')).stdout).toBe('service/ext created\nendpointslice.discovery.k8s.io/ext-1 created\n');
    expect((await run('kubectl get endpointslices ext-1')).stdout).toMatch(new RegExp(`^NAME    ADDRESSTYPE   PORTS   ENDPOINTS +AGE\\next-1   IPv4          80      ${ip.replace(/\./g, '\\.')} +0s\\n$`));
    const clusterIp = session.sim.state.k8s.services['default/ext']!.spec.clusterIP!;
    const save = (await run('kubectl exec client -- wget -qO- -T 2 http://' + clusterIp + ':8080/'));
    expect(save.stdout).toContain('Welcome to nginx!');
    // Endpoints named after the Service are mirrored into a slice and count too.
    await run('kubectl delete endpointslice ext-1');
    file('ep.yaml', `apiVersion: v1
kind: Endpoints
metadata:
  name: ext
subsets:
- addresses:
  - ip: ${ip}
  ports:
  - name: http
    port: 80
`);
    expect((await run('kubectl apply -f ep.yaml')).stdout).toBe('endpoints/ext created\n');
    expect((await run('kubectl get ep ext')).stdout).toContain(`ext    ${ip}:80`);
    const described = (await run('kubectl describe svc ext')).stdout;
    expect(described.split('\n').find((l) => l.startsWith('Endpoints:'))?.split(/ +/)[1]).toBe(`${ip}:80`);
    expect(described).not.toContain('last-applied-configuration');
    expect((await run('kubectl get endpointslices -l endpointslice.kubernetes.io/managed-by=endpointslicemirroring-controller.k8s.io -o name')).stdout).toMatch(/^endpointslice.discovery.k8s.io\/ext-\w{5}\n$/);
    expect((await run('kubectl exec client -- wget -qO- -T 2 http://' + clusterIp + ':8080/')).stdout).toContain('Welcome to nginx!');
    file('bad.yaml', 'apiVersion: v1\nkind: Endpoints\nmetadata:\n  name: bad\nsubsets:\n- addresses:\n  - ip: 300.1.1.1\n');
    expect((await run('kubectl apply -f bad.yaml')).stderr).toBe('The Endpoints "bad" is invalid: subsets[0].addresses[0].ip: Invalid value: "300.1.1.1": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)\n');
  });
});

describe('kubectl apply -f URL', () => {
  it('reads the documentation\'s examples from the bundled copies, and fails elsewhere as kubectl does offline', async () => {
    const { run } = await open();
    expect((await run('kubectl apply -f https://k8s.io/examples/service/networking/run-my-nginx.yaml')).stdout).toBe('deployment.apps/my-nginx created\n');
    expect((await run('kubectl create -f https://raw.githubusercontent.com/kubernetes/website/main/content/en/examples/service/networking/nginx-svc.yaml')).stdout).toBe('service/my-nginx created\n');
    expect((await run('kubectl get pods -l run=my-nginx -o name')).stdout.split('\n').filter(Boolean)).toHaveLength(2);
    expect((await run('kubectl apply -f https://k8s.io/examples/service/networking/gateway.yaml')).stderr).toBe(
      'error: resource mapping not found for name: "example-gateway" namespace: "example-namespace" from "https://k8s.io/examples/service/networking/gateway.yaml": no matches for kind "Gateway" in version "gateway.networking.k8s.io/v1"\nensure CRDs are installed first\n',
    );
    expect((await run('kubectl apply -f https://example.org/x.yaml')).stderr).toMatch(/^error: Get "https:\/\/example\.org\/x\.yaml": dial tcp: lookup example\.org on \d+\.\d+\.\d+\.\d+:53: no such host\n$/);
    expect((await run('kubectl apply -f https://k8s.io/examples/no/such.yaml')).stderr).toMatch(/^error: unable to read URL "https:\/\/k8s\.io\/examples\/no\/such\.yaml": the sandbox has no internet/);
  });

  it('every bundled example parses, and the bundle matches the files beside it', async () => {
    const dir = join(__dirname, 'examples');
    const walk = (d: string): string[] => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : n.endsWith('.yaml') ? [join(d, n)] : []));
    const files = Object.fromEntries(walk(dir).map((f) => [relative(dir, f), readFileSync(f, 'utf8')]));
    expect(EXAMPLES).toEqual(files);
    const { run } = await open();
    for (const path of Object.keys(EXAMPLES)) {
      expect(EXAMPLES[path]!.split('\n')[0]).toBe(`# Source: https://raw.githubusercontent.com/kubernetes/website/main/content/en/examples/${path}`);
      const r = await run(`kubectl apply --dry-run=client -f https://k8s.io/examples/${path}`);
      expect(r.stderr.startsWith('error: error parsing'), `${path}: ${r.stderr}`).toBe(false);
    }
  });
});
