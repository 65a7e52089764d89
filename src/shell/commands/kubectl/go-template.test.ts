import { describe, expect, it } from 'vitest';
import { executeGoTemplate, GoTemplateExecError, parseGoTemplate, sprintf, TemplateError } from './go-template';

/** Go text/template as kubectl's -o go-template runs it, on a small List. */

const list = {
  kind: 'List',
  items: [
    { metadata: { name: 'a', labels: { app: 'web', tier: 'x' } }, spec: { replicas: 3 }, status: { podIP: '10.244.1.2' } },
    { metadata: { name: 'b', labels: {} }, spec: { replicas: 0, note: null }, status: {} },
  ],
};
const run = (t: string, data: unknown = list): string => executeGoTemplate(parseGoTemplate(t), data, t);
const parseError = (t: string): string => {
  try {
    parseGoTemplate(t);
  } catch (e) {
    if (e instanceof TemplateError) return e.message;
    throw e;
  }
  return 'parsed';
};
const execError = (t: string): string => {
  try {
    run(t);
  } catch (e) {
    if (e instanceof GoTemplateExecError) return e.message;
    throw e;
  }
  return 'ran';
};

describe('go templates', () => {
  it('fields, range, string constants with escapes', () => {
    expect(run('{{range .items}}{{.metadata.name}}{{"\\t"}}{{.status.podIP}}{{"\\n"}}{{end}}')).toBe('a\t10.244.1.2\nb\t<no value>\n');
    expect(run('{{.kind}}')).toBe('List');
    expect(run('{{(index .items 0).spec.replicas}}')).toBe('3');
  });

  it('if/else if/else, comparisons, and/or/not', () => {
    const t = '{{range .items}}{{if eq .metadata.name "a"}}A{{else if gt .spec.replicas 0}}B{{else}}-{{end}}{{end}}';
    expect(run(t)).toBe('A-');
    expect(run('{{if and .items (not .nope)}}yes{{end}}')).toBe('yes');
    expect(run('{{or .nope "fallback"}}')).toBe('fallback');
    expect(run('{{if .items}}{{else}}empty{{end}}{{range .nope}}x{{else}}none{{end}}')).toBe('none');
  });

  it('index, len, printf, pipes and variables', () => {
    expect(run('{{index (index .items 0).metadata.labels "app"}}')).toBe('web');
    expect(run('{{index (index .items 1).metadata.labels "app"}}')).toBe('<no value>');
    expect(run('{{len .items}} {{.items | len}} {{"héllo" | len}}')).toBe('2 2 6');
    expect(run('{{printf "%s=%d %q %v %5s|%-3d|" "x" 7 "q" .kind "ab" 1}}')).toBe('x=7 "q" List    ab|1  |');
    expect(run('{{$n := len .items}}{{range $i, $e := .items}}{{$i}}/{{$n}}:{{$e.metadata.name}} {{end}}')).toBe('0/2:a 1/2:b ');
    expect(run('{{range $k, $v := (index .items 0).metadata.labels}}{{$k}}={{$v}},{{end}}')).toBe('app=web,tier=x,');
    expect(run('{{range .items}}{{$.kind}}{{end}}')).toBe('ListList');
  });

  it('trim markers and comments', () => {
    expect(run('a  {{- "b" -}}  c\n{{/* note */}}d')).toBe('abc\nd');
    expect(run('{{range .items -}}\n  {{.metadata.name}}\n{{end}}')).toBe('a\nb\n');
  });

  it('missing and null values print <no value>; maps and lists print as Go does', () => {
    expect(run('{{.nope}} {{(index .items 1).spec.note}}')).toBe('<no value> <no value>');
    expect(run('{{(index .items 0).metadata.labels}}')).toBe('map[app:web tier:x]');
    expect(sprintf('%d %s', [1.5, 2])).toBe('%!d(float64=1.5) %!s(int64=2)');
  });

  it('parse errors in Go wording', () => {
    expect(parseError('{{.items')).toBe('template: output:1: unclosed action');
    expect(parseError('{{foo .items}}')).toBe('template: output:1: function "foo" not defined');
    expect(parseError('x\n{{range .items}}')).toBe('template: output:2: unexpected EOF');
    expect(parseError('{{end}}')).toBe('template: output:1: unexpected {{end}}');
    expect(parseError('{{$x}}')).toBe('template: output:1: undefined variable "$x"');
    expect(parseError('{{"abc}}')).toBe('template: output:1: unterminated quoted string');
    expect(parseError('{{}}')).toBe('template: output:1: missing value for command');
    expect(parseError('{{if}}{{end}}')).toBe('template: output:1: missing value for if');
  });

  it('execution errors name the place and the node', () => {
    expect(execError('{{.kind.x}}')).toBe('template: output:1:2: executing "output" at <.kind.x>: can\'t evaluate field x in type string');
    expect(execError('ab{{.nope.x}}')).toBe('template: output:1:4: executing "output" at <.nope.x>: nil pointer evaluating interface {}.x');
    expect(execError('{{index .items 5}}')).toBe('template: output:1:2: executing "output" at <index .items 5>: error calling index: index out of range: 5');
  });
});
