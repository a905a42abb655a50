import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Language, Node, Tree } from 'web-tree-sitter';

/**
 * Bash syntax trees as plain objects. Every read of a web-tree-sitter node crosses into wasm, and the
 * readers of ebuilds walk the same trees many times (an eclass once per ebuild that inherits it, an
 * ebuild once per configuration it is reduced under); so each parse is copied once, with one cursor
 * walk, into flat arrays (which a worker thread can hand over without copying), and read through
 * nodes made from them when first reached. The nodes offer the part of tree-sitter's node interface
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
  /**
   * True when no node of this subtree, this one included, has a type in `types`, and the subtree
   * is in source order (each child after the one before it, all within their parent), so that its
   * text is the text between its children and theirs, in order.
   */
  isPlainSubtree(types: ReadonlySet<string>): boolean;
  /** The type and range of every node of this subtree (this one included) with a type in `types`, in pre-order. */
  rangesOfTypes(types: ReadonlySet<string>): { readonly type: string; readonly start: number; readonly end: number }[];
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

/** The offsets at which the lines of `text` start. */
export function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let index = text.indexOf('\n'); index >= 0; index = text.indexOf('\n', index + 1)) starts.push(index + 1);
  return starts;
}

/** The names a grammar gives node type ids and field ids (index 0 of `fields` is no field). */
export interface GrammarNames {
  readonly types: readonly (string | null)[];
  readonly fields: readonly (string | null)[];
}

/**
 * A syntax tree as arrays indexed by node, in pre-order (a node, then its subtrees in order), so
 * a node's children start right after it and each subtree takes `sizes` entries.
 */
export interface FlatTree {
  readonly count: number;
  /** Type name index (into GrammarNames.types; ERROR where the grammar has none). */
  readonly types: Uint16Array;
  /** Bit 0: named; bit 1: missing; bit 2: is or holds an error. */
  readonly flags: Uint8Array;
  readonly starts: Uint32Array;
  readonly ends: Uint32Array;
  readonly sizes: Uint32Array;
  /** The field id the node has in its parent, 0 for none. */
  readonly fields: Uint16Array;
  /**
   * Triples (node, field id, answer node or -1): what tree-sitter's own childForFieldName answers
   * where it can differ from the first child the cursor gives the field to, and even lie deeper
   * down: fields a node inherits from an aliased hidden rule (see inheritedFields), and every field
   * in a tree with errors.
   */
  readonly namedByField: Int32Array;
}

const NAMED = 1;
const MISSING = 2;
const HAS_ERROR = 4;

/** The names `language` gives its node types and fields. */
export function grammarNames(language: Language): GrammarNames {
  return { types: [...language.types], fields: [...language.fields] };
}

/** A plain copy of `tree`, parsed from `source`; the tree itself can be deleted afterwards. */
export function plainTree(tree: Tree, source: string): SyntaxNode {
  return treeFromFlat(flattenTree(tree), source, grammarNames(tree.language));
}

/**
 * Copies `tree` into flat arrays with one cursor walk, with as few calls into wasm as it can: types,
 * their namedness and field names are looked up by id. A tree with errors is rare and may hold
 * missing nodes and fields the cursor and the node disagree on, so there each node is asked too.
 */
