import { describe, expect, it } from 'vitest';
import type { ManifestProblem } from './contract';
import { openSession } from '../../tests/support/session';

/** `line:column-endColumn severity message`, with the marked text. */
function shown(text: string, problems: ManifestProblem[]): string[] {
  const lines = text.split('\n');
  return problems.map((p) => `${p.line}:${p.column} [${lines[p.line - 1]!.slice(p.column - 1, p.endColumn - 1)}] ${p.severity} ${p.message}`);
}

const service = (port: string, extra = ''): string => `apiVersion: v1
kind: Service
metadata:
  name: api
spec:
  selector:
    app: web
  ports:
  - name: http
    port: ${port}${extra}
`;

describe('the editor dry run', () => {
  it('prints what kubectl apply --dry-run=server prints and places nothing when all is well', async () => {
    const { session } = await openSession();
    const r = session.dryRun(service('80'), { source: 'api.yaml' });
    expect(r).toEqual({ ok: true, lines: [{ text: 'service/api created (server dry run)', stderr: false }], problems: [] });
    // Nothing was created.
    expect(session.apply(service('80'), { dryRun: true }).lines[0]!.text).toBe('service/api created (dry run)');
  });

  it("places an Invalid status's causes at their values", async () => {
    const { session, run } = await openSession();
    const text = service('70000', '\n    protocol: SCTTP');
    const r = session.dryRun(text, { source: 'api.yaml' });
    expect(r.ok).toBe(false);
    expect(r.lines.map((l) => l.text)).toEqual([
      'The Service "api" is invalid: \n* spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive\n* spec.ports[0].protocol: Unsupported value: "SCTTP": supported values: "SCTP", "TCP", "UDP"\n* spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
    ]);
    // targetPort took the port's value: not written, it is marked at its list item.
    expect(shown(text, r.problems)).toEqual([
      '9:5 [name: http] error spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
      '10:11 [70000] error spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive',
      '11:15 [SCTTP] error spec.ports[0].protocol: Unsupported value: "SCTTP": supported values: "SCTP", "TCP", "UDP"',
    ]);
    expect(r.problems.map((p) => p.field)).toEqual(['spec.ports[0].targetPort', 'spec.ports[0].port', 'spec.ports[0].protocol']);
    expect((await run('kubectl get svc api')).status).toBe(1);
  });

  it('places unknown fields at their keys and a wrong type at its value', async () => {
    const { session } = await openSession();
    const unknown = service('80', '\n    colour: blue\n  sessionAffinty: None');
    expect(shown(unknown, session.dryRun(unknown).problems)).toEqual([
      '11:5 [colour] error Service in version "v1" cannot be handled as a Service: strict decoding error: unknown field "spec.ports[0].colour"',
      '12:3 [sessionAffinty] error Service in version "v1" cannot be handled as a Service: strict decoding error: unknown field "spec.sessionAffinty"',
    ]);
    const typed = service('80', '\n  - name: other\n    port: "81"');
    const [p] = session.dryRun(typed).problems;
    expect(shown(typed, [p!])).toEqual(['12:11 ["81"] error Error from server (BadRequest): error when creating "STDIN": Service in version "v1" cannot be handled as a Service: json: cannot unmarshal string into Go struct field ServicePort.spec.ports.port of type int32']);
  });

  it('places a missing field at its parent, and a kind the server does not serve at kind', async () => {
    const { session } = await openSession();
    const selectorless = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    metadata:\n      labels: {app: d}\n    spec:\n      containers:\n      - image: nginx\n';
    expect(shown(selectorless, session.dryRun(selectorless).problems)).toEqual([
      '5:1 [spec] error spec.selector: Required value',
      '8:7 [labels] error spec.template.metadata.labels: Invalid value: map[string]string{"app":"d"}: `selector` does not match template `labels`',
      '11:9 [image: nginx] error spec.template.spec.containers[0].name: Required value',
    ]);
    const crd = 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n';
    expect(shown(crd, session.dryRun(crd, { source: 'w.yaml' }).problems)).toEqual([
      '2:7 [Widget] error error: resource mapping not found for name: "w" namespace: "" from "w.yaml": no matches for kind "Widget" in version "example.com/v1"\nensure CRDs are installed first',
    ]);
  });

  it('reads the documents in order on one copy of the cluster, and stops at YAML that does not parse', async () => {
    const { session, run } = await openSession();
    const ns = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: shop\n';
    expect(session.dryRun(ns)).toEqual({ ok: true, lines: [{ text: 'namespace/shop created (server dry run)', stderr: false }, { text: 'configmap/c created (server dry run)', stderr: false }], problems: [] });
    expect((await run('kubectl get ns shop')).status).toBe(1);
    const broken = `${service('80')}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n   bad: indent\n---\napiVersion: v1\nkind: Nope\n`;
    const r = session.dryRun(broken);
    expect(r.problems).toHaveLength(1);
    expect(shown(broken, r.problems)[0]!.slice(0, 20)).toBe('16:4 [bad: indent] e');
    expect(r.problems[0]).toMatchObject({ document: 1, severity: 'error' });
    expect(r.problems[0]!.message).toMatch(/^error: error parsing STDIN: error converting YAML to JSON: yaml: line 16: /);
  });

  it('refuses a namespace -n does not allow, at metadata.namespace', async () => {
    const { session } = await openSession();
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: shop\n';
    expect(shown(text, session.dryRun(text, { namespace: 'default' }).problems)).toEqual([
      `5:14 [shop] error error: the namespace from the provided object "shop" does not match the namespace "default". You must pass '--namespace=shop' to perform this operation.`,
    ]);
  });
});
