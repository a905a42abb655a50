import { describe, expect, it } from 'vitest';
import { runPatch } from '../../src/workflow/patch.js';
import { InputError } from '../../src/errors.js';
import { applyPatchSet, parsePatch } from '../../src/patch/index.js';
import { DiskTree } from '../../src/tree/disk.js';
import { snapshotDir, tempDir, writeFiles } from './helpers.js';

const header = 'diff --git a/f.txt b/f.txt\nindex 1111111..2222222 100644\n--- a/f.txt\n+++ b/f.txt\n';
const modify = (path: string): string => `diff --git a/${path} b/${path}\n--- a/${path}\n+++ b/${path}\n@@ -1 +1 @@\n-one\n+two\n`;

/** Patches that must be refused as malformed, with the line the message must name. */
const malformed: Record<string, [string, number]> = {
  'a truncated hunk': [`${header}@@ -1,3 +1,3 @@\n one\n-two\n`, 5],
  'a hunk cut short by the next file': [`${header}@@ -1,3 +1,3 @@\n one\n-two\n+zwei\n${header}@@ -1 +1 @@\n-a\n+b\n`, 9],
  'counts smaller than the lines': [`${header}@@ -1 +1 @@\n-one\n+uno\n+extra\n`, 8],
  'garbage where a hunk line is expected': [`${header}@@ -1,2 +1,2 @@\n one\n*two\n`, 7],
  'a malformed hunk header': [`${header}@@ -x +1 @@\n`, 5],
  'corrupt base85': ['diff --git a/b.bin b/b.bin\nindex 1111111..2222222 100644\nGIT binary patch\nliteral 5\nz!!!!\n\n', 5],
  'binary data that does not inflate': ['diff --git a/b.bin b/b.bin\nindex 1111111..2222222 100644\nGIT binary patch\nliteral 5\nAAAAAA\n\n', 4],
  'a binary patch without data': ['diff --git a/b.bin b/b.bin\nindex 1111111..2222222 100644\nBinary files a/b.bin and b/b.bin differ\n', 3],
  'a misplaced no-newline marker': [`${header}@@ -1,2 +1,2 @@\n-one\n\\ No newline at end of file\n-two\n+uno\n+dos\n`, 6],
};

describe('malformed patches', () => {
  for (const [name, [patch, line]] of Object.entries(malformed)) {
    it(`refuses ${name}, naming the line, and changes nothing`, async () => {
      expect(() => parsePatch(patch, 'bad.patch')).toThrow(InputError);
      expect(() => parsePatch(patch, 'bad.patch')).toThrow(new RegExp(`^bad\\.patch:${line}: `));
      const dir = await tempDir();
      await writeFiles(dir, { 'f.txt': 'one\ntwo\nthree\n', 'b.bin': 'hello' });
      const before = await snapshotDir(dir);
      const outcome = await runPatch({ input: Buffer.from(patch), patchFile: 'bad.patch', directory: dir });
      expect(outcome.exitCode).toBe(2);
      expect(outcome.output).toMatch(new RegExp(`^[^\\n]+ \\(bad\\.patch:${line}\\)$`));
      expect(await snapshotDir(dir)).toEqual(before);
    });
  }
});

describe('paths that escape the tree', () => {
  const escapes: Record<string, [string, number]> = {
    'an absolute path': [`--- /etc/passwd\n+++ /etc/passwd\n@@ -1 +1 @@\n-one\n+two\n`, 1],
    'a path with ..': [modify('../outside.txt'), 1],
    'a path through a symlink leading outside': [`${modify('f.txt')}${modify('out/escape.txt')}`, 7],
    'a path through a symlink inside the tree': [modify('inside/f.txt'), 1],
    'a path inside .git': [modify('.git/hooks/pre-commit'), 1],
  };
  for (const [name, [patch, line]] of Object.entries(escapes)) {
    it(`refuses ${name} before changing anything`, async () => {
      const dir = await tempDir();
      const outside = await tempDir();
      await writeFiles(outside, { 'escape.txt': 'one\n' });
      await writeFiles(dir, { 'f.txt': 'one\n', out: { link: outside }, inside: { link: '.' } });
      const before = await snapshotDir(dir);
      const outsideBefore = await snapshotDir(outside);
      await expect(applyPatchSet(new DiskTree(dir), parsePatch(patch, 'escape.patch', { strip: patch.startsWith('--- /') ? 0 : 1 }))).rejects.toThrow(
        new RegExp(`^escape\\.patch:${line}: `),
      );
      const outcome = await runPatch({ input: Buffer.from(patch), patchFile: 'escape.patch', directory: dir, strip: patch.startsWith('--- /') ? 0 : 1 });
      expect(outcome.exitCode).toBe(2);
      expect(await snapshotDir(dir)).toEqual(before);
      expect(await snapshotDir(outside)).toEqual(outsideBefore);
    });
  }
});

describe('file names', () => {
  it('takes the shorter of two names in a plain unified diff, as for foo.c.orig and foo.c', () => {
    const [patch] = parsePatch('--- f.txt.orig\t2024-01-01\n+++ f.txt\t2024-01-02\n@@ -1 +1 @@\n-one\n+two\n', 'plain.diff', { strip: 0 });
    expect([patch!.oldPath, patch!.newPath]).toEqual(['f.txt', 'f.txt']);
  });

  it('refuses a git diff whose names differ without a rename or copy header', () => {
    expect(() => parsePatch('diff --git a/x b/y\n--- a/x\n+++ b/y\n@@ -1 +1 @@\n-one\n+two\n', 'odd.diff')).toThrow(/^odd\.diff:1: file names 'x' and 'y' differ/);
  });
});
