import type { Node } from 'web-tree-sitter';
import { childrenOf, lineOf } from './ebuild.js';

/**
 * A small, static evaluation of the global scope of an ebuild or eclass: variable assignments
 * (`=`, `+=`) in order, with `$VAR`/`${VAR}` references, `${VAR%pattern}`-style trimming,
 * `$(ver_cut …)`, and `if`/`elif`/`else` and `case` on values it knows (`[[ ${PV} == *9999* ]]`).
 * Whatever it cannot work out without running bash is recorded as unknown, with the reason, rather
 * than guessed: an assignment whose value holds an unknown expansion, or any assignment under a
 * condition it cannot decide.
 */

/** The state of an evaluation: the values known so far and, for each unknown variable, why it is unknown. */
export class ShellState {
  readonly values = new Map<string, string>();
  readonly unknown = new Map<string, string>();

  constructor(initial: ReadonlyMap<string, string> = new Map()) {
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

/** What an evaluation does with commands at global scope (such as `inherit`); other commands are ignored. */
export type CommandHandler = (name: string, args: readonly string[], node: Node, state: ShellState) => void;

/** Evaluates the global-scope statements of `root` into `state`; `source` names the file in reasons. */
export function evaluateGlobalScope(root: Node, state: ShellState, source: string, onCommand?: CommandHandler): void {
  new Evaluator(state, source, onCommand).statements(childrenOf(root));
}

/** Bash glob matching of `text` against `pattern` (`*`, `?`, `[…]`), as `[[ x == pattern ]]` and `case` do. */
export function globMatches(pattern: string, text: string): boolean {
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
  return new RegExp(`^${regex}$`, 's').test(text);
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

/** A value being built: text, or null once an unknown part entered it. */
type Value = string | null;

const UNKNOWN_COMMAND = 'a command substitution it does not run';

class Evaluator {
  private why = '';

  constructor(
    private readonly state: ShellState,
    private readonly source: string,
    private readonly onCommand: CommandHandler | undefined,
  ) {}

  statements(nodes: readonly Node[]): void {
    for (const node of nodes) this.statement(node);
  }

  private statement(node: Node): void {
    switch (node.type) {
      case 'variable_assignment':
        return this.assignment(node);
      case 'declaration_command':
        return childrenOf(node).filter((child) => child.type === 'variable_assignment').forEach((child) => this.assignment(child));
      case 'if_statement':
        return this.ifStatement(node);
      case 'case_statement':
        return this.caseStatement(node);
      case 'compound_statement':
      case 'redirected_statement':
        return this.statements(childrenOf(node));
      case 'list':
        // `a && b`, `a || b`: assignments here depend on a command's status.
        return this.undecidable(node, 'a command list');
      case 'command': {
        const name = node.childForFieldName('name')?.text;
        if (!name || !this.onCommand) return;
        const args = node.childrenForFieldName('argument').flatMap((arg) => {
          const value = arg ? this.expand(arg) : null;
          return value === null ? [] : value.split(/\s+/).filter(Boolean);
        });
        this.onCommand(name, args, node, this.state);
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
    if (node.type !== 'test_command') return undefined;
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
    if (node.type !== 'binary_expression') return undefined;
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
    return undefined;
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
      case 'string':
      case 'concatenation':
      case 'array': {
        const parts = childrenOf(node).filter((child) => !['"', '(', ')'].includes(child.type));
        let out = '';
        for (const part of parts) {
          const value = this.expand(part, asPattern && node.type !== 'string');
          if (value === null) return null;
          out += node.type === 'array' && out ? ` ${value}` : value;
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

  /** `$X`, `${X}`, `${X%pat}`, `${X%%pat}`, `${X#pat}`, `${X##pat}`, `${X:-word}`; anything else is unknown. */
  private parameter(node: Node): Value {
    const parts = childrenOf(node).filter((child) => !['$', '${', '}'].includes(child.type));
    const name = parts[0]?.type === 'variable_name' ? parts[0].text : undefined;
    if (!name) {
      this.why = `'${node.text}'`;
      return null;
    }
    const value = this.variable(name);
    if (parts.length === 1 || value === null) return value;
    const operator = parts[1]!.text;
    const operand = parts.slice(2).map((part) => this.expand(part, true));
    if (operand.includes(null) || operand.length > 1) {
      this.why = `'${node.text}'`;
      return null;
    }
    const pattern = operand[0] ?? '';
    switch (operator) {
      case '%':
      case '%%':
        return trimSuffix(value, pattern, operator === '%%');
      case '#':
      case '##':
        return trimPrefix(value, pattern, operator === '##');
      case ':-':
        return value === '' ? pattern : value;
      default:
        this.why = `'${node.text}'`;
        return null;
    }
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
