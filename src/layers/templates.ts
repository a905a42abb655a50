import Handlebars from 'handlebars';
import { InputError, locate } from '../errors.js';
import { findUnknownPath } from './template-paths.js';

/** A template's source text and the file it came from (for error messages). */
export interface TemplateSource {
  readonly name: string;
  readonly file: string;
  readonly text: string;
}

/**
 * Renders Handlebars templates in strict mode for a layer set: every partial under `templates/` is
 * registered by its name, and the helpers ebuild work needs are available. A missing variable or
 * partial is an InputError naming the template file, the line and the expression, wherever the
 * variable is read: in a mustache, a helper's or block's parameters, a hash or a partial's parameters.
 */
export class TemplateRenderer {
  private readonly handlebars = Handlebars.create();
  private readonly partialFiles = new Map<string, string>();
  private readonly partialSources = new Map<string, TemplateSource>();
  private readonly partialTrees = new Map<string, hbs.AST.Program>();

  constructor(partials: readonly TemplateSource[]) {
    registerEbuildHelpers(this.handlebars);
    for (const partial of partials) {
      this.partialFiles.set(partial.name, partial.file);
      this.partialSources.set(partial.name, partial);
      this.handlebars.registerPartial(partial.name, this.compile(partial));
    }
  }

  /** Renders `source` with `context`; errors name `source.file` and the template line. */
  render(source: TemplateSource, context: object): string {
    const template = this.compile(source);
    const unknown = findUnknownPath(this.parse(source), context, (name) => {
      const partial = this.partialSources.get(name);
      return partial && this.parse(partial);
    });
    if (unknown) {
      const file = unknown.template === undefined ? source.file : (this.partialFiles.get(unknown.template) ?? source.file);
      throw new InputError(`template variable '${unknown.path}' is not defined`, locate(file, unknown.line));
    }
    return template(context);
  }

  private parse(source: TemplateSource): hbs.AST.Program {
    let tree = this.partialTrees.get(source.file);
    if (!tree) {
      try {
        tree = this.handlebars.parse(source.text);
      } catch (error) {
        throw templateError(source, error);
      }
      if (this.partialSources.get(source.name) === source) this.partialTrees.set(source.file, tree);
    }
    return tree;
  }

  private compile(source: TemplateSource): Handlebars.TemplateDelegate {
    let template: Handlebars.TemplateDelegate;
    try {
      template = this.handlebars.compile(source.text, { strict: true, noEscape: true, preventIndent: false });
    } catch (error) {
      throw templateError(source, error);
    }
    return (context: object) => {
      try {
        return template(context);
      } catch (error) {
        if (error instanceof InputError) throw error;
        throw templateError(source, error, this.partialFiles);
      }
    };
  }
}

function templateError(source: TemplateSource, error: unknown, partialFiles?: Map<string, string>): InputError {
  const raw = error instanceof Error ? error.message : String(error);
  const lineNumber = (error as { lineNumber?: number }).lineNumber;
  const column = (error as { column?: number }).column;
  const missing = /^"([^"]+)" not defined in/.exec(raw);
  if (missing && lineNumber !== undefined) {
    const expression = expressionAt(source.text, lineNumber, column ?? 0) ?? missing[1];
    return new InputError(`template variable '${expression}' is not defined`, locate(source.file, lineNumber));
  }
  const partial = /^The partial (\S+) could not be found/.exec(raw);
  if (partial) {
    const known = [...(partialFiles?.keys() ?? [])].join(', ') || 'none';
    return new InputError(`partial '${partial[1]}' not found under templates/ (known: ${known})`, source.file);
  }
  const parse = /^Parse error on line (\d+):/.exec(raw);
  if (parse) {
    const expected = /got '([^']+)'/.exec(raw)?.[1];
    return new InputError(`template syntax error${expected ? ` (unexpected ${expected})` : ''}`, locate(source.file, Number(parse[1])));
  }
  return new InputError(raw.split('\n')[0] ?? raw, locate(source.file, lineNumber));
}

/** The `{{ … }}` expression that starts at or encloses `column` on `line` (1-based line, 0-based column). */
function expressionAt(text: string, line: number, column: number): string | undefined {
  const lineText = text.split('\n')[line - 1];
  if (lineText === undefined) return undefined;
  const open = lineText.lastIndexOf('{{', column + 2);
  const close = lineText.indexOf('}}', Math.max(open, 0));
  if (open < 0 || close < 0) return undefined;
  return lineText.slice(open + 2, close).replace(/^[#/>~&^]*/, '').trim();
}

/**
 * The helpers ebuild templates use:
 * - `{{indent text n}}` / `{{indent text "\t"}}`: prefix every non-empty line with n tabs, or with the string;
 * - `{{join list ", "}}`: join a list;
 * - `{{atomLines list "\t"}}`: one atom a line, each prefixed with the indent (default one tab);
 * - `{{#useGuard "flag"}}…{{/useGuard}}`: `if use flag; then … fi` lines (`!flag` for `if ! use flag`), body indented one tab;
 * - `{{useGroup "flag" list}}`: a dependency group `flag? ( atoms )` over several lines.
 */
function registerEbuildHelpers(handlebars: typeof Handlebars): void {
  handlebars.registerHelper('indent', (text: unknown, unit: unknown) => indentLines(String(text), indentUnit(unit)));
  handlebars.registerHelper('join', (list: unknown, separator: unknown) =>
    asList(list, 'join').join(typeof separator === 'string' ? separator : ' '),
  );
  handlebars.registerHelper('atomLines', (list: unknown, unit: unknown) =>
    asList(list, 'atomLines')
      .map((atom) => `${indentUnit(unit)}${atom}`)
      .join('\n'),
  );
  handlebars.registerHelper('useGuard', function (this: unknown, flag: unknown, options: Handlebars.HelperOptions) {
    const { test } = guardTest(flag);
    return `if ${test}; then\n${indentLines(options.fn(this).replace(/\n$/, ''), '\t')}\nfi\n`;
  });
  handlebars.registerHelper('useGroup', (flag: unknown, list: unknown, unit: unknown) => {
    const indent = indentUnit(unit);
    const atoms = asList(list, 'useGroup').map((atom) => `${indent}\t${atom}`);
    return `${indent}${String(flag)}? (\n${atoms.join('\n')}\n${indent})`;
  });
}

function guardTest(flag: unknown): { test: string } {
  const name = String(flag);
  return { test: name.startsWith('!') ? `! use ${name.slice(1)}` : `use ${name}` };
}

function indentUnit(unit: unknown): string {
  if (typeof unit === 'number') return '\t'.repeat(unit);
  if (typeof unit === 'string') return unit;
  return '\t';
}

function indentLines(text: string, unit: string): string {
  return text
    .split('\n')
    .map((line) => (line.trim() === '' ? line : `${unit}${line}`))
    .join('\n');
}

function asList(value: unknown, helper: string): string[] {
  if (!Array.isArray(value)) throw new Error(`helper '${helper}' expects a list, got ${typeof value}`);
  return value.map((item) => String(item));
}
