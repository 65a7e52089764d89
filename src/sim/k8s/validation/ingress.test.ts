import { describe, expect, it } from 'vitest';
import { validateIngress } from './ingress';
import { DNS1035, DNS1123_SUBDOMAIN, PORT_RANGE, texts } from './test-util';

const ing = (spec: Record<string, unknown>) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web' }, spec });
const path = (p: Record<string, unknown>) => ({ rules: [{ host: 'shop.example', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } }, ...p }] } }] });

describe('Ingress validation', () => {
  it('accepts rules with hosts, wildcards and named ports, or a default backend', () => {
    expect(texts(validateIngress(ing(path({}))))).toEqual([]);
    expect(texts(validateIngress(ing({ ingressClassName: 'nginx', rules: [{ host: '*.example.com', http: { paths: [{ path: '/api', pathType: 'Exact', backend: { service: { name: 'api', port: { name: 'http' } } } }] } }] })))).toEqual([]);
    expect(texts(validateIngress(ing({ defaultBackend: { service: { name: 'web', port: { number: 80 } } } })))).toEqual([]);
  });

  it('rules or a default backend', () => {
    expect(texts(validateIngress(ing({})))).toEqual(['spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified']);
  });

  it('paths: pathType required and from its enum, absolute, no dot segments', () => {
    expect(texts(validateIngress(ing(path({ pathType: undefined }))))).toEqual(['spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified']);
    expect(texts(validateIngress(ing(path({ pathType: 'Regex' }))))).toEqual(['spec.rules[0].http.paths[0].pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"']);
    expect(texts(validateIngress(ing(path({ path: 'api' }))))).toEqual(['spec.rules[0].http.paths[0].path: Invalid value: "api": must be an absolute path']);
    expect(texts(validateIngress(ing(path({ path: '/a/../b' }))))).toEqual(["spec.rules[0].http.paths[0].path: Invalid value: \"/a/../b\": must not contain '/../'"]);
  });

  it('backends: a Service name and a port number or name, not both', () => {
    expect(texts(validateIngress(ing(path({ backend: { service: { name: 'Web', port: { number: 0 } } } }))))).toEqual([
      `spec.rules[0].http.paths[0].backend.service.name: Invalid value: "Web": ${DNS1035}`,
      'spec.rules[0].http.paths[0].backend: Required value: port name or number is required',
    ]);
    expect(texts(validateIngress(ing(path({ backend: { service: { name: 'web', port: { number: 70000 } } } }))))).toEqual([`spec.rules[0].http.paths[0].backend.service.port.number: Invalid value: 70000: ${PORT_RANGE}`]);
    expect(texts(validateIngress(ing(path({ backend: { service: { name: 'web', port: { number: 80, name: 'http' } } } }))))).toEqual(['spec.rules[0].http.paths[0].backend: Invalid value: "": cannot set both port name & port number']);
    expect(texts(validateIngress(ing(path({ backend: {} }))))).toEqual(['spec.rules[0].http.paths[0].backend: Invalid value: "": resource or service backend is required']);
  });

  it('hosts are DNS names, not IP addresses', () => {
    expect(texts(validateIngress(ing({ rules: [{ host: '10.0.0.1' }, { host: 'Shop.example' }] })))).toEqual([
      'spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address',
      `spec.rules[1].host: Invalid value: "Shop.example": ${DNS1123_SUBDOMAIN}`,
    ]);
  });
});
