/**
 * The clusters the topology view is measured on, in `npm run bench` (bench/run.ts) and in the
 * browser (bench/topology-browser.mjs): the default cluster (3 nodes, CoreDNS, a busybox
 * client), and 50 nodes (the most a lab may ask for) with a Deployment of 100 nginx pods behind
 * a Service and the same client. Both are plain lab definitions, built by the same session as
 * every lab.
 */
import { defineLab, type LabDefinition } from '../src/labs/schema';

const CLIENT = `apiVersion: v1
kind: Pod
metadata:
  name: client
spec:
  containers:
  - name: client
    image: busybox:1.36
    command: ["sleep", "3600"]
`;

const web = (replicas: number): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: ${replicas}
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
`;

/** The bench's cluster of `nodes` nodes (3: the default cluster and a client; 50: with 100 web pods too). */
export function benchLab(nodes: 3 | 50): LabDefinition {
  return defineLab({
    id: `bench-topology-${nodes}`,
    title: `Topology bench, ${nodes} nodes`,
    summary: nodes === 3 ? 'The default cluster with a client pod.' : 'Fifty nodes, a Deployment of 100 nginx pods behind a Service, and a client pod.',
    topology: { name: 'kubernetes', nodes },
    manifests: nodes === 3 ? CLIENT : `${CLIENT}---\n${web(100)}`,
  });
}
