import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyHunks, applyPatchSet, createFilePatches, createPatch, formatPatch, parsePatch, reversePatch } from '../../src/patch/index.js';
import { PendingTree } from '../../src/tree/pending.js';
import type { FileEntry, ReadableTree } from '../../src/tree/types.js';
import { GIT_ENV, tempDir } from './helpers.js';

const line = fc.constantFrom('a', 'b', 'c', '', '  indented', '}', 'int x = 1;', 'grüße', 'tab\there');
const ending = fc.constantFrom('\n', '\r\n');
/** File text with repeated lines, mixed LF/CRLF endings, and sometimes no final line feed or no lines at all. */
const text = fc
  .tuple(fc.array(fc.tuple(line, ending), { maxLength: 40 }), fc.option(fc.constantFrom('x', 'last', '\r'), { nil: undefined }))
  .map(([lines, unterminated]) => lines.map(([content, end]) => content + end).join('') + (unterminated ?? ''));
/** A pair of texts where the second is an edit of the first, so hunks have context. */
const edited = fc.tuple(text, fc.array(fc.tuple(fc.nat(), fc.nat(3), text), { maxLength: 4 })).map(([old, edits]) => {
  let lines = old.split(/(?<=\n)/).filter(Boolean);
  for (const [at, remove, insert] of edits) {
    const start = lines.length ? at % (lines.length + 1) : 0;
    lines = [...lines.slice(0, start), ...insert.split(/(?<=\n)/).filter(Boolean), ...lines.slice(start + remove)];
  }
  return [old, lines.join('')] as const;
});

const file = (content: string): FileEntry => ({ mode: '100644', data: Buffer.from(content) });

class MapTree implements ReadableTree {
  constructor(private readonly files: Record<string, FileEntry>) {}
  async read(path: string): Promise<FileEntry | undefined> {
    return this.files[path];
  }
  async list(): Promise<string[]> {
    return Object.keys(this.files).sort();
  }
}

describe('createPatch, applyHunks and reversePatch round trips', () => {
  it('applying createPatch(a, b) to a gives b, and its reverse applied to b gives a', () => {
    fc.assert(
      fc.property(fc.oneof(edited, fc.tuple(text, text)), ([a, b]) => {
        const patch = createPatch('f.txt', 'f.txt', file(a), file(b));
        if (a === b) {
          expect(patch).toBe('');
          return;
        }
        const [parsed] = parsePatch(patch);
        const forward = applyHunks(a, parsed!);
        expect(forward.hunks.every((hunk) => hunk.status === 'exact')).toBe(true);
        expect(forward.text).toBe(b);
        const backward = applyHunks(b, reversePatch(parsed!));
        expect(backward.hunks.every((hunk) => hunk.status === 'exact')).toBe(true);
        expect(backward.text).toBe(a);
      }),
      { numRuns: 500 },
    );
  });

  it('parsePatch(formatPatch(p)) gives p back and formatPatch reproduces the text', () => {
    fc.assert(
      fc.property(fc.tuple(text, text), fc.boolean(), ([a, b], executable) => {
        const patches = createFilePatches('dir/a b.txt', 'dir/ü.txt', file(a), { mode: executable ? '100755' : '100644', data: Buffer.from(b) });
        const text = formatPatch(patches);
        const parsed = parsePatch(text);
        expect(formatPatch(parsed)).toBe(text);
        expect(parsePatch(formatPatch(parsed))).toEqual(parsed);
      }),
      { numRuns: 300 },
    );
  });

  it('creations and deletions of files, empty ones included, round-trip through applyPatchSet', async () => {
    await fc.assert(
      fc.asyncProperty(text, async (content) => {
        const created = parsePatch(createPatch('new.txt', 'new.txt', undefined, file(content)));
        const empty = new MapTree({});
        const creation = await applyPatchSet(empty, created);
        expect(creation.ok).toBe(true);
        expect(creation.changes.get('new.txt')?.data.toString()).toBe(content);
        const deletion = await applyPatchSet(new PendingTree(new MapTree({ 'new.txt': file(content) })), created, { reverse: true });
        expect(deletion.ok).toBe(true);
        expect(deletion.changes.get('new.txt')).toBeNull();
      }),
      { numRuns: 100 },
    );
  });

  it('git apply accepts what createPatch writes', async () => {
    const dir = await tempDir();
    await fc.assert(
      fc.asyncProperty(fc.oneof(edited, fc.tuple(text, text)), async ([a, b]) => {
        fc.pre(a !== b);
        await writeFile(join(dir, 'f.txt'), a);
        await writeFile(join(dir, 'change.patch'), createPatch('f.txt', 'f.txt', file(a), file(b)));
        execFileSync('git', ['apply', '--unsafe-paths', 'change.patch'], { cwd: dir, env: GIT_ENV, stdio: 'pipe' });
        expect((await readFile(join(dir, 'f.txt'))).toString()).toBe(b);
      }),
      { numRuns: 40 },
    );
  });
});
