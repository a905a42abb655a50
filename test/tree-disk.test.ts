import { spawnSync } from 'node:child_process';
import { chmod, link, lstat, readFile, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { DiskTree, writeChanges } from '../src/tree/disk.js';
import type { ChangeSet, FileEntry } from '../src/tree/types.js';
import { snapshotDir, tempDir, writeFiles } from './patch/helpers.js';

const text = (data: string) => ({ mode: '100644' as const, data: Buffer.from(data) });

describe('DiskTree', () => {
  it('reads files with their modes, symlinks as links, and lists everything but .git', async () => {
    const dir = await tempDir();
    await writeFiles(dir, {
      'a.txt': 'a\n',
      'bin/run': { data: '#!/bin/sh\n', executable: true },
      'link': { link: 'bin' },
      '.git/HEAD': 'ref: refs/heads/main\n',
      'deep/er/file': 'x',
    });
    const tree = new DiskTree(dir);
    expect(await tree.list()).toEqual(['a.txt', 'bin/run', 'deep/er/file', 'link']);
    expect(await tree.list('deep')).toEqual(['deep/er/file']);
    expect(await tree.read('bin/run')).toEqual({ mode: '100755', data: Buffer.from('#!/bin/sh\n') });
    expect(await tree.read('link')).toEqual({ mode: '120000', data: Buffer.from('bin') });
    expect(await tree.read('link/run')).toBeUndefined();
    expect(await tree.read('deep')).toBeUndefined();
    expect(await tree.read('missing')).toBeUndefined();
    await expect(tree.read('../x')).rejects.toThrow(InputError);
  });
});

describe('writeChanges', () => {
  it('writes files, modes and links, deletes files and prunes emptied directories', async () => {
    const dir = await tempDir();
    await writeFiles(dir, { 'old/only.txt': 'bye\n', 'keep.txt': 'same\n', 'swap': { link: 'keep.txt' } });
    const changes: ChangeSet = new Map<string, FileEntry | null>([
      ['new/dir/file.txt', text('hello\n')],
      ['tool', { mode: '100755', data: Buffer.from('#!/bin/sh\n') }],
      ['link', { mode: '120000', data: Buffer.from('new/dir') }],
      ['old/only.txt', null],
      ['swap', text('now a file\n')],
    ]);
    await writeChanges(dir, changes);
    expect(await readFile(join(dir, 'new/dir/file.txt'), 'utf8')).toBe('hello\n');
    expect((await stat(join(dir, 'tool'))).mode & 0o111).not.toBe(0);
    expect(await readlink(join(dir, 'link'))).toBe('new/dir');
    expect((await lstat(join(dir, 'swap'))).isFile()).toBe(true);
    await expect(lstat(join(dir, 'old'))).rejects.toThrow();
    expect((await snapshotDir(dir))['keep.txt']!.data).toBe('same\n');
    expect(Object.keys(await snapshotDir(dir)).some((path) => path.includes('staging'))).toBe(false);
  });

  it('replaces a file or a link with a directory when the set deletes it', async () => {
    const dir = await tempDir();
    await writeFiles(dir, { 'was-file': 'x\n', 'was-link': { link: '/tmp' } });
    await writeChanges(dir, new Map([
      ['was-file', null],
      ['was-file/inside', text('in\n')],
      ['was-link', null],
      ['was-link/inside', text('in\n')],
    ]));
    expect(await snapshotDir(dir)).toEqual({
      'was-file/inside': { mode: '100644', data: 'in\n' },
      'was-link/inside': { mode: '100644', data: 'in\n' },
    });
  });

  it('rewrites a file in place (same inode), longer or shorter, and sets or clears its executable bits', async () => {
    const dir = await tempDir();
    await writeFiles(dir, { 'grow.txt': 'a\n', 'shrink.txt': 'a much longer old text\n', 'run.sh': 'echo\n', 'plain': 'x\n' });
    await chmod(join(dir, 'plain'), 0o750);
    const inode = async (path: string) => (await stat(join(dir, path))).ino;
    const before = await Promise.all(['grow.txt', 'shrink.txt', 'run.sh', 'plain'].map(inode));
    await writeChanges(dir, new Map<string, FileEntry>([
      ['grow.txt', text('a\nand a lot more\n')],
      ['shrink.txt', text('short\n')],
      ['run.sh', { mode: '100755', data: Buffer.from('echo\n') }],
      ['plain', text('y\n')],
    ]));
    expect(await Promise.all(['grow.txt', 'shrink.txt', 'run.sh', 'plain'].map(inode))).toEqual(before);
    expect(await readFile(join(dir, 'grow.txt'), 'utf8')).toBe('a\nand a lot more\n');
    expect(await readFile(join(dir, 'shrink.txt'), 'utf8')).toBe('short\n');
    expect((await stat(join(dir, 'run.sh'))).mode & 0o777).toBe(0o755);
    expect((await stat(join(dir, 'plain'))).mode & 0o777).toBe(0o640);
  });

  it('gives a file with another hard link a new inode, leaving the other link as it was', async () => {
    const dir = await tempDir();
    const elsewhere = await tempDir();
    await writeFiles(dir, { 'shared.txt': 'old\n' });
    await link(join(dir, 'shared.txt'), join(elsewhere, 'shared.txt'));
    await writeChanges(dir, new Map([['shared.txt', text('new\n')]]));
    expect(await readFile(join(dir, 'shared.txt'), 'utf8')).toBe('new\n');
    expect(await readFile(join(elsewhere, 'shared.txt'), 'utf8')).toBe('old\n');
  });

  it('puts back the old bytes and mode of files it rewrote when a later write fails', async (context) => {
    const dir = await tempDir();
    await writeFiles(dir, { 'a.txt': 'old a\n', 'b.txt': 'old b\n', 'c.txt': 'old c\n' });
    await chmod(join(dir, 'a.txt'), 0o600);
    if (spawnSync('chattr', ['+i', join(dir, 'c.txt')]).status !== 0) context.skip();
    try {
      const before = await snapshotDir(dir);
      const writes = new Map<string, FileEntry>([
        ['a.txt', { mode: '100755', data: Buffer.from('new a, longer than before\n') }],
        ['b.txt', text('\n')],
        ['c.txt', text('new c\n')],
      ]);
      await expect(writeChanges(dir, writes)).rejects.toThrow(/cannot write 'c.txt'.*EPERM.*left as it was/);
      expect(await snapshotDir(dir)).toEqual(before);
      expect((await stat(join(dir, 'a.txt'))).mode & 0o777).toBe(0o600);
    } finally {
      spawnSync('chattr', ['-i', join(dir, 'c.txt')]);
    }
  });

  it('refuses to write through a symlink and writes nothing at all', async () => {
    const dir = await tempDir();
    const outside = await tempDir();
    await writeFiles(dir, { 'escape': { link: outside }, 'a.txt': 'a\n' });
    const before = await snapshotDir(dir);
    await expect(writeChanges(dir, new Map([['a.txt', text('changed\n')], ['escape/evil.txt', text('evil\n')]]))).rejects.toThrow(
      "refusing to write 'escape/evil.txt': 'escape' is a symbolic link",
    );
    expect(await snapshotDir(dir)).toEqual(before);
    expect(await snapshotDir(outside)).toEqual({});
    await expect(writeChanges(dir, new Map([['../evil.txt', text('evil\n')]]))).rejects.toThrow(InputError);
  });
});
