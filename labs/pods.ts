import { defineLab } from '../src/labs/schema';

/** Two nginx containers in one pod: the second cannot have port 80 (written to the workstation). */
const TWINS = `apiVersion: v1
kind: Pod
metadata:
  name: twins
spec:
  containers:
  - name: blue
    image: nginx:1.27
    ports:
    - containerPort: 80
  - name: green
    image: nginx:1.27
    ports:
    - containerPort: 80
`;

/** nginx on node-2's own network namespace. */
const HOSTWEB = `apiVersion: v1
kind: Pod
metadata:
  name: hostweb
spec:
  hostNetwork: true
  nodeSelector:
    kubernetes.io/hostname: node-2
  containers:
  - name: nginx
    image: nginx:1.27
`;

/**
 * Lab for the lesson "Pods: one network namespace, several containers".
 * Pod web runs nginx (container app) and a busybox sidecar; pod client is another pod; pod
 * probe runs on node-2's own network (hostNetwork). The learner finds that the two containers of
 * web see the same eth0, reaches nginx from the sidecar over localhost and predicts the address
 * nginx sees, finds that localhost in another pod is another namespace, finds the pause process
 * that holds web's namespace on its node, predicts and then watches a second nginx in one pod
 * fail to bind port 80 and crash-loop, reads its error, reads a hostNetwork pod's address, and
 * serves nginx from node-2's own port 80.
 */
