import { describe, expect, it } from 'vitest';
import { validatePod } from './pod';
import { DNS1123_LABEL, PORT_RANGE, texts } from './test-util';

const pod = (spec: Record<string, unknown>, metadata: Record<string, unknown> = { name: 'web' }) => ({ apiVersion: 'v1', kind: 'Pod', metadata, spec });
const ctr = (extra: Record<string, unknown> = {}) => ({ name: 'app', image: 'nginx:1.27', ...extra });

describe('Pod validation', () => {
  it('accepts a valid pod', () => {
    expect(texts(validatePod(pod({ containers: [ctr({ ports: [{ name: 'http', containerPort: 80 }, { containerPort: 53, protocol: 'UDP' }] })], restartPolicy: 'Never', dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'] }, hostname: 'h', subdomain: 's', volumes: [{ name: 'v', emptyDir: {} }] })))).toEqual([]);
  });

  it('containers: required, names unique labels, image required and trimmed', () => {
    expect(texts(validatePod(pod({ containers: [] })))).toEqual(['spec.containers: Required value']);
    expect(texts(validatePod(pod({})))).toEqual(['spec.containers: Required value']);
    expect(texts(validatePod(pod({ containers: [{ name: 'Web' }, ctr(), ctr({ image: ' nginx' })] })))).toEqual([
      `spec.containers[0].name: Invalid value: "Web": ${DNS1123_LABEL}`,
      'spec.containers[0].image: Required value',
      'spec.containers[2].name: Duplicate value: "app"',
      'spec.containers[2].image: Invalid value: " nginx": must not have leading or trailing whitespace',
    ]);
    expect(texts(validatePod(pod({ containers: [{ image: 'x' }] })))).toEqual(['spec.containers[0].name: Required value']);
  });

  it('container ports: number in range, unique IANA names, protocol enum', () => {
    expect(texts(validatePod(pod({ containers: [ctr({ ports: [{ containerPort: 70000 }, { containerPort: 0 }, { name: 'http', containerPort: 80 }, { name: 'http', containerPort: 81, protocol: 'HTTP' }, { name: 'Bad_Name', containerPort: 82 }, { containerPort: 83, hostPort: 99999 }] })] })))).toEqual([
      `spec.containers[0].ports[0].containerPort: Invalid value: 70000: ${PORT_RANGE}`,
      'spec.containers[0].ports[1].containerPort: Required value',
      'spec.containers[0].ports[3].name: Duplicate value: "http"',
      'spec.containers[0].ports[3].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
      'spec.containers[0].ports[4].name: Invalid value: "Bad_Name": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      `spec.containers[0].ports[5].hostPort: Invalid value: 99999: ${PORT_RANGE}`,
    ]);
  });

  it('policies, DNS fields, node selector and volumes', () => {
    expect(texts(validatePod(pod({ containers: [ctr()], restartPolicy: 'Sometimes', dnsPolicy: 'Google', hostname: 'Host', nodeSelector: { 'disk type': 'ssd' }, volumes: [{ name: 'v' }, { name: 'v' }, {}] })))).toEqual([
      'spec.volumes[1].name: Duplicate value: "v"',
      'spec.volumes[2].name: Required value',
      'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
      'spec.dnsPolicy: Unsupported value: "Google": supported values: "ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"',
      expect.stringMatching(/^spec\.nodeSelector: Invalid value: "disk type": name part must consist of/),
      `spec.hostname: Invalid value: "Host": ${DNS1123_LABEL}`,
    ]);
    expect(texts(validatePod(pod({ containers: [ctr()], dnsPolicy: 'None' })))).toEqual(['spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None']);
    expect(texts(validatePod(pod({ containers: [ctr()], dnsPolicy: 'None', dnsConfig: {} })))).toEqual(['spec.dnsConfig.nameservers: Required value: must provide at least one DNS nameserver when `dnsPolicy` is None']);
  });
});
