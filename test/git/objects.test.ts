import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectReader, parseTree } from '../../src/git/objects.js';
import { git, gitWithInput, removeTempDirs, repoWithFiles } from '../helpers/git.js';

describe('ObjectReader', () => {
  let repo: string;
  let reader: ObjectReader;

  beforeAll(async () => {
    repo = await repoWithFiles({ 'a.txt': 'alpha\n', 'dir/b.txt': 'beta\n', 'dir/run.sh': { exec: '#!/bin/sh\n' }, 'dir/link': { link: '../a.txt' } });
    reader = new ObjectReader(repo);
  });
  afterAll(async () => {
    await reader.close();
    await removeTempDirs();
  });

  it('reads blobs by oid and by revision expression', async () => {
    expect((await reader.readBlob(git(repo, 'rev-parse', 'HEAD:a.txt'))).toString()).toBe('alpha\n');
    expect((await reader.readBlob('HEAD:dir/b.txt')).toString()).toBe('beta\n');
  });

  it('parses trees with modes, names and oids', async () => {
    const entries = await reader.readTree('HEAD^{tree}');
    expect(entries.map((entry) => [entry.mode, entry.name])).toEqual([
      ['100644', 'a.txt'],
      ['40000', 'dir'],
    ]);
    const dir = await reader.readTree('HEAD:dir');
    expect(dir.map((entry) => [entry.mode, entry.name, entry.oid])).toEqual(
      git(repo, 'ls-tree', 'HEAD:dir')
        .split('\n')
        .map((line) => {
          const [info, name] = line.split('\t') as [string, string];
          const [mode, , oid] = info.split(' ');
          return [mode === '040000' ? '40000' : mode, name, oid];
        }),
    );
  });

  it('answers missing objects with undefined and rejects typed reads of them', async () => {
    expect(await reader.readObject('0123456789012345678901234567890123456789')).toBeUndefined();
    expect(await reader.readObject('HEAD:no/such/file')).toBeUndefined();
    await expect(reader.readBlob('HEAD:nope')).rejects.toThrow(/missing/);
    await expect(reader.readTree('HEAD:a.txt')).rejects.toThrow(/not a tree/);
    // the stream stays in step after misses
    expect((await reader.readBlob('HEAD:a.txt')).toString()).toBe('alpha\n');
  });

  it('answers an oid read before from memory, and finds an object written after a read missed it', async () => {
    const oid = git(repo, 'rev-parse', 'HEAD:a.txt');
    const [first, second] = await Promise.all([reader.readObject(oid), reader.readObject(oid)]);
    expect(second).toBe(first);
    expect(await reader.readObject(oid)).toBe(first);
    const later = gitWithInput(repo, 'only written later\n', 'hash-object', '--stdin');
    expect(await reader.readObject(later)).toBeUndefined();
    gitWithInput(repo, 'only written later\n', 'hash-object', '-w', '--stdin');
    expect((await reader.readBlob(later)).toString()).toBe('only written later\n');
  });

  it('is binary-safe, including newlines, NULs and large blobs', async () => {
    const bytes = Buffer.alloc(3 * 1024 * 1024 + 17);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + 7) % 256;
    bytes.write('\nmissing\n0000 blob 12\n', 1000, 'latin1');
    const oid = gitWithInput(repo, bytes, 'hash-object', '-w', '--stdin');
    const [small, large, again] = await Promise.all([reader.readBlob('HEAD:a.txt'), reader.readBlob(oid), reader.readBlob('HEAD:dir/b.txt')]);
    expect(small.toString()).toBe('alpha\n');
    expect(large.equals(bytes)).toBe(true);
    expect(again.toString()).toBe('beta\n');
  });

  it('pipelines 500 concurrent reads through one process in order', async () => {
    const names = Array.from({ length: 500 }, (_, i) => (i % 3 === 0 ? 'HEAD:a.txt' : i % 3 === 1 ? 'HEAD:dir/b.txt' : `HEAD:missing-${i}`));
    const results = await Promise.all(names.map((name) => reader.readObject(name)));
    results.forEach((result, i) => {
      if (i % 3 === 2) expect(result).toBeUndefined();
      else expect(result?.data.toString()).toBe(i % 3 === 0 ? 'alpha\n' : 'beta\n');
    });
  });

  it('rejects reads after close', async () => {
    const other = new ObjectReader(repo);
    expect((await other.readObject('HEAD'))?.type).toBe('commit');
    await other.close();
    await expect(other.readObject('HEAD')).rejects.toThrow(/exited/);
  });
});

describe('parseTree', () => {
  it('rejects truncated tree data', () => {
    expect(() => parseTree(Buffer.from('100644 file\0abc'))).toThrow(/malformed/);
  });
});
