import { describe, expect, it } from 'vitest';
import { objectWarnings, podSpecWarnings } from './pod-warnings';

const c = (name: string, ports: Record<string, unknown>[]) => ({ name, image: 'nginx', ports });

describe('the API server\'s port warnings', () => {
  it('warns about two containers of a pod declaring the same port, as v1.32 words it', () => {
    expect(objectWarnings('Pod', { spec: { containers: [c('a', [{ containerPort: 80 }]), c('b', [{ containerPort: 80 }])] } })).toEqual(['spec.containers[1].ports[0]: duplicate port definition with spec.containers[0].ports[0]']);
    // Another protocol, or another port, is no clash.
    expect(podSpecWarnings({ containers: [c('a', [{ containerPort: 53 }]), c('b', [{ containerPort: 53, protocol: 'UDP' }, { containerPort: 54 }])] }, 'spec', true)).toEqual([]);
  });

  it('tells overlapping and ambiguous host ports apart, and walks init containers first', () => {
    const spec = {
      initContainers: [c('init', [{ containerPort: 80, hostPort: 8080 }])],
      containers: [c('a', [{ containerPort: 80 }]), c('b', [{ containerPort: 80, hostPort: 8080, hostIP: '10.0.0.1' }]), c('d', [{ containerPort: 9000, hostIP: '10.0.0.1' }])],
    };
    expect(podSpecWarnings(spec, 'spec', true)).toEqual([
      'spec.containers[0].ports[0]: overlapping port definition with spec.initContainers[0].ports[0]',
      'spec.containers[1].ports[0]: dangerously ambiguous port definition with spec.initContainers[0].ports[0]',
      'spec.containers[1].ports[0]: overlapping port definition with spec.containers[0].ports[0]',
      'spec.containers[2].ports[0]: hostIP set without hostPort: {Name: HostPort:0 ContainerPort:9000 Protocol:TCP HostIP:10.0.0.1}',
    ]);
  });

  it('defaults a host-network pod\'s hostPort first, but not a template\'s', () => {
    const spec = { hostNetwork: true, containers: [c('a', [{ containerPort: 80 }]), c('b', [{ containerPort: 80, hostPort: 80 }])] };
    expect(objectWarnings('Pod', { spec })).toEqual(['spec.containers[1].ports[0]: duplicate port definition with spec.containers[0].ports[0]']);
    expect(objectWarnings('Deployment', { spec: { template: { spec } } })).toEqual(['spec.template.spec.containers[1].ports[0]: overlapping port definition with spec.template.spec.containers[0].ports[0]']);
    expect(objectWarnings('Service', { spec: { ports: [{ port: 80 }, { port: 80 }] } })).toEqual([]);
  });
});
