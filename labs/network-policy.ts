import { defineLab } from '../src/labs/schema';

/**
 * The workload of the NetworkPolicy lab: the namespace `shop` and, in it, a Deployment `web` (one
 * nginx pod, app=web) behind a Service `web`, and two busybox pods, `frontend` (app=frontend,
 * the one client that should reach web) and `worker` (app=worker); in `default`, a busybox
 * pod `client`. Shared with the flannel twin (network-policy-flannel.ts) so that both
 * clusters run the same pods.
 */
export const NETWORK_POLICY_MANIFESTS = `
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels:
    app: web
spec:
  replicas: 1
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 80
---
apiVersion: v1
kind: Pod
metadata:
  name: frontend
  namespace: shop
  labels:
    app: frontend
spec:
  containers:
  - name: frontend
    image: busybox:1.36
    command: ["sleep", "3600"]
---
apiVersion: v1
kind: Pod
metadata:
  name: worker
  namespace: shop
  labels:
    app: worker
spec:
  containers:
  - name: worker
    image: busybox:1.36
    command: ["sleep", "3600"]
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
`;

/**
 * The lab's policies, as the solution applies them (the lesson quotes them too). Each line is
 * needed: a `podSelector: {}` or `policyTypes` that changes nothing the lab can see is left
 * out (an omitted podSelector selects every pod, and policyTypes defaults to Ingress, plus
 * Egress when there are egress rules).
 */
export const DEFAULT_DENY = `kubectl apply -f - <<EOF
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: shop}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
EOF`;

export const ALLOW_DNS = `kubectl apply -f - <<EOF
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-dns, namespace: shop}
spec:
  egress:
  - to:
    - namespaceSelector:
        matchLabels: {kubernetes.io/metadata.name: kube-system}
      podSelector:
        matchLabels: {k8s-app: kube-dns}
    ports: [{protocol: UDP, port: 53}, {protocol: TCP, port: 53}]
EOF`;

export const FRONTEND_TO_WEB = `kubectl apply -f - <<EOF
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-ingress, namespace: shop}
spec:
  podSelector:
    matchLabels: {app: web}
  ingress:
  - from:
    - podSelector: {}
    ports: [{protocol: TCP, port: 80}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: frontend-egress, namespace: shop}
spec:
  podSelector:
    matchLabels: {app: frontend}
  egress:
  - to:
    - podSelector: {}
EOF`;

/**
 * Lab for the lesson "NetworkPolicy: default deny, one open path, and who enforces it".
 * A three-node cluster with Canal (flannel's VXLAN for the packets, Calico's Felix for the
 * policies). The learner sees that every pod accepts everything while no policy selects it,
 * locks the namespace `shop` down for ingress and egress, predicts then observes what a
 * connection to a denied pod gets (no answer: Felix drops, it does not reject), names the
 * Felix chain that dropped it from the Packet path view, lets the namespace resolve names
 * again (egress to kube-dns on UDP and TCP 53), picks the selector that means "CoreDNS pods in
 * kube-system" (one peer with both selectors: AND), opens exactly one path (frontend to web on
 * TCP 80: an ingress and an egress policy), graded by probes that this path is open and the
 * others stay closed, and says what the same policies do on flannel alone.
 */
