import type { Language, Tree, TreeCursor } from 'web-tree-sitter';

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
    // Only a tree with errors can hold missing nodes: asking each node costs a call into wasm.
    return new Copier(tree.language, new SourceText(source), tree.rootNode.hasError).copy(cursor);
  } finally {
    cursor.delete();
  }
}

/** Copies nodes with as few calls into wasm as it can: types, their namedness and field names are looked up by id. */
class Copier {
  private readonly named = new Map<number, boolean>();

  constructor(
    private readonly language: Language,
    private readonly source: SourceText,
    private readonly mayMiss: boolean,
  ) {}

  copy(cursor: TreeCursor): PlainNode {
    const typeId = cursor.nodeTypeId;
    let named = this.named.get(typeId);
    if (named === undefined) this.named.set(typeId, (named = this.language.nodeTypeIsNamed(typeId)));
    const type = this.language.types[typeId] || 'ERROR';
    const node = new PlainNode(this.source, type, named, this.mayMiss && cursor.nodeIsMissing, cursor.startIndex, cursor.endIndex);
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
    }
    return node;
  }
}
