import { describe, expect, it } from 'vitest';
import { cidr } from '../../ipv4';
import { clusterIpRefusal, validateService, validateServiceUpdate } from './service';
import { DNS1035, LABEL_VALUE, PORT_RANGE, texts } from './test-util';

const svc = (spec: Record<string, unknown>, name = 'web') => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec });
const RANGE = cidr('10.96.0.0/12');
const none = { nodePorts: [], clusterIps: [], serviceCidr: RANGE };

describe('Service validation', () => {
  it('accepts valid services of every type', () => {
    expect(texts(validateService(svc({ selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] }), none))).toEqual([]);
    expect(texts(validateService(svc({ type: 'NodePort', ports: [{ name: 'a', port: 80, nodePort: 30080 }, { name: 'b', port: 80, protocol: 'UDP', nodePort: 30080 }] }), none))).toEqual([]);
    expect(texts(validateService(svc({ type: 'ExternalName', externalName: 'db.example.com' }), none))).toEqual([]);
    expect(texts(validateService(svc({ clusterIP: 'None', selector: { app: 'db' } }), none))).toEqual([]);
    expect(texts(validateService(svc({ type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [{ port: 443, targetPort: 8443 }] }), none))).toEqual([]);
  });

  it('the name is a DNS-1035 label', () => {
    expect(texts(validateService(svc({ ports: [{ port: 80 }] }, '1web'), none))).toEqual([`metadata.name: Invalid value: "1web": ${DNS1035}`]);
  });

  it('type enum, ports required, externalName for ExternalName', () => {
    expect(texts(validateService(svc({ type: 'Internal', ports: [{ port: 80 }] }), none))).toEqual(['spec.type: Unsupported value: "Internal": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"']);
    expect(texts(validateService(svc({ selector: { app: 'web' } }), none))).toEqual(['spec.ports: Required value']);
    expect(texts(validateService(svc({ type: 'ExternalName' }), none))).toEqual(['spec.externalName: Required value']);
  });

  it('ports: named when several, unique, in range, targetPort a number or an IANA_SVC_NAME, protocol enum', () => {
    expect(texts(validateService(svc({ ports: [{ port: 0, targetPort: 70000 }, { name: 'http', port: 80, targetPort: 'my_port', protocol: 'HTTP' }, { name: 'http', port: 80 }] }), none))).toEqual([
      'spec.ports[0].name: Required value',
      `spec.ports[0].port: Invalid value: 0: ${PORT_RANGE}`,
      `spec.ports[0].targetPort: Invalid value: 70000: ${PORT_RANGE}`,
      'spec.ports[1].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
      'spec.ports[1].targetPort: Invalid value: "my_port": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      'spec.ports[2].name: Duplicate value: "http"',
    ]);
    expect(texts(validateService(svc({ ports: [{ name: 'a', port: 80 }, { name: 'b', port: 80 }] }), none))).toEqual([
      'spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
    ]);
  });

  it('nodePort: not with ClusterIP, unique, then in range and free', () => {
    expect(texts(validateService(svc({ ports: [{ port: 80, nodePort: 30080 }] }), none))).toEqual(["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]);
    expect(texts(validateService(svc({ type: 'NodePort', ports: [{ name: 'a', port: 80, nodePort: 30080 }, { name: 'b', port: 81, nodePort: 30080 }] }), none))).toEqual(['spec.ports[1].nodePort: Duplicate value: 30080']);
    expect(texts(validateService(svc({ type: 'NodePort', ports: [{ port: 80, nodePort: 80 }] }), none))).toEqual(['spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767']);
    expect(texts(validateService(svc({ type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }), { nodePorts: [30080], clusterIps: [], serviceCidr: RANGE }))).toEqual(['spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated']);
  });

  it('selector labels, ClusterIP, traffic policy, external IPs', () => {
    expect(texts(validateService(svc({ selector: { app: '<b>' }, ports: [{ port: 80 }], clusterIP: '10.96.300.1', externalTrafficPolicy: 'Local', externalIPs: ['x'] }), none))).toEqual([
      `spec.selector: Invalid value: "<b>": ${LABEL_VALUE}`,
      'spec.clusterIPs[0]: Invalid value: "10.96.300.1": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
      "spec.externalTrafficPolicy: Invalid value: \"Local\": may only be set when `type` is 'NodePort' or 'LoadBalancer'",
      'spec.externalIPs[0]: Invalid value: "x": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
    ]);
    expect(texts(validateService(svc({ ports: [{ port: 80 }], clusterIP: '10.96.0.10' }), { nodePorts: [], clusterIps: ['10.96.0.10'], serviceCidr: RANGE }))).toEqual([
      'spec.clusterIPs: Invalid value: []string{"10.96.0.10"}: failed to allocate IP 10.96.0.10: provided IP is already allocated',
    ]);
  });

  it('a ClusterIP asked for must lie in the service range, less its first and last address', () => {
    const refused = (ip: string) => `spec.clusterIPs: Invalid value: []string{"${ip}"}: failed to allocate IP ${ip}: the provided IP (${ip}) is not in the valid range. The range of valid IPs is 10.96.0.0/12`;
    for (const ip of ['10.244.1.5', '10.95.255.254', '10.112.0.1', '10.96.0.0', '10.111.255.255', '192.168.49.2']) {
      expect(texts(validateService(svc({ ports: [{ port: 80 }], clusterIP: ip }), none)), ip).toEqual([refused(ip)]);
    }
    for (const ip of ['10.96.0.2', '10.100.0.1', '10.111.255.254']) expect(texts(validateService(svc({ ports: [{ port: 80 }], clusterIP: ip }), none)), ip).toEqual([]);
    // Outside the range is said first, even for an address another Service holds elsewhere.
    expect(clusterIpRefusal('10.0.0.10', RANGE, ['10.0.0.10'])).toMatch(/is not in the valid range/);
    expect(clusterIpRefusal('10.96.0.10', cidr('10.96.0.0/24'), ['10.96.0.10'])).toBe('failed to allocate IP 10.96.0.10: provided IP is already allocated');
    expect(clusterIpRefusal('10.96.0.11', RANGE, ['10.96.0.10'])).toBeUndefined();
    expect(texts(validateService(svc({ clusterIP: 'None', selector: { app: 'db' } }), none))).toEqual([]);
  });

  it('on update a ClusterIP may not change once set', () => {
    expect(texts(validateServiceUpdate(svc({ clusterIP: '10.96.0.10' }), '10.96.0.10'))).toEqual([]);
    expect(texts(validateServiceUpdate(svc({}), '10.96.0.10'))).toEqual([]);
    expect(texts(validateServiceUpdate(svc({ clusterIP: '10.96.0.11' }), '10.96.0.10'))).toEqual(['spec.clusterIPs[0]: Invalid value: []string{"10.96.0.11"}: may not change once set']);
  });
});
