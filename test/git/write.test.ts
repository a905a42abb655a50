import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { commitTree, createBranch, writeBlobs, writeTree } from '../../src/git/write.js';
import type { ChangeSet, FileEntry } from '../../src/tree/types.js';
import { git, gitWithInput, removeTempDirs, repoWithFiles, writeFiles } from '../helpers/git.js';

const file = (text: string, mode: FileEntry['mode'] = '100644'): FileEntry => ({ mode, data: Buffer.from(text) });

/** `git ls-tree -r` of a tree-ish as `mode path -> content` lines, so trees compare by content. */
function describeTree(repo: string, treeish: string): string[] {
  return git(repo, 'ls-tree', '-r', treeish)
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [info, path] = line.split('\t') as [string, string];
      const [mode, , oid] = info.split(' ') as [string, string, string];
      return `${mode} ${path} -> ${git(repo, 'cat-file', 'blob', oid)}`;
    });
}

/** Everything that writing a branch must leave alone: status, index, HEAD and the work tree's files. */
function repositoryState(repo: string) {
  return {
    status: git(repo, 'status', '--porcelain', '--untracked-files=all'),
    index: createHash('sha256').update(git(repo, 'ls-files', '-s')).digest('hex'),
    head: git(repo, 'rev-parse', 'HEAD'),
    headRef: git(repo, 'symbolic-ref', 'HEAD'),
    workTree: git(repo, 'ls-files', '-s', '-m', '-o', '--exclude-standard'),
  };
}

describe('writing trees, commits and branches', () => {
  let repo: string;
  const prefix = 'sdk_container/src/third_party/coreos-overlay';

  beforeAll(async () => {
    repo = await repoWithFiles({
      'README.md': 'scripts\n',
      [`${prefix}/app-misc/foo/foo-1.ebuild`]: 'EAPI=8\n',
      [`${prefix}/app-misc/foo/foo-1-r1.ebuild`]: { link: 'foo-1.ebuild' },
      [`${prefix}/app-misc/gone/gone-1.ebuild`]: 'gone\n',
      [`${prefix}/profiles/base/make.defaults`]: 'USE="a"\n',
    });
    // uncommitted work of the user, which writing must not disturb
    await writeFiles(repo, { 'README.md': 'edited\n', 'untracked.txt': 'mine\n', 'staged.txt': 'staged\n' });
    git(repo, 'add', 'staged.txt');
  });
  afterAll(removeTempDirs);

  it('writes blobs byte for byte, without filters', async () => {
    const bytes = [Buffer.from('a\r\nb\r\n'), Buffer.from([0, 1, 2, 255]), Buffer.alloc(0)];
    const oids = await writeBlobs(repo, bytes);
    expect(oids).toEqual(bytes.map((data) => gitWithInput(repo, data, 'hash-object', '--no-filters', '--stdin')));
    expect(await writeBlobs(repo, [])).toEqual([]);
  });

  it('applies a change set below a prefix and commits it to a new branch, leaving the checkout alone', async () => {
    const before = repositoryState(repo);
    const changes: ChangeSet = new Map<string, FileEntry | null>([
      ['app-misc/foo/foo-1.ebuild', file('EAPI=8\nIUSE="nano"\n')],
      ['app-misc/foo/foo-1-r1.ebuild', null],
      ['app-misc/foo/foo-1-r2.ebuild', file('foo-1.ebuild', '120000')],
      ['app-misc/foo/files/setup.sh', file('#!/bin/sh\n', '100755')],
      ['app-misc/gone/gone-1.ebuild', null],
      ['profiles/nano/parent', file('../base\n')],
    ]);
    const tree = await writeTree(repo, 'HEAD', changes, prefix);
    const commit = await commitTree(repo, tree, [before.head], 'Apply nano layers', {
      GIT_AUTHOR_DATE: '2024-01-01T00:00:00Z',
      GIT_COMMITTER_DATE: '2024-01-01T00:00:00Z',
    });
    expect(await createBranch(repo, 'nano', commit)).toBeUndefined();

    expect(describeTree(repo, 'nano')).toEqual([
      '100644 README.md -> scripts',
      `100755 ${prefix}/app-misc/foo/files/setup.sh -> #!/bin/sh`,
      `120000 ${prefix}/app-misc/foo/foo-1-r2.ebuild -> foo-1.ebuild`,
      `100644 ${prefix}/app-misc/foo/foo-1.ebuild -> EAPI=8\nIUSE="nano"`,
      `100644 ${prefix}/profiles/base/make.defaults -> USE="a"`,
      `100644 ${prefix}/profiles/nano/parent -> ../base`,
    ]);
    expect(git(repo, 'log', '-1', '--format=%P|%s|%an|%ad', '--date=iso-strict', 'nano')).toBe(
      `${before.head}|Apply nano layers|Test Author|2024-01-01T00:00:00+00:00`,
    );
    expect(repositoryState(repo)).toEqual(before);
  });

  it('writes the same tree when nothing changes and builds from an empty base', async () => {
    expect(await writeTree(repo, 'HEAD', new Map())).toBe(git(repo, 'rev-parse', 'HEAD^{tree}'));
    const tree = await writeTree(repo, undefined, new Map([['a/b.txt', file('b\n')]]));
    expect(describeTree(repo, tree)).toEqual(['100644 a/b.txt -> b']);
  });

  it('handles hundreds of files in one go', async () => {
    const changes: ChangeSet = new Map(Array.from({ length: 400 }, (_, i) => [`cat-${i % 20}/pkg-${i}/pkg-${i}-1.ebuild`, file(`# ${i}\n`)]));
    const tree = await writeTree(repo, 'HEAD', changes, prefix);
    expect(git(repo, 'ls-tree', '-r', '--name-only', tree, `${prefix}/cat-7`).split('\n')).toHaveLength(20);
  });

  it('rejects paths that leave the prefix', async () => {
    await expect(writeTree(repo, 'HEAD', new Map([['../escape', file('x')]]), prefix)).rejects.toThrow(InputError);
  });

  it('refuses to replace an existing branch unless forced', async () => {
    const head = git(repo, 'rev-parse', 'HEAD');
    const other = await commitTree(repo, git(repo, 'rev-parse', 'HEAD^{tree}'), [head], 'other');
    await createBranch(repo, 'existing', head);
    await expect(createBranch(repo, 'existing', other)).rejects.toThrow(`branch 'existing' already exists in ${repo}; use --force to replace it`);
    expect(git(repo, 'rev-parse', 'existing')).toBe(head);
    expect(await createBranch(repo, 'existing', other, { force: true })).toBe(head);
    expect(git(repo, 'rev-parse', 'existing')).toBe(other);
  });

  it('refuses the checked-out branch even when forced, and invalid names', async () => {
    const head = git(repo, 'rev-parse', 'HEAD');
    await expect(createBranch(repo, 'main', head, { force: true })).rejects.toThrow(/is checked out in/);
    await expect(createBranch(repo, 'bad..name', head)).rejects.toThrow(InputError);
    await expect(createBranch(repo, '-f', head)).rejects.toThrow(InputError);
    await expect(createBranch(repo, '@{-1}', head)).rejects.toThrow(InputError);
    await expect(createBranch(repo, 'HEAD', head)).rejects.toThrow(InputError);
  });
});
