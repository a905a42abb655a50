import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { InputError } from '../../src/errors.js';
import { ObjectReader } from '../../src/git/objects.js';
import { GitTree, resolveRef } from '../../src/git/tree.js';
import { git, removeTempDirs, repoWithFiles, writeFiles } from '../helpers/git.js';

describe('GitTree', () => {
  let repo: string;
  let first: string;
  let reader: ObjectReader;

  beforeAll(async () => {
    repo = await repoWithFiles({
      'top.txt': 'top\n',
      'sub/overlay/profiles/base/make.defaults': 'USE="a"\n',
      'sub/overlay/app-misc/foo/foo-1.ebuild': 'EAPI=8\n',
      'sub/overlay/app-misc/foo/foo-1-r1.ebuild': { link: 'foo-1.ebuild' },
      'sub/overlay/app-misc/foo/files/run.sh': { exec: '#!/bin/sh\n' },
      'sub/overlay/other/bar/bar-2.ebuild': 'EAPI=7\n',
    });
    first = git(repo, 'rev-parse', 'HEAD');
    await writeFiles(repo, { 'sub/overlay/app-misc/foo/foo-1.ebuild': 'EAPI=8\n# changed\n', 'sub/overlay/app-misc/new/new-1.ebuild': 'new\n' });
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'second');
    reader = new ObjectReader(repo);
  });
  afterAll(async () => {
    await reader.close();
    await removeTempDirs();
  });

  it('reads files of an older commit below a subdirectory', async () => {
    const tree = await GitTree.open(reader, first, 'sub/overlay');
    expect((await tree.read('app-misc/foo/foo-1.ebuild'))?.data.toString()).toBe('EAPI=8\n');
    expect(await tree.read('app-misc/new/new-1.ebuild')).toBeUndefined();
    expect(await tree.read('top.txt')).toBeUndefined();
    expect(await tree.read('app-misc/foo')).toBeUndefined();
    expect(await tree.read('app-misc/foo/foo-1.ebuild/x')).toBeUndefined();
  });

  it('returns symlinks as links and keeps exec bits', async () => {
    const tree = await GitTree.open(reader, 'HEAD', 'sub/overlay');
    expect(await tree.read('app-misc/foo/foo-1-r1.ebuild')).toEqual({ mode: '120000', data: Buffer.from('foo-1.ebuild') });
    expect((await tree.read('app-misc/foo/files/run.sh'))?.mode).toBe('100755');
    expect((await tree.read('profiles/base/make.defaults'))?.mode).toBe('100644');
  });

  it('lists recursively, sorted, below any directory', async () => {
    const tree = await GitTree.open(reader, first, 'sub/overlay');
    expect(await tree.list('app-misc')).toEqual(['app-misc/foo/files/run.sh', 'app-misc/foo/foo-1-r1.ebuild', 'app-misc/foo/foo-1.ebuild']);
    expect(await tree.list()).toEqual([
      'app-misc/foo/files/run.sh',
      'app-misc/foo/foo-1-r1.ebuild',
      'app-misc/foo/foo-1.ebuild',
      'other/bar/bar-2.ebuild',
      'profiles/base/make.defaults',
    ]);
    expect(await tree.list('nothing/here')).toEqual([]);
  });

  it('loads only the directories on the way to what is read', async () => {
    const tree = await GitTree.open(reader, 'HEAD', 'sub/overlay');
    const readTree = vi.spyOn(reader, 'readTree');
    await tree.read('app-misc/foo/foo-1.ebuild');
    await tree.read('app-misc/foo/foo-1-r1.ebuild');
    expect(readTree).toHaveBeenCalledTimes(3); // root, app-misc, app-misc/foo
    readTree.mockRestore();
  });

  it('rejects a subdirectory that is not a directory', async () => {
    await expect(GitTree.open(reader, 'HEAD', 'top.txt')).rejects.toThrow(InputError);
    await expect(GitTree.open(reader, 'HEAD', 'missing')).rejects.toThrow(/not a directory/);
  });

  it('resolves refs to commits and reports unknown refs', async () => {
    expect(await resolveRef(repo, 'main~1')).toBe(first);
    expect(await resolveRef(repo, first.slice(0, 10))).toBe(first);
    await expect(resolveRef(repo, 'no-such-branch')).rejects.toThrow(`unknown ref 'no-such-branch' in ${repo}`);
    await expect(resolveRef(repo, '--all')).rejects.toThrow(InputError);
    const blob = git(repo, 'rev-parse', 'HEAD:top.txt');
    await expect(resolveRef(repo, blob)).rejects.toThrow(/unknown ref/);
  });
});