export function flattenTree(tree: Tree): FlatTree {
  const language = tree.language;
  const hasErrors = tree.rootNode.hasError;
  const named = new Map<number, boolean>();
  const errorType = language.types.indexOf('ERROR');
  let capacity = 1024;
  let types = new Uint16Array(capacity);
  let flags = new Uint8Array(capacity);
  let starts = new Uint32Array(capacity);
  let ends = new Uint32Array(capacity);
  let sizes = new Uint32Array(capacity);
  let fields = new Uint16Array(capacity);
  const namedByField: number[] = [];
  let count = 0;
  const grow = () => {
    capacity *= 2;
    const bigger = <T extends Uint8Array | Uint16Array | Uint32Array>(array: T, make: new (size: number) => T): T => {
      const copy = new make(capacity);
      copy.set(array);
      return copy;
    };
    types = bigger(types, Uint16Array);
    flags = bigger(flags, Uint8Array);
    starts = bigger(starts, Uint32Array);
    ends = bigger(ends, Uint32Array);
    sizes = bigger(sizes, Uint32Array);
    fields = bigger(fields, Uint16Array);
  };
  const cursor = tree.walk();
  try {
    const copy = (field: number): number => {
      if (count === capacity) grow();
      const index = count++;
      const typeId = cursor.nodeTypeId;
      let isNamed = named.get(typeId);
      if (isNamed === undefined) named.set(typeId, (isNamed = language.nodeTypeIsNamed(typeId)));
      const type = language.types[typeId] ? typeId : errorType;
      const missing = hasErrors && cursor.nodeIsMissing;
      types[index] = type;
      let flag = (isNamed ? NAMED : 0) | (missing ? MISSING : 0) | (type === errorType || missing ? HAS_ERROR : 0);
      starts[index] = cursor.startIndex;
      ends[index] = cursor.endIndex;
      fields[index] = field;
      if (cursor.gotoFirstChild()) {
        do {
          const child = copy(cursor.currentFieldId);
          flag |= flags[child]! & HAS_ERROR;
        } while (cursor.gotoNextSibling());
        cursor.gotoParent();
        sizes[index] = count - index;
        const asked = hasErrors ? language.fields : inheritedFields().get(language.types[type] ?? 'ERROR');
        if (asked) answerFields(cursor.currentNode, index, asked);
      }
      flags[index] = flag;
      sizes[index] = count - index;
      return index;
    };
    /** Records what tree-sitter's childForFieldName answers for the fields `asked`, found among the nodes below `index`. */
    const answerFields = (real: Node, index: number, asked: readonly (string | null)[]) => {
      for (const name of asked) {
        if (name === null) continue;
        const child = real.childForFieldName(name);
        namedByField.push(index, language.fields.indexOf(name), child ? descendantLike(index, child) : -1);
      }
    };
    /** The first node below `root`, breadth first, with the type and range of `node`, or -1. */
    const descendantLike = (root: number, node: Node): number => {
      const queue = childIndices(sizes, root, count);
      for (let at = 0; at < queue.length; at++) {
        const candidate = queue[at]!;
        if (starts[candidate] === node.startIndex && ends[candidate] === node.endIndex && (language.types[types[candidate]!] ?? 'ERROR') === node.type) return candidate;
        queue.push(...childIndices(sizes, candidate, count));
      }
      return -1;
    };
    copy(0);
  } finally {
    cursor.delete();
  }
  const trim = <T extends Uint8Array | Uint16Array | Uint32Array>(array: T): T => array.slice(0, count) as T;
  return {
    count,
    types: trim(types),
    flags: trim(flags),
    starts: trim(starts),
    ends: trim(ends),
    sizes: trim(sizes),
    fields: trim(fields),
    namedByField: Int32Array.from(namedByField),
  };
}

/** The indices of the children of node `index` (a node's subtree being complete when `count` nodes are known). */
function childIndices(sizes: Uint32Array, index: number, count = sizes.length): number[] {
  const children: number[] = [];
  const end = Math.min(index + sizes[index]!, count);
  for (let child = index + 1; child < end; child += sizes[child]!) children.push(child);
  return children;
}

/** The root node of a flat tree of `source`; nodes are made as they are first reached. */
export function treeFromFlat(flat: FlatTree, source: string, names: GrammarNames): SyntaxNode {
  const view: FlatView = {
    flat,
    source: new SourceText(source),
    names,
    fieldIds: fieldIdsOf(names),
    answerStarts: undefined,
    nodes: new Array<FlatNode>(flat.count),
    firstId: nextId,
    plain: new Map(),
  };
  nextId += flat.count;
  return nodeAt(view, 0);
}

const fieldIdsByGrammar = new WeakMap<GrammarNames, ReadonlyMap<string, number>>();

/** The field ids of a grammar by name, made once per grammar. */
function fieldIdsOf(names: GrammarNames): ReadonlyMap<string, number> {
  let ids = fieldIdsByGrammar.get(names);
  if (!ids) fieldIdsByGrammar.set(names, (ids = new Map(names.fields.flatMap((name, id) => (name && id > 0 ? [[name, id] as const] : [])))));
  return ids;
}

/** What the nodes of one flat tree share. */
interface FlatView {
  readonly flat: FlatTree;
  readonly source: SourceText;
  readonly names: GrammarNames;
  readonly fieldIds: ReadonlyMap<string, number>;
  /** Where each node's triples start in `flat.namedByField` (-1: none), indexed when first asked. */
  answerStarts: Int32Array | undefined;
  /** The nodes made so far, by index: each index gets one node. */
  readonly nodes: FlatNode[];
  readonly firstId: number;
  /** For each set of types asked about (see isPlainSubtree), which nodes' subtrees are plain. */
  readonly plain: Map<ReadonlySet<string>, Uint8Array>;
}

/**
 * What tree-sitter answers for field `field` of node `index`, as recorded in the flat tree's
 * triples (the answer node, or -1 for none), or undefined when nothing is recorded. A node's
 * triples lie together, as flattenTree writes them.
 */
function recordedAnswer(view: FlatView, index: number, field: number): number | undefined {
  const triples = view.flat.namedByField;
  if (triples.length === 0) return undefined;
  if (!view.answerStarts) {
    const starts = new Int32Array(view.flat.count).fill(-1);
    for (let at = triples.length - 3; at >= 0; at -= 3) starts[triples[at]!] = at;
    view.answerStarts = starts;
  }
  let answer: number | undefined;
  for (let at = view.answerStarts[index]!; at >= 0 && at < triples.length && triples[at] === index; at += 3) {
    if (triples[at + 1] === field) answer = triples[at + 2]!;
  }
  return answer;
}

