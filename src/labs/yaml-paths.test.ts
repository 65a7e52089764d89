import { describe, expect, it } from 'vitest';
import { LineCounter, parseAllDocuments, type Document } from 'yaml';
import { jsonKindOf, locateField, parseFieldPath } from './yaml-paths';

const service = `apiVersion: v1
kind: Service
metadata:
  name: web
  labels:
    app.kubernetes.io/name: web
spec:
  selector:
    app: web
  ports:
  - name: http
    port: 80
  - name: other
    port: 70000
    targetPort: "8080"
`;

function parsed(text: string): { lc: LineCounter; docs: Document[] } {
  const lc = new LineCounter();
  return { lc, docs: parseAllDocuments(text, { lineCounter: lc }) as Document[] };
}

/** The marked text on its line, and where. */
function mark(text: string, path: string, at: 'key' | 'value', doc = 0, accept?: Parameters<typeof locateField>[5]): string {
  const { lc, docs } = parsed(text);
  const { range, exact } = locateField(text, lc, docs[doc]!, path, at, accept);
  expect(range.endLine).toBe(range.line);
  const line = text.split('\n')[range.line - 1]!;
  return `${range.line}:${range.column} ${line.slice(range.column - 1, range.endColumn - 1)}${exact ? '' : ' (nearest)'}`;
}

describe('field paths', () => {
  it('splits names, list indices and bracketed map keys', () => {
    expect(parseFieldPath('spec.ports[0].port')).toEqual(['spec', 'ports', 0, 'port']);
    expect(parseFieldPath('metadata.labels[app.kubernetes.io/name]')).toEqual(['metadata', 'labels', 'app.kubernetes.io/name']);
    expect(parseFieldPath('spec.template.spec.containers[1].ports[12].containerPort')).toEqual(['spec', 'template', 'spec', 'containers', 1, 'ports', 12, 'containerPort']);
    expect(parseFieldPath('')).toEqual([]);
  });
});

describe('locating a field in a YAML document', () => {
  it('marks an invalid value where it is written', () => {
    expect(mark(service, 'spec.ports[1].port', 'value')).toBe('14:11 70000');
    expect(mark(service, 'spec.ports[1].targetPort', 'value')).toBe('15:17 "8080"');
    expect(mark(service, 'metadata.labels[app.kubernetes.io/name]', 'value')).toBe('6:29 web');
  });

  it('marks the key of an unknown field, and of a block value', () => {
    expect(mark(service, 'spec.ports[0].name', 'key')).toBe('11:5 name');
    expect(mark(service, 'spec.selector', 'value')).toBe('8:3 selector');
  });

  it('marks a missing field at its parent, else at the first line', () => {
    expect(mark(service, 'spec.ports[0].protocol', 'key')).toBe('11:5 name: http (nearest)');
    expect(mark(service, 'spec.ports[5].port', 'key')).toBe('10:3 ports (nearest)');
    expect(mark(service, 'spec.clusterIP', 'key')).toBe('7:1 spec (nearest)');
    expect(mark(service, 'status.loadBalancer', 'key')).toBe('1:1 apiVersion (nearest)');
  });

  it('finds a name on a list in the first item that has it, or holds the kind asked for', () => {
    expect(mark(service, 'spec.ports.port', 'value')).toBe('12:11 80');
    expect(mark(service, 'spec.ports.targetPort', 'value')).toBe('15:17 "8080"');
    expect(mark(service, 'spec.ports.port', 'value', 0, (n) => jsonKindOf(n) === 'number' && Number(String(n)) > 65535)).toBe('14:11 70000');
  });

  it('reads each document of a stream on its own, and flow collections', () => {
    const text = `${service}---\n# a comment\nkind: Pod\nspec: {containers: [{name: a, image: 5}]}\n`;
    expect(mark(text, 'spec.containers[0].image', 'value', 1)).toBe('19:38 5');
    expect(mark(text, 'metadata.name', 'key', 1)).toBe('18:1 kind (nearest)');
  });

  it('names the JSON kinds as encoding/json does', () => {
    const { docs } = parsed('a: "x"\nb: 1.5\nc: true\nd: {}\ne: []\nf:\n');
    const kinds = ['a', 'b', 'c', 'd', 'e', 'f'].map((k) => jsonKindOf((docs[0]!.get(k, true) ?? null) as never));
    expect(kinds).toEqual(['string', 'number', 'bool', 'object', 'array', 'null']);
  });
});
