import { chmod, rename, symlink, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ObjectReader } from '../../src/git/objects.js';
import { GitTree } from '../../src/git/tree.js';
import { applyPatchSet, parsePatch } from '../../src/patch/index.js';
import { DiskTree, writeChanges } from '../../src/tree/disk.js';
import { git, snapshot, snapshotDir, tempRepo, writeFiles } from './helpers.js';

const lines = (from: number, to: number, tag = 'line'): string => Array.from({ length: to - from + 1 }, (_, i) => `${tag} ${from + i}\n`).join('');
const binary = (size: number, seed: number): Buffer => Buffer.from(Array.from({ length: size }, (_, i) => (i * seed + (i >> 3)) % 251));

/** Builds a repository whose last commit exercises every kind of change git diff can describe. */
async function repoWithEveryChange(): Promise<string> {
  const repo = await tempRepo();
  await writeFiles(repo, {
    'keep.txt': lines(1, 30),
    'rename-me.txt': lines(1, 20, 'moving'),
    'mode.sh': '#!/bin/sh\necho hi\n',
    'link-old': { link: 'keep.txt' },
    'link-gone': { link: 'missing/target' },
    'gone.txt': lines(1, 5, 'doomed'),
    'bin.dat': binary(4096, 7),
    'dir with space/file ü.txt': 'grüße\nzwei\n',
    'noeol.txt': 'a\nb',
    'eol.txt': 'x\ny\n',
    'crlf.txt': 'one\r\ntwo\r\nthree\r\n',
    'was-empty.txt': '',
    'typechange': { link: 'keep.txt' },
    'sub/deep/file.txt': lines(1, 10),
    'becomes-link/a.txt': lines(1, 8, 'a'),
    'becomes-link/b.txt': lines(1, 8, 'b'),
  });
  git(repo, 'add', '-A');
  git(repo, 'commit', '-qm', 'old');

  await rename(join(repo, 'rename-me.txt'), join(repo, 'renamed.txt'));
  await writeFile(join(repo, 'renamed.txt'), lines(1, 20, 'moving').replace('moving 7\n', 'moved 7\n'));
  await writeFile(join(repo, 'copied.txt'), lines(1, 30).replace('line 15\n', 'copied 15\n'));
  await chmod(join(repo, 'mode.sh'), 0o755);
  await unlink(join(repo, 'link-old'));
  await symlink('renamed.txt', join(repo, 'link-old'));
  await unlink(join(repo, 'link-gone'));
  await writeFiles(repo, { 'link-new': { link: 'sub/deep' } });
  await unlink(join(repo, 'gone.txt'));
  const changedBinary = binary(4096, 7);
  changedBinary.fill(0, 100, 140);
  await writeFile(join(repo, 'bin.dat'), changedBinary);
  await writeFiles(repo, { 'new.bin': binary(300, 13), 'empty.txt': '' });
  await writeFile(join(repo, 'dir with space/file ü.txt'), 'grüße\nzwo\n');
  await writeFile(join(repo, 'noeol.txt'), 'a\nb\nc\n');
  await writeFile(join(repo, 'eol.txt'), 'x\ny');
  await writeFile(join(repo, 'crlf.txt'), 'one\r\nTWO\r\nthree\r\n');
  await unlink(join(repo, 'was-empty.txt'));
  await unlink(join(repo, 'typechange'));
  await writeFile(join(repo, 'typechange'), 'now a file\n');
  await rename(join(repo, 'becomes-link'), join(repo, 'moved-dir'));
  await symlink('moved-dir', join(repo, 'becomes-link'));
  await writeFile(join(repo, 'sub/deep/file.txt'), lines(1, 10).replace('line 1\n', 'first\n').replace('line 10\n', 'last\n'));
  git(repo, 'add', '-A');
  git(repo, 'commit', '-qm', 'new');
  return repo;
}

async function committedTree(repo: string, revision: string): Promise<Record<string, { mode: string; data: string }>> {
  const reader = new ObjectReader(repo);
  try {
    return await snapshot(await GitTree.open(reader, revision));
  } finally {
    await reader.close();
  }
}

