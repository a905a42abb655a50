import { lineStartsOf, type SyntaxNode as Node } from './syntax.js';
import { formatDepend, parseDepend, resolveConditionals } from './depend.js';
import { DEPEND_VARIABLES, childrenOf, lineOf, unquoted, withBashTree } from './ebuild.js';
import { BlobCache, codeFingerprint, derivationCode } from '../cache/blob-cache.js';
import { globMatches } from './shell-eval.js';

/**
 * The stock reducer: rewrites an ebuild the way a build with known USE flags sees it, so that an
 * upstream ebuild and the same ebuild with USE-guarded changes reduce to the same text when those
 * guards are off. Dependency variables lose their resolved `flag? ( … )` groups, `if use …` keeps its
 * taken branch, `use flag && cmd` / `use flag || cmd` keep or drop `cmd`, `$(usex …)` becomes its
 * value, comments and layer-added IUSE flags go, IUSE tokens are sorted, and blanks outside quoted
 * strings and here-docs collapse (inside them every character counts). Tests of variables with a known
 * value (`variables`) are decided too. Whatever depends on a
 * flag whose state is unknown, or on anything but USE tests, is kept as written, and so is any part
 * the bash grammar cannot parse.
 */

/** A flag's state, or undefined when it is not known. */
export type FlagState = (flag: string) => boolean | undefined;

export interface ReduceOptions {
  /** Flags removed from IUSE before comparing (the flags the layers add). */
  readonly ignoreIuseFlags?: Iterable<string>;
  /** The file the text came from, for parse errors. */
  readonly source?: string;
  /**
   * What runs for a phase the ebuild does not define (see phases.ts): a definition whose reduced
   * body is only that call is dropped, as it changes nothing.
   */
  readonly implicitPhases?: ReadonlyMap<string, string>;
  /**
   * Variables whose value the build is known to have (an ebuild's `PV`, a stock board's `BOARD`, an
   * empty `VARIANT`): `[[ ${VAR} == pattern ]]`, `[ "${VAR}" = word ]`, `-z`/`-n` tests of them are
   * decided, and `${VAR%%_*}` / `${VAR%_*}` of a value without `_` reads as `${VAR}`.
   */
  readonly variables?: ReadonlyMap<string, string>;
}

/** One line of reduced text and the line of the original text it starts on. */
export interface ReducedLine {
  readonly text: string;
  readonly line: number;
}

/** Node types whose text is judged exactly, whitespace and all. */
const EXACT_NODE_TYPES: ReadonlySet<string> = new Set(['string', 'raw_string', 'ansi_c_string', 'translated_string', 'heredoc_body']);

/** `a && b` or `a || b` over three values: undefined where an unknown operand decides. */
function combine(operator: '&&' | '||', a: boolean | undefined, b: boolean | undefined): boolean | undefined {
  if (operator === '&&') return a === false || b === false ? false : a === true && b === true ? true : undefined;
  return a === true || b === true ? true : a === false && b === false ? false : undefined;
}

/** Text with the original line of each character: either a slice of the source or generated text. */
type Piece = { readonly start: number; readonly end: number } | { readonly text: string; readonly line: number };

class Reducer {
  private readonly ignoredIuse: ReadonlySet<string>;

  constructor(
    private readonly source: string,
    private readonly isEnabled: FlagState,
    ignoreIuseFlags: Iterable<string>,
    private readonly implicitPhases: ReadonlyMap<string, string> = new Map(),
    private readonly variables: ReadonlyMap<string, string> = new Map(),
  ) {
    this.ignoredIuse = new Set(ignoreIuseFlags);
  }

  /** Source ranges of the quoted strings and here-doc bodies rendered so far, whose whitespace is kept exactly. */
  private exact: { start: number; end: number }[] = [];
  private lineStarts: number[] | undefined;
  private exactSorted = true;

