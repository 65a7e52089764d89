import { gzipSync } from 'node:zlib';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { LABS } from '../../../../labs/index';
import { EXAMPLES } from '../../../shell/commands/kubectl/examples/bundle';
import { API_DATA } from './api-data';
import { decode } from './decode';
import { explainType, fieldOf, fieldsOf, fieldText, goType, kindType } from './index';

/** Every document of a manifest text, as plain objects. */
function docs(text: string): unknown[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as unknown)
    .filter((d) => d !== null && d !== undefined);
}

describe('the v1.32 field tree', () => {
  it('has every kind the sandbox serves, with the real fields a manifest may use', () => {
    for (const kind of ['Pod', 'Deployment', 'ReplicaSet', 'DaemonSet', 'Service', 'Endpoints', 'EndpointSlice', 'Ingress', 'NetworkPolicy', 'ConfigMap', 'Secret', 'Namespace', 'Node', 'Event']) {
      expect(kindType(kind), kind).toBeDefined();
    }
    const container = fieldsOf('Container').map((f) => f.name);
    for (const f of ['resources', 'livenessProbe', 'readinessProbe', 'securityContext', 'volumeMounts', 'imagePullPolicy', 'env', 'ports']) expect(container).toContain(f);
    expect(fieldOf('Container', 'name')).toEqual({ name: 'name', type: 'string', required: true });
    expect(fieldOf('ContainerPort', 'protocol')?.enum).toEqual(['SCTP', 'TCP', 'UDP']);
    expect(fieldOf('DeploymentSpec', 'replicas')?.type).toBe('int32');
    expect(fieldOf('DeploymentSpec', 'selector')?.required).toBe(true);
  });

  it('prints types as kubectl explain does and names Go types as encoding/json does', () => {
    expect(explainType(fieldOf('PodSpec', 'containers')!.type)).toBe('[]Container');
    expect(explainType(fieldOf('ObjectMeta', 'labels')!.type)).toBe('map[string]string');
    expect(explainType(fieldOf('ObjectMeta', 'creationTimestamp')!.type)).toBe('string');
    expect(explainType(fieldOf('RollingUpdateDeployment', 'maxSurge')!.type)).toBe('IntOrString');
    expect(explainType(fieldOf('ResourceRequirements', 'limits')!.type)).toBe('map[string]Quantity');
    expect(explainType(fieldOf('EndpointSlice', 'ports')!.type)).toBe('[]EndpointPort');
    expect(explainType(fieldOf('Probe', 'failureThreshold')!.type)).toBe('integer');
    expect(goType('[]Container')).toBe('[]v1.Container');
    expect(goType('int32')).toBe('int32');
  });

  it('describes every field: its own text where the sandbox models it, a generated line otherwise', () => {
    expect(fieldText('PodSpec', 'hostNetwork')).toMatch(/node's network namespace/);
    expect(fieldText('Container', 'livenessProbe')).toBe('The sandbox accepts this field but does not act on it.');
    expect(fieldText('PodStatus', 'nominatedNodeName')).toBe('Part of the state a real cluster reports; the sandbox does not report it.');
  });

  it('ships compact: the data stays well under 60 KB gzipped', () => {
    expect(gzipSync(API_DATA).length).toBeLessThan(20_000);
  });
});

describe('every manifest the sandbox ships decodes strictly', () => {
  it.each(Object.keys(EXAMPLES))('example %s', (path) => {
    for (const obj of docs(EXAMPLES[path]!)) expect(decode(obj).error).toBeUndefined();
  });
  it.each(LABS.map((l) => l.id))('lab %s', (id) => {
    const lab = LABS.find((l) => l.id === id)!;
    for (const obj of docs(lab.manifests)) expect(decode(obj).error).toBeUndefined();
  });
});

const pod = (spec: Record<string, unknown>, metadata: Record<string, unknown> = { name: 'p' }) => ({ apiVersion: 'v1', kind: 'Pod', metadata, spec });

describe('decode', () => {
  it('accepts the fields the sandbox ignores (resources, probes, securityContext)', () => {
    const r = decode(pod({ containers: [{ name: 'c', image: 'nginx', resources: { limits: { cpu: '100m', memory: '64Mi' } }, livenessProbe: { httpGet: { path: '/', port: 'http' } }, securityContext: { runAsUser: 1000 } }] }));
    expect(r).toEqual({ obj: expect.anything(), warnings: [] });
  });

  it('refuses unknown fields with the server message, sorted and joined as the server joins them', () => {
    const r = decode(pod({ foo: 1, containers: [{ name: 'c', image: 'nginx', bar: true }] }, { name: 'p', label: { a: 'b' } }));
    expect(r.error).toBe('Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "metadata.label", unknown field "spec.containers[0].bar", unknown field "spec.foo"');
  });

  it('treats a field of the wrong case as unknown', () => {
    expect(decode(pod({ Containers: [] })).error).toBe('Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.Containers"');
  });

  it('warns of unknown fields under warn and drops them under ignore', () => {
    const obj = pod({ foo: 1, containers: [{ name: 'c', image: 'nginx' }] });
    expect(decode(obj, 'warn')).toEqual({ obj: pod({ containers: [{ name: 'c', image: 'nginx' }] }), warnings: ['unknown field "spec.foo"'] });
    expect(decode(obj, 'ignore')).toEqual({ obj: pod({ containers: [{ name: 'c', image: 'nginx' }] }), warnings: [] });
  });

  it('refuses a value of the wrong type as encoding/json does, whatever the validation', () => {
    const deploy = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: '3', selector: { matchLabels: { app: 'web' } } } };
    expect(decode(deploy, 'ignore').error).toBe('Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32');
    const port = { ...deploy, spec: { template: { spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 'http' }] }] } } } };
    expect(decode(port).error).toBe('Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field ContainerPort.spec.template.spec.containers.ports.containerPort of type int32');
    expect(decode(pod({ containers: { name: 'c' } })).error).toBe('Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal object into Go struct field PodSpec.spec.containers of type []v1.Container');
    expect(decode(pod({ containers: [{ name: 'c', env: [{ name: 'A', value: 8080 }] }] })).error).toBe('Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal number into Go struct field EnvVar.spec.containers.env.value of type string');
    expect(decode(pod({ containers: [{ name: 'c', ports: [{ containerPort: 80.5 }] }] })).error).toBe('Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal number 80.5 into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32');
    expect(decode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: { b: 1 } } }).error).toBe('ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal object into Go struct field ConfigMap.data of type string');
  });

  it('reports the first type error in the order kubectl sends the keys (sorted), before unknown fields', () => {
    const r = decode(pod({ zz: 1, hostNetwork: 'yes', containers: [{ name: 1 }] }));
    expect(r.error).toBe('Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal number into Go struct field Container.spec.containers.name of type string');
  });

  it('parses quantities and IntOrString values as their Go types do', () => {
    expect(decode(pod({ containers: [{ name: 'c', resources: { limits: { memory: '64MB' } } }] })).error).toBe("Pod in version \"v1\" cannot be handled as a Pod: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
    expect(decode(pod({ containers: [{ name: 'c', resources: { limits: { memory: '64Mm' } } }] })).error).toBe("Pod in version \"v1\" cannot be handled as a Pod: unable to parse quantity's suffix");
    expect(decode(pod({ containers: [{ name: 'c', resources: { requests: { cpu: 0.5, memory: '1Gi' } } }] })).error).toBeUndefined();
    expect(decode(pod({ containers: [{ name: 'c', readinessProbe: { tcpSocket: { port: true } } }] })).error).toBe('Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal bool into Go struct field TCPSocketAction.spec.containers.readinessProbe.tcpSocket.port of type int32');
  });

  it('passes kinds and versions outside the schema through', () => {
    const crd = { apiVersion: 'example.com/v1', kind: 'Widget', spec: { anything: 1 } };
    expect(decode(crd)).toEqual({ obj: crd, warnings: [] });
    const old = { apiVersion: 'apps/v1beta1', kind: 'Deployment', spec: { foo: 1 } };
    expect(decode(old)).toEqual({ obj: old, warnings: [] });
  });
});
