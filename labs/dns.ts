import { defineLab } from '../src/labs/schema';

/**
 * Lab for the lesson "DNS in the cluster: CoreDNS, search domains and ndots".
 * The cluster's CoreDNS forwards outside names to an address that does not answer (its
 * Corefile was edited before the learner arrives, and CoreDNS's reload plugin took the change
 * in). The learner reads a pod's resolv.conf, finds the CoreDNS pods behind kube-dns, sees a
 * query DNATed to one of them, resolves a Service by its short and full names, predicts then
 * observes the first name the search list makes the resolver ask for `example.com`, counts the
 * names tried, names a pod's record, then finds the broken `forward` line in CoreDNS's logs and
 * fixes it in the `coredns` ConfigMap: graded by the ConfigMap and by a lookup that succeeds.
 */
export const dns = defineLab({
  id: 'dns',
  title: 'Follow a lookup through CoreDNS, then fix it',
  summary: 'A three-node cluster with a web Deployment, its Service and a busybox client pod. Names inside the cluster resolve, names outside it do not. Follow a lookup from the pod to CoreDNS, watch the search list at work, then find what is wrong in CoreDNS\'s configuration and fix it.',
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
  replicas: 2
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
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - name: http
    port: 80
    targetPort: 80
`,
  setup: [
    "kubectl -n kube-system get configmap coredns -o yaml | sed 's|forward . /etc/resolv.conf|forward . 10.0.0.53|' | kubectl apply -f -",
    'sleep 40',
  ],
  bindings: {
    client: { pod: { name: 'client' } },
    dns: { service: { namespace: 'kube-system', name: 'kube-dns' } },
    web: { service: { name: 'web' } },
    target: { pod: { labels: { app: 'web' } } },
  },
  tasks: [
    {
      id: 'nameserver',
      title: 'Read the client\'s resolver configuration',
      description: 'Print the client pod\'s `/etc/resolv.conf` (`kubectl exec client -- cat /etc/resolv.conf`). Which address does every lookup in the pod go to?',
      check: { answer: { expect: '{{dns.ip}}', normalize: 'ip', wrong: 'Read the `nameserver` line: the kubelet writes the cluster DNS address there for every pod with the default dnsPolicy.' } },
      passed: '{{dns.ip}} is the ClusterIP of the `kube-dns` Service in kube-system: the kubelet\'s clusterDNS setting.',
      hints: ['The line starts with `nameserver`.'],
      solution: { text: 'Print the file and read its `nameserver` line.', steps: ['answer nameserver {{dns.ip}}'] },
    },
    {
      id: 'coredns-pods',
      title: 'Find who answers behind that address',
      description: 'Nothing answers on a ClusterIP itself. Which pod addresses stand behind `kube-dns`? Give them all, separated by spaces.',
      check: { answer: { expect: '{{dns.endpointIps}}', normalize: 'set', element: 'ip', wrong: 'List the Service\'s endpoints: `kubectl -n kube-system get endpoints kube-dns`, or the CoreDNS pods with `kubectl -n kube-system get pods -l k8s-app=kube-dns -o wide`. Give each address once.' } },
      passed: 'Two CoreDNS replicas, each listening on port 53 (UDP and TCP) and serving metrics on 9153.',
      hints: ['The CoreDNS pods carry the label `k8s-app=kube-dns`.', 'Look in the kube-system namespace: `kubectl -n kube-system get endpoints kube-dns`.'],
      solution: { text: 'The Service\'s endpoints are the CoreDNS pods.', steps: ['answer coredns-pods {{dns.endpointIps}}'] },
    },
    {
      id: 'short-name',
      title: 'Resolve a Service by its short name',
      description: 'From the client, look up the Service `web` by its short name (`kubectl exec client -- nslookup web`). The query goes to {{dns.ip}}; kube-proxy\'s rules on the client\'s node rewrite its destination to one of the CoreDNS pods. To which address? Open the Packet path view after the lookup and find the DNAT step.',
      check: { answer: { observed: { value: 'dnat-destination', from: '@client', to: '{{dns.ip}}' }, wrong: 'Give the address the query to {{dns.ip}} was rewritten to in your own lookup: the DNAT step of the Packet path view shows it. It is one of the kube-dns endpoints.' } },
      passed: 'The answer for `web.default.svc.cluster.local` is {{web.ip}}, the Service\'s ClusterIP. The short name worked because the first search domain, `default.svc.cluster.local`, completed it.',
      hints: ['`kubectl exec client -- nslookup web`'],
      solution: { text: 'Look the short name up from the client.', steps: ['kubectl exec client -- nslookup web', 'answer short-name {{expected.short-name}}'] },
    },
    {
      id: 'full-name',
      title: 'Name the Service in full',
      description: 'What is the fully qualified name of the Service `web` in the namespace `default`? Check it with `kubectl exec client -- nslookup <name>`.',
      check: { answer: { expect: ['web.default.svc.cluster.local', 'web.default.svc.cluster.local.'], wrong: 'A Service\'s name is `<service>.<namespace>.svc.<cluster domain>`, and the cluster domain here is cluster.local.' } },
      passed: 'A name with the namespace works from any namespace; the short name `web` only from pods in `default`.',
      hints: ['`<service>.<namespace>.svc.<cluster domain>`'],
      solution: { text: 'Service, namespace, `svc`, then the cluster domain.', steps: ['answer full-name web.default.svc.cluster.local'] },
    },
    {
      id: 'first-query',
      title: 'Predict the first question for an outside name',
      description: 'The client\'s resolv.conf says `options ndots:5`, and `example.com` has one dot. When a program in the client (ping, wget) looks up `example.com`, which name does the first query ask CoreDNS about? Predict, then run `kubectl exec client -- ping -c 1 example.com` (it may fail: that is fine for now).',
      check: {
        predict: {
          reveal: { value: 'dns-question', from: '@client', to: '{{dns.ip}}' },
          options: ['example.com', 'example.com.default.svc.cluster.local', 'example.com.cluster.local'],
          explain: 'A name with fewer dots than ndots is tried with each search domain first, in order: `example.com.default.svc.cluster.local`, then `.svc.cluster.local`, then `.cluster.local`, and only then as it is.',
        },
      },
      hints: ['Read the `search` line of the client\'s resolv.conf, and the ndots rule: fewer dots than ndots means "search first".'],
      solution: { text: 'The resolver appends the first search domain first.', steps: ['answer first-query example.com.default.svc.cluster.local', 'kubectl exec client -- ping -c 1 example.com'] },
    },
    {
      id: 'count-names',
      title: 'Count the names one lookup tries',
      description: 'Watch the queries on the client\'s node ({{client.node}}): in a second terminal run `ssh {{client.node}}` then `tcpdump -ni cni0 udp port 53`, and run `kubectl exec client -- ping -c 1 example.com` again in the first. How many different names does the resolver ask about for that one lookup?',
      check: { answer: { expect: '4', normalize: 'number', wrong: 'Count the distinct names after `A?` in the capture: every search domain, then the name as it is.' } },
      passed: 'Three search domains plus the name itself. A real glibc resolver also asks for AAAA records alongside each A query, so a real capture shows twice as many queries. A final dot (`example.com.`) or `ndots` lowered in the pod\'s dnsConfig skips the search.',
      hints: ['Each line `A? NAME.` in tcpdump\'s output is one query.', 'Three search domains, then the name itself.'],
      solution: { text: 'Count the queries for the one lookup.', steps: ['answer count-names 4'] },
    },
    {
      id: 'pod-record',
      title: 'Pick the name of a pod\'s record',
      description: 'A pod in the namespace `default` has the address 10.244.1.3. Which name does CoreDNS answer with that address (kubeadm\'s Corefile has `pods insecure`)? Try your choice with nslookup from the client, and try the same with the address of `{{target.name}}` ({{target.ip}}).',
      check: {
        choice: {
          options: [
            { text: '`10.244.1.3.default.svc.cluster.local`', why: 'The `svc` part of the tree holds Services, not pods.' },
            { text: '`10.244.1.3.default.pod.cluster.local`', why: 'The address is written with dashes, not dots, so that it stays one label: this name has four labels more than the schema allows.' },
            { text: '`10-244-1-3.default.pod.cluster.local`', correct: true, why: 'The address with dashes, the namespace, `pod`, then the cluster domain.' },
          ],
        },
      },
      hints: ['Dots inside a label would split it: the address is written with dashes.'],
      solution: { text: 'The dashed address under `<namespace>.pod.cluster.local`.', steps: ['answer pod-record c'] },
    },
    {
      id: 'find-fault',
      title: 'Find why outside names fail',
      description: 'Outside names fail (`ping: bad address`), cluster names work. Read CoreDNS\'s logs (`kubectl -n kube-system logs -l k8s-app=kube-dns`). To which address is CoreDNS forwarding the names it does not own?',
      check: { answer: { expect: '10.0.0.53', normalize: 'ip', wrong: 'Read the `[ERROR] plugin/errors` lines: `read udp POD:PORT->ADDRESS:53: i/o timeout` names the upstream it waited for. Or read the `forward` line of the Corefile in `kubectl -n kube-system get configmap coredns -o yaml`.' } },
      passed: 'The `forward . 10.0.0.53` line sends every outside name to a server that never answers: CoreDNS gives up and returns SERVFAIL. The `[INFO] Reloading` lines show the Corefile was changed after CoreDNS started.',
      hints: ['Look for `i/o timeout` in the logs.', 'The Corefile lives in the `coredns` ConfigMap in kube-system.'],
      solution: { text: 'The errors plugin logs each failed forward with the upstream\'s address.', steps: ['answer find-fault 10.0.0.53'] },
    },
    {
      id: 'fix-forward',
      title: 'Fix CoreDNS through its ConfigMap',
      description: 'Put kubeadm\'s upstream back: CoreDNS should forward to the resolvers in its node\'s `/etc/resolv.conf`. Edit the `coredns` ConfigMap (`kubectl -n kube-system edit configmap coredns` in the Editor, or `get -o yaml | sed | kubectl apply -f -` in the terminal), then wait for the reload plugin to pick it up (up to about 40 seconds: watch the logs for `Reloading complete`) and look `example.com` up from the client again.',
      check: {
        probe: { from: '@client', dns: 'example.com', expect: 'resolves' },
      },
      passed: 'No restart was needed: the `reload` plugin re-read the Corefile, and both replicas now forward outside names upstream again.',
      hints: ['The line to change is `forward . 10.0.0.53`; kubeadm writes `forward . /etc/resolv.conf`.', '`kubectl -n kube-system get configmap coredns -o yaml | sed \'s|forward . 10.0.0.53|forward . /etc/resolv.conf|\' | kubectl apply -f -`, then `sleep 40`.'],
      solution: {
        text: 'Change the forward line back in the ConfigMap and let CoreDNS reload it.',
        steps: [
          "kubectl -n kube-system get configmap coredns -o yaml | sed 's|forward . 10.0.0.53|forward . /etc/resolv.conf|' | kubectl apply -f -",
          'sleep 40',
        ],
      },
    },
  ],
});
