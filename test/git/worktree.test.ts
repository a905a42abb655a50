import { lstat, readFile, readlink, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { dirtyPaths, writeChangesToWorkTree } from '../../src/git/worktree.js';
import type { ChangeSet, FileEntry } from '../../src/tree/types.js';
import { git, makeTempDir, removeTempDirs, repoWithFiles, writeFiles } from '../helpers/git.js';

const file = (text: string, mode: FileEntry['mode'] = '100644'): FileEntry => ({ mode, data: Buffer.from(text) });

afterAll(removeTempDirs);

describe('dirtyPaths', () => {
  it('reports staged, unstaged and untracked files among the given paths, relative to a subdirectory', async () => {
    const repo = await repoWithFiles({
      'outside.txt': 'o\n',
      'overlay/app-misc/foo/foo-1.ebuild': 'foo\n',
      'overlay/app-misc/bar/bar-1.ebuild': 'bar\n',
      'overlay/app-misc/baz/baz-1.ebuild': 'baz\n',
      'overlay/profiles/base/make.defaults': 'USE=""\n',
    });
    await writeFiles(repo, {
      'outside.txt': 'changed\n',
      'overlay/app-misc/foo/foo-1.ebuild': 'unstaged\n',
      'overlay/app-misc/bar/bar-1.ebuild': 'staged\n',
      'overlay/app-misc/new/new-1.ebuild': 'untracked\n',
    });
    git(repo, 'add', 'overlay/app-misc/bar/bar-1.ebuild');
    git(repo, 'mv', 'overlay/app-misc/baz/baz-1.ebuild', 'overlay/app-misc/baz/baz-1-r1.ebuild');
    const overlay = join(repo, 'overlay');
    expect(await dirtyPaths(overlay, ['app-misc'])).toEqual([
      'app-misc/bar/bar-1.ebuild',
      'app-misc/baz/baz-1-r1.ebuild',
      'app-misc/baz/baz-1.ebuild',
      'app-misc/foo/foo-1.ebuild',
      'app-misc/new/new-1.ebuild',
    ]);
    expect(await dirtyPaths(overlay, ['app-misc/foo/foo-1.ebuild', 'profiles', 'app-misc/new'])).toEqual(['app-misc/foo/foo-1.ebuild', 'app-misc/new/new-1.ebuild']);
    expect(await dirtyPaths(overlay, ['profiles'])).toEqual([]);
    expect(await dirtyPaths(repo, ['outside.txt', 'overlay/app-misc/foo'])).toEqual(['outside.txt', 'overlay/app-misc/foo/foo-1.ebuild']);
    expect(await dirtyPaths(repo, [])).toEqual([]);
  });
});

describe('writeChangesToWorkTree', () => {
  it('creates directories, symlinks and exec bits, replaces and deletes files', async () => {
    const dir = await makeTempDir();
    await writeFiles(dir, {
      'app-misc/foo/foo-1.ebuild': 'old\n',
      'app-misc/foo/foo-1-r1.ebuild': { link: 'foo-1.ebuild' },
      'app-misc/foo/files/run.sh': { exec: '#!/bin/sh\n' },
      'app-misc/gone/gone-1.ebuild': 'gone\n',
    });
    const changes: ChangeSet = new Map<string, FileEntry | null>([
      ['app-misc/foo/foo-1.ebuild', file('new\n')],
      ['app-misc/foo/foo-1-r1.ebuild', null],
      ['app-misc/foo/foo-1-r2.ebuild', file('foo-1.ebuild', '120000')],
      ['app-misc/foo/files/run.sh', file('#!/bin/sh\nexit 0\n')],
      ['app-misc/gone/gone-1.ebuild', null],
      ['sys-apps/new/files/hook.sh', file('#!/bin/sh\n', '100755')],
    ]);
    await writeChangesToWorkTree(dir, changes);
    expect(await readFile(join(dir, 'app-misc/foo/foo-1.ebuild'), 'utf8')).toBe('new\n');
    expect(await readlink(join(dir, 'app-misc/foo/foo-1-r2.ebuild'))).toBe('foo-1.ebuild');
    await expect(lstat(join(dir, 'app-misc/foo/foo-1-r1.ebuild'))).rejects.toThrow();
    expect((await lstat(join(dir, 'app-misc/foo/files/run.sh'))).mode & 0o777).toBe(0o644);
    expect((await lstat(join(dir, 'sys-apps/new/files/hook.sh'))).mode & 0o777).toBe(0o755);
    await expect(lstat(join(dir, 'app-misc/gone'))).rejects.toThrow();
  });

  it('replaces a symlink instead of writing through it', async () => {
    const dir = await makeTempDir();
    await writeFiles(dir, { 'target.txt': 'keep\n', 'link.txt': { link: 'target.txt' } });
    await writeChangesToWorkTree(dir, new Map([['link.txt', file('own\n')]]));
    expect(await readFile(join(dir, 'target.txt'), 'utf8')).toBe('keep\n');
    expect((await lstat(join(dir, 'link.txt'))).isSymbolicLink()).toBe(false);
  });

  it('refuses paths that leave the directory, directly or through a symlink, before writing anything', async () => {
    const outside = await makeTempDir();
    const dir = await makeTempDir();
    await symlink(outside, join(dir, 'escape'));
    await writeFiles(dir, { 'inside/real.txt': 'x\n', 'alias': { link: 'inside' } });
    const changes = new Map([
      ['first.txt', file('1\n')],
      ['escape/evil.txt', file('evil\n')],
    ]);
    await expect(writeChangesToWorkTree(dir, changes)).rejects.toThrow(/through symlink 'escape'/);
    await expect(lstat(join(dir, 'first.txt'))).rejects.toThrow();
    await expect(writeChangesToWorkTree(dir, new Map([['../up.txt', file('x')]]))).rejects.toThrow(InputError);
    await writeChangesToWorkTree(dir, new Map([['alias/via-link.txt', file('ok\n')]]));
    expect(await readFile(join(dir, 'inside/via-link.txt'), 'utf8')).toBe('ok\n');
  });
});
