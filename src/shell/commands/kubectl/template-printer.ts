/**
 * kubectl's Go template printer (`-o go-template=...`, `-o template=...`,
 * `-o go-template-file=FILE`, `-o templatefile=FILE`, or the format alone with
 * `--template=...`), for every command that takes `-o`.
 *
 * Design notes: as GoTemplatePrintFlags builds it: the text after the first `=` (or
 * `--template`) is the template, a file format reads it from the workstation's files; parse
 * errors read `error: error parsing template TEXT, template: output:1: ...`. Running it writes
 * what it produced so far, then kubectl's debugging dump on standard output, and fails with
 * `error: error executing template "TEXT": template: output:...`.
 */
import { readFile } from '../../../sim/files';
import type { CommandContext } from '../../command';
import { CommandError } from '../../errors';
import { goValue } from './custom-columns';
import { sortKeys } from './go-yaml';
import { executeGoTemplate, GoTemplateExecError, parseGoTemplate, TemplateError } from './go-template';

export const TEMPLATE_FORMATS = ['go-template', 'go-template-file', 'template', 'templatefile'];

/** A printer for `output`, or undefined when `output` is not a Go template format. */
export function goTemplatePrinter(ctx: CommandContext, output: string, templateFlag: string | undefined): ((doc: unknown) => void) | undefined {
  const eq = output.indexOf('=');
  const format = eq < 0 ? output : output.slice(0, eq);
  if (!TEMPLATE_FORMATS.includes(format)) return undefined;
  let text = eq < 0 ? (templateFlag ?? '') : output.slice(eq + 1);
  if (text === '') throw new CommandError('USAGE', 'error: template format specified but no template given');
  if (format.endsWith('file')) {
    const file = readFile(ctx.env.sim.state, 'workstation', text);
    if (!file) throw new CommandError('NOT_FOUND', `error: error reading --template ${text}, open ${text}: no such file or directory`);
    text = file.content;
  }
  let nodes: ReturnType<typeof parseGoTemplate>;
  try {
    nodes = parseGoTemplate(text);
  } catch (e) {
    if (!(e instanceof TemplateError)) throw e;
    throw new CommandError('INVALID', `error: error parsing template ${text}, ${e.message}`);
  }
  return (doc) => {
    try {
      ctx.stdout.write(executeGoTemplate(nodes, doc, text));
    } catch (e) {
      if (!(e instanceof GoTemplateExecError)) throw e;
      const data = sortKeys(doc);
      ctx.stdout.write(
        `${e.partial}Error executing template: ${e.message}. Printing more information for debugging the template:\n\ttemplate was:\n\t\t${text}\n\traw data was:\n\t\t${JSON.stringify(data)}\n\tobject given to template engine was:\n\t\t${goValue(data)}\n\n`,
      );
      throw new CommandError('INVALID', `error: error executing template ${JSON.stringify(text)}: ${e.message}`);
    }
  };
}
