import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dirtyPaths } from '../../src/git/worktree.js';
import { git, removeTempDirs, repoWithFiles, writeFiles } from '../helpers/git.js';

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
