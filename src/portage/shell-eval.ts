import type { SyntaxNode as Node } from './syntax.js';
import { childrenOf, lineOf } from './ebuild.js';

/**
 * A small, static evaluation of the global scope of an ebuild or eclass: variable assignments
 * (`=`, `+=`) in order, with `$VAR`/`${VAR}` references, `${VAR%pattern}`-style trimming,
 * `$(ver_cut …)`, and `if`/`elif`/`else` and `case` on values it knows (`[[ ${PV} == *9999* ]]`).
 * Whatever it cannot work out without running bash is recorded as unknown, with the reason, rather
 * than guessed: an assignment whose value holds an unknown expansion, or any assignment under a
 * condition it cannot decide.
 */

/** The part of a Map an evaluation state uses. */
export interface StateMap<V> {
  get(key: string): V | undefined;
  has(key: string): boolean;
  set(key: string, value: V): unknown;
  delete(key: string): unknown;
}

/** The state of an evaluation: the values known so far and, for each unknown variable, why it is unknown. */
export class ShellState {
  readonly values: StateMap<string>;
  readonly unknown: StateMap<string>;
  /** Functions defined so far, by name: their bodies, valid while the evaluation runs. */
  readonly functions: StateMap<Node>;

  constructor(
    initial: ReadonlyMap<string, string> = new Map(),
    maps: { values: StateMap<string>; unknown: StateMap<string>; functions: StateMap<Node> } = { values: new Map(), unknown: new Map(), functions: new Map() },
  ) {
    ({ values: this.values, unknown: this.unknown, functions: this.functions } = maps);
    for (const [name, value] of initial) this.values.set(name, value);
  }

  /** The value of `name`: a string, undefined when unset, or null when it cannot be known statically. */
  get(name: string): string | null | undefined {
    if (this.unknown.has(name)) return null;
    return this.values.get(name);
  }

  unset(name: string): void {
    this.values.delete(name);
    this.unknown.delete(name);
  }

  set(name: string, value: string | null, why: string): void {
    if (value === null) {
      this.values.delete(name);
      this.unknown.set(name, why);
    } else {
      this.unknown.delete(name);
      this.values.set(name, value);
    }
  }
}

/** What an evaluation read of a state it did not write itself, and what it left there (undefined: removed). */
export interface StateEffect {
  readonly reads: { readonly [K in StateMapName]: readonly (readonly [string, StateValue<K> | undefined])[] };
  readonly writes: { readonly [K in StateMapName]: readonly (readonly [string, StateValue<K> | undefined])[] };
}

type StateMapName = 'values' | 'unknown' | 'functions';
type StateValue<K extends StateMapName> = K extends 'functions' ? Node : string;
const STATE_MAPS: readonly StateMapName[] = ['values', 'unknown', 'functions'];

/** A map over another: reads fall through to it and are recorded, writes are kept here. */
class LayeredMap<V> implements StateMap<V> {
  readonly own = new Map<string, V | undefined>();
  readonly reads = new Map<string, V | undefined>();

  constructor(private readonly base: StateMap<V>) {}

  get(key: string): V | undefined {
    if (this.own.has(key)) return this.own.get(key);
    const value = this.base.get(key);
    if (!this.reads.has(key)) this.reads.set(key, value);
    return value;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  set(key: string, value: V): void {
    this.own.set(key, value);
  }

  delete(key: string): void {
    this.own.set(key, undefined);
  }
}

/**
 * A state over `base` that leaves it alone: an evaluation into it records what it reads of `base`
 * and keeps what it writes, so that the same evaluation over another state that answers those reads
 * the same can be replayed (see effectHolds and applyEffect) instead of run again.
 */
export class LayeredState extends ShellState {
  private readonly layers: { readonly [K in StateMapName]: LayeredMap<StateValue<K>> };

  constructor(base: ShellState) {
    const layers = { values: new LayeredMap(base.values), unknown: new LayeredMap(base.unknown), functions: new LayeredMap(base.functions) };
    super(new Map(), layers);
    this.layers = layers;
  }

