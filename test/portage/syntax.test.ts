import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadBashParser, parseFlatHere, type WorkerAnswer } from '../../src/portage/bash-parser.js';
import { plainTree, type SyntaxNode } from '../../src/portage/syntax.js';
import { describedBothWays } from '../helpers/syntax.js';

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
  '[[ $(ls "${D}") = icon-theme.cache ]] || x=$(( a ? b : c + 1 ))\n',
  'for (( i = 0; i < n; i++ )); do :; done\n',
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
        const [expected, actual] = await describedBothWays(parts.join(''));
        expect(actual).toEqual(expected);
      }),
      { numRuns: 150 },
    );
  });

  it('say which subtrees are plain and where their nodes of given types are, as a walk of the nodes finds', async () => {
    const parser = await loadBashParser();
    const types = new Set(['string', 'comment', 'ERROR']);
    const plainByWalk = (node: SyntaxNode): boolean => {
      let position = node.startIndex;
      for (const child of node.children) {
        if (!plainByWalk(child) || child.startIndex < position || child.endIndex > node.endIndex) return false;
        position = child.endIndex;
      }
      return !types.has(node.type);
    };
    const rangesByWalk = (node: SyntaxNode): { type: string; start: number; end: number }[] => [
      ...(types.has(node.type) ? [{ type: node.type, start: node.startIndex, end: node.endIndex }] : []),
      ...node.children.flatMap(rangesByWalk),
    ];
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 12 }), async (parts) => {
        const source = parts.join('');
        const tree = parser.parse(source)!;
        const root = plainTree(tree, source);
        tree.delete();
        const check = (node: SyntaxNode): void => {
          expect(node.isPlainSubtree(types)).toBe(plainByWalk(node));
          expect(node.rangesOfTypes(types)).toEqual(rangesByWalk(node));
          node.children.forEach(check);
        };
        check(root);
      }),
      { numRuns: 100 },
    );
    const source = 'echo a b\necho "x"\n';
    const tree = parser.parse(source)!;
    const [plain, holding] = plainTree(tree, source).children;
    tree.delete();
    expect([plain!.isPlainSubtree(types), holding!.isPlainSubtree(types)]).toEqual([true, false]);
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

  it('come back from a parse worker thread (the built one the command runs) exactly as parsed in this thread', async () => {
    const worker = new Worker(new URL('../../dist/src/portage/parse-worker.js', import.meta.url));
    try {
      const texts = [FRAGMENTS.join(''), 'if [[ a = b ]]; then :; fi\n', '(( \n'];
      for (const [index, text] of texts.entries()) {
        worker.postMessage({ id: index, text });
        const [answer] = (await once(worker, 'message')) as [WorkerAnswer];
        const here = (await parseFlatHere(text))!;
        expect(answer.id).toBe(index);
        expect(answer.flat).toEqual(here.flat);
        if (index === 0) expect(answer.names).toEqual(here.names);
        else expect(answer.names).toBeUndefined();
      }
    } finally {
      await worker.terminate();
    }
  });
});
