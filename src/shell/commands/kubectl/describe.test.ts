import { describe, expect, it } from 'vitest';
import { openSession } from '../../../../tests/support/session';
import { goTabwriter, rfc1123z } from './describe';

async function open() {
  return (await openSession()).run;
}

describe('goTabwriter', () => {
  it('aligns a column over a block of consecutive lines only', () => {
    expect(goTabwriter('Name:\tx\nLabels:\ta=b\n\tc=d\nConditions:\n  Type\tStatus\n  Ready \tTrue \n')).toBe(
      'Name:    x\nLabels:  a=b\n         c=d\nConditions:\n  Type    Status\n  Ready   True \n',
    );
  });
  it('treats the last cell of a line as outside any column', () => {
    expect(goTabwriter('a\tlong-last-cell\nbbbb\tc\n')).toBe('a     long-last-cell\nbbbb  c\n');
  });
});

describe('kubectl describe', () => {
  it('formats RFC 1123 times with a numeric zone', () => {
    expect(rfc1123z('2025-03-04T09:05:06Z')).toBe('Tue, 04 Mar 2025 09:05:06 +0000');
  });

  it('describes a pod with its IP, node, controller and events', async () => {
    const run = await await open();
    const pods = (await run('kubectl get pods -l app=web -o name')).stdout.trim().split('\n');
    const name = pods[0]!.slice('pod/'.length);
    const ip = (await run(`kubectl get pod ${name} -o jsonpath={.status.podIP}`)).stdout;
    const r = await run(`kubectl describe pod ${name}`);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Name:\\s+${name}\\nNamespace:\\s+default\\n`));
    expect(r.stdout).toContain(`\nIP:               ${ip}\n`);
    expect(r.stdout).toMatch(/\nControlled By:\s+ReplicaSet\/web-/);
    expect(r.stdout).toMatch(/\n {2}Normal {2}Scheduled {2}\d+m {4}default-scheduler {2}Successfully assigned default\//);
    expect(r.stdout.endsWith('\n')).toBe(true);
  });

  it('describes every object of a type, separated by a blank line', async () => {
    const run = await await open();
    const r = await run('kubectl describe pods -l app=web');
    expect(r.stdout.match(/^Name:/gm)).toHaveLength(3);
    expect(r.stdout).toContain('\n\n\nName:');
  });

  it('prints kubectl NotFound errors and exits 1', async () => {
    const run = await await open();
    const r = await run('kubectl describe service nope');
    expect(r.stderr).toBe('Error from server (NotFound): services "nope" not found\n');
    expect(r.status).toBe(1);
    const s = await run('kubectl describe pods -n kube-public');
    expect(s.stderr).toBe('No resources found in kube-public namespace.\n');
  });

  it('prints Events: <none> aligned with the other fields when there are none', async () => {
    const run = await await open();
    const r = await run('kubectl describe service web');
    expect(r.stdout).toMatch(/\nEvents: {19}<none>\n$/);
  });
});

describe('kubectl describe deployment', () => {
  it('reads Progressing ReplicaSetUpdated while the rollout goes on, NewReplicaSetAvailable once it is complete', async () => {
    const run = await open();
    await run('kubectl create deployment hello --image=nginx --replicas=2');
    const early = (await run('kubectl describe deployment hello')).stdout;
    expect(early).toContain('\n  Available      False   MinimumReplicasUnavailable\n  Progressing    True    ReplicaSetUpdated\n');
    await run('sleep 20');
    const done = (await run('kubectl describe deployment hello')).stdout;
    expect(done).toContain('\n  Available      True    MinimumReplicasAvailable\n  Progressing    True    NewReplicaSetAvailable\n');
  });
});

describe('a LoadBalancer Service created from the shell', () => {
  it('reads <pending> until the cloud has built its load balancer, then shows the address with ipMode VIP', async () => {
    const run = await open();
    expect((await run('kubectl expose deployment web --type=LoadBalancer --name=web-lb --port=80')).status).toBe(0);
    expect((await run('kubectl get svc web-lb')).stdout).toMatch(/\nweb-lb +LoadBalancer +[\d.]+ +<pending> +80:\d+\/TCP +0s\n$/);
    const early = (await run('kubectl describe svc web-lb')).stdout;
    expect(early).not.toContain('LoadBalancer Ingress');
    expect(early).toMatch(/\n {2}Normal {2}EnsuringLoadBalancer {2}0s {4}service-controller {2}Ensuring load balancer\n$/);
    await run('sleep 29');
    expect((await run('kubectl get svc web-lb -o jsonpath={.status.loadBalancer}')).stdout).toBe('{}');
    await run('sleep 1');
    expect((await run('kubectl get svc web-lb')).stdout).toMatch(/\nweb-lb +LoadBalancer +[\d.]+ +192\.168\.49\.240 +80:\d+\/TCP +30s\n$/);
    const late = (await run('kubectl describe svc web-lb')).stdout;
    expect(late).toContain('\nLoadBalancer Ingress:     192.168.49.240 (VIP)\n');
    expect(late).toMatch(/EnsuringLoadBalancer {2}30s .*\n.*EnsuredLoadBalancer {3}0s {4}service-controller {2}Ensured load balancer\n$/);
    expect((await run('kubectl get svc web-lb -o jsonpath={.status.loadBalancer.ingress[0].ipMode}')).stdout).toBe('VIP');
  });

  it('answers on its address from the workstation only once the load balancer is built', async () => {
    const run = await open();
    await run('kubectl expose deployment web --type=LoadBalancer --name=web-lb --port=80');
    await run('sleep 10');
    const early = await run('curl -s -m 2 -o /dev/null -w %{http_code} http://192.168.49.240/');
    expect([early.status, early.stdout]).toEqual([28, '000']);
    await run('sleep 20');
    const late = await run('curl -s -o /dev/null -w %{http_code} http://192.168.49.240/');
    expect([late.status, late.stdout]).toEqual([0, '200']);
  });

  it('gets no address when it is deleted before the cloud is done, and a new one starts over', async () => {
    const run = await open();
    await run('kubectl expose deployment web --type=LoadBalancer --name=web-lb --port=80');
    await run('sleep 20');
    await run('kubectl delete svc web-lb');
    await run('kubectl expose deployment web --type=LoadBalancer --name=web-lb --port=80');
    await run('sleep 20');
    expect((await run('kubectl get svc web-lb')).stdout).toContain('<pending>');
    await run('sleep 10');
    expect((await run('kubectl get svc web-lb')).stdout).toContain('192.168.49.240');
  });
});

describe('kubectl get events / kubectl events', () => {
  it('lists events with LAST SEEN, TYPE, REASON, OBJECT and MESSAGE, in the server order', async () => {
    const run = await await open();
    const r = await run('kubectl get events');
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^LAST SEEN +TYPE +REASON +OBJECT +MESSAGE$/);
    const objects = lines.slice(1).map((l) => l.split(/ {3,}/)[3]);
    expect(objects).toContain('deployment/web');
    const a = await run('kubectl get events -A');
    expect(a.stdout.split('\n')[0]).toMatch(/^NAMESPACE +LAST SEEN/);
  });

  it('kubectl events sorts by time and names objects Kind/name', async () => {
    const run = await await open();
    const r = await run('kubectl events --for deployment/web');
    expect(r.stdout).toMatch(/^LAST SEEN +TYPE +REASON +OBJECT +MESSAGE\n\d+m +Normal +ScalingReplicaSet +Deployment\/web +Scaled up replica set web-\w+ from 0 to 3\n$/);
  });
});

describe('kubectl describe of workloads, namespaces and nodes', () => {
  it('describes a ReplicaSet with its controller, pod counts, template and SuccessfulCreate events', async () => {
    const run = await open();
    const r = await run('kubectl describe rs');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Name:           web-\w+\nNamespace:      default\nSelector:       app=web,pod-template-hash=\w+\nLabels:         app=web\n/);
    expect(r.stdout).toContain('\nControlled By:  Deployment/web\nReplicas:       3 current / 3 desired\nPods Status:    3 Running / 0 Waiting / 0 Succeeded / 0 Failed\nPod Template:\n  Labels:  app=web\n');
    expect(r.stdout).toMatch(/\n  Normal  SuccessfulCreate  \d+m +replicaset-controller  Created pod: web-/);
    expect((await run('kubectl describe replicaset nope')).stderr).toBe('Error from server (NotFound): replicasets.apps "nope" not found\n');
  });

  it('describes a DaemonSet, a Namespace and an EndpointSlice in kubectl\'s layouts', async () => {
    const run = await open();
    const ds = (await run('kubectl describe ds kube-proxy -n kube-system')).stdout;
    expect(ds).toContain('\nDesired Number of Nodes Scheduled: 3\nCurrent Number of Nodes Scheduled: 3\n');
    expect(ds).toContain('\nPods Status:  3 Running / 0 Waiting / 0 Succeeded / 0 Failed\n');
    expect(ds).toContain('  Service Account:  kube-proxy\n');
    expect((await run('kubectl describe ns kube-system')).stdout).toBe('Name:         kube-system\nLabels:       kubernetes.io/metadata.name=kube-system\nAnnotations:  <none>\nStatus:       Active\n\nNo resource quota.\n\nNo LimitRange resource.\n');
    const eps = (await run('kubectl describe endpointslice -l kubernetes.io/service-name=web')).stdout;
    expect(eps).toMatch(/\nAddressType:  IPv4\nPorts:\n  Name     Port  Protocol\n  ----     ----  --------\n  <unset>  80    TCP\nEndpoints:\n  - Addresses:  10\.244\./);
  });

  it('describes a node with capacity, ids, its pods\' requests and the totals against allocatable', async () => {
    const run = await open();
    const r = (await run('kubectl describe node control-plane')).stdout;
    expect(r).toContain('\nCapacity:\n  cpu:                2\n  ephemeral-storage:  30298176Ki\n  hugepages-1Gi:      0\n  hugepages-2Mi:      0\n  memory:             4013944Ki\n  pods:               110\nAllocatable:\n');
    expect(r).toMatch(/\n  Machine ID:                 [0-9a-f]{32}\n  System UUID:                [0-9a-f-]{36}\n  Boot ID:                    [0-9a-f-]{36}\n  Kernel Version:/);
    expect(r).toContain('\nNon-terminated Pods:          (8 in total)\n  Namespace                   Name ');
    // coredns: 100m of 2 CPUs is 5%; 70Mi of 3911544Ki is 1.8%, printed as 1%.
    expect(r).toMatch(/\n  kube-system {17}coredns-\w+-\w+ +100m \(5%\) +0 \(0%\) +70Mi \(1%\) +170Mi \(4%\) +\d+m\n/);
    expect(r).toContain('\nAllocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n  Resource           Requests    Limits\n  --------           --------    ------\n  cpu                950m (47%)  0 (0%)\n  memory             290Mi (7%)  340Mi (8%)\n');
    expect(r).not.toContain('ProviderID');
  });

  it('leaves the last-applied configuration out of every describer\'s annotations', async () => {
    const run = await open();
    const doc = ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: cfg', '  annotations:', '    team: net', 'data:', '  a: b'].join('\\n');
    expect((await run(`printf '${doc}\\n' | kubectl apply -f -`)).status).toBe(0);
    expect((await run('kubectl annotate svc web team=net')).status).toBe(0);
    for (const what of ['configmap cfg', 'svc web']) {
      const out = (await run(`kubectl describe ${what}`)).stdout;
      expect(out, what).toMatch(/\nAnnotations: +team: net\n/);
      expect(out, what).not.toContain('last-applied');
    }
  });
});
