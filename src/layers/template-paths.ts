type Node = hbs.AST.Node;
type Program = hbs.AST.Program;
type PathExpression = hbs.AST.PathExpression;
type Expression = hbs.AST.Expression;

/** A path that names nothing in the context it is read in. */
export interface UnknownPath {
  readonly path: string;
  readonly line: number;
  /** The template whose text holds the path (a partial's name when the path is in a partial). */
  readonly template: string | undefined;
}

/** What a position in a template reads paths from: its context chain (innermost last) and block parameters. */
interface Scope {
  readonly contexts: readonly Known[];
  readonly blockParams: ReadonlyMap<string, Known>;
}

/** A value, or `undefined` when it cannot be known before rendering (a helper's result, `@index`, …). */
type Known = { readonly value: unknown } | undefined;

const CONTEXT_HELPERS = new Set(['each', 'with']);
const MAX_PARTIAL_DEPTH = 16;

/**
 * The first path of `program` that names nothing in `root`, where Handlebars' strict mode does not
 * look: helper and block-helper parameters (`{{#each a.b}}`, `{{#if a.b}}`, `{{join a.b}}`),
 * hash values, subexpressions and partial parameters, in partials as well. Scopes are followed as
 * Handlebars does: `#each` and `#with` change the context (`../` steps out), block parameters and
 * `@root` resolve, and whatever only rendering can tell (helper results, `@index`) is not judged.
 */
export function findUnknownPath(program: Program, root: unknown, partials: (name: string) => Program | undefined): UnknownPath | undefined {
  return new PathWalker(partials, root).program(program, { contexts: [{ value: root }], blockParams: new Map() }, undefined, 0);
}

class PathWalker {
  constructor(
    private readonly partials: (name: string) => Program | undefined,
    private readonly root: unknown,
  ) {}

  program(program: Program | undefined, scope: Scope, template: string | undefined, depth: number): UnknownPath | undefined {
    for (const statement of program?.body ?? []) {
      const found = this.statement(statement, scope, template, depth);
      if (found) return found;
    }
    return undefined;
  }

  private statement(node: Node, scope: Scope, template: string | undefined, depth: number): UnknownPath | undefined {
    if (node.type === 'MustacheStatement' || node.type === 'SubExpression') {
      const call = node as hbs.AST.MustacheStatement;
      if (call.params.length === 0 && !call.hash) return undefined; // `{{a.b}}`: Handlebars' strict mode judges it
      return this.parameters(call.params, call.hash, scope, template);
    }
    if (node.type === 'BlockStatement') return this.block(node as hbs.AST.BlockStatement, scope, template, depth);
    if (node.type === 'PartialStatement' || node.type === 'PartialBlockStatement') {
      return this.partial(node as hbs.AST.PartialStatement, scope, template, depth);
    }
    return undefined;
  }

  private block(block: hbs.AST.BlockStatement, scope: Scope, template: string | undefined, depth: number): UnknownPath | undefined {
    const found = this.parameters(block.params, block.hash, scope, template);
    if (found) return found;
    const helper = block.path.type === 'PathExpression' ? (block.path as PathExpression).original : '';
    const inverse = this.program(block.inverse, scope, template, depth);
    if (!CONTEXT_HELPERS.has(helper) || block.params.length === 0) return inverse ?? this.program(block.program, scope, template, depth);
    const subject = this.value(block.params[0]!, scope);
    const names = block.program.blockParams ?? [];
    const inner = (item: Known, key: Known): Scope => ({
      contexts: [...scope.contexts, item],
      blockParams: new Map([...scope.blockParams, ...(names[0] ? [[names[0], item] as const] : []), ...(names[1] ? [[names[1], key] as const] : [])]),
    });
    if (helper === 'with') return inverse ?? this.program(block.program, subject ? inner(subject, undefined) : inner(undefined, undefined), template, depth);
    const items = subject && typeof subject.value === 'object' && subject.value !== null ? Object.entries(subject.value) : [];
    if (!subject) return inverse ?? this.program(block.program, inner(undefined, undefined), template, depth);
    for (const [key, item] of items) {
      const found = this.program(block.program, inner({ value: item }, { value: key }), template, depth);
      if (found) return found;
    }
    return inverse;
  }

  private partial(node: hbs.AST.PartialStatement, scope: Scope, template: string | undefined, depth: number): UnknownPath | undefined {
    const found = this.parameters(node.params, node.hash, scope, template);
    if (found) return found;
    if (node.name.type !== 'PathExpression' || depth >= MAX_PARTIAL_DEPTH) return undefined;
    const name = (node.name as PathExpression).original;
    const body = this.partials(name);
    if (!body) return undefined; // a missing partial is Handlebars' own error
    const base = node.params[0] ? this.value(node.params[0], scope) : scope.contexts.at(-1);
    let context: Known = base;
    if (node.hash && base && typeof base.value === 'object' && base.value !== null) {
      const extra = node.hash.pairs.map((pair) => [pair.key, this.value(pair.value, scope)] as const);
      context = extra.some(([, value]) => value === undefined) ? undefined : { value: { ...base.value, ...Object.fromEntries(extra.map(([key, value]) => [key, value!.value])) } };
    }
    return this.program(body, { contexts: [context], blockParams: new Map() }, name, depth + 1);
  }

  private parameters(params: readonly Expression[], hash: hbs.AST.Hash | undefined, scope: Scope, template: string | undefined): UnknownPath | undefined {
    for (const expression of [...params, ...(hash?.pairs.map((pair) => pair.value) ?? [])]) {
      if (expression.type === 'SubExpression') {
        const found = this.statement(expression, scope, template, 0);
        if (found) return found;
      } else if (expression.type === 'PathExpression' && this.resolve(expression, scope) === MISSING) {
        return { path: (expression as PathExpression).original, line: expression.loc.start.line, template };
      }
    }
    return undefined;
  }

  /** The value of an expression in `scope`, when it can be known. */
  private value(expression: Expression, scope: Scope): Known {
    const resolved = this.resolve(expression, scope);
    return resolved === MISSING ? undefined : resolved;
  }

  /** The value of an expression in `scope`; MISSING when a path names nothing there. */
  private resolve(expression: Expression, scope: Scope): Known | typeof MISSING {
    if (expression.type !== 'PathExpression') {
      const literal = expression as Partial<hbs.AST.StringLiteral>;
      return 'value' in literal ? { value: literal.value } : undefined;
    }
    const path = expression as PathExpression;
    let parts = path.parts;
    let start: Known;
    if (path.data) {
      if (parts[0] !== 'root') return undefined;
      start = { value: this.root };
      parts = parts.slice(1);
    } else if (path.depth === 0 && parts.length > 0 && scope.blockParams.has(parts[0]!) && !/^(this|\.)/.test(path.original)) {
      start = scope.blockParams.get(parts[0]!);
      parts = parts.slice(1);
    } else {
      start = scope.contexts[scope.contexts.length - 1 - path.depth];
    }
    if (!start) return undefined;
    let value = start.value;
    for (const part of parts) {
      if (value === null || value === undefined || !(part in Object(value))) return MISSING;
      value = (value as Record<string, unknown>)[part];
    }
    return { value };
  }
}

const MISSING = Symbol('missing');