  /** True when a character in `start`…`end` (source offsets, end excluded) lies in an exact range. */
  private isExact(start: number, end: number): boolean {
    if (!this.exactSorted) {
      // Nested ranges (a string inside `$( … )` inside a string) merge into the outer one.
      const merged: { start: number; end: number }[] = [];
      for (const range of this.exact.sort((a, b) => a.start - b.start)) {
        const last = merged.at(-1);
        if (last && range.start < last.end) last.end = Math.max(last.end, range.end);
        else merged.push({ ...range });
      }
      this.exact = merged;
      this.exactSorted = true;
    }
    // The first range ending after `start`: the only one that can hold a character from there.
    let low = 0;
    let high = this.exact.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.exact[mid]!.end <= start) low = mid + 1;
      else high = mid;
    }
    return low < this.exact.length && this.exact[low]!.start < end;
  }

  /** The reduced rendering of `node`. */
  render(node: Node): Piece[] {
    const pieces: Piece[] = [];
    this.renderInto(node, pieces);
    return pieces;
  }

  /** Appends the reduced rendering of `node` to `pieces`. */
  private renderInto(node: Node, pieces: Piece[]): void {
    if (node.isPlainSubtree(REWRITTEN_NODE_TYPES)) {
      // Nothing below is rewritten: the text as written, with its strings and here-docs judged exactly.
      for (const range of node.rangesOfTypes(EXACT_NODE_TYPES)) this.markExact(range.type, range.start, range.end);
      pieces.push({ start: node.startIndex, end: node.endIndex });
      return;
    }
    if (EXACT_NODE_TYPES.has(node.type)) this.markExact(node.type, node.startIndex, node.endIndex);
    const special = this.renderSpecial(node);
    if (special) for (const piece of special) pieces.push(piece);
    else this.renderChildren(node, pieces);
  }

  /** Records the range of a string or here-doc body node, whose blanks are kept exactly. */
  private markExact(type: string, start: number, end: number): void {
    // tree-sitter-bash starts a here-doc body after its first line's indentation, which is text too.
    this.exact.push({ start: type === 'heredoc_body' ? this.source.lastIndexOf('\n', start - 1) + 1 : start, end });
    this.exactSorted = false;
  }

  /**
   * How the reducer renders the node types it may rewrite: each gives the rendering, or undefined when
   * the node is its children rendered in place. Every other type is always its children in place, so
   * a subtree with none of these types is its text as written (see renderInto).
   */
  static readonly SPECIAL: ReadonlyMap<string, (reducer: Reducer, node: Node) => Piece[] | undefined> = new Map<
    string,
    (reducer: Reducer, node: Node) => Piece[] | undefined
  >([
    ['comment', () => []],
    ['ERROR', (_, node) => [{ start: node.startIndex, end: node.endIndex }]],
    ['if_statement', (reducer, node) => reducer.renderIf(node)],
    ['list', (reducer, node) => reducer.renderList(node)],
    ['command_substitution', (reducer, node) => reducer.renderUsex(node)],
    ['variable_assignment', (reducer, node) => reducer.renderAssignment(node)],
    ['function_definition', (reducer, node) => (reducer.isImplicitPhase(node) ? [] : undefined)],
    ['expansion', (reducer, node) => reducer.renderBoardPart(node)],
    ['test_command', (reducer, node) => reducer.renderTest(node)],
  ]);

  /** The rendering of a node the reducer rewrites, or undefined when it is its children rendered in place. */
  private renderSpecial(node: Node): Piece[] | undefined {
    return Reducer.SPECIAL.get(node.type)?.(this, node);
  }

  /** Appends the node's own text with each child rendered in place to `pieces`. */
  private renderChildren(node: Node, pieces: Piece[]): void {
    let position = node.startIndex;
    for (const child of childrenOf(node)) {
      if (child.startIndex > position) pieces.push({ start: position, end: child.startIndex });
      this.renderInto(child, pieces);
      position = Math.max(position, child.endIndex);
    }
    if (node.endIndex > position) pieces.push({ start: position, end: node.endIndex });
  }

  /** True for a phase defined only as a call of what runs anyway when it is not defined. */
  private isImplicitPhase(node: Node): boolean {
    const implicit = this.implicitPhases.get(node.childForFieldName('name')?.text ?? '');
    const body = node.childForFieldName('body');
    if (!implicit || body?.type !== 'compound_statement') return false;
    const statements = childrenOf(body).filter((child) => child.isNamed);
    const reduced = this.lines(this.renderStatements(statements)).map((line) => line.text);
    return reduced.length === 1 && reduced[0] === implicit;
  }

  /** Statements one per line. */
  private renderStatements(nodes: readonly Node[]): Piece[] {
    return nodes.flatMap((node) => [...this.render(node), { text: '\n', line: lineOf(node) }]);
  }

  /**
   * Three-valued evaluation of a condition made only of `use [!]flag` tests joined by `!`, `&&` and
   * `||`: undefined when it holds anything else or a flag whose state is unknown.
   */
  private evaluate(node: Node): boolean | undefined {
    if (node.type === 'command') {
      const args = node.childrenForFieldName('argument');
      if (node.childForFieldName('name')?.text !== 'use' || args.length !== 1 || !args[0]) return undefined;
      const word = unquoted(args[0]);
      const negated = word.startsWith('!');
      const state = this.isEnabled(negated ? word.slice(1) : word);
      return state === undefined ? undefined : state !== negated;
    }
    if (node.type === 'test_command') return this.evaluateTest(node);
    if (node.type === 'negated_command') {
      const inner = childrenOf(node).filter((child) => child.type !== '!');
      const value = inner.length === 1 ? this.evaluate(inner[0]!) : undefined;
      return value === undefined ? undefined : !value;
    }
    if (node.type === 'list') {
      const [left, operator, right] = childrenOf(node);
      if (!left || !right || (operator?.type !== '&&' && operator?.type !== '||')) return undefined;
      return combine(operator.type, this.evaluate(left), this.evaluate(right));
    }
    return undefined;
  }

  /** The known value of a `$VAR`, `${VAR}` or `"${VAR}"` operand, or undefined. */
  private knownValue(node: Node): string | undefined {
    const parts = node.type === 'string' ? childrenOf(node).filter((child) => child.isNamed) : [node];
    if (parts.length !== 1) return undefined;
    const [part] = parts as [Node];
    if (part.type !== 'expansion' && part.type !== 'simple_expansion') return undefined;
    if (this.renderBoardPart(part)) return this.variables.get(childrenOf(part).find((child) => child.type === 'variable_name')!.text);
    const inner = childrenOf(part).filter((child) => child.isNamed);
    if (inner.length !== 1 || inner[0]!.type !== 'variable_name') return undefined;
    return this.variables.get(inner[0]!.text);
  }

  /** `[[ ${VAR} == pattern ]]`, `[ "${VAR}" != word ]`, `[[ -z ${VAR} ]]` on a known variable, `&&`/`||` of them in `[[ ]]`. */
  private evaluateTest(node: Node): boolean | undefined {
    const inner = childrenOf(node).filter((child) => child.isNamed);
    if (inner.length !== 1) return undefined;
    return this.evaluateExpression(inner[0]!, childrenOf(node)[0]?.type === '[[');
  }

  /** The operands of a `[[ a && b && … ]]` chain, or undefined when the test is no such chain. */
  private conjuncts(node: Node): Node[] | undefined {
    const inner = childrenOf(node).filter((child) => child.isNamed);
    if (childrenOf(node)[0]?.type !== '[[' || inner.length !== 1) return undefined;
    const operands = (expression: Node): Node[] => {
      const [left, operator, right] = childrenOf(expression);
      if (expression.type !== 'binary_expression' || operator?.type !== '&&' || !left || !right) return [expression];
      return [...operands(left), ...operands(right)];
    };
    const found = operands(inner[0]!);
    return found.length > 1 ? found : undefined;
  }

  /**
   * A `[[ a && b ]]` chain without the operands known to hold (a stock board's `"${BOARD}" != *_nano`),
   * so that a test a layer extends by a decided operand reads as the test it extends.
   */
  private renderTest(node: Node): Piece[] | undefined {
    const operands = this.conjuncts(node);
    if (!operands) return undefined;
    const kept = operands.filter((operand) => this.evaluateExpression(operand, true) !== true);
    if (kept.length === operands.length || kept.length === 0) return undefined;
    const line = lineOf(node);
    const pieces: Piece[] = [{ text: '[[ ', line }];
    kept.forEach((operand, index) => pieces.push(...(index ? [{ text: ' && ', line }] : []), ...this.render(operand)));
    return [...pieces, { text: ' ]]', line }];
  }

  private evaluateExpression(expression: Node, doubleBracket: boolean): boolean | undefined {
    if (doubleBracket && expression.type === 'binary_expression') {
      const [left, operator, right] = childrenOf(expression);
      if (left && right && (operator?.type === '&&' || operator?.type === '||')) {
        return combine(operator.type, this.evaluateExpression(left, true), this.evaluateExpression(right, true));
      }
    }
    if (expression.type === 'unary_expression') {
      const [operator, operand] = childrenOf(expression);
      const value = operand ? this.knownValue(operand) : undefined;
      if (value === undefined || (operator?.text !== '-z' && operator?.text !== '-n')) return undefined;
      return (value === '') === (operator.text === '-z');
    }
    if (expression.type !== 'binary_expression') return undefined;
    const [left, operator, right] = childrenOf(expression);
    if (!left || !right || !operator || !['==', '=', '!='].includes(operator.text)) return undefined;
    const value = this.knownValue(left);
    if (value === undefined || !/^(word|number|extglob_pattern|string|raw_string)$/.test(right.type)) return undefined;
    if (right.type === 'string' && childrenOf(right).some((child) => child.isNamed && child.type !== 'string_content')) return undefined;
    const pattern = unquoted(right);
    const isPattern = right.type === 'word' || right.type === 'number' || right.type === 'extglob_pattern';
    if (isPattern && /[$`(|@+!]/.test(pattern)) return undefined;
    const matches = doubleBracket && isPattern ? globMatches(pattern, value) : pattern === value;
    return matches === (operator.text !== '!=');
  }

  /** `${VAR%%_*}` or `${VAR%_*}` of a known value without `_`: the value itself, `${VAR}`. */
  private renderBoardPart(node: Node): Piece[] | undefined {
    const parts = childrenOf(node);
    const name = parts.find((child) => child.type === 'variable_name')?.text;
    const operator = parts.find((child) => child.type === '%%' || child.type === '%');
    const pattern = parts.find((child) => child.type === 'regex' || child.type === 'word');
    if (!name || !operator || pattern?.text !== '_*' || parts.length !== 5) return undefined;
    const value = this.variables.get(name);
    if (value === undefined || value.includes('_')) return undefined;
    return [{ text: `\${${name}}`, line: lineOf(node) }];
  }

  /** `if` / `elif` / `else`: the taken branch's statements, or undefined when the branch is not known. */
  private renderIf(node: Node): Piece[] | undefined {
    const clauses = [node, ...childrenOf(node).filter((child) => child.type === 'elif_clause')];
    for (const clause of clauses) {
      const parts = childrenOf(clause);
      const then = parts.findIndex((child) => child.type === 'then');
      const condition = parts.slice(1, then).filter((child) => child.type !== ';' && child.type !== '&' && child.type !== '\n');
      const value = condition.length === 1 ? this.evaluate(condition[0]!) : undefined;
      if (value === undefined) return undefined;
      if (value) return this.renderStatements(parts.slice(then + 1).filter((child) => child.isNamed && !/^(elif|else)_clause$/.test(child.type)));
    }
    const elseClause = childrenOf(node).find((child) => child.type === 'else_clause');
    return elseClause ? this.renderStatements(childrenOf(elseClause).filter((child) => child.isNamed)) : [];
  }

  /** `cond && cmd` / `cond || cmd` where `cond` only tests flags: `cmd` when it runs, nothing when it does not. */
  private renderList(node: Node): Piece[] | undefined {
    const [left, operator, right] = childrenOf(node);
    if (!left || !right || (operator?.type !== '&&' && operator?.type !== '||')) return undefined;
    if (this.evaluate(right) !== undefined) return undefined; // a pure test; its value is what matters
    const value = this.evaluate(left);
    if (value === undefined) return undefined;
    return value === (operator.type === '&&') ? this.render(right) : [];
  }

  /** `$(usex flag [yes [no [yes-suffix [no-suffix]]]])`: the value it prints. */
  private renderUsex(node: Node): Piece[] | undefined {
    const inner = childrenOf(node).filter((child) => child.isNamed);
    const command = inner.length === 1 && inner[0]!.type === 'command' ? inner[0]! : undefined;
    if (command?.childForFieldName('name')?.text !== 'usex') return undefined;
    const args = command.childrenForFieldName('argument').flatMap((arg) => (arg ? [arg] : []));
    if (args.length < 1 || args.length > 5 || args.some((arg) => !/^(word|string|raw_string|number)$/.test(arg.type))) return undefined;
    const [flag, ...values] = args.map(unquoted) as [string, ...string[]];
    const negated = flag.startsWith('!');
    const state = this.isEnabled(negated ? flag.slice(1) : flag);
    if (state === undefined) return undefined;
    const [yes = 'yes', no = 'no', yesSuffix = '', noSuffix = ''] = values;
    return [{ text: state !== negated ? yes + yesSuffix : no + noSuffix, line: lineOf(node) }];
  }

  /** Dependency variables with conditionals resolved, and IUSE without the ignored flags, on one line. */
  private renderAssignment(node: Node): Piece[] | undefined {
    const name = node.childForFieldName('name')?.text ?? '';
    const value = node.childForFieldName('value');
    const operator = childrenOf(node).find((child) => child.type === '=' || child.type === '+=')?.type;
    if (!operator || (value && !/^(word|string|raw_string)$/.test(value.type))) return undefined;
    const text = value ? unquoted(value) : '';
    const line = lineOf(node);
    if (name === 'IUSE') {
      // The order of IUSE tokens means nothing to Portage.
      const kept = text
        .split(/\s+/)
        .filter((word) => word && !this.ignoredIuse.has(word.replace(/^[+-]/, '')))
        .sort();
      return kept.length ? [{ text: `IUSE${operator}"${kept.join(' ')}"`, line }] : [];
    }
    if (!DEPEND_VARIABLES.has(name)) return undefined;
    try {
      const resolved = resolveConditionals(parseDepend(text), this.isEnabled);
      const formatted = formatDepend(resolved);
      // Appending nothing is no statement at all, like an IUSE that keeps no flag.
      if (operator === '+=' && formatted.trim() === '') return [];
      return [{ text: `${name}${operator}"${formatted}"`, line }];
    } catch {
      return undefined; // not a literal dependency string; keep it as written
    }
  }

  /** Joins pieces and splits them into trimmed, non-empty lines, blanks collapsed outside exact ranges. */
  lines(pieces: readonly Piece[]): ReducedLine[] {
    const lineStarts = (this.lineStarts ??= lineStartsOf(this.source));
    const lineAt = (index: number): number => {
      let low = 0;
      let high = lineStarts.length - 1;
      while (low < high) {
        const mid = (low + high + 1) >> 1;
        if (lineStarts[mid]! <= index) low = mid;
        else high = mid - 1;
      }
      return low + 1;
    };
    const result: ReducedLine[] = [];
    let text = '';
    let line: number | undefined;
    // Blanks outside quotes and here-docs collapse to one space; inside them every character counts.
    let pendingBlank = false;
    const flush = (): void => {
      if (text) result.push({ text, line: line ?? 1 });
      text = '';
      line = undefined;
      pendingBlank = false;
    };
    // The original line of a part is asked for only when it starts a reduced line.
    const append = (part: string, offset: number, lineOfOffset: (offset: number) => number): void => {
      line ??= lineOfOffset(offset);
      text += pendingBlank ? ` ${part}` : part;
      pendingBlank = false;
    };
    const isBlank = (code: number) => code === 32 || code === 9;
    // Runs between newlines and blanks are appended whole, and so are runs of blanks outside exact
    // ranges; blanks that may lie in one are looked at one by one.
    // `characters` from `start` to `end` is the piece; offsets are into `characters`.
    const add = (
      characters: string,
      start: number,
      end: number,
      lineOfOffset: (offset: number) => number,
      isExact: (start: number, end: number) => boolean,
    ): void => {
      let runStart = start;
      for (let at = start; at < end; at++) {
        const code = characters.charCodeAt(at);
        if (code !== 10 && !isBlank(code)) continue;
        if (at > runStart) append(characters.slice(runStart, at), runStart, lineOfOffset);
        if (code === 10) flush();
        else {
          let blanksEnd = at + 1;
          while (blanksEnd < end && isBlank(characters.charCodeAt(blanksEnd))) blanksEnd++;
          if (!isExact(at, blanksEnd)) pendingBlank = text !== '';
          else {
            for (let offset = at; offset < blanksEnd; offset++) {
              if (!isExact(offset, offset + 1)) pendingBlank = text !== '';
              else append(characters[offset]!, offset, lineOfOffset);
            }
          }
          at = blanksEnd - 1;
        }
        runStart = at + 1;
      }
      if (end > runStart) append(characters.slice(runStart, end), runStart, lineOfOffset);
    };
    const sourceExact = (start: number, end: number) => this.isExact(start, end);
    for (const piece of pieces) {
      if ('text' in piece) add(piece.text, 0, piece.text.length, () => piece.line, () => false);
      else add(this.source, piece.start, piece.end, lineAt, sourceExact);
    }
    flush();
    return result;
  }
}

/** Node types the reducer may render otherwise than as written: those it has a renderer for. */
const REWRITTEN_NODE_TYPES: ReadonlySet<string> = new Set(Reducer.SPECIAL.keys());

/** The reduced lines of an ebuild, each with the original line it starts on. */
export async function reduceEbuildLines(text: string, isEnabled: FlagState, opts: ReduceOptions = {}): Promise<ReducedLine[]> {
  const parameters = JSON.stringify([[...(opts.ignoreIuseFlags ?? [])].sort(), [...(opts.implicitPhases ?? [])], [...(opts.variables ?? [])]]);
  const key = `${parameters}\0${text}`;
  const agrees = (flags: Iterable<readonly [string, boolean | undefined | null]>) => [...flags].every(([flag, state]) => isEnabled(flag) === (state ?? undefined));
  const earlier = reductions.get(key)?.find((entry) => agrees(entry.flags));
  if (earlier) return earlier.lines;
  persisted ??= new BlobCache<StoredReduction[]>('ebuild-reduction', codeFingerprint(derivationCode(import.meta.url)));
  const stored = (await persisted.get(text, parameters)) ?? [];
  const kept = stored.find((entry) => agrees(entry.flags));
  if (kept) {
    remember(key, { flags: new Map(kept.flags.map(([flag, state]) => [flag, state ?? undefined])), lines: kept.lines });
    return kept.lines;
  }
  const flags = new Map<string, boolean | undefined>();
  const recording: FlagState = (flag) => {
    const state = isEnabled(flag);
    flags.set(flag, state);
    return state;
  };
  const lines = await withBashTree(text, opts.source, (root) => {
    const reducer = new Reducer(text, recording, opts.ignoreIuseFlags ?? [], opts.implicitPhases, opts.variables);
    return reducer.lines(reducer.render(root));
  }, true);
  remember(key, { flags, lines });
  const entry = { flags: [...flags].map(([flag, state]) => [flag, state ?? null] as const), lines };
  persisted.store(text, [...stored, entry].slice(-STORED_PER_TEXT), parameters);
  return lines;
}

/** A reduction as the blob cache keeps it: the flag states it asked about (null: unknown) and its lines. */
type StoredReduction = { readonly flags: readonly (readonly [string, boolean | null])[]; readonly lines: ReducedLine[] };
/** Reductions kept per text and options in the blob cache (one per distinct set of asked flag states). */
const STORED_PER_TEXT = 16;
let persisted: BlobCache<StoredReduction[]> | undefined;

/**
 * Reductions already made, by text and options, each with the states of the flags it asked about: a
 * reduction holds for any flag states that agree on those. Checks reduce the same ebuild under every
 * stock profile, and `validate --range` again at every commit.
 */
const reductions = new Map<string, { readonly flags: ReadonlyMap<string, boolean | undefined>; readonly lines: ReducedLine[] }[]>();
const REDUCTIONS_KEPT = 256;

function remember(key: string, reduction: { readonly flags: ReadonlyMap<string, boolean | undefined>; readonly lines: ReducedLine[] }): void {
  const entries = reductions.get(key) ?? [];
  reductions.delete(key);
  reductions.set(key, [...entries, reduction]);
  if (reductions.size > REDUCTIONS_KEPT) reductions.delete(reductions.keys().next().value!);
}

/** The reduced text of an ebuild (see the module comment). What tree-sitter-bash cannot parse is kept as written. */
export async function reduceEbuild(text: string, isEnabled: FlagState, opts: ReduceOptions = {}): Promise<string> {
  return (await reduceEbuildLines(text, isEnabled, opts)).map((line) => line.text).join('\n');
}

/** Where two reduced ebuilds first differ: the original line on each side and a few reduced lines from there. */
export interface ReducedDifference {
  /** The upstream line, or undefined when the upstream text ended first. */
  readonly upstreamLine: number | undefined;
  readonly patchedLine: number | undefined;
  readonly upstream: string;
  readonly patched: string;
}

const SNIPPET_LINES = 3;

/**
 * Reduces both texts with the same flag states and returns their first difference, or undefined when
 * they reduce to the same text. `ignoreIuseFlags` applies to both sides.
 */
export async function compareReduced(
  upstreamText: string,
  patchedText: string,
  isEnabled: FlagState,
  opts: {
    readonly ignoreIuseFlags?: Iterable<string>;
    readonly implicitPhases?: ReadonlyMap<string, string>;
    readonly variables?: ReadonlyMap<string, string>;
    readonly upstreamSource?: string;
    readonly patchedSource?: string;
  } = {},
): Promise<ReducedDifference | undefined> {
  const ignoreIuseFlags = [...(opts.ignoreIuseFlags ?? [])];
  const shared = {
    ignoreIuseFlags,
    ...(opts.implicitPhases ? { implicitPhases: opts.implicitPhases } : {}),
    ...(opts.variables ? { variables: opts.variables } : {}),
  };
  const upstream = await reduceEbuildLines(upstreamText, isEnabled, { ...shared, source: opts.upstreamSource });
  const patched = await reduceEbuildLines(patchedText, isEnabled, { ...shared, source: opts.patchedSource });
  let index = 0;
  while (index < upstream.length && index < patched.length && upstream[index]!.text === patched[index]!.text) index++;
  if (index === upstream.length && index === patched.length) return undefined;
  const snippet = (lines: ReducedLine[]) =>
    lines
      .slice(index, index + SNIPPET_LINES)
      .map((line) => line.text)
      .join('\n');
  return {
    upstreamLine: upstream[index]?.line,
    patchedLine: patched[index]?.line,
    upstream: snippet(upstream),
    patched: snippet(patched),
  };
}
