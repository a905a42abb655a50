import type { Node } from 'web-tree-sitter';
import { loadBashParser } from '../../src/portage/bash-parser.js';
import { plainTree, type SyntaxNode } from '../../src/portage/syntax.js';

/** Everything the plain node offers, read from tree-sitter's node and from the copy, for every node and field name. */
function described(node: Node | SyntaxNode, fieldNames: readonly string[]): unknown {
  const children = (node.children as readonly (Node | SyntaxNode | null)[]).filter((child) => child !== null);
  return {
    type: node.type,
    isNamed: node.isNamed,
    isMissing: node.isMissing,
    hasError: node.hasError,
    text: node.text,
    range: [node.startIndex, node.endIndex, node.startPosition.row, node.startPosition.column, node.endPosition.row, node.endPosition.column],
    fields: Object.fromEntries(
      fieldNames.map((name) => [name, [node.childForFieldName(name)?.startIndex ?? null, node.childrenForFieldName(name).filter((child) => child !== null).map((child) => child!.startIndex)]]),
    ),
    children: children.map((child) => described(child, fieldNames)),
  };
}

/** The whole of `source`'s tree as tree-sitter describes it and as its plain copy does. */
export async function describedBothWays(source: string): Promise<[unknown, unknown]> {
  const parser = await loadBashParser();
  const tree = parser.parse(source)!;
  try {
    const fieldNames = tree.language.fields.filter((name): name is string => name !== null);
    return [described(tree.rootNode, fieldNames), described(plainTree(tree, source), fieldNames)];
  } finally {
    tree.delete();
  }
}

