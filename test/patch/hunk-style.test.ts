import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPatch } from '../../src/patch/index.js';
import { patchStyle } from '../../src/maintain/covers.js';
import { git, tempRepo } from './helpers.js';

const LINES = ['setup() {', '\tlocal x=1', '}', '', 'main() {', '  echo "$x"', '  case "$1" in', '  esac', '}', '# comment', '_private() {', '$var'];

describe('patches in a given style', () => {
  it('names hunks and sizes context as git diff -U<n> does', async () => {
    const repo = await tempRepo();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...LINES), { minLength: 8, maxLength: 40 }),
        fc.array(fc.nat(39), { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 0, max: 3 }),
        async (lines, changed, context) => {
          // Unique lines: with repeated ones, several diffs are right and git's choice is not the point here.
          const unique = lines.map((line, index) => `${line} #${index}`);
          const before = `${unique.join('\n')}\n`;
          const after = `${unique.map((line, index) => (changed.includes(index) ? `${line} # changed` : line)).join('\n')}\n`;
          if (before === after) return;
          await writeFile(join(repo, 'file.sh'), before);
          git(repo, 'add', 'file.sh');
          git(repo, 'commit', '-qm', 'before', '--allow-empty');
          await writeFile(join(repo, 'file.sh'), after);
          const expected = git(repo, 'diff', `-U${context}`, '--full-index', 'file.sh').toString('utf8');
          const created = createPatch('file.sh', 'file.sh', { mode: '100644', data: Buffer.from(before) }, { mode: '100644', data: Buffer.from(after) }, { context, functionContext: true });
          expect(created).toBe(expected);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('reads the context width and header habit of a patch file', async () => {
    const bundled = await readFile('patches/nano-board/0001-board-variant-architecture.patch', 'utf8');
    expect(patchStyle(bundled, 'board.patch')).toEqual({ context: 2, functionContext: true });
    const plain = createPatch('a', 'a', { mode: '100644', data: Buffer.from('1\n2\n3\n4\n5\n6\n7\n8\n9\n') }, { mode: '100644', data: Buffer.from('1\n2\n3\n4\nfive\n6\n7\n8\n9\n') });
    expect(patchStyle(plain, 'plain.patch')).toEqual({ context: 3, functionContext: false });
    expect(patchStyle('', 'empty.patch')).toEqual({ functionContext: true });
  });
});