export const pods = defineLab({
  id: 'pods',
  title: 'Containers that share a pod',
  summary: 'A three-node cluster with pod web (nginx and a busybox sidecar), a client pod, and a pod on node-2\'s own network. Find the one eth0 both containers see, talk over localhost, find the pause process, watch two web servers fight over port 80, and put nginx on a node\'s address.',
  defaultSeed: 1,
  topology: { name: 'kubernetes', nodes: 3 },
  manifests: `
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels:
    app: web
spec:
  nodeSelector:
    kubernetes.io/hostname: node-1
  containers:
  - name: app
    image: nginx:1.27
    ports:
    - containerPort: 80
  - name: sidecar
    image: busybox:1.36
    command: ["sleep", "3600"]
---
apiVersion: v1
kind: Pod
metadata:
  name: client
spec:
  nodeSelector:
    kubernetes.io/hostname: node-2
  containers:
  - name: client
    image: busybox:1.36
    command: ["sleep", "3600"]
---
apiVersion: v1
kind: Pod
metadata:
  name: probe
spec:
  hostNetwork: true
  nodeSelector:
    kubernetes.io/hostname: node-2
  containers:
  - name: probe
    image: busybox:1.36
    command: ["sleep", "3600"]
`,
  setup: [`cat > twins.yaml <<'EOF'\n${TWINS}EOF`, `cat > hostweb.yaml <<'EOF'\n${HOSTWEB}EOF`],
  bindings: {
    web: { pod: { name: 'web' } },
    client: { pod: { name: 'client' } },
    probe: { pod: { name: 'probe' } },
    ws: { host: { name: 'workstation' } },
    cp: { node: { index: 0 } },
    n1: { node: { name: 'node-1' } },
    n2: { node: { name: 'node-2' } },
    webEth0: { interface: { on: '@web', dev: 'eth0' } },
  },
  tasks: [
    {
      id: 'same-eth0',
      title: 'Find the one eth0',
      description: 'Pod web has two containers, `app` (nginx) and `sidecar` (busybox). Look at eth0 from each: `kubectl exec web -c sidecar -- ip addr show eth0`, and, since the nginx image has no `ip`, `kubectl exec web -c app -- cat /sys/class/net/eth0/address`. Which MAC address does eth0 have in container app? Answer with `answer same-eth0 <MAC>`.',
      check: { answer: { expect: '{{web.mac}}', normalize: 'mac', wrong: 'Read /sys/class/net/eth0/address in container app (`-c app`), and compare it with the `link/ether` line the sidecar prints.' } },
      passed: 'Both containers see eth0 {{web.mac}} with index {{web.ifindex}} and address {{web.ip}}: one interface, in one network namespace, which the pod\'s containers share.',
      hints: ['`-c NAME` picks the container `kubectl exec` runs in.', 'The sidecar\'s `ip addr show eth0` prints `link/ether {{web.mac}}`: is app\'s the same?'],
      solution: { text: 'Both print {{web.mac}}: the containers share one eth0.', steps: ['answer same-eth0 {{web.mac}}'] },
    },
    {
      id: 'predict-source',
      title: 'Predict who nginx sees',
      description: 'In a moment you will fetch nginx\'s page from the sidecar, addressing it as `localhost`. Which source address will nginx see for that connection (the address its access log will show)? Lock in your prediction with `answer predict-source <address>`; the next task runs the fetch.',
      check: {
        predict: {
          reveal: { value: 'seen-source', from: '@web', to: '127.0.0.1' },
          explain: 'The connection went from 127.0.0.1 to 127.0.0.1: it never left the pod\'s `lo`, so nginx logged 127.0.0.1 as the client, not the pod\'s address {{web.ip}}.',
        },
      },
      passed: 'Well predicted.',
      hints: ['`localhost` is 127.0.0.1. A connection to 127.0.0.1 leaves from the loopback interface too.'],
      solution: { text: 'Predict 127.0.0.1: the connection stays on the pod\'s loopback interface.', steps: ['answer predict-source 127.0.0.1'] },
    },
    {
      id: 'localhost',
      title: 'Reach nginx over localhost',
      description: 'From the sidecar, fetch the page nginx serves, addressing it as `localhost`: `kubectl exec web -c sidecar -- wget -qO- http://localhost/`. Then read the line nginx logged for it: `kubectl logs web -c app --tail 1` (the first field is the client\'s address). The lab watches the connection.',
      check: { observed: { from: '@web', to: '127.0.0.1', proto: 'tcp', port: 80, answered: true, hint: 'From the sidecar: `kubectl exec web -c sidecar -- wget -qO- http://localhost/`.' } },
      passed: 'wget in the sidecar connected to 127.0.0.1:80 and nginx in container app answered: both programs use the pod\'s one loopback interface, and nginx logged 127.0.0.1 as the client.',
      hints: ['`-c sidecar` runs wget in the sidecar container; nginx runs in container app of the same pod.'],
      solution: { text: 'Fetch http://localhost/ from the sidecar.', steps: ['kubectl exec web -c sidecar -- wget -qO- http://localhost/'] },
    },
    {
      id: 'other-pod',
      title: 'Try localhost from another pod',
      description: 'Pod client is a separate pod ({{client.ip}}, on {{client.node}}). What does `kubectl exec client -- wget -qO- http://localhost/` do? Pick one with `answer other-pod <letter>`, or in the panel; try it if you like.',
      check: {
        choice: {
          options: [
            { text: 'It gets web\'s nginx page: localhost reaches every container of the cluster', why: 'localhost is 127.0.0.1 on the `lo` of the namespace the program runs in. client\'s namespace is not web\'s.' },
            { text: 'It fails with `Connection refused`: nothing listens on port 80 in client\'s own namespace', correct: true, why: 'wget connected to 127.0.0.1:80 in client\'s network namespace, where no program listens, so client\'s own kernel answered with a reset. To reach web from client, use web\'s address, {{web.ip}}, or a Service.' },
            { text: 'It times out: client\'s localhost is forwarded to its node, which drops it', why: 'Packets to 127.0.0.1 never leave the namespace they are sent in: no node, no bridge, no route is involved.' },
            { text: 'It gets the page from nginx in the node\'s namespace', why: 'The node\'s 127.0.0.1 belongs to the node\'s own namespace. A pod with its own namespace has its own loopback interface.' },
          ],
          wrong: 'Which network namespace does `localhost` belong to when wget runs in pod client?',
        },
      },
      hints: ['Every network namespace has its own `lo` with 127.0.0.1 on it.'],
      solution: { text: 'Connection refused: client\'s 127.0.0.1 is in client\'s own namespace, where nothing listens on 80: b.', steps: ['answer other-pod b'] },
    },
    {
      id: 'pause',
      title: 'Find the process that holds the namespace',
      description: 'On the node that runs web ({{web.node}}: `ssh {{web.node}}`), every pod\'s network namespace is held by a small `/pause` process that the container runtime starts first; the containers\' processes join its namespace. Which pid has the pause process of pod web? Find nginx\'s master process with `ps -ef | grep nginx`, name its namespace with `ip netns identify <pid>`, and list the processes in that namespace with `ip netns pids <name>`. Answer with `answer pause <pid>`.',
      check: { answer: { expect: '{{web.pausePid}}', normalize: 'number', wrong: 'Several pause processes run on {{web.node}}, one per pod. Take the namespace of web\'s nginx (`ip netns identify` with nginx\'s master pid) and look at the pids `ip netns pids` lists there: which one is `/pause` in `ps -ef`?' } },
      passed: 'Pid {{web.pausePid}}, `/pause`, running as user 65535, holds web\'s network namespace ({{web.netns}}). nginx and sleep joined it when they started, and all of them are children of one containerd-shim. The pause process does nothing but sleep: while it lives, so does the namespace, whatever the containers do.',
      hints: ['`ps -ef | grep nginx` on {{web.node}}: the `nginx: master process` line\'s second column is its pid.', '`ip netns pids {{web.netns}}` lists pids in order; find each in `ps -ef`.'],
      solution: { text: 'nginx\'s namespace is {{web.netns}}; `ip netns pids {{web.netns}}` starts with {{web.pausePid}}, which `ps -ef` shows as `/pause`.', steps: ['answer pause {{web.pausePid}}'] },
    },
    {
      id: 'predict-clash',
      title: 'Predict two web servers in one pod',
      description: 'The file twins.yaml in your home directory describes pod twins with two containers, blue and green, both running nginx, which listens on port 80 (`cat twins.yaml`). Before you apply it: what will happen? Pick one with `answer predict-clash <letter>`, or in the panel.',
      check: {
        choice: {
          options: [
            { text: 'Both run, and connections to port 80 are shared between them', why: 'Two programs in one network namespace cannot both bind 0.0.0.0:80 (unless both ask to share it with SO_REUSEPORT, which nginx does not by default): the second bind() fails with EADDRINUSE.' },
            { text: 'green gets an address of its own, so both can use port 80', why: 'Addresses belong to the pod\'s network namespace, and a pod has one. The containers of a pod share it, ports included.' },
            { text: 'The API server refuses the pod because two containers declare port 80', why: 'It accepts the pod. It does warn (`duplicate port definition`), because `ports` is information for people and tools: what a program binds is up to the program.' },
            { text: 'blue takes port 80; green\'s nginx cannot bind it, exits, and the kubelet keeps restarting it, waiting longer each time', correct: true, why: 'Containers start in order: blue\'s nginx binds 0.0.0.0:80 first. green\'s bind() fails with `Address already in use`, nginx gives up after five tries and exits with status 1, and the kubelet restarts it with a growing back-off: CrashLoopBackOff.' },
          ],
          wrong: 'Think of the pod as one machine on which two programs want the same port.',
        },
      },
      hints: ['The two containers share one network namespace: one set of ports.'],
      solution: { text: 'blue binds port 80 first; green\'s nginx fails to bind it, exits, and is restarted with a growing back-off: d.', steps: ['answer predict-clash d'] },
    },
    {
      id: 'clash',
      title: 'Run the twins',
      description: 'Apply the file (`kubectl apply -f twins.yaml`) and watch the pod for half a minute (`kubectl get pod twins -w`, Ctrl+C to stop, or run `kubectl get pod twins` a few times). The lab checks that green has exited with status 1.',
      needs: ['predict-clash'],
      check: { state: { field: { object: 'pod/twins', path: '{.status.containerStatuses[?(@.name=="green")].lastState.terminated.exitCode}', equals: '1' } } },
      passed: 'green has exited with status 1 and been restarted: READY stays 1/2, STATUS goes Running, Error, CrashLoopBackOff, and RESTARTS grows while the kubelet waits 10 s, 20 s, 40 s, ... (up to 5 minutes) between tries. blue keeps serving port 80.',
      hints: ['nginx needs a few seconds to give up: wait with `kubectl get pod twins -w` or `sleep 10`.', '`kubectl describe pod twins` shows green\'s Last State: Terminated, Exit Code 1.'],
      solution: { text: 'Apply twins.yaml and give green\'s nginx a few seconds to fail.', steps: ['kubectl apply -f twins.yaml', 'sleep 10'] },
    },
    {
      id: 'clash-log',
      title: 'Read green\'s error',
      description: 'Read what green\'s nginx wrote before it exited: `kubectl logs twins -c green`. What error did bind() give for port 80? Answer with the error\'s text, as nginx prints it after `98:`, with `answer clash-log <text>`.',
      needs: ['clash'],
      check: { answer: { expect: '(98: ?)?(address already in use|eaddrinuse)', normalize: 'regex', wrong: 'Look for the lines `bind() to 0.0.0.0:80 failed (98: ...)` in `kubectl logs twins -c green`.' } },
      passed: 'Address already in use (errno 98, EADDRINUSE): blue\'s nginx holds 0.0.0.0:80 and [::]:80 in the namespace both containers share. nginx tried five times, 500 ms apart, then said `still could not bind()` and exited. Give one of them another port, or put them in two pods.',
      hints: ['`kubectl logs twins -c green --previous` shows the run before the current one if green is running again.'],
      solution: { text: 'green\'s log says `bind() to 0.0.0.0:80 failed (98: Address already in use)`.', steps: ['answer clash-log Address already in use'] },
    },
    {
      id: 'hostnet-ip',
      title: 'Read a host-network pod\'s address',
      description: 'Pod probe was created with `hostNetwork: true` (`kubectl get pod probe -o yaml`). What IP address does Kubernetes report for it? Answer with `answer hostnet-ip <address>`.',
      check: { answer: { expect: '{{probe.ip}}', normalize: 'ip', wrong: 'Read the IP column of `kubectl get pod probe -o wide`.' } },
      passed: '{{probe.ip}} is {{probe.node}}\'s own address: a hostNetwork pod gets no network namespace of its own, no veth and no address from the pod range. `kubectl exec probe -- ip addr` shows the node\'s interfaces.',
      hints: ['Compare it with `kubectl get nodes -o wide`.'],
      solution: { text: 'probe has {{probe.ip}}, the address of {{probe.node}}.', steps: ['answer hostnet-ip {{probe.ip}}'] },
    },
    {
      id: 'host-port',
      title: 'Serve on a node\'s own port',
      description: 'hostweb.yaml runs nginx with `hostNetwork: true` on node-2. Apply it (`kubectl apply -f hostweb.yaml`), wait until it runs, then fetch http://{{n2.ip}}/ from the workstation (`curl -s http://{{n2.ip}}/ | head -4`): no Service, no port mapping. The lab checks that the workstation gets nginx\'s page from node-2\'s port 80.',
      check: { probe: { from: 'workstation', http: 'http://{{n2.ip}}/', expect: 200, body: 'Welcome to nginx' } },
      passed: 'nginx answered on port 80 of node-2 itself: on the host network a pod\'s ports are the node\'s ports. So they can clash with the node\'s own programs (sshd on 22, the kubelet on 10250) and with other host-network pods on that node: a second hostweb on node-2 would fail to bind port 80 exactly as green did.',
      hints: ['Wait until `kubectl get pod hostweb` says Running.', '`ssh node-2 ss -tlnp` lists nginx on 0.0.0.0:80 among the node\'s own sockets.'],
      solution: { text: 'Apply hostweb.yaml, then curl node-2\'s address on port 80.', steps: ['kubectl apply -f hostweb.yaml', 'sleep 10'] },
    },
  ],
});
