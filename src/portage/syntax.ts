import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Language, Node, Tree, TreeCursor } from 'web-tree-sitter';

/**
 * Bash syntax trees as plain objects. Every read of a web-tree-sitter node crosses into wasm, and the
 * readers of ebuilds walk the same trees many times (an eclass once per ebuild that inherits it, an
 * ebuild once per configuration it is reduced under); so each parse is copied once, with one cursor
 * walk, into nodes that answer from JavaScript. They offer the part of tree-sitter's node interface
 * the readers use, with the same meanings.
 */

/** A node of a plain syntax tree. */
export interface SyntaxNode {
  /** Unique among the nodes of every tree copied in this process. */
  readonly id: number;
  readonly type: string;
  readonly isNamed: boolean;
  readonly isMissing: boolean;
  /** True when the node is an error or missing node, or holds one. */
  readonly hasError: boolean;
  readonly text: string;
  /** Offsets into the source text (UTF-16 code units, as JavaScript strings count). */
  readonly startIndex: number;
  readonly endIndex: number;
  readonly startPosition: Point;
  readonly endPosition: Point;
  /** Every child, named and anonymous, in order. */
  readonly children: readonly SyntaxNode[];
  /** The first child with the field name `name`, or null. */
  childForFieldName(name: string): SyntaxNode | null;
  /** Every child with the field name `name`. */
  childrenForFieldName(name: string): SyntaxNode[];
}

/** A row and column, both from 0. */
export interface Point {
  readonly row: number;
  readonly column: number;
}

let nextId = 1;

/** The text a tree was parsed from, with where its lines start (positions are counted from offsets on demand). */
class SourceText {
  private lineStarts: number[] | undefined;

  constructor(readonly text: string) {}

  /** The row and column of `offset`: tree-sitter counts columns in the same units as offsets. */
  point(offset: number): Point {
    const starts = (this.lineStarts ??= lineStartsOf(this.text));
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (starts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    return { row: low, column: offset - starts[low]! };
  }
}

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let index = text.indexOf('\n'); index >= 0; index = text.indexOf('\n', index + 1)) starts.push(index + 1);
  return starts;
}

const NO_CHILDREN: readonly PlainNode[] = Object.freeze([]);

class PlainNode implements SyntaxNode {
  readonly id = nextId++;
  children: readonly PlainNode[] = NO_CHILDREN;
  /** The field name of each child by the child's index, when any child has one. */
  fields: (string | null)[] | undefined;
  /**
   * The node tree-sitter itself names for some fields, where it can differ from the first child the
   * cursor gives the field to, and even lie deeper down: fields a node inherits from an aliased
   * hidden rule (see inheritedFields), and every field in a tree with errors.
   */
  namedByField: Map<string, PlainNode | null> | undefined;
  hasError: boolean;

  constructor(
    private readonly source: SourceText,
    readonly type: string,
    readonly isNamed: boolean,
    readonly isMissing: boolean,
    readonly startIndex: number,
    readonly endIndex: number,
  ) {
    this.hasError = type === 'ERROR' || isMissing;
  }

  get text(): string {
    return this.source.text.slice(this.startIndex, this.endIndex);
  }

  get startPosition(): Point {
    return this.source.point(this.startIndex);
  }

  get endPosition(): Point {
    return this.source.point(this.endIndex);
  }

  childForFieldName(name: string): SyntaxNode | null {
    if (this.namedByField?.has(name)) return this.namedByField.get(name)!;
    const index = this.fields ? this.fields.indexOf(name) : -1;
    return index < 0 ? null : this.children[index]!;
  }

  childrenForFieldName(name: string): SyntaxNode[] {
    return this.fields ? this.children.filter((_, index) => this.fields![index] === name) : [];
  }
}

/** A plain copy of `tree`, parsed from `source`; the tree itself can be deleted afterwards. */
export function plainTree(tree: Tree, source: string): SyntaxNode {
  const cursor = tree.walk();
  try {
    return new Copier(tree.language, new SourceText(source), tree.rootNode.hasError).copy(cursor);
  } finally {
    cursor.delete();
  }
}

/**
 * Copies nodes with as few calls into wasm as it can: types, their namedness and field names are
 * looked up by id. A tree with errors is rare and may hold missing nodes and fields the cursor and
 * the node disagree on, so there each node is asked too.
 */
class Copier {
  private readonly named = new Map<number, boolean>();

  constructor(
    private readonly language: Language,
    private readonly source: SourceText,
    private readonly hasErrors: boolean,
  ) {}

