/**
 * Printing the object a write command made or would make (`-o yaml|json|name|go-template|
 * jsonpath`), as kubectl's PrintFlags do for patch, set, annotate, create, run, expose.
 *
 * Design notes: YAML and JSON come out with sorted keys (kubectl prints unstructured
 * objects); `-o name` prints `kind.group/name`; the Go template and JSONPath printers are the
 * ones `get` uses. Anything else is refused with kubectl's "unable to match a printer" error.
 * Callers hand it the object as the API server answered (sim/k8s/defaults.ts's apiView of
 * the stored object), except for a client dry run, which prints what kubectl built.
 */
import type { CommandContext } from '../../command';
import { CommandError } from '../../errors';
import { goYaml, sortKeys } from './go-yaml';
import { executeJsonPath, JsonPathError, parseJsonPath } from './jsonpath';
import { goTemplatePrinter } from './template-printer';

const FORMATS = ['go-template', 'go-template-file', 'json', 'jsonpath', 'jsonpath-as-json', 'jsonpath-file', 'name', 'template', 'templatefile', 'yaml'];

/** Checks `-o` before anything changes; returns a printer for one object. */
export function objectPrinter(ctx: CommandContext, output: string, templateFlag?: string): (obj: unknown, ref: string) => void {
  const format = output.split('=')[0]!;
  if (!FORMATS.includes(format)) throw new CommandError('INVALID', `error: unable to match a printer suitable for the output format "${output}", allowed formats are: ${FORMATS.join(',')}`);
  const tmpl = goTemplatePrinter(ctx, output, templateFlag);
  if (tmpl) return (obj) => tmpl(obj);
  if (format === 'jsonpath') {
    const text = output.slice('jsonpath='.length);
    if (!output.includes('=') || text === '') throw new CommandError('USAGE', 'error: template format specified but no template given');
    let parsed: ReturnType<typeof parseJsonPath>;
    try {
      parsed = parseJsonPath(text);
    } catch (e) {
      if (!(e instanceof JsonPathError)) throw e;
      throw new CommandError('INVALID', `error: error parsing jsonpath ${text}, ${e.message}`);
    }
    return (obj) => {
      try {
        ctx.stdout.write(executeJsonPath(parsed, obj));
      } catch (e) {
        if (!(e instanceof JsonPathError)) throw e;
        throw new CommandError('INVALID', `error: error executing jsonpath ${JSON.stringify(text)}: Error executing template: ${e.message}`);
      }
    };
  }
  if (format !== 'yaml' && format !== 'json' && format !== 'name') throw new CommandError('UNSUPPORTED', `error: the sandbox does not support -o ${format} here yet`);
  return (obj, ref) => {
    if (format === 'name') ctx.stdout.write(`${ref}\n`);
    else if (format === 'json') ctx.stdout.write(JSON.stringify(sortKeys(obj), null, 4) + '\n');
    else ctx.stdout.write(goYaml(sortKeys(obj)));
  };
}
