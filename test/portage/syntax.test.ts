import fc from 'fast-check';
import type { Node } from 'web-tree-sitter';
import { describe, expect, it } from 'vitest';
import { loadBashParser } from '../../src/portage/ebuild.js';
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

async function bothTrees(source: string): Promise<[unknown, unknown]> {
  const parser = await loadBashParser();
  const tree = parser.parse(source)!;
  try {
    const fieldNames = tree.language.fields.filter((name): name is string => name !== null);
    return [described(tree.rootNode, fieldNames), described(plainTree(tree, source), fieldNames)];
  } finally {
    tree.delete();
  }
}

const FRAGMENTS = [
  'EAPI=8\n',
  'IUSE="+a b"\n',
  'inherit foo bar\n',
  'if use a; then\n',
  'fi\n',
  'src_install() {\n',
  '}\n',
  '\tdoins "${FILESDIR}"/x.conf\n',
  '[[ ${PV} == 9999* ]] && KEYWORDS="~amd64"\n',
  'case ${ARCH} in amd64) X=1 ;; *) ;; esac\n',
  'cat <<-EOF\n\thé 😀\nEOF\n',
  'x=( a "b c" )\n',
  '${x//a/b}\n',
  'sed -e "s/  a/ b/" || die\n',
  '((',
  '"unterminated\n',
  '# comment ü\n',
];

describe('plain syntax trees', () => {
  it('answer every question the way tree-sitter nodes do, on well-formed and broken bash alike', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 12 }), async (parts) => {
        const [expected, actual] = await bothTrees(parts.join(''));
        expect(actual).toEqual(expected);
      }),
      { numRuns: 150 },
    );
  });

  it('give every node an id of its own', async () => {
    const parser = await loadBashParser();
    const source = 'a=1\nb() { echo "$a"; }\n';
    const tree = parser.parse(source)!;
    const ids: number[] = [];
    const walk = (node: SyntaxNode) => {
      ids.push(node.id);
      node.children.forEach(walk);
    };
    walk(plainTree(tree, source));
    walk(plainTree(tree, source));
    tree.delete();
    expect(new Set(ids).size).toBe(ids.length);
  });
});