  copy(cursor: TreeCursor): PlainNode {
    const typeId = cursor.nodeTypeId;
    let named = this.named.get(typeId);
    if (named === undefined) this.named.set(typeId, (named = this.language.nodeTypeIsNamed(typeId)));
    const type = this.language.types[typeId] || 'ERROR';
    const node = new PlainNode(this.source, type, named, this.hasErrors && cursor.nodeIsMissing, cursor.startIndex, cursor.endIndex);
    if (cursor.gotoFirstChild()) {
      const children: PlainNode[] = [];
      const fields: (string | null)[] = [];
      let anyField = false;
      do {
        const field = this.language.fields[cursor.currentFieldId] ?? null;
        anyField ||= field !== null;
        const child = this.copy(cursor);
        children.push(child);
        fields.push(field);
        if (child.hasError) node.hasError = true;
      } while (cursor.gotoNextSibling());
      cursor.gotoParent();
      node.children = children;
      if (anyField) node.fields = fields;
      const asked = this.hasErrors ? this.language.fields : inheritedFields().get(type);
      if (asked) node.namedByField = this.namedByField(cursor.currentNode, node, asked);
    }
    return node;
  }

  /** What tree-sitter's own childForFieldName answers for the fields `asked`, found among the copies below `copy`. */
  private namedByField(real: Node, copy: PlainNode, asked: readonly (string | null)[]): Map<string, PlainNode | null> {
    const named = new Map<string, PlainNode | null>();
    for (const name of asked) {
      if (name === null) continue;
      const child = real.childForFieldName(name);
      named.set(name, child ? (descendantLike(copy, child) ?? null) : null);
    }
    return named;
  }
}

/** The first node below `root`, breadth first, with the type and range of `node`. */
function descendantLike(root: PlainNode, node: Node): PlainNode | undefined {
  const queue = [...root.children];
  for (let index = 0; index < queue.length; index++) {
    const candidate = queue[index]!;
    if (candidate.startIndex === node.startIndex && candidate.endIndex === node.endIndex && candidate.type === node.type) return candidate;
    queue.push(...candidate.children);
  }
  return undefined;
}

type GrammarRule = { type: string; name?: string; value?: string; content?: GrammarRule; members?: GrammarRule[] };
let inherited: Map<string, string[]> | undefined;

/**
 * The fields tree-sitter may name below a node's own children, by node type, read from the bash
 * grammar: where a rule holds an alias of a hidden rule with fields (`[[ a = b ]]` makes a
 * binary_expression of `_test_command_binary_expression`), the node holding it inherits those fields,
 * and tree-sitter's childForFieldName answers with the grandchild. Derived again for each grammar.
 */
function inheritedFields(): Map<string, string[]> {
  if (inherited) return inherited;
  const grammarFile = createRequire(import.meta.url).resolve('tree-sitter-bash/src/grammar.json');
  const rules = (JSON.parse(readFileSync(grammarFile, 'utf8')) as { rules: Record<string, GrammarRule> }).rules;
  const hidden = (rule: GrammarRule): rule is GrammarRule & { name: string } => rule.type === 'SYMBOL' && rule.name!.startsWith('_') && rule.name! in rules;
  type Found = { fields: Set<string>; aliases: { value: string; content: string }[] };
  const byHiddenRule = new Map<string, Found>();
  /** The fields inside `rule` and the aliases of hidden rules it holds, following hidden rules but not aliases. */
  const scan = (rule: GrammarRule, found: Found, seen: Set<string>): void => {
    if (rule.type === 'FIELD') found.fields.add(rule.name!);
    if (rule.type === 'ALIAS' && rule.content && hidden(rule.content)) found.aliases.push({ value: rule.value!, content: rule.content.name });
    if (hidden(rule) && !seen.has(rule.name)) {
      seen.add(rule.name);
      scan(rules[rule.name]!, found, seen);
    }
    if (rule.type !== 'ALIAS') for (const inner of [...(rule.members ?? []), ...(rule.content ? [rule.content] : [])]) scan(inner, found, seen);
  };
  const scanned = (name: string): Found => {
    let found = byHiddenRule.get(name);
    if (!found) {
      byHiddenRule.set(name, (found = { fields: new Set(), aliases: [] }));
      scan(rules[name]!, found, new Set([name]));
    }
    return found;
  };
  const table = new Map<string, Set<string>>();
  /** Gives `type` the fields of every alias of a hidden rule with fields that `name`'s rule holds. */
  const add = (type: string, name: string): void => {
    for (const alias of scanned(name).aliases) {
      const fields = scanned(alias.content).fields;
      if (fields.size === 0) continue;
      const known = table.get(type) ?? new Set<string>();
      for (const field of fields) known.add(field);
      table.set(type, known);
    }
  };
  for (const name of Object.keys(rules)) {
    if (!name.startsWith('_')) add(name, name);
    // A hidden rule aliased to a visible type is that type where it stands.
    for (const alias of scanned(name).aliases) add(alias.value, alias.content);
  }
  inherited = new Map([...table].map(([type, fields]) => [type, [...fields].sort()]));
  return inherited;
}
