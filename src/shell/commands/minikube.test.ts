import { describe, expect, it } from 'vitest';
import { openSession } from '../../../tests/support/session';
import { renderTable } from './minikube';

const ENABLE_OUTPUT = `💡  ingress is an addon maintained by Kubernetes. For any concerns contact minikube on GitHub.
You can view the list of minikube maintainers at: https://github.com/kubernetes/minikube/blob/master/OWNERS
    ▪ Using image registry.k8s.io/ingress-nginx/kube-webhook-certgen:v1.4.4
    ▪ Using image registry.k8s.io/ingress-nginx/controller:v1.11.3
    ▪ Using image registry.k8s.io/ingress-nginx/kube-webhook-certgen:v1.4.4
🔎  Verifying ingress addon...
🌟  The 'ingress' addon is enabled
`;

describe('minikube on the default cluster', () => {
  it('names the nodes by their InternalIP, and exists only on the workstation of a minikube-numbered cluster', async () => {
    const t = await openSession({ topology: 'kubernetes' });
    expect(await t.run('minikube ip')).toEqual({ stdout: '192.168.49.2\n', stderr: '', status: 0 });
    expect((await t.run('minikube ip -n node-2')).stdout).toBe('192.168.49.4\n');
    const missing = await t.run('minikube ip --node nope');
    expect([missing.stdout, missing.stderr, missing.status]).toEqual(['\n\n', '❌  Exiting due to GUEST_NODE_RETRIEVE: retrieving node: Could not find node nope\n', 85]);
    expect((await t.run('minikube status')).stdout).toBe('control-plane\ntype: Control Plane\nhost: Running\nkubelet: Running\napiserver: Running\nkubeconfig: Configured\n\nnode-1\ntype: Worker\nhost: Running\nkubelet: Running\n\nnode-2\ntype: Worker\nhost: Running\nkubelet: Running\n\n');
    await t.run('ssh node-1');
    expect((await t.run('minikube ip')).status).toBe(127);
    const docker = await openSession({ topology: 'docker' });
    expect(await docker.run('minikube ip')).toEqual({ stdout: '', stderr: 'bash: minikube: command not found\n', status: 127 });
  });

  it('enables the ingress addon: the controller runs on the control plane, the admission Jobs complete', async () => {
    const t = await openSession({ topology: 'kubernetes' });
    expect(await t.run('minikube addons enable ingress')).toEqual({ stdout: ENABLE_OUTPUT, stderr: '', status: 0 });
    const pods = Object.values(t.session.sim.state.k8s.pods).filter((p) => p.metadata.namespace === 'ingress-nginx');
    expect(pods.map((p) => [p.metadata.name.replace(/-[a-z0-9]{5}$/, '').replace(/-[a-f0-9]{8,10}$/, ''), p.status.phase, p.spec.nodeName]).sort()).toEqual([
      ['ingress-nginx-admission-create', 'Succeeded', 'control-plane'],
      ['ingress-nginx-admission-patch', 'Succeeded', 'control-plane'],
      ['ingress-nginx-controller', 'Running', 'control-plane'],
    ]);
    const get = (await t.run('kubectl get pods -n ingress-nginx')).stdout;
    expect(get).toMatch(/ingress-nginx-admission-create-\w{5} +0\/1 +Completed +0 /);
    expect(get).toMatch(/ingress-nginx-controller-\w+-\w{5} +1\/1 +Running +0 /);
    expect((await t.run('kubectl describe pod -n ingress-nginx -l app.kubernetes.io/component=controller')).stdout).toContain('    Ports:         80/TCP, 443/TCP, 8443/TCP\n    Host Ports:    80/TCP, 443/TCP, 0/TCP\n');
    expect((await t.run('kubectl get svc -n ingress-nginx')).stdout).toMatch(/ingress-nginx-controller +NodePort +[\d.]+ +<none> +80:\d+\/TCP,443:\d+\/TCP/);
    const list = (await t.run('minikube addons list')).stdout.split('\n');
    expect(list.slice(0, 3)).toEqual([
      '|-----------------------------|----------|--------------|--------------------------------|',
      '|         ADDON NAME          | PROFILE  |    STATUS    |           MAINTAINER           |',
      '|-----------------------------|----------|--------------|--------------------------------|',
    ]);
    expect(list).toContain('| ingress                     | minikube | enabled ✅   | Kubernetes                     |');
    expect(list).toContain('| dashboard                   | minikube | disabled     | Kubernetes                     |');
    // tablewriter wraps a cell over 30 columns at the least ragged break.
    expect(list).toContain('| inaccel                     | minikube | disabled     | 3rd party (InAccel             |');
    expect(list).toContain('|                             |          |              | [info@inaccel.com])            |');
    expect(JSON.parse((await t.run('minikube addons list -o json')).stdout).ingress).toEqual({ Profile: 'minikube', Status: 'enabled' });
  });

  it('speaks with 7-bit prefixes when its output is not a colour terminal', async () => {
    const t = await openSession({ topology: 'kubernetes' });
    expect((await t.run('minikube addons disable ingress | cat')).stdout).toBe(`* "The 'ingress' addon is disabled\n`);
    expect((await t.run('echo "$(minikube addons disable ingress)"')).stdout).toBe(`* "The 'ingress' addon is disabled\n`);
    expect((await t.run('MINIKUBE_IN_STYLE=true minikube addons disable ingress | cat')).stdout).toBe(`🌑  "The 'ingress' addon is disabled\n`);
    expect((await t.run('TERM=xterm minikube addons disable ingress')).stdout).toBe(`* "The 'ingress' addon is disabled\n`);
    const enabled = (await t.run('minikube addons enable ingress | cat')).stdout;
    expect(enabled.split('\n').slice(2, 6)).toEqual(['  - Using image registry.k8s.io/ingress-nginx/kube-webhook-certgen:v1.4.4', '  - Using image registry.k8s.io/ingress-nginx/controller:v1.11.3', '  - Using image registry.k8s.io/ingress-nginx/kube-webhook-certgen:v1.4.4', '* Verifying ingress addon...']);
  });

  it('routes an Ingress through the controller on port 80 of the node, and publishes the address within a minute', async () => {
    const t = await openSession({ topology: 'kubernetes' });
    await t.run('minikube addons enable ingress');
    await t.run('kubectl create deployment web --image=gcr.io/google-samples/hello-app:1.0');
    await t.run('kubectl expose deployment web --port=8080');
    await t.run('kubectl apply -f https://k8s.io/examples/service/networking/example-ingress.yaml');
    expect((await t.run('kubectl get ingress')).stdout).toMatch(/example-ingress +nginx +hello-world.example +80 /);
    await t.run('sleep 60');
    expect((await t.run('kubectl get ingress')).stdout).toMatch(/example-ingress +nginx +hello-world.example +192.168.49.2 +80 /);
    expect((await t.run('curl -s --resolve hello-world.example:80:192.168.49.2 http://hello-world.example/any')).stdout).toMatch(/^Hello, world!\nVersion: 1.0.0\nHostname: web-/);
    // Only the node the controller runs on forwards port 80.
    expect((await t.run('curl -sS --resolve hello-world.example:80:192.168.49.3 http://hello-world.example/')).stderr).toContain("Couldn't connect to server");
    await t.run('ssh control-plane');
    const nat = (await t.run('iptables-save -t nat')).stdout;
    await t.run('exit');
    expect(nat).toContain('-A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT\n');
    expect(nat).toMatch(/-A CNI-HOSTPORT-DNAT -p tcp -m comment --comment "dnat name: \\"cbr0\\" id: \\"[0-9a-f]{64}\\"" -m multiport --dports 80,443 -j (CNI-DN-[0-9a-f]{21})\n/);
    expect(nat).toMatch(/-A CNI-DN-[0-9a-f]{21} -p tcp -m tcp --dport 80 -j DNAT --to-destination 10\.244\.0\.\d+:80\n/);
    expect(nat).toContain('-A CNI-HOSTPORT-SETMARK -m comment --comment "CNI portfwd masquerade mark" -j MARK --set-xmark 0x2000/0x2000\n');
    // Disabling the addon removes the controller: its address leaves the Ingress, port 80 closes.
    await t.run('minikube addons disable ingress');
    expect((await t.run('kubectl get ingress')).stdout).toMatch(/example-ingress +nginx +hello-world.example +80 /);
    expect((await t.run('curl -sS --resolve hello-world.example:80:192.168.49.2 http://hello-world.example/')).stderr).toContain("Couldn't connect to server");
    await t.run('ssh control-plane');
    expect((await t.run('iptables-save -t nat')).stdout).not.toContain('CNI-');
  });

  it('gives a Service its node-port URLs, and says why it cannot', async () => {
    const t = await openSession({ topology: 'kubernetes' });
    await t.run('kubectl create deployment web --image=gcr.io/google-samples/hello-app:1.0');
    await t.run('kubectl expose deployment web --type=NodePort --port=8080');
    const early = await t.run('minikube service web --url');
    expect([early.stdout, early.stderr, early.status]).toEqual(['\n\n', '❌  Exiting due to SVC_UNREACHABLE: service not available: no running pod for service web found\n', 115]);
    await t.run('sleep 5');
    const port = t.session.sim.state.k8s.services['default/web']!.spec.ports![0]!.nodePort!;
    expect(await t.run('minikube service web --url')).toEqual({ stdout: `http://192.168.49.2:${port}\n`, stderr: '', status: 0 });
    expect((await t.run('curl -s "$(minikube service web --url)"')).stdout).toMatch(/^Hello, world!\n/);
    const browser = await t.run('minikube service web');
    expect(browser.stdout).toContain(`| default   | web  |        8080 | http://192.168.49.2:${port} |\n`);
    expect(browser.stdout).toContain('🎉  Opening service default/web in default browser...\n');
    expect([browser.stderr, browser.status]).toEqual([`❌  Exiting due to HOST_BROWSER: open url failed: http://192.168.49.2:${port}: exec: "xdg-open": executable file not found in $PATH\n`, 30]);
    expect((await t.run('minikube service kubernetes --url')).stdout).toBe('😿  service default/kubernetes has no node port\n');
    const missing = await t.run('minikube service nope --url');
    expect([missing.stderr, missing.status]).toEqual(["❌  Exiting due to SVC_NOT_FOUND: Service 'nope' was not found in 'default' namespace.\nYou may select another namespace by using 'minikube service nope -n <namespace>'. Or list out all the services using 'minikube service list'\n", 115]);
    const list = (await t.run('minikube service list')).stdout;
    expect(list).toContain('| default     | kubernetes | No node port |                           |\n');
    expect(list).toContain(`| default     | web        |         8080 | http://192.168.49.2:${port} |\n`);
  });

  it("answers bad input in minikube's words and changes nothing", async () => {
    const t = await openSession({ topology: 'kubernetes' });
    const before = JSON.stringify(t.session.sim.state.k8s.namespaces);
    const bad = await t.run('minikube addons enable nope');
    expect([bad.stdout, bad.stderr, bad.status]).toEqual(['\n\n', '❌  Exiting due to MK_ADDON_ENABLE: enable failed: run callbacks: nope is not a valid addon\n', 10]);
    expect((await t.run('minikube addons enable')).stderr).toBe('❌  Exiting due to MK_USAGE: usage: minikube addons enable ADDON_NAME\n');
    expect(await t.run('minikube ipp')).toEqual({ stdout: '', stderr: `Error: unknown command "ipp" for "minikube"\n\nDid you mean this?\n\tcp\n\tip\n\nRun 'minikube --help' for usage.\n`, status: 64 });
    expect(await t.run('minikube ip --bogus')).toEqual({ stdout: '', stderr: "Error: unknown flag: --bogus\nSee 'minikube ip --help' for usage.\n", status: 64 });
    expect(await t.run('minikube status -p dev')).toEqual({ stdout: '🤷  Profile "dev" not found. Run "minikube profile list" to view all profiles.\n👉  To start a cluster, run: "minikube start -p dev"\n', stderr: '', status: 85 });
    expect((await t.run('minikube start')).stderr).toContain('the sandbox does not model `minikube start`');
    expect((await t.run('minikube addons enable dashboard')).status).toBe(1);
    expect(JSON.stringify(t.session.sim.state.k8s.namespaces)).toBe(before);
    expect((await t.run('minikube')).stdout.startsWith('minikube provisions and manages local Kubernetes clusters optimized for development workflows.\n')).toBe(true);
  });
});