export const networkPolicy = defineLab({
  id: 'network-policy',
  title: 'Lock a namespace down, then open exactly one path',
  summary: 'A three-node cluster whose network plugin is Canal: flannel carries the packets, Calico\'s Felix turns NetworkPolicies into iptables rules on every node. In the namespace shop run a web server and two clients; another client runs in default. Deny everything in shop, watch a packet being dropped, let DNS through, then open exactly one path to the web server.',
  defaultSeed: 1,
  topology: { name: 'kubernetes', nodes: 3, cni: 'canal' },
  manifests: NETWORK_POLICY_MANIFESTS,
  bindings: {
    client: { pod: { name: 'client' } },
    frontend: { pod: { namespace: 'shop', name: 'frontend' } },
    worker: { pod: { namespace: 'shop', name: 'worker' } },
    web: { pod: { namespace: 'shop', labels: { app: 'web' } } },
    webSvc: { service: { namespace: 'shop', name: 'web' } },
    dns: { service: { namespace: 'kube-system', name: 'kube-dns' } },
    coredns: { pod: { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } } },
    controllers: { pod: { namespace: 'kube-system', labels: { 'k8s-app': 'calico-kube-controllers' } } },
  },
  tasks: [
    {
      id: 'open-by-default',
      title: 'See that every pod accepts everything',
      description: 'No NetworkPolicy exists yet (`kubectl get networkpolicy -A`). From `client`, in the namespace `default`, fetch the page of the Service `web` in `shop`: `kubectl exec client -- wget -qO- -T 2 web.shop`.',
      check: { observed: { from: '@client', to: '@web', proto: 'tcp', answered: true, hint: 'Fetch the page from client: `kubectl exec client -- wget -qO- -T 2 web.shop`.' } },
      passed: 'A pod that no policy selects accepts every connection, from any namespace, and may open any connection itself. Isolation begins only when a policy selects the pod.',
      hints: ['The Service\'s name from another namespace is `web.shop` (or `web.shop.svc.cluster.local`).'],
      solution: { text: 'Fetch the page across namespaces.', steps: ['kubectl exec client -- wget -qO- -T 2 web.shop'] },
    },
    {
      id: 'deny-all',
      title: 'Lock the namespace down',
      description: 'Create a NetworkPolicy `default-deny` in `shop` that selects every pod there (`podSelector: {}`), lists both `Ingress` and `Egress` in `policyTypes`, and allows nothing (no `ingress` or `egress` rules). Write it in the Editor and apply it, or use `kubectl apply -f - <<EOF` in the terminal.',
      check: {
        all: [
          { probe: { from: '@client', tcp: '{{web.ip}}:80', expect: 'timeout' } },
          { probe: { from: '@frontend', ping: '{{client.ip}}', expect: 'no-reply' } },
          { state: { field: { object: 'networkpolicy/default-deny', namespace: 'shop', path: '{.spec.policyTypes}', matches: '.*Ingress.*Egress.*|.*Egress.*Ingress.*' } } },
        ],
      },
      passed: 'Every pod in shop is now isolated both ways: nothing reaches them, and they reach nothing, not even CoreDNS.',
      hints: [
        'A policy with `podSelector: {}` selects every pod in its namespace; `policyTypes: [Ingress, Egress]` with no rules allows nothing either way.',
        { text: 'The whole manifest: `apiVersion: networking.k8s.io/v1`, `kind: NetworkPolicy`, `metadata: {name: default-deny, namespace: shop}`, `spec: {podSelector: {}, policyTypes: [Ingress, Egress]}`.', cost: 3 },
      ],
      solution: { text: 'One policy, every pod, both directions, no rules.', steps: [DEFAULT_DENY] },
    },
    {
      id: 'predict-drop',
      title: 'Predict what a denied connection gets',
      needs: ['deny-all'],
      description: 'Now `client` connects to the web pod again, straight to its address: `kubectl exec client -- wget -qO- -T 2 {{web.ip}}`. What comes back for its SYN: `connected`, `refused` (a reset or an ICMP error) or `no answer`? Predict, then run it.',
      check: {
        predict: {
          reveal: { value: 'tcp-outcome', from: '@client', to: '@web' },
          options: ['connected', 'refused', 'no answer'],
          explain: 'Felix\'s deny action is DROP: the SYN is discarded on {{web.node}} without a word, so the client hears nothing and wget gives up after its timeout (`download timed out`). A refusal would need a REJECT rule or a listening kernel to answer; a dropped packet gets neither.',
        },
      },
      hints: ['Canal\'s Felix drops denied packets. Does anything send something back after a drop?'],
      solution: { text: 'A dropped SYN gets no answer at all.', steps: ['answer predict-drop no answer', 'kubectl exec client -- wget -qO- -T 2 {{web.ip}}'] },
    },
    {
      id: 'which-chain',
      title: 'Find the rule that dropped it',
      needs: ['predict-drop'],
      description: 'Open the Packet path view for that wget and find the Filter step where the SYN ends, on {{web.node}}. Its sentence names the chain of the rule that dropped it. Which chain? (`ssh {{web.node}} iptables -S` lists them all.)',
      check: { answer: { expect: 'cali-tw-{{web.veth}}', wrong: 'Read the Filter step of the Packet path view: `filter FORWARD: DROP in CHAIN (...)`. Felix writes one chain for traffic to each pod (`cali-tw-` and the pod\'s cali interface) and one for traffic from it (`cali-fw-`).' } },
      passed: 'cali-tw-{{web.veth}} holds the ingress policy of the web pod: `{{web.veth}}` is the host side of its veth pair. With no policy that allows the SYN, its last policy rule, "Drop if no policies passed packet", drops it.',
      hints: ['`tw` means "to workload": traffic going to the pod.', 'The chain is named after the pod\'s interface on its node: `ssh {{web.node}} ip route get {{web.ip}}`.'],
      solution: { text: 'The drop step names cali-tw- and the web pod\'s interface.', steps: ['answer which-chain cali-tw-{{web.veth}}'] },
    },
    {
      id: 'dns-egress',
      title: 'Let the namespace resolve names again',
      needs: ['deny-all'],
      description: 'With egress denied, `kubectl -n shop exec frontend -- nslookup web` times out: queries to CoreDNS are dropped on the way out. Add a policy `allow-dns` in `shop` that lets every pod there send to the CoreDNS pods (label `k8s-app: kube-dns` in the namespace `kube-system`) on port 53, both UDP and TCP, and nothing else: not to the metrics port 9153 of CoreDNS, not to other pods of kube-system such as `{{controllers.name}}`.',
      check: {
        all: [
          { probe: { from: '@frontend', dns: 'web.shop.svc.cluster.local', to: '{{webSvc.ip}}' } },
          { probe: { from: '@frontend', tcp: '{{coredns.ip}}:53', expect: 'open' } },
          { probe: { from: '@frontend', tcp: '{{coredns.ip}}:9153', expect: 'timeout' } },
          { probe: { from: '@frontend', tcp: '{{controllers.ip}}:53', expect: 'timeout' } },
          { probe: { from: '@frontend', tcp: '{{client.ip}}:80', expect: 'timeout' } },
        ],
      },
      passed: 'DNS answers again, over UDP and over TCP (which a resolver falls back to for a truncated answer), and every other egress from shop is still dropped, even to the other pods of kube-system. Egress rules see the packet after kube-proxy\'s DNAT, so the rule names the CoreDNS pods, not the kube-dns ClusterIP {{dns.ip}}.',
      hints: [
        'Every namespace carries the label `kubernetes.io/metadata.name: <its name>`: select kube-system with it.',
        'Put `namespaceSelector` and `podSelector` in the same `to` entry, and list two ports: `{protocol: UDP, port: 53}` and `{protocol: TCP, port: 53}`.',
      ],
      solution: { text: 'Egress to the CoreDNS pods in kube-system on port 53 over UDP and TCP, for every pod in shop.', steps: [ALLOW_DNS] },
    },
    {
      id: 'and-or',
      title: 'One peer or two',
      description: 'Two ways to write the `to` of `allow-dns`. A: one item, `- namespaceSelector: (kubernetes.io/metadata.name=kube-system)` with `podSelector: (k8s-app=kube-dns)` indented under it, in the same item. B: two items, `- namespaceSelector: (kubernetes.io/metadata.name=kube-system)` and `- podSelector: (k8s-app=kube-dns)`, each with its own dash. Which one allows only the CoreDNS pods of kube-system?',
      check: {
        choice: {
          options: [
            { text: 'A: one peer with both selectors', correct: true, why: 'Both selectors in one peer must match together: pods labelled k8s-app=kube-dns in namespaces labelled kube-system.' },
            { text: 'B: two peers, one selector each', why: 'Two peers are two alternatives: every pod in kube-system, or pods labelled k8s-app=kube-dns in the policy\'s own namespace (a podSelector alone stays in it).' },
            { text: 'Both mean the same', why: 'A list of peers is OR; the selectors inside one peer are AND. The two manifests differ by one dash.' },
          ],
        },
      },
      hints: ['Each item of the `to` list is one peer; a packet needs to match one peer. Count the items.'],
      solution: { text: 'One peer with both selectors is their AND; two peers are an OR.', steps: ['answer and-or a'] },
    },
    {
      id: 'one-path',
      title: 'Open exactly one path',
      needs: ['dns-egress'],
      description: 'Open one path, `frontend` to `web` on TCP port 80, and nothing more: web must not accept other ports, `worker` (in shop) and `client` (in default) must not reach web, and frontend must not reach anything but web (not `worker`, not `client`). Both ends are isolated, so the connection needs an allow at each end: ingress to web, egress from frontend. Check with `kubectl -n shop exec frontend -- wget -qO- -T 2 web`, and from the others.',
      check: {
        all: [
          { probe: { from: '@frontend', http: 'http://web/', body: 'Welcome to nginx' } },
          { probe: { from: '@frontend', tcp: '{{web.ip}}:81', expect: 'timeout' } },
          { probe: { from: '@worker', tcp: '{{web.ip}}:80', expect: 'timeout' } },
          { probe: { from: '@client', tcp: '{{web.ip}}:80', expect: 'timeout' } },
          { probe: { from: '@frontend', tcp: '{{worker.ip}}:80', expect: 'timeout' } },
          { probe: { from: '@frontend', tcp: '{{client.ip}}:80', expect: 'timeout' } },
        ],
      },
      passed: 'One path is open. The allows add up: default-deny, allow-dns and your policies are read together, in no order, and a packet passes an isolated pod when any policy selecting that pod allows it, at both ends. The answers of the allowed connection need no rule: conntrack lets them back through.',
      hints: [
        'Two policies: one selects `app: web` and allows ingress on TCP 80; one selects `app: frontend` and allows egress to pods of shop. Which peers they name decides who else gets through: test from worker and client.',
        'frontend talks to the Service\'s ClusterIP, but Felix sees the packet after the DNAT: an egress rule names pods (or their addresses), never the ClusterIP.',
      ],
      solution: {
        text: 'web accepts TCP 80 from pods of its own namespace; frontend may connect to pods of its own namespace. Each pod\'s own isolation closes the rest: worker may send nothing, client is not in shop, and worker accepts nothing. Naming `app: frontend` in web\'s `from` and `app: web` in frontend\'s `to` also passes, and is stricter.',
        steps: [FRONTEND_TO_WEB],
      },
    },
    {
      id: 'flannel-alone',
      title: 'Say what flannel alone would do',
      description: 'The same four policies applied to a cluster whose network plugin is flannel alone (no policy agent). What happens?',
      check: {
        choice: {
          options: [
            { text: 'The API server refuses them: the cluster has no NetworkPolicy support', why: 'NetworkPolicy is a built-in API: the API server stores it on every cluster, whatever the network plugin.' },
            { text: 'kube-proxy enforces them instead', why: 'kube-proxy programs Services, not policies.' },
            { text: 'They are stored and listed, and nothing enforces them: every path stays open', correct: true, why: 'flannel only moves packets between nodes; no agent turns the policies into rules, so `kubectl get networkpolicy` shows them while traffic flows as before.' },
          ],
        },
      },
      hints: ['Who turns a stored NetworkPolicy into something that drops packets?'],
      solution: { text: 'Stored, never enforced.', steps: ['answer flannel-alone c'] },
    },
  ],
});
