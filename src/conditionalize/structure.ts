import type { SyntaxNode as Node } from '../portage/syntax.js';
import { childrenOf, withBashTree } from '../portage/ebuild.js';

/** A top-level variable assignment, with its place in the text. */
export interface TopAssignment {
  readonly name: string;
  readonly isArray: boolean;
  /** First and last line (1-based). */
  readonly startLine: number;
  readonly endLine: number;
  /** The value inside its quotes or parentheses, as `[valueStart, valueEnd)` of the text. */
  readonly valueStart: number;
  readonly valueEnd: number;
}

/** Where a range of whole lines sits in the bash structure, and why it cannot be guarded if it cannot. */
export interface RangePlace {
  /** The function holding the range. */
  readonly fn: string | undefined;
  /** The range is a run of statements directly in the function's body, not nested deeper. */
  readonly direct: boolean;
  /** Why the lines are not whole statements inside a function, when they are not. */
  readonly problem: string | undefined;
  /** The statement the range cuts through (first and last line), when it lies in a function: guarding it whole is possible. */
  readonly crossed?: { readonly first: number; readonly last: number };
}

/** A file's top-level assignments, and the place of each line range asked about. */
export interface BashStructure {
  readonly assignments: readonly TopAssignment[];
  readonly places: readonly RangePlace[];
}

/** Node types that hold statements, into which a range may lead. */
const CONTAINERS = new Set([
  'function_definition',
  'compound_statement',
  'if_statement',
  'elif_clause',
  'else_clause',
  'while_statement',
  'for_statement',
  'c_style_for_statement',
  'do_group',
  'case_statement',
  'case_item',
  'subshell',
]);

/**
 * Reads the top-level assignments of a bash text and places each of `ranges` (first and last line,
 * 1-based, inclusive) in its structure: the function holding it, and whether its lines are whole
 * statements there. Text the grammar cannot parse is a problem for the ranges that touch it.
 */
export function bashStructure(text: string, ranges: readonly { readonly from: number; readonly to: number }[], source?: string): Promise<BashStructure> {
  return withBashTree(
    text,
    source,
    (root) => {
      const assignments: TopAssignment[] = [];
      for (const node of childrenOf(root)) {
        if (node.type !== 'variable_assignment') continue;
        const value = node.childForFieldName('value');
        const quoted = value && /^(string|raw_string|array)$/.test(value.type);
        assignments.push({
          name: node.childForFieldName('name')?.text ?? '',
          isArray: value?.type === 'array',
          startLine: node.startPosition.row + 1,
          endLine: node.endPosition.row + 1,
          valueStart: value ? value.startIndex + (quoted ? 1 : 0) : node.endIndex,
          valueEnd: value ? value.endIndex - (quoted ? 1 : 0) : node.endIndex,
        });
      }
      return { assignments, places: ranges.map((range) => place(root, range.from, range.to, undefined, false)) };
    },
    true,
  );
}

const lines = (node: Node) => ({ first: node.startPosition.row + 1, last: node.endPosition.row + 1 });

function place(node: Node, from: number, to: number, fn: string | undefined, direct: boolean): RangePlace {
  for (const child of childrenOf(node).filter((entry) => entry.isNamed)) {
    const { first, last } = lines(child);
    if (last < from || first > to) continue;
    if (first >= from && last <= to) {
      if (child.type === 'ERROR') return { fn, direct, problem: 'bash the parser cannot read' };
      if (node.type === 'if_statement' && isCondition(node, child)) return { fn, direct, problem: `changes the condition of the if on line ${lines(node).first}` };
      continue;
    }
    if (CONTAINERS.has(child.type) && first < from && last > to) {
      if (child.type === 'function_definition') return place(child, from, to, child.childForFieldName('name')?.text, false);
      const body = child.type === 'compound_statement' && node.type === 'function_definition';
      return place(child, from, to, fn, body);
    }
    return { fn, direct, problem: crossing(child, from), ...(fn === undefined ? {} : { crossed: lines(child) }) };
  }
  if (fn === undefined) return { fn, direct, problem: 'is at global scope, where `use` is not available' };
  return { fn, direct, problem: undefined };
}

function isCondition(ifNode: Node, child: Node): boolean {
  const parts = childrenOf(ifNode);
  const then = parts.findIndex((part) => part.type === 'then');
  return parts.indexOf(child) < then;
}

/** Why a range cannot cut through `node`. */
function crossing(node: Node, line: number): string {
  const inner = deepest(node, line);
  if (inner.some((entry) => entry.type === 'heredoc_body' || entry.type === 'heredoc_redirect')) return `changes text inside a heredoc (line ${lines(node).first})`;
  if (node.type === 'variable_assignment') return `changes the variable ${node.childForFieldName('name')?.text ?? ''}, which is not a dependency variable, IUSE or PATCHES`;
  if (inner.some((entry) => entry.type === 'string' || entry.type === 'raw_string')) return `changes text inside a quoted string (line ${lines(node).first})`;
  return `changes part of a statement that spans lines ${lines(node).first}–${lines(node).last}`;
}

/** The chain of nodes from `node` down to the smallest one holding `line`. */
function deepest(node: Node, line: number): Node[] {
  const chain = [node];
  for (let current: Node | undefined = node; current; ) {
    current = childrenOf(current).find((child) => lines(child).first <= line && lines(child).last >= line);
    if (current) chain.push(current);
  }
  return chain;
}
