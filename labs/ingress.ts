import { defineLab } from '../src/labs/schema';

/**
 * Lab for the lesson "Ingress: HTTP routing by host and path".
 * A three-node flannel cluster with ingress-nginx installed from its cloud manifest (the
 * controller Deployment behind a LoadBalancer Service with externalTrafficPolicy Local), an
 * echo server (registry.k8s.io/echoserver, one replica, which prints the address each request
 * came from and the headers it got) and hello-app (two replicas), each behind a ClusterIP
 * Service, and no Ingress yet. The learner finds the controller's load balancer address, gets
 * the controller's own 404 with no Ingress, writes an Ingress for a host with `kubectl create
 * ingress`, predicts then sees which address the echo pod reports (the controller pod's: a
 * second TCP connection), traces the request in the packet path (observed: the controller
 * opens its own connection), says why a request without that Host header still gets 404, adds a
 * Prefix path for hello on the same host (probed), and tells which paths a Prefix matches.
 */
export const ingress = defineLab({
  id: 'ingress',
  title: 'Route HTTP by host and path through ingress-nginx',
  summary: 'A three-node cluster with the ingress-nginx controller behind a cloud load balancer, an echo server and a hello app, each behind its own Service, and no Ingress yet. Write Ingresses, curl the load balancer with and without a Host header, and trace a request from the workstation through the controller to a pod.',
  defaultSeed: 1,
  topology: { name: 'kubernetes', nodes: 3, ingress: true },
  manifests: `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: echo
  labels:
    app: echo
spec:
  replicas: 1
  selector:
    matchLabels:
      app: echo
  template:
    metadata:
      labels:
        app: echo
    spec:
      containers:
      - name: echoserver
        image: registry.k8s.io/echoserver:1.10
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
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: hello
  labels:
    app: hello
spec:
  replicas: 2
  selector:
    matchLabels:
      app: hello
  template:
    metadata:
      labels:
        app: hello
    spec:
      containers:
      - name: hello-app
        image: us-docker.pkg.dev/google-samples/containers/gke/hello-app:1.0
        ports:
        - containerPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: hello
spec:
  selector:
    app: hello
  ports:
  - port: 80
    targetPort: 8080
`,
  bindings: {
    lb: { service: { namespace: 'ingress-nginx', name: 'ingress-nginx-controller' } },
    controller: { pod: { namespace: 'ingress-nginx', labels: { 'app.kubernetes.io/component': 'controller' } } },
    echoPod: { pod: { labels: { app: 'echo' } } },
    echo: { service: { name: 'echo' } },
    hello: { service: { name: 'hello' } },
    ws: { host: { name: 'workstation' } },
  },
  tasks: [
    {
      id: 'external-ip',
      title: 'Find the controller\'s address',
      description: 'The ingress controller runs in the namespace `ingress-nginx`, behind a Service of type LoadBalancer: `kubectl -n ingress-nginx get service,pods -o wide`. Which address does the cloud load balancer give it, the one clients outside connect to? Answer with `answer external-ip <address>`.',
      check: { answer: { expect: '{{lb.lbIp}}', normalize: 'ip', wrong: 'Read the EXTERNAL-IP column of `ingress-nginx-controller`, not its CLUSTER-IP (which only pods and nodes reach).' } },
      passed: '{{lb.lbIp}} is held by the cloud load balancer, which sends to the Service\'s node port {{lb.nodePort}}, and from there kube-proxy brings the connection to the controller pod {{controller.name}} on {{controller.node}}: the path the service types lesson followed.',
      hints: ['`kubectl -n ingress-nginx get service ingress-nginx-controller`'],
      solution: { text: 'The EXTERNAL-IP of the controller\'s Service.', steps: ['answer external-ip {{lb.lbIp}}'] },
    },
    {
      id: 'no-rule',
      title: 'Ask the controller with no Ingress',
      description: 'There is no Ingress yet (`kubectl get ingress -A`). Send a request to the load balancer from the workstation anyway and read the answer\'s status line: `curl -i http://{{lb.lbIp}}/`. Which HTTP status code comes back? Answer with `answer no-rule <code>`.',
      check: { answer: { observed: { value: 'http-status', from: 'workstation', to: '{{lb.lbIp}}' }, wrong: 'Read the first line of what `curl -i http://{{lb.lbIp}}/` prints: `HTTP/1.1 <code> <reason>`.' } },
      passed: 'nginx in the controller pod answered itself: with no rule for the request, its catch-all server sends it to the default backend, which returns nginx\'s own 404 page. The network path worked; only the HTTP routing had nothing to route to.',
      hints: ['`curl -i` prints the response headers before the body; the status is on the first line.'],
      solution: { text: 'The controller answers 404 from its default backend.', steps: ['curl -i http://{{lb.lbIp}}/', 'answer no-rule {{expected.no-rule}}'] },
    },
    {
      id: 'write-ingress',
      title: 'Write an Ingress for echo.example.com',
      description: 'Create an Ingress named `echo` of class `nginx` that sends every path of the host `echo.example.com` to the Service `echo`, port 80. In the terminal: `kubectl create ingress echo --class=nginx --rule=\'echo.example.com/*=echo:80\'` (a path ending in `*` is a Prefix path), or write the manifest in the Editor and `kubectl apply -f` it. The grader then sends a request with that Host header to {{lb.lbIp}} itself.',
      check: { probe: { from: 'workstation', http: { url: 'http://{{lb.lbIp}}/', host: 'echo.example.com' }, expect: 200, body: 'client_address=' } },
      passed: 'The controller watched the new Ingress and configured nginx: a server for `echo.example.com` whose `location /` proxies to the endpoints of `echo`. `kubectl get ingress echo` shows ADDRESS {{lb.lbIp}} once the controller\'s next status sync ran (up to a minute).',
      hints: [
        'This controller takes only Ingresses whose `spec.ingressClassName` is `nginx` (`--class=nginx`); one without a class is ignored, so its requests still get 404.',
        '`kubectl create ingress echo --class=nginx --rule=\'echo.example.com/*=echo:80\'`',
      ],
      solution: { text: 'One rule: host echo.example.com, Prefix path /, backend echo:80, class nginx.', steps: ["kubectl create ingress echo --class=nginx --rule='echo.example.com/*=echo:80'"] },
    },
    {
      id: 'backend-source',
      title: 'Predict who the echo pod sees',
      description: 'Next you will send `curl -s -H \'Host: echo.example.com\' http://{{lb.lbIp}}/` from the workstation ({{ws.ip}}). The echo server prints the address the connection to it came from as `client_address`. Which address will it print? Lock your prediction in with `answer backend-source <address>`, then send the request.',
      needs: ['write-ingress'],
      check: {
        predict: {
          reveal: { value: 'seen-source', from: 'workstation', to: '@echoPod' },
          options: ['{{ws.ip}}', '192.168.49.250', '{{controller.nodeIp}}', '{{controller.ip}}'],
          explain: 'The connection from the workstation ends in the controller pod: nginx reads the request, picks the rule, and opens a new TCP connection of its own, from {{controller.ip}}, to the echo pod {{echoPod.ip}}. The address the first connection came from travels on only as a header: look for `x-forwarded-for` and `x-real-ip` in the echo server\'s report.',
        },
      },
      passed: 'Well predicted: a proxy terminates the client\'s connection and opens its own.',
      hints: ['nginx is a proxy: does it forward packets, or does it read the request and make a request of its own?'],
      solution: { text: 'The echo pod sees the controller pod\'s address, {{controller.ip}}.', steps: ['answer backend-source {{controller.ip}}', "curl -s -H 'Host: echo.example.com' http://{{lb.lbIp}}/"] },
    },
    {
      id: 'trace',
      title: 'Trace the two connections',
      description: 'Open the **Packet path** view after that curl (or send it again). Follow the request: workstation, cloud-lb, a node, the controller pod, then a `proxy` step where nginx opens a connection of its own. Where does that second connection go?',
      needs: ['write-ingress'],
      check: {
        all: [
          { observed: { from: 'workstation', to: '{{lb.lbIp}}', proto: 'tcp', through: '@controller', action: 'proxy', answered: true, hint: 'From the workstation: `curl -s -H \'Host: echo.example.com\' http://{{lb.lbIp}}/`.' } },
          {
            choice: {
              options: [
                { text: 'To the ClusterIP of `echo`, {{echo.ip}}, which kube-proxy on {{controller.node}} rewrites to the echo pod', why: 'No step of the second connection carries {{echo.ip}}, and there is no DNAT on its way: ingress-nginx reads the Service\'s endpoints itself and connects to a pod.' },
                { text: 'Straight to the echo pod, {{echoPod.ip}}, port 8080: the controller picked it from the Service\'s endpoints', correct: true, why: 'The controller watches EndpointSlices and load-balances over the pods itself; the Service\'s ClusterIP is never used.' },
                { text: 'Back to cloud-lb, which sends it on to the echo pod', why: 'The second connection starts in the controller pod and stays inside the cluster: pod to pod, through cni0 or the flannel tunnel.' },
                { text: 'Nowhere: the controller forwards the workstation\'s packets to the pod, rewriting their addresses', why: 'Then the echo server would see the same connection, and `client_address` would not be the controller pod\'s. The `proxy` step starts a new handshake (SYN, SYN-ACK, ACK) from the controller.' },
              ],
              wrong: 'Look at the destination of the first packet after the `proxy` step, and compare it with `kubectl get endpoints echo` and `kubectl get service echo`.',
            },
          },
        ],
      },
      passed: 'Two TCP connections: workstation to the controller (through cloud-lb, which rewrites it to a node port, and kube-proxy\'s DNAT on the node), then controller to the pod, with no NAT at all. HTTP routing happens in between, in a process, not in the kernel\'s rules.',
      hints: ['The first packet after the `proxy` step has the controller\'s address as its source. What is its destination?'],
      solution: { text: 'The controller connects to an endpoint of `echo` directly: b.', steps: ['answer trace b'] },
    },
    {
      id: 'no-host',
      title: 'Say why the address alone still gets 404',
      description: 'Now send the request without the Host header: `curl -i http://{{lb.lbIp}}/`. The Ingress exists and the same controller answers, yet the status is 404 again. Why? (`curl -v` shows the request headers curl sends.)',
      needs: ['write-ingress'],
      check: {
        choice: {
          options: [
            { text: 'The load balancer drops requests that name no host', why: 'cloud-lb works on addresses and ports; it never reads HTTP. The 404 page is nginx\'s, from the controller pod.' },
            { text: 'curl sends `Host: {{lb.lbIp}}`, which matches no rule\'s host, so nginx uses its catch-all server, whose only location is the default backend\'s 404', correct: true, why: 'nginx picks a server by the Host header first. With no rule for that host (and no rule without a host), the catch-all server answers.' },
            { text: 'The Ingress takes effect only after its ADDRESS is set', why: 'The controller configures nginx as soon as it sees the Ingress; the ADDRESS column is only the status it reports, at its next sync.' },
            { text: 'The echo pod refuses requests whose Host is an address', why: 'The request never reaches the echo pod: the controller answers 404 itself.' },
          ],
          wrong: 'Run `curl -v http://{{lb.lbIp}}/` and read the `> Host:` line: that is what nginx matches against the rules\' hosts.',
        },
      },
      passed: 'HTTP routing is by name: one address serves every host, and the Host header decides. Real clients send the name they were given, so DNS must point echo.example.com at {{lb.lbIp}}; `curl --resolve echo.example.com:80:{{lb.lbIp}} http://echo.example.com/` does the same without DNS.',
      hints: ['`curl -v` prints each request header it sends after `> `.'],
      solution: { text: 'curl puts the address it was given in Host; no rule has that host: b.', steps: ['answer no-host b'] },
    },
    {
      id: 'add-path',
      title: 'Add a path for hello on the same host',
      description: 'Send `echo.example.com/hello` and everything under it to the Service `hello` (port 80), and leave the rest of the host to echo. Write a second Ingress, `hello`, of class nginx with one Prefix path: `kubectl create ingress hello --class=nginx --rule=\'echo.example.com/hello*=hello:80\'`. Try `curl -s -H \'Host: echo.example.com\' http://{{lb.lbIp}}/hello`.',
      needs: ['write-ingress'],
      check: {
        all: [
          { probe: { from: 'workstation', http: { url: 'http://{{lb.lbIp}}/hello/world', host: 'echo.example.com' }, expect: 200, body: 'Hello, world!' } },
          { probe: { from: 'workstation', http: { url: 'http://{{lb.lbIp}}/other', host: 'echo.example.com' }, expect: 200, body: 'client_address=' } },
        ],
      },
      passed: 'ingress-nginx merges the rules of every Ingress for one host into one nginx server: `/hello` (and what is under it) goes to hello, the longest matching prefix, and the rest still to echo.',
      hints: ['A path ending in `*` in `--rule` is a Prefix path: `echo.example.com/hello*=hello:80`.'],
      solution: { text: 'A second Ingress with a Prefix path /hello on the same host.', steps: ["kubectl create ingress hello --class=nginx --rule='echo.example.com/hello*=hello:80'"] },
    },
    {
      id: 'prefix',
      title: 'Tell which paths a Prefix matches',
      description: 'With the Prefix path `/hello`, which of these requests to echo.example.com go to hello? Try them with `curl -s -H \'Host: echo.example.com\' http://{{lb.lbIp}}<path>` (hello-app answers `Hello, world!`, echo its report). Pick all that go to hello: `answer prefix <letters>`.',
      needs: ['add-path'],
      check: {
        choice: {
          multiple: true,
          options: [
            { text: '`/hello`', correct: true, why: 'The path itself: ingress-nginx writes an exact `location = /hello` for it.' },
            { text: '`/hello/`', correct: true, why: 'A Prefix path matches element by element, and `/hello/` starts with the element `hello`.' },
            { text: '`/hello/v2/index.html`', correct: true, why: 'Everything under `/hello/` (ingress-nginx writes `location /hello/`).' },
            { text: '`/helloworld`', why: '`helloworld` is another path element, not `hello`: a Prefix match is by whole elements, so this goes to echo\'s `/`.' },
            { text: '`/Hello`', why: 'Paths are case-sensitive: this goes to echo\'s `/`.' },
          ],
          wrong: 'Try each path with curl and see who answers: `Hello, world!` is hello, a report with `client_address` is echo.',
        },
      },
      passed: 'Prefix matches by path elements split on `/`; Exact matches the whole path only. ImplementationSpecific leaves it to the controller (for ingress-nginx, a plain nginx prefix, where `/helloworld` would match too).',
      hints: ['A Prefix path matches whole elements between slashes.'],
      solution: { text: '/hello, /hello/ and what is under it; not /helloworld, not /Hello: a,b,c.', steps: ['answer prefix a,b,c'] },
    },
  ],
});