/** Checks out the parent of HEAD, applies `patch` to it on disk and expects exactly HEAD's tree. */
async function expectReproduces(repo: string, patch: Buffer): Promise<void> {
  const expected = await committedTree(repo, 'HEAD');
  git(repo, 'checkout', '-q', 'HEAD~1');
  const result = await applyPatchSet(new DiskTree(repo), parsePatch(patch, 'test.diff'));
  expect(result.files.filter((file) => file.hunks.some((hunk) => hunk.status !== 'exact'))).toEqual([]);
  expect(result.ok).toBe(true);
  await writeChanges(repo, result.changes);
  expect(await snapshotDir(repo)).toEqual(expected);
}

describe('patches from git diff', () => {
  it('reproduces the new tree exactly from git diff -M -C -C --binary', async () => {
    const repo = await repoWithEveryChange();
    const patch = git(repo, 'diff', '-M', '-C', '-C', '--binary', 'HEAD~1', 'HEAD');
    const text = patch.toString('latin1');
    for (const header of [
      'rename from rename-me.txt',
      'copy from keep.txt',
      'old mode 100644',
      'new mode 100755',
      'new file mode 120000',
      'deleted file mode 120000',
      'deleted file mode 100644',
      'similarity index',
      'GIT binary patch',
      'delta ',
      'literal ',
      '\\ No newline at end of file',
      '"a/dir with space/file \\303\\274.txt"',
      'rename from was-empty.txt\nrename to empty.txt',
    ]) {
      expect(text, header).toContain(header);
    }
    await expectReproduces(repo, patch);
  });

  it('reproduces the new tree exactly from git diff --no-renames --binary', async () => {
    const repo = await repoWithEveryChange();
    const patch = git(repo, 'diff', '--no-renames', '--binary', 'HEAD~1', 'HEAD');
    const text = patch.toString('latin1');
    expect(text).toContain('new file mode 100644\nindex 0000000..e69de29');
    expect(text).toContain('deleted file mode 100644\nindex e69de29..0000000');
    await expectReproduces(repo, patch);
  });

  it('undoes git diff -M --binary with reverse', async () => {
    const repo = await repoWithEveryChange();
    const patch = git(repo, 'diff', '-M', '--binary', 'HEAD~1', 'HEAD');
    const expected = await committedTree(repo, 'HEAD~1');
    const result = await applyPatchSet(new DiskTree(repo), parsePatch(patch), { reverse: true });
    expect(result.ok).toBe(true);
    await writeChanges(repo, result.changes);
    expect(await snapshotDir(repo)).toEqual(expected);
  });

  it('applies a series of commits touching the same file in sequence', async () => {
    const repo = await tempRepo();
    await writeFiles(repo, { 'f.txt': lines(1, 40) });
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'base');
    for (const n of [5, 20, 35]) {
      await writeFile(join(repo, 'f.txt'), (await snapshotDir(repo))['f.txt']!.data.replace(`line ${n}\n`, `changed ${n}\n`));
      git(repo, 'commit', '-qam', `change ${n}`);
    }
    const series = git(repo, 'format-patch', '--stdout', 'HEAD~3');
    const expected = await committedTree(repo, 'HEAD');
    git(repo, 'checkout', '-q', 'HEAD~3');
    const patches = parsePatch(series, 'series.mbox');
    expect(patches).toHaveLength(3);
    const result = await applyPatchSet(new DiskTree(repo), patches);
    expect(result.ok).toBe(true);
    await writeChanges(repo, result.changes);
    expect(await snapshotDir(repo)).toEqual(expected);
  });

  it('refuses paths inside .git', async () => {
    const repo = await tempRepo();
    const patch = 'diff --git a/.git/config b/.git/config\n--- a/.git/config\n+++ b/.git/config\n@@ -1 +1 @@\n-a\n+b\n';
    await expect(applyPatchSet(new DiskTree(repo), parsePatch(patch, 'evil.diff'))).rejects.toThrow('evil.diff:1');
  });
});