  /** What the evaluation so far read of the base and left in it. */
  effect(): StateEffect {
    const of = <K extends StateMapName>(name: K, part: 'reads' | 'own') => [...this.layers[name][part]] as [string, StateValue<K> | undefined][];
    return {
      reads: { values: of('values', 'reads'), unknown: of('unknown', 'reads'), functions: of('functions', 'reads') },
      writes: { values: of('values', 'own'), unknown: of('unknown', 'own'), functions: of('functions', 'own') },
    };
  }
}

/** True when `state` answers every read of `effect` as the state it was recorded over did. */
export function effectHolds(effect: StateEffect, state: ShellState): boolean {
  return STATE_MAPS.every((name) => effect.reads[name].every(([key, value]) => (state[name] as StateMap<unknown>).get(key) === value));
}

/** Leaves in `state` what the evaluation `effect` was recorded from left. */
export function applyEffect(effect: StateEffect, state: ShellState): void {
  for (const name of STATE_MAPS) {
    const map = state[name] as StateMap<unknown>;
    for (const [key, value] of effect.writes[name]) {
      if (value === undefined) map.delete(key);
      else map.set(key, value);
    }
  }
}

/** What an evaluation does with commands at global scope (such as `inherit`); other commands are ignored. */
export type CommandHandler = (name: string, args: readonly string[], node: Node, state: ShellState) => void;

/** Evaluates the global-scope statements of `root` into `state`; `source` names the file in reasons. */
export function evaluateGlobalScope(root: Node, state: ShellState, source: string, onCommand?: CommandHandler): void {
  new Evaluator(state, source, onCommand).statementsOf(root);
}

/** Bash glob matching of `text` against `pattern` (`*`, `?`, `[…]`), as `[[ x == pattern ]]` and `case` do. */
export function globMatches(pattern: string, text: string): boolean {
  let compiled = globRegexes.get(pattern);
  if (!compiled) globRegexes.set(pattern, (compiled = globRegex(pattern)));
  return compiled.test(text);
}

/** Compiled glob patterns: the same few patterns are matched against many substrings. */
const globRegexes = new Map<string, RegExp>();

function globRegex(pattern: string): RegExp {
  let regex = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === '*') regex += '.*';
    else if (char === '?') regex += '.';
    else if (char === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) regex += '\\[';
      else {
        regex += `[${pattern.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else if (char === '\\' && i + 1 < pattern.length) regex += escapeRegex(pattern[++i]!);
    else regex += escapeRegex(char);
  }
  return new RegExp(`^${regex}$`, 's');
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** `ver_cut RANGE VERSION` of eapi8-functions: the version components RANGE (`2`, `1-2`, `3-`) select. */
export function verCut(range: string, version: string): string | undefined {
  const parts = version.match(/[A-Za-z]+|[0-9]+|[^A-Za-z0-9]+/g) ?? [];
  // Components and the separators between them: parts alternate when the version starts with a component.
  const components: string[] = [];
  const separators: string[] = [''];
  for (const part of parts) {
    if (/^[A-Za-z0-9]/.test(part)) {
      if (components.length === separators.length) separators.push('');
      components.push(part);
    } else separators[components.length] = part;
  }
  const match = /^(\d+)(-(\d*))?$/.exec(range);
  if (!match) return undefined;
  const start = Number(match[1]);
  const end = match[2] ? (match[3] ? Number(match[3]) : components.length) : start;
  let out = '';
  for (let index = Math.max(start, 1); index <= Math.min(end, components.length); index++) {
    if (index > start) out += separators[index - 1] ?? '';
    out += components[index - 1];
  }
  return out;
}

/** Statements of bodies and files evaluated before (see Evaluator.statementsOf): every ebuild evaluates its eclasses again. */
const statementsCache = new WeakMap<Node, readonly Node[]>();
/** The name and body of function definitions met before. */
const definitions = new WeakMap<Node, { readonly name: string | undefined; readonly body: Node | null }>();

function definitionOf(node: Node): { readonly name: string | undefined; readonly body: Node | null } {
  let definition = definitions.get(node);
  if (!definition) definitions.set(node, (definition = { name: node.childForFieldName('name')?.text, body: node.childForFieldName('body') }));
  return definition;
}

/** A value being built: text, or null once an unknown part entered it. */
type Value = string | null;

const UNKNOWN_COMMAND = 'a command substitution it does not run';

const MAX_CALL_DEPTH = 16;

class Evaluator {
  private why = '';
  /** For each function call in progress, the variables it declared `local` and their values before. */
  private readonly locals: { name: string; value: string | null | undefined; why: string }[][] = [];

  constructor(
    private readonly state: ShellState,
    private readonly source: string,
    private readonly onCommand: CommandHandler | undefined,
  ) {}

  statements(nodes: readonly Node[]): void {
    for (const node of nodes) if (node.type !== 'comment') this.statement(node);
  }

  /** The statements of `node`'s body (its children but comments: eclasses are mostly documentation). */
  statementsOf(node: Node): void {
    let statements = statementsCache.get(node);
    if (!statements) statementsCache.set(node, (statements = childrenOf(node).filter((child) => child.type !== 'comment')));
    for (const statement of statements) this.statement(statement);
  }

  private statement(node: Node): void {
    switch (node.type) {
      case 'variable_assignment':
        return this.assignment(node);
      case 'variable_assignments':
        return childrenOf(node).forEach((child) => this.statement(child));
      case 'declaration_command': {
        const isLocal = childrenOf(node)[0]?.text === 'local';
        for (const child of childrenOf(node)) {
          const name = child.type === 'variable_name' ? child.text : child.type === 'variable_assignment' ? child.childForFieldName('name')?.text : undefined;
          if (!name) continue;
          if (isLocal) this.locals.at(-1)?.push({ name, value: this.state.get(name), why: this.state.unknown.get(name) ?? '' });
          if (child.type === 'variable_assignment') this.assignment(child);
          else if (isLocal) this.state.set(name, '', '');
        }
        return;
      }
      case 'if_statement':
        return this.ifStatement(node);
      case 'case_statement':
        return this.caseStatement(node);
      case 'compound_statement':
        if (childrenOf(node)[0]?.type === '((') return;
        return this.statements(childrenOf(node));
      case 'redirected_statement':
        return this.statements(childrenOf(node));
      case 'list':
      case 'negated_command':
        this.run(node);
        return;
      case 'function_definition': {
        const { name, body } = definitionOf(node);
        if (name && body) this.state.functions.set(name, body);
        return;
      }
      case 'for_statement':
        return this.forStatement(node);
      case 'command': {
        const name = node.childForFieldName('name')?.text;
        if (!name) return;
        const args = node.childrenForFieldName('argument').flatMap((arg) => {
          const value = arg ? this.expand(arg) : null;
          return value === null ? [] : value.split(/\s+/).filter(Boolean);
        });
        if (name === 'unset') {
          if (args[0] === '-f') args.slice(1).forEach((fn) => this.state.functions.delete(fn));
          else args.filter((arg) => !arg.startsWith('-')).forEach((variable) => this.state.unset(variable));
          return;
        }
        if (name === 'printf' && args[0] === '-v' && args[1]) return this.printfToVariable(args[1], node);
        const body = this.state.functions.get(name);
        if (body) return this.call(body);
        this.onCommand?.(name, args, node, this.state);
        return;
      }
      default:
        return;
    }
  }

  private assignment(node: Node): void {
    const name = node.childForFieldName('name')?.text;
    if (!name || /\[/.test(name)) return;
    const valueNode = node.childForFieldName('value');
    const append = childrenOf(node).some((child) => child.type === '+=');
    this.why = '';
    let value: Value = valueNode ? this.expand(valueNode) : '';
    const where = `${this.source}:${lineOf(node)}`;
    if (append && value !== null) {
      const before = this.state.get(name);
      value = before === null ? null : `${before ?? ''}${valueNode?.type === 'array' && before ? ' ' : ''}${value}`;
      if (before === null) this.why = this.state.unknown.get(name) ?? '';
    }
    this.state.set(name, value, value === null ? `${where}: ${this.why || 'an unknown value'}` : '');
  }

  /** Marks every variable assigned anywhere below `node` unknown: which branch runs is not known. */
  private undecidable(node: Node, what: string): void {
    const walk = (current: Node) => {
      if (current.type === 'variable_assignment') {
        const name = current.childForFieldName('name')?.text;
        if (name) this.state.set(name, null, `${this.source}:${lineOf(current)}: assigned under ${what} it cannot decide`);
      }
      if (current.type !== 'function_definition') childrenOf(current).forEach(walk);
    };
    walk(node);
  }

  /** `printf -v NAME FORMAT ARGS…` with a format whose only conversion is one `%s` (repeated for each argument, as bash does). */
  private printfToVariable(name: string, node: Node): void {
    const [, , format, ...rest] = node.childrenForFieldName('argument').map((arg) => (arg ? this.expand(arg) : null));
    const args = rest.flatMap((arg) => (arg === null ? [null] : arg.split(/\s+/).filter(Boolean)));
    if (format === null || format === undefined || args.includes(null) || (format.match(/%/g) ?? []).length !== 1 || !format.includes('%s')) {
      this.state.set(name, null, `${this.source}:${lineOf(node)}: printf -v with a format it does not evaluate`);
      return;
    }
    this.state.set(name, (args.length ? args : ['']).map((arg) => format.replace('%s', arg!)).join(''), '');
  }

  /** Calls a function defined at global scope: runs its body, then restores the variables it made local. */
  private call(body: Node): void {
    if (this.locals.length >= MAX_CALL_DEPTH) return this.undecidable(body, 'a call nested too deep');
    this.locals.push([]);
    try {
      this.statementsOf(body);
    } finally {
      for (const { name, value, why } of this.locals.pop()!.reverse()) {
        if (value === undefined) this.state.unset(name);
        else this.state.set(name, value, why);
      }
    }
  }

  /** `for x in words; do …; done` over words it can expand; otherwise its assignments are unknown. */
  private forStatement(node: Node): void {
    const variable = node.childForFieldName('variable')?.text;
    const values = node.childrenForFieldName('value').map((value) => (value ? this.expand(value) : null));
    const body = node.childForFieldName('body');
    if (!variable || !body || values.length === 0 || values.includes(null)) return this.undecidable(node, 'a for loop');
    for (const word of values.join(' ').split(/\s+/).filter(Boolean)) {
      this.state.set(variable, word, '');
      this.statementsOf(body);
    }
  }

  /** Runs a statement for its exit status: true for success, false for failure, undefined when unknown. */
  private run(node: Node): boolean | undefined {
    if (node.type === 'list') {
      const [left, operator, right] = childrenOf(node);
      const first = left ? this.run(left) : undefined;
      if (!right) return first;
      if (first === undefined) {
        this.undecidable(right, 'a command list');
        return undefined;
      }
      if ((operator?.type === '&&') !== first) return first;
      return this.run(right);
    }
    if (node.type === 'negated_command') {
      const inner = childrenOf(node).find((child) => child.type !== '!');
      const status = inner ? this.run(inner) : undefined;
      return status === undefined ? undefined : !status;
    }
    if (node.type === 'test_command') return this.condition(node);
    if (node.type === 'compound_statement' && childrenOf(node)[0]?.type === '((') {
      const inner = childrenOf(node).filter((child) => child.type !== '((' && child.type !== '))');
      const value = inner.length === 1 ? this.arithmetic(inner[0]!) : undefined;
      return value === undefined ? undefined : value !== 0;
    }
    if (node.type === 'variable_assignment' || node.type === 'variable_assignments') {
      this.statement(node);
      return true;
    }
    if (node.type === 'command') {
      const name = node.childForFieldName('name')?.text;
      if (name === 'true' || name === ':') return true;
      if (name === 'false') return false;
      if (name === 'has') {
        const args = node.childrenForFieldName('argument').map((arg) => (arg ? this.expand(arg) : null));
        if (args.includes(null) || args.length === 0) return undefined;
        return args.slice(1).join(' ').split(/\s+/).includes(args[0]!);
      }
      if (name === 'inherit') {
        this.statement(node);
        return true;
      }
    }
    return undefined;
  }

  /** The value of a `(( … ))` expression of integers, variables and comparisons, or undefined. */
  private arithmetic(node: Node): number | undefined {
    if (node.type === 'number') return /^-?\d+$/.test(node.text) ? Number(node.text) : undefined;
    if (node.type === 'variable_name' || node.type === 'simple_expansion' || node.type === 'expansion') {
      const value = node.type === 'variable_name' ? this.state.get(node.text) : this.expand(node);
      if (value === null) return undefined;
      const text = (value ?? '').trim();
      return text === '' ? 0 : /^-?\d+$/.test(text) ? Number(text) : undefined;
    }
    if (node.type === 'unary_expression') {
      const [operator, operand] = childrenOf(node);
      const value = operand ? this.arithmetic(operand) : undefined;
      if (value === undefined) return undefined;
      return operator?.text === '-' ? -value : operator?.text === '!' ? Number(value === 0) : undefined;
    }
    if (node.type === 'parenthesized_expression') {
      const inner = childrenOf(node).filter((child) => child.type !== '(' && child.type !== ')');
      return inner.length === 1 ? this.arithmetic(inner[0]!) : undefined;
    }
    if (node.type !== 'binary_expression') return undefined;
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    const operator = childrenOf(node).find((child) => child.id !== left?.id && child.id !== right?.id)?.text;
    const a = left ? this.arithmetic(left) : undefined;
    const b = right ? this.arithmetic(right) : undefined;
    if (a === undefined || b === undefined) return undefined;
    const operations: Record<string, (x: number, y: number) => number> = {
      '>=': (x, y) => Number(x >= y),
      '<=': (x, y) => Number(x <= y),
      '>': (x, y) => Number(x > y),
      '<': (x, y) => Number(x < y),
      '==': (x, y) => Number(x === y),
      '!=': (x, y) => Number(x !== y),
      '&&': (x, y) => Number(x !== 0 && y !== 0),
      '||': (x, y) => Number(x !== 0 || y !== 0),
      '+': (x, y) => x + y,
      '-': (x, y) => x - y,
      '*': (x, y) => x * y,
    };
    const operation = operator ? operations[operator] : undefined;
    return operation ? operation(a, b) : undefined;
  }

  private ifStatement(node: Node): void {
    const clause = (parent: Node) => {
      const children = childrenOf(parent);
      const thenAt = children.findIndex((child) => child.type === 'then');
      const conditions = children.slice(1, thenAt).filter((child) => child.type !== ';');
      const body = children.slice(thenAt + 1).filter((child) => !['elif_clause', 'else_clause', 'fi'].includes(child.type));
      return { conditions, body };
    };
    const branches = [clause(node), ...childrenOf(node).filter((child) => child.type === 'elif_clause').map(clause)];
    const otherwise = childrenOf(node).find((child) => child.type === 'else_clause');
    for (const { conditions, body } of branches) {
      const decided = conditions.length === 1 ? this.condition(conditions[0]!) : undefined;
      if (decided === undefined) return this.undecidable(node, 'an if condition');
      if (decided) return this.statements(body);
    }
    if (otherwise) this.statements(childrenOf(otherwise).slice(1));
  }

  private caseStatement(node: Node): void {
    const valueNode = node.childForFieldName('value');
    const value = valueNode ? this.expand(valueNode) : null;
    if (value === null) return this.undecidable(node, 'a case value');
    for (const item of childrenOf(node).filter((child) => child.type === 'case_item')) {
      const patterns = item.childrenForFieldName('value').flatMap((pattern) => (pattern ? [this.expand(pattern)] : []));
      if (patterns.includes(null)) return this.undecidable(node, 'a case pattern');
      if (patterns.some((pattern) => globMatches(pattern!, value))) {
        const body = childrenOf(item).filter((child) => !item.childrenForFieldName('value').some((pattern) => pattern?.id === child.id));
        return this.statements(body.filter((child) => ![')', ';;', ';&', ';;&', '|', '('].includes(child.type)));
      }
    }
  }

  /** The truth of a `[[ … ]]` / `[ … ]` test, or undefined when it cannot be decided statically. */
  private condition(node: Node): boolean | undefined {
    if (node.type !== 'test_command') return this.run(node);
    const inner = childrenOf(node).filter((child) => !['[[', ']]', '[', ']'].includes(child.type));
    return inner.length === 1 ? this.test(inner[0]!) : undefined;
  }

  private test(node: Node): boolean | undefined {
    if (node.type === 'parenthesized_expression') {
      const inner = childrenOf(node).filter((child) => child.type !== '(' && child.type !== ')');
      return inner.length === 1 ? this.test(inner[0]!) : undefined;
    }
    if (node.type === 'unary_expression') {
      const [operator, operand] = childrenOf(node);
      if (operator?.text === '!' && operand) {
        const value = this.test(operand);
        return value === undefined ? undefined : !value;
      }
      const value = operand ? this.expand(operand) : null;
      if (value === null) return undefined;
      if (operator?.text === '-n') return value !== '';
      if (operator?.text === '-z') return value === '';
      return undefined;
    }
    if (node.type !== 'binary_expression') {
      const value = this.expand(node);
      return value === null ? undefined : value !== '';
    }
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    const operator = childrenOf(node).find((child) => child.id !== left?.id && child.id !== right?.id)?.text;
    if (operator === '&&' || operator === '||') {
      const a = left ? this.test(left) : undefined;
      const b = right ? this.test(right) : undefined;
      if (operator === '&&') return a === false || b === false ? false : a === undefined || b === undefined ? undefined : true;
      return a === true || b === true ? true : a === undefined || b === undefined ? undefined : false;
    }
    const a = left ? this.expand(left) : null;
    const pattern = right ? this.expand(right, true) : null;
    if (a === null || pattern === null) return undefined;
    if (operator === '==' || operator === '=') return globMatches(pattern, a);
    if (operator === '!=') return !globMatches(pattern, a);
    if (operator === '=~') return regexMatches(right!.text, a);
    // `[[ x -ge 90 ]]` takes an empty operand as 0.
    const integer = (text: string) => (text.trim() === '' ? 0 : /^-?\d+$/.test(text.trim()) ? Number(text) : undefined);
    const [x, y] = [integer(a), integer(pattern)];
    const numbers = x !== undefined && y !== undefined ? [x, y] : undefined;
    const comparisons: Record<string, (x: number, y: number) => boolean> = {
      '-eq': (x, y) => x === y,
      '-ne': (x, y) => x !== y,
      '-lt': (x, y) => x < y,
      '-le': (x, y) => x <= y,
      '-gt': (x, y) => x > y,
      '-ge': (x, y) => x >= y,
    };
    const comparison = operator ? comparisons[operator] : undefined;
    return comparison && numbers ? comparison(numbers[0]!, numbers[1]!) : undefined;
  }

  /** The text a word expands to (without word splitting), or null when part of it is unknown. */
  private expand(node: Node, asPattern = false): Value {
    switch (node.type) {
      case 'word':
      case 'number':
      case 'extglob_pattern':
      case 'regex':
        return asPattern ? node.text : node.text.replace(/\\(.)/g, '$1');
      case 'string_content':
        return node.text.replace(/\\([$`"\\\n])/g, '$1');
      case 'raw_string':
        return asPattern ? escapeGlob(node.text.slice(1, -1)) : node.text.slice(1, -1);
      case 'array': {
        const words: string[] = [];
        for (const element of childrenOf(node).filter((child) => !['(', ')', 'comment'].includes(child.type))) {
          const value = this.expand(element, asPattern);
          if (value === null) return null;
          words.push(...(['string', 'raw_string'].includes(element.type) ? [value] : braceExpand(value)));
        }
        return words.join(' ');
      }
      case 'brace_expression':
        return node.text;
      case 'string':
      case 'concatenation': {
        const parts = childrenOf(node).filter((child) => !['"', '(', ')'].includes(child.type));
        let out = '';
        for (const part of parts) {
          const value = this.expand(part, asPattern && node.type !== 'string');
          if (value === null) return null;
          out += value;
        }
        return node.type === 'string' && asPattern ? escapeGlob(out) : out;
      }
      case 'simple_expansion':
      case 'expansion':
        return this.parameter(node);
      case 'command_substitution':
        return this.commandSubstitution(node);
      default:
        this.why = `'${node.text.slice(0, 40)}'`;
        return null;
    }
  }

  private variable(name: string): Value {
    const value = this.state.get(name);
    if (value === null) this.why = `\${${name}}, itself unknown (${this.state.unknown.get(name)})`;
    return value === undefined ? '' : value;
  }

  /** `$X` and `${…}`: see expandParameter. */
  private parameter(node: Node): Value {
    // tree-sitter-bash counts whitespace before an expansion inside a string as part of the expansion.
    const start = node.text.indexOf('$');
    const own = node.text.slice(start);
    const value = this.expandParameter(own.startsWith('${') ? own.slice(2, -1) : own.slice(1));
    if (value === null && !this.why) this.why = `'${node.text}'`;
    return value === null ? null : node.text.slice(0, start) + value;
  }

  /**
   * `NAME`, `#NAME`, `NAME[@]`/`NAME[*]` (arrays are held as their words) with one of `:-`, `-`,
   * `:+`, `+`, `%`, `%%`, `#`, `##`, `/`, `//`, `/#`, `/%`, `:offset[:length]`, `^^`, `,,`; operations on
   * arrays apply to each word. Anything else (indirection, nested operations) is unknown.
   */
  private expandParameter(text: string): Value {
    const match = /^(#?)([A-Za-z_][A-Za-z0-9_]*|[0-9])(\[(?:[@*]|-?\d+)\])?(.*)$/s.exec(text);
    if (!match) {
      this.why = `'\${${text}}'`;
      return null;
    }
    const [, length, name, array, rest] = match as unknown as [string, string, string, string | undefined, string];
    const whole = this.variable(name);
    if (whole === null) return null;
    // Arrays are held as their words: `[N]` picks one (negative from the end), `[@]`/`[*]` keep all.
    const index = array && /-?\d+/.exec(array)?.[0];
    const words = whole.split(/\s+/).filter(Boolean);
    const value = index ? (words.at(Number(index)) ?? '') : whole;
    if (length) return rest ? null : String(array && !index ? words.length : value.length);
    if (rest === '') return value;
    const apply = (op: (word: string) => Value): Value => {
      if (!array) return op(value);
      const words = value.split(/\s+/).filter(Boolean).map(op);
      return words.includes(null) ? null : words.join(' ');
    };
    const operand = (raw: string): Value => this.expandWord(raw);
    let parts: RegExpExecArray | null;
    if ((parts = /^(:?)([-+=?])(.*)$/s.exec(rest))) {
      const [, colon, operator, word] = parts as unknown as [string, string, string, string];
      const isSet = this.state.values.has(name) && (colon ? value !== '' : true);
      if (operator === '-') return isSet ? value : operand(word);
      if (operator === '+') return isSet ? operand(word) : '';
      if (operator === '=') {
        if (isSet) return value;
        const assigned = operand(word);
        this.state.set(name, assigned, `\${${text}}`);
        return assigned;
      }
      return null;
    }
    if ((parts = /^(%%?|##?)(.*)$/s.exec(rest))) {
      const pattern = operand(parts[2]!);
      if (pattern === null) return null;
      const operator = parts[1]!;
      return apply((word) => (operator.startsWith('%') ? trimSuffix(word, pattern, operator === '%%') : trimPrefix(word, pattern, operator === '##')));
    }
    if ((parts = /^\/([\/#%]?)((?:\\.|[^/])*)(?:\/(.*))?$/s.exec(rest))) {
      const [, mode, rawPattern, rawReplacement] = parts as unknown as [string, string, string, string | undefined];
      const pattern = operand(rawPattern);
      const replacement = rawReplacement === undefined ? '' : operand(rawReplacement);
      if (pattern === null || replacement === null) return null;
      return apply((word) => substitute(word, pattern, replacement, mode));
    }
    if ((parts = /^:(-?\d+)(?::(-?\d+))?$/.exec(rest.replace(/\s+/g, '')))) {
      const offset = Number(parts[1]);
      const start = offset < 0 ? Math.max(value.length + offset, 0) : offset;
      const count = parts[2] === undefined ? undefined : Number(parts[2]);
      if (count !== undefined && count < 0) return value.slice(start, value.length + count);
      return value.substr(start, count);
    }
    if (rest === '^^') return apply((word) => word.toUpperCase());
    if (rest === ',,') return apply((word) => word.toLowerCase());
    this.why = `'\${${text}}'`;
    return null;
  }

  /** Expands `$X`/`${…}` references in a word of a parameter operation (no quotes removed but `"`), or null. */
  private expandWord(raw: string): Value {
    let out = '';
    for (let i = 0; i < raw.length; i++) {
      const char = raw[i]!;
      if (char === '"') continue;
      if (char === '\\' && i + 1 < raw.length) {
        out += raw[i] + raw[++i]!;
      } else if (char === '$' && raw[i + 1] === '{') {
        let depth = 0;
        let end = i + 1;
        for (; end < raw.length; end++) {
          if (raw[end] === '{') depth++;
          else if (raw[end] === '}' && --depth === 0) break;
        }
        const value = this.expandParameter(raw.slice(i + 2, end));
        if (value === null) return null;
        out += value;
        i = end;
      } else if (char === '$' && /[A-Za-z_]/.test(raw[i + 1] ?? '')) {
        const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(raw.slice(i + 1))![0];
        const value = this.variable(name);
        if (value === null) return null;
        out += value;
        i += name.length;
      } else if (char === '$' || char === '`') {
        this.why = `'${raw}'`;
        return null;
      } else out += char;
    }
    return out;
  }

  private commandSubstitution(node: Node): Value {
    const command = childrenOf(node).find((child) => child.type === 'command');
    const name = command?.childForFieldName('name')?.text;
    const args = (command?.childrenForFieldName('argument') ?? []).map((arg) => (arg ? this.expand(arg) : null));
    if (name === 'ver_cut' && !args.includes(null) && (args.length === 1 || args.length === 2)) {
      const version = args.length === 2 ? args[1]! : this.variable('PV');
      const cut = version === null ? undefined : verCut(args[0]!, version);
      if (cut !== undefined) return cut;
    }
    this.why = `'${node.text.slice(0, 60)}' (${UNKNOWN_COMMAND})`;
    return null;
  }
}

/** Bash brace expansion of one unquoted word: `a{b,c}` is `ab ac`, `x{1..3}` is `x1 x2 x3`. */
export function braceExpand(word: string): string[] {
  const match = /^(.*?)\{([^{}]*)\}(.*)$/s.exec(word);
  if (!match) return [word];
  const [, before, inside, after] = match as unknown as [string, string, string, string];
  const range = /^(-?\d+)\.\.(-?\d+)$/.exec(inside);
  let alternatives: string[];
  if (range) {
    const [from, to] = [Number(range[1]), Number(range[2])];
    const step = from <= to ? 1 : -1;
    alternatives = Array.from({ length: Math.abs(to - from) + 1 }, (_, index) => String(from + index * step));
  } else if (inside.includes(',')) alternatives = inside.split(',');
  else return [word];
  return alternatives.flatMap((alternative) => braceExpand(before + alternative + after));
}

/** `[[ text =~ regex ]]` for a literal POSIX extended regex (no expansions in it), or undefined. */
function regexMatches(regex: string, text: string): boolean | undefined {
  if (/\$[{(A-Za-z_]|[`'"]/.test(regex)) return undefined;
  try {
    return new RegExp(regex).test(text);
  } catch {
    return undefined;
  }
}

/** `${x/pattern/replacement}`: `mode` '' replaces the first match, '/' all, '#' at the start, '%' at the end; longest matches. */
function substitute(value: string, pattern: string, replacement: string, mode: string): string {
  if (pattern === '') return mode === '#' ? replacement + value : mode === '%' ? value + replacement : value;
  if (!/[*?[\\]/.test(pattern)) return substituteLiteral(value, pattern, replacement, mode);
  const longestAt = (start: number, anchoredEnd: boolean): number | undefined => {
    for (let end = value.length; end >= start; end--) {
      if (anchoredEnd && end !== value.length) break;
      if (end > start || pattern === '*') if (globMatches(pattern, value.slice(start, end))) return end;
    }
    return undefined;
  };
  if (mode === '#') {
    const end = longestAt(0, false);
    return end === undefined ? value : replacement + value.slice(end);
  }
  if (mode === '%') {
    for (let start = 0; start <= value.length; start++) if (longestAt(start, true) !== undefined) return value.slice(0, start) + replacement;
    return value;
  }
  let out = '';
  let position = 0;
  while (position < value.length) {
    const end = longestAt(position, false);
    if (end === undefined || end === position) {
      out += value[position];
      position++;
      continue;
    }
    out += replacement;
    position = end;
    if (mode !== '/') return out + value.slice(position);
  }
  return out;
}

/** substitute for a pattern without glob characters, which matches only itself. */
function substituteLiteral(value: string, pattern: string, replacement: string, mode: string): string {
  if (mode === '#') return value.startsWith(pattern) ? replacement + value.slice(pattern.length) : value;
  if (mode === '%') return value.endsWith(pattern) ? value.slice(0, value.length - pattern.length) + replacement : value;
  if (mode === '/') return value.split(pattern).join(replacement);
  const at = value.indexOf(pattern);
  return at < 0 ? value : value.slice(0, at) + replacement + value.slice(at + pattern.length);
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

function trimSuffix(value: string, pattern: string, longest: boolean): string {
  const starts = [...Array(value.length + 1).keys()];
  for (const start of longest ? starts : starts.reverse()) if (globMatches(pattern, value.slice(start))) return value.slice(0, start);
  return value;
}

function trimPrefix(value: string, pattern: string, longest: boolean): string {
  const ends = [...Array(value.length + 1).keys()];
  for (const end of longest ? ends.reverse() : ends) if (globMatches(pattern, value.slice(0, end))) return value.slice(end);
  return value;
}

/** The variables Portage sets before sourcing an ebuild, from its `category/package-version[-rN]`. */
export function ebuildVariables(category: string, pkg: string, version: string, revision: number): Map<string, string> {
  const pr = `r${revision}`;
  const pvr = revision ? `${version}-${pr}` : version;
  return new Map([
    ['CATEGORY', category],
    ['PN', pkg],
    ['PV', version],
    ['PR', pr],
    ['PVR', pvr],
    ['P', `${pkg}-${version}`],
    ['PF', `${pkg}-${pvr}`],
  ]);
}
