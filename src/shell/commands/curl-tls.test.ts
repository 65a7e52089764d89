import { describe, expect, it } from 'vitest';
import { openSession } from '../../../tests/support/session';
import { parseNginxConf } from '../../sim/apps/nginxhttps';
import { looksLikeTls, tlsClientRead, tlsClientStream, tlsServerRead, tlsServerStream } from '../../sim/tls';

const HELP = `More details here: https://curl.se/docs/sslcerts.html

curl failed to verify the legitimacy of the server and therefore could not
establish a secure connection to it. To learn more about this situation and
how to fix it, please visit the web page mentioned above.
`;

/** The tutorial's secure nginx: a certificate for my-nginx, its Secret and ConfigMap, nginx-secure-app and the curl pod. */
async function secureNginx() {
  const t = await openSession({ topology: 'kubernetes' });
  const { run } = t;
  await run('openssl req -x509 -nodes -days 365 -newkey rsa:2048 -keyout /tmp/nginx.key -out /tmp/nginx.crt -subj "/CN=my-nginx/O=my-nginx"');
  await run('kubectl create secret tls nginxsecret --key /tmp/nginx.key --cert /tmp/nginx.crt');
  await run("printf 'server {\\n  listen 80 default_server;\\n  listen [::]:80 default_server ipv6only=on;\\n  listen 443 ssl;\\n  ssl_certificate /etc/nginx/ssl/tls.crt;\\n  ssl_certificate_key /etc/nginx/ssl/tls.key;\\n}\\n' > default.conf");
  await run('kubectl create configmap nginxconfigmap --from-file=default.conf');
  expect((await run('kubectl create -f https://k8s.io/examples/service/networking/nginx-secure-app.yaml')).stdout).toBe('service/my-nginx created\ndeployment.apps/my-nginx created\n');
  await run('kubectl apply -f https://k8s.io/examples/service/networking/curlpod.yaml');
  await run('sleep 60');
  const ip = (await run('kubectl get pods -l run=my-nginx -o jsonpath={.items[0].status.podIP}')).stdout;
  const curlPod = (await run('kubectl get pods -l app=curlpod -o jsonpath={.items[0].metadata.name}')).stdout;
  expect(ip).toMatch(/^10\.244\./);
  return { ...t, ip, curlPod };
}

describe('HTTPS to the tutorial\'s nginx', () => {
  it('the pods start once their Secret and ConfigMap exist, and see them mounted', async () => {
    const { run, curlPod } = await secureNginx();
    expect((await run(`kubectl exec ${curlPod} -- ls /etc/nginx/ssl`)).stdout).toBe('tls.crt\ntls.key\n');
    expect((await run(`kubectl exec ${curlPod} -- cat /etc/nginx/ssl/tls.crt`)).stdout).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
  });

  it('curl: self-signed without -k or --cacert, the page with -k, and with the certificate as CA by its CN', async () => {
    const { run, ip, curlPod } = await secureNginx();
    const ok = await run(`kubectl exec ${curlPod} -- curl https://my-nginx --cacert /etc/nginx/ssl/tls.crt`);
    expect(ok.stdout).toContain('<title>Welcome to nginx!</title>');
    const other = await run(`kubectl exec ${curlPod} -- curl https://my-nginx.default.svc --cacert /etc/nginx/ssl/tls.crt`);
    expect(other.stderr).toBe(`curl: (60) SSL: certificate subject name 'my-nginx' does not match target host name 'my-nginx.default.svc'\n${HELP}command terminated with exit code 60\n`);
    // Pod addresses are reached from a node.
    await run('ssh node-1');
    expect(await run(`curl https://${ip}`)).toEqual({ stdout: '', stderr: `curl: (60) SSL certificate problem: self-signed certificate\n${HELP}`, status: 60 });
    const k = await run(`curl -k https://${ip}`);
    expect(k.status).toBe(0);
    expect(k.stdout).toContain('<h1>Welcome to nginx!</h1>');
    expect((await run(`curl --cacert /nope https://${ip}`)).stderr).toBe('curl: (77) error setting certificate file: /nope\n');
    expect((await run(`curl -s https://${ip}`)).stderr).toBe('');
  });

  it('plain HTTP to the ssl port is nginx\'s 400, and TLS to the plain port is curl\'s (35)', async () => {
    const { run, ip } = await secureNginx();
    await run('ssh node-1');
    const plain = await run(`curl -s http://${ip}:443`);
    expect(plain.stdout).toContain('<center>The plain HTTP request was sent to HTTPS port</center>');
    expect((await run(`curl -k https://${ip}:80`)).stderr).toBe('curl: (35) OpenSSL/3.0.13: error:0A00010B:SSL routines::wrong version number\n');
  });

  it('through the NodePort of the https port from the workstation', async () => {
    const { run, session } = await secureNginx();
    const svc = session.sim.state.k8s.services['default/my-nginx']!;
    const np = svc.spec.ports!.find((p) => p.name === 'https')!.nodePort!;
    expect((await run(`curl -k https://192.168.49.2:${np}`)).stdout).toContain('<h1>Welcome to nginx!</h1>');
  });
});

describe('the sandbox\'s TLS records', () => {
  it('carry the request and the response with the certificate, and are told apart from plain HTTP', () => {
    const req = Uint8Array.from('GET / HTTP/1.1\r\n\r\n', (c) => c.charCodeAt(0));
    const stream = tlsClientStream('my-nginx', req);
    expect(looksLikeTls(stream)).toBe(true);
    expect(looksLikeTls(req)).toBe(false);
    const read = tlsServerRead(stream)!;
    expect(read.sni).toBe('my-nginx');
    expect(Array.from(read.request)).toEqual(Array.from(req));
    const back = tlsClientRead(tlsServerStream('-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n', req))!;
    expect(back.certificate).toContain('BEGIN CERTIFICATE');
    expect(Array.from(back.response)).toEqual(Array.from(req));
    expect(tlsClientRead(req)).toBeUndefined();
  });

  it('nginx config: listen ports, ssl, the certificate files; IPv6 listens skipped', () => {
    expect(parseNginxConf('server {\n listen 80 default_server;\n listen [::]:80 ipv6only=on;\n listen 443 ssl; # https\n ssl_certificate /c;\n ssl_certificate_key /k;\n}\n')).toEqual({ listens: [{ port: 80, ssl: false }, { port: 443, ssl: true }], certificate: '/c', key: '/k' });
  });
});
