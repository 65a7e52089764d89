import { defineLab } from '../src/labs/schema';

/**
 * Lab for the lesson "Services: a stable name and address for a changing set of pods".
 * A three-node flannel cluster with a Deployment, web (three agnhost serve-hostname pods that
 * answer every request with their own pod name), a Service web whose selector has a typo
 * (app=wbe, so it has no endpoints), one web pod whose readiness probe fails, and a busybox
 * pod, client. The learner explains the empty endpoints from the selector and fixes it, finds
 * the pod the EndpointSlice lists as not ready, predicts that a ping to the ClusterIP gets no
 * reply, spreads requests over the ready pods, watches the endpoints follow a scale-up, names
 * the label that ties a slice to its Service, and finally builds a Service without a selector
 * whose hand-written EndpointSlice points outside the pod network (kube-proxy's health port on
 * a node, an HTTP server no pod runs).
 */
export const services = defineLab({
  id: 'services',
  title: 'Services, selectors and endpoints',
  summary: 'A three-node cluster with a web Deployment whose pods answer with their own name, a Service web that finds none of them, and a busybox client pod. Fix the Service, see which pods it lists and why, reach it, scale it, and build a Service without a selector.',
  defaultSeed: 1,
  topology: { name: 'kubernetes', nodes: 3 },
  manifests: `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: registry.k8s.io/e2e-test-images/agnhost:2.53
        args: ["serve-hostname"]
        ports:
        - containerPort: 9376
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 9376
---
apiVersion: v1
kind: Pod
metadata:
  name: client
  labels:
    run: client
spec:
  containers:
  - name: client
    image: busybox:1.36
    command: ["sleep", "3600"]
`,
  faults: [
    { kind: 'wrong-selector', service: 'web', selector: { app: 'wbe' } },
    { kind: 'pod-not-ready', labels: { app: 'web' } },
  ],
  bindings: {
    client: { pod: { name: 'client' } },
    sick: { pod: { labels: { app: 'web' } } },
    ok1: { pod: { labels: { app: 'web' }, skip: 1 } },
    ok2: { pod: { labels: { app: 'web' }, skip: 2 } },
    web: { service: { name: 'web' } },
    node1: { node: { name: 'node-1' } },
  },
  tasks: [
    {
      id: 'why-empty',
      title: 'Explain the empty Service',
      description: 'client cannot reach web: `kubectl exec client -- wget -qO- -T 2 http://web/` says `Connection refused`. Compare `kubectl get endpoints web` with `kubectl get pods --show-labels` and `kubectl describe service web`. Why does web have no endpoints? Pick one with `answer why-empty <letter>`, or in the panel.',
      check: {
        choice: {
          options: [
            { text: 'The web pods are not running yet', why: '`kubectl get pods` shows them Running, most of them 1/1 READY, for minutes. A Service lists running pods at once; it is not waiting for them.' },
            { text: 'web selects pods labelled `app=wbe`, and no pod carries that label', correct: true, why: 'The Service\'s selector is the only thing that ties it to pods. The EndpointSlice controller lists every pod whose labels include the selector; the pods carry app=web, so nothing matches and the slice stays empty.' },
            { text: 'kube-proxy has not programmed the ClusterIP yet', why: 'kube-proxy turns endpoints into rules; with no endpoints it has nothing to send traffic to. `kubectl get endpoints web` is empty before kube-proxy is involved at all.' },
            { text: 'The ClusterIP {{web.ip}} is on no interface, so nothing can answer', why: 'A ClusterIP is never on an interface, for working Services too: the client\'s node rewrites it to an endpoint. Here there is no endpoint to rewrite it to.' },
          ],
          wrong: 'Read the Selector line of `kubectl describe service web` and the LABELS column of `kubectl get pods --show-labels`.',
        },
      },
      hints: ['`kubectl describe service web` prints `Selector:` and `Endpoints:` next to each other.'],
      solution: { text: 'The selector (`kubectl describe service web`) says app=wbe; the pods are app=web: b.', steps: ['answer why-empty b'] },
    },
    {
      id: 'fix-selector',
      title: 'Fix the selector',
      description: 'Give web the selector its pods match, app=web, without recreating it: `kubectl patch service web -p \'{"spec": {"selector": {"app": "web"} } }\'` (or `kubectl edit service web`, or the Editor). Then watch the endpoints appear: `kubectl get endpoints web`.',
      check: { state: { endpoints: { service: 'web', min: 1 } } },
      passed: 'The EndpointSlice controller saw the new selector and listed the matching pods at once; kube-proxy on every node rewrote its rules from the slice.',
      hints: ['The patch replaces the value of the `app` key of spec.selector: `kubectl patch service web -p \'{"spec": {"selector": {"app": "web"} } }\'`.'],
      solution: { text: 'Patch the selector to app=web; `kubectl get endpoints web` then lists the ready pods.', steps: ['kubectl patch service web -p \'{"spec": {"selector": {"app": "web"} } }\''] },
    },
    {
      id: 'not-ready',
      title: 'Find the pod the Service leaves out',
      description: 'The Deployment runs three pods, yet `kubectl get endpoints web` lists fewer addresses. Read the slice: `kubectl get endpointslices -l kubernetes.io/service-name=web -o yaml`, and compare with `kubectl get pods -o wide`. Which pod is in the slice but not ready? Answer with `answer not-ready <pod name>`.',
      check: { answer: { expect: '{{sick.name}}', wrong: 'In the slice, each endpoint has `conditions: ready:` and a `targetRef` naming its pod. Look for `ready: false`; `kubectl get pods` shows the same pod 0/1 READY.' } },
      needs: ['fix-selector'],
      passed: '{{sick.name}} ({{sick.ip}}) is selected, so the slice lists it, with ready: false, because its Ready condition is False; Endpoints puts it under notReadyAddresses. kube-proxy sends new connections only to ready endpoints, so it gets no traffic until it is ready again.',
      hints: ['`kubectl get pods` shows one web pod as 0/1 in the READY column.', '`kubectl get endpoints web -o yaml` lists it under `notReadyAddresses`.'],
      solution: { text: '`kubectl get endpointslices -l kubernetes.io/service-name=web -o yaml` lists {{sick.name}} with `ready: false`.', steps: ['answer not-ready {{sick.name}}'] },
    },
    {
      id: 'ping-clusterip',
      title: 'Predict a ping to the ClusterIP',
      description: 'web now has endpoints, and its ClusterIP is {{web.ip}} (`kubectl get service web`). Before you try: will `kubectl exec client -- ping -c 2 -W 1 {{web.ip}}` get a reply? Lock in your prediction with `answer ping-clusterip reply` or `answer ping-clusterip no reply`, then run it.',
      check: {
        predict: {
          reveal: { value: 'ping-outcome', from: '@client', to: '{{web.ip}}' },
          options: ['reply', 'no reply'],
          explain: 'No interface anywhere holds {{web.ip}}. kube-proxy\'s rules rewrite only TCP to port 80 (the Service\'s port and protocol): an ICMP echo request matches no rule, leaves client\'s node by its default route, and nothing answers it. A ClusterIP is not a machine; it is a destination that each node rewrites.',
        },
      },
      needs: ['fix-selector'],
      passed: 'Well predicted.',
      hints: ['Which rules know about {{web.ip}}? `ssh {{client.node}} iptables-save -t nat | grep {{web.ip}}` shows them: what do they match besides the address?'],
      solution: { text: 'Predict no reply, then ping: 100% packet loss.', steps: ['answer ping-clusterip no reply', 'kubectl exec client -- ping -c 2 -W 1 {{web.ip}}'] },
    },
    {
      id: 'spread',
      title: 'Spread requests over the ready pods',
      description: 'Each web pod answers with its own name. Fetch the page several times from client: `for i in 1 2 3 4 5 6 7 8; do kubectl exec client -- wget -qO- http://web/; echo; done`. Passes once both ready pods, {{ok1.name}} and {{ok2.name}}, have answered a connection to the Service.',
      check: {
        all: [
          { observed: { from: '@client', to: '@ok1', proto: 'tcp', port: 80, answered: true, hint: 'Fetch http://web/ from client a few more times.' } },
          { observed: { from: '@client', to: '@ok2', proto: 'tcp', port: 80, answered: true, hint: 'Fetch http://web/ from client a few more times.' } },
        ],
      },
      needs: ['fix-selector'],
      passed: 'Each connection\'s first packet was rewritten on {{client.node}} to one ready endpoint chosen at random; {{sick.name}} never answered, because it is not ready.',
      hints: ['One request makes one connection, and each connection goes to one pod. Run the loop again if one pod has not answered yet.'],
      solution: { text: 'Fetch the page eight times; both ready pods answer.', steps: ['for i in 1 2 3 4 5 6 7 8; do kubectl exec client -- wget -qO- http://web/; echo; done'] },
    },
    {
      id: 'scale-up',
      title: 'Watch the endpoints follow a scale-up',
      description: 'Scale web to five replicas: `kubectl scale deployment web --replicas=5`. Follow the slice with `kubectl get endpointslices -l kubernetes.io/service-name=web`, and the rollout with `kubectl rollout status deployment web --timeout=5s` (without a timeout it would wait for ever: one pod never becomes ready). Passes when web has four ready endpoints: the new pods join as they become ready, and the pod from before stays out.',
      check: {
        all: [
          { state: { field: { object: 'deployment/web', path: 'spec.replicas', equals: '5' } } },
          { state: { endpoints: { service: 'web', ready: 4 } } },
        ],
      },
      needs: ['fix-selector'],
      passed: 'Nobody touched the Service: the new pods carry app=web, so the EndpointSlice controller added them to the slice as soon as each was ready.',
      hints: ['New pods take a few seconds to start; `kubectl rollout status deployment web --timeout=5s` waits for them, then gives up on the one that is never ready.'],
      solution: { text: 'Scale to five and wait for the rollout; four of the five pods are ready.', steps: ['kubectl scale deployment web --replicas=5', 'kubectl rollout status deployment web --timeout=5s'] },
    },
    {
      id: 'slice-label',
      title: 'Name the label that ties a slice to its Service',
      description: 'An EndpointSlice has its own generated name (`kubectl get endpointslices`), so the name does not say which Service it belongs to. Which label key does kube-proxy, and your `-l` selector, use to find a Service\'s slices? Answer with `answer slice-label <key>`.',
      check: { answer: { expect: 'kubernetes.io/service-name', wrong: 'Read the `labels:` of a slice in `kubectl get endpointslices -l kubernetes.io/service-name=web -o yaml`: which one names the Service?' } },
      needs: ['fix-selector'],
      passed: 'kubernetes.io/service-name=web: the controller writes it on every slice it makes, and a slice you write by hand needs it too, as the next task shows.',
      hints: ['It is the key in the `-l` of the commands above.'],
      solution: { text: 'The label kubernetes.io/service-name.', steps: ['answer slice-label kubernetes.io/service-name'] },
    },
    {
      id: 'selectorless',
      title: 'Point a Service outside the pod network',
      description: 'On every node, kube-proxy answers HTTP health checks on port 10256 (`/healthz`): a server that runs in no pod. Give it a Service: a Service `status` with no selector and port 80, and an EndpointSlice you write yourself, labelled `kubernetes.io/service-name: status`, with port 10256 and the address of {{node1.name}}, {{node1.ip}}. Write both with `kubectl apply -f -` and a heredoc (or in the Editor), then try `kubectl exec client -- wget -qO- http://status/healthz`. Passes when client gets an answer from http://status/healthz.',
      check: { probe: { from: '@client', http: 'http://status/healthz', expect: 'ok', body: 'nodeEligible' } },
      needs: ['slice-label'],
      passed: 'A Service without a selector gets no slice from the controller; the one you wrote is all kube-proxy reads, so the ClusterIP now leads to {{node1.ip}}:10256: kube-proxy takes the port from the slice (matched by port name), and a targetPort would be read only by the controller that this Service does not have. The `kubernetes` Service in the default namespace works the same way, pointing at the API server.',
      hints: ['Without a selector, `kubectl get endpointslices -l kubernetes.io/service-name=status` lists only what you write. Check that the slice\'s label names the Service and that its port matches the Service\'s (both unnamed).', 'The slice needs `addressType: IPv4`, `ports: [{port: 10256}]` and `endpoints: [{addresses: ["{{node1.ip}}"]}]`.'],
      solution: {
        text: 'Apply a Service without a selector and an EndpointSlice labelled for it; `kubectl exec client -- wget -qO- http://status/healthz` then answers.',
        steps: [
          'kubectl apply -f - <<EOF\napiVersion: v1\nkind: Service\nmetadata:\n  name: status\nspec:\n  ports:\n  - port: 80\n---\napiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: status-1\n  labels:\n    kubernetes.io/service-name: status\naddressType: IPv4\nports:\n- port: 10256\nendpoints:\n- addresses: ["{{node1.ip}}"]\nEOF',
        ],
      },
    },
  ],
});