function nodeAt(view: FlatView, index: number): FlatNode {
  return (view.nodes[index] ??= new FlatNode(view, index));
}

class FlatNode implements SyntaxNode {
  private madeChildren: readonly FlatNode[] | undefined;

  constructor(
    private readonly view: FlatView,
    private readonly index: number,
  ) {}

  get id(): number {
    return this.view.firstId + this.index;
  }

  get type(): string {
    return this.view.names.types[this.view.flat.types[this.index]!] ?? 'ERROR';
  }

  get isNamed(): boolean {
    return (this.view.flat.flags[this.index]! & NAMED) !== 0;
  }

  get isMissing(): boolean {
    return (this.view.flat.flags[this.index]! & MISSING) !== 0;
  }

  get hasError(): boolean {
    return (this.view.flat.flags[this.index]! & HAS_ERROR) !== 0;
  }

  get startIndex(): number {
    return this.view.flat.starts[this.index]!;
  }

  get endIndex(): number {
    return this.view.flat.ends[this.index]!;
  }

  get text(): string {
    return this.view.source.text.slice(this.startIndex, this.endIndex);
  }

  get startPosition(): Point {
    return this.view.source.point(this.startIndex);
  }

  get endPosition(): Point {
    return this.view.source.point(this.endIndex);
  }

  get children(): readonly FlatNode[] {
    return (this.madeChildren ??= childIndices(this.view.flat.sizes, this.index).map((child) => nodeAt(this.view, child)));
  }

  childForFieldName(name: string): SyntaxNode | null {
    const field = this.view.fieldIds.get(name);
    if (field === undefined) return null;
    const answer = recordedAnswer(this.view, this.index, field);
    if (answer !== undefined) return answer < 0 ? null : nodeAt(this.view, answer);
    const { fields, sizes } = this.view.flat;
    for (let child = this.index + 1; child < this.index + sizes[this.index]!; child += sizes[child]!) {
      if (fields[child] === field) return nodeAt(this.view, child);
    }
    return null;
  }

  isPlainSubtree(types: ReadonlySet<string>): boolean {
    let plain = this.view.plain.get(types);
    if (!plain) this.view.plain.set(types, (plain = plainSubtrees(this.view, types)));
    return plain[this.index] === 1;
  }

  rangesOfTypes(types: ReadonlySet<string>): { type: string; start: number; end: number }[] {
    const { flat, names } = this.view;
    const ranges: { type: string; start: number; end: number }[] = [];
    for (let at = this.index; at < this.index + flat.sizes[this.index]!; at++) {
      const type = names.types[flat.types[at]!] ?? 'ERROR';
      if (types.has(type)) ranges.push({ type, start: flat.starts[at]!, end: flat.ends[at]! });
    }
    return ranges;
  }

  childrenForFieldName(name: string): SyntaxNode[] {
    const field = this.view.fieldIds.get(name);
    return field === undefined ? [] : this.children.filter((child) => this.view.flat.fields[child.index] === field);
  }
}

/** For each node of a flat tree, 1 when its subtree is plain with respect to `types` (see SyntaxNode.isPlainSubtree). */
function plainSubtrees({ flat, names }: FlatView, types: ReadonlySet<string>): Uint8Array {
  const plain = new Uint8Array(flat.count);
  // Children come after their parent: from the last node back, a node's children are decided before it.
  for (let index = flat.count - 1; index >= 0; index--) {
    if (types.has(names.types[flat.types[index]!] ?? 'ERROR')) continue;
    let ok = 1;
    let position = flat.starts[index]!;
    const end = index + flat.sizes[index]!;
    for (let child = index + 1; child < end && ok; child += flat.sizes[child]!) {
      ok = plain[child]! && flat.starts[child]! >= position && flat.ends[child]! <= flat.ends[index]! ? 1 : 0;
      position = flat.ends[child]!;
    }
    plain[index] = ok;
  }
  return plain;
}

type GrammarRule = { type: string; name?: string; value?: string; content?: GrammarRule; members?: GrammarRule[] };
let inherited: Map<string, string[]> | undefined;

/**
 * The fields tree-sitter may name below a node's own children, by node type, read from the bash
 * grammar: where a rule holds an alias of a hidden rule with fields (`[[ a = b ]]` makes a
 * binary_expression of `_test_command_binary_expression`), the node holding it inherits those fields,
 * and tree-sitter's childForFieldName answers with the grandchild. Derived again for each grammar.
 */
export function inheritedFields(): Map<string, string[]> {
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