describe('minikube completion', () => {
  it('offers subcommands, addon verbs and names, and Service names', async () => {
    const t = await openSession({ topology: 'kubernetes' });
    const c = (line: string): string[] => t.session.complete(line, line.length).candidates;
    expect(c('miniku')).toEqual(['minikube']);
    expect(c('minikube ad')).toEqual(['addons']);
    expect(c('minikube addons e')).toEqual(['enable']);
    expect(c('minikube addons enable ingr')).toEqual(['ingress', 'ingress-dns']);
    expect(c('minikube service ')).toEqual(['kubernetes', 'list']);
    expect(c('minikube ip -n node-')).toEqual(['node-1', 'node-2']);
    const docker = await openSession({ topology: 'docker' });
    expect(docker.session.complete('miniku', 6).candidates).toEqual([]);
  });
});

describe('renderTable', () => {
  it('draws tablewriter v0.0.5 borders, centres the upper-case header and right-aligns numbers', () => {
    expect(renderTable(['Namespace', 'Target Port'], [['default', '8080'], ['x', 'http/80\nhttps/443']])).toBe(
      ['|-----------|-------------|', '| NAMESPACE | TARGET PORT |', '|-----------|-------------|', '| default   |        8080 |', '| x         | http/80     |', '|           | https/443   |', '|-----------|-------------|', ''].join('\n'),
    );
  });
});
