import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runPatch } from '../../src/workflow/patch.js';
import { git, makeTempDir, removeTempDirs } from '../helpers/git.js';
import { layerSet, overlayRepo, runCli } from './helpers.js';

afterAll(removeTempDirs);

/** `caf\351.txt`: the Latin-1 bytes of "café.txt", which are not UTF-8. */
const LATIN1 = Buffer.from('caf\xe9.txt', 'latin1');
/** The name a lossy decoding would turn LATIN1 into: "caf\uFFFD.txt" in UTF-8. */
const LOOKALIKE = Buffer.from('caf\uFFFD.txt', 'utf8');
const bytesPath = (dir: string, ...parts: (string | Buffer)[]): Buffer =>
  Buffer.concat([Buffer.from(`${dir}/`), ...parts.flatMap((part, index) => [Buffer.from(part), Buffer.from(index < parts.length - 1 ? '/' : '')])]);

/** The names in `dir`, as the bytes the file system has. */
const namesIn = (dir: string): string[] => readdirSync(Buffer.from(dir), { encoding: 'buffer' }).map((name) => name.toString('latin1')).sort();

/** The text of the blob named by the bytes `name` in directory `dir` of `ref`, trimmed as the git helper trims. */
function blobAt(repo: string, ref: string, dir: string, name: Buffer): string | undefined {
  const listing = spawnSync('git', ['ls-tree', '-z', ref, dir], { cwd: repo }).stdout;
  for (let start = 0; start < listing.length; ) {
    const end = listing.indexOf(0, start);
    const entry = listing.subarray(start, end);
    const tab = entry.indexOf(0x09);
    if (entry.subarray(tab + 1).equals(Buffer.concat([Buffer.from(dir), name]))) {
      const oid = entry.subarray(0, tab).toString('latin1').split(' ')[2]!;
      return git(repo, 'cat-file', 'blob', oid);
    }
    start = end + 1;
  }
  return undefined;
}

describe('file names that are not UTF-8', () => {
  it('are patched in a directory byte for byte, and a name that only looks the same is left alone', async () => {
    const dir = await makeTempDir();
    writeFileSync(bytesPath(dir, LATIN1), 'one\n');
    writeFileSync(bytesPath(dir, LOOKALIKE), 'one\n');
    const patch = Buffer.concat([Buffer.from('--- a/'), LATIN1, Buffer.from('\n+++ b/'), LATIN1, Buffer.from('\n@@ -1 +1 @@\n-one\n+two\n')]);
    expect(await runPatch({ input: patch, patchFile: 'latin1.patch', directory: dir })).toMatchObject({ exitCode: 0 });
    expect(readFileSync(bytesPath(dir, LATIN1), 'utf8')).toBe('two\n');
    expect(readFileSync(bytesPath(dir, LOOKALIKE), 'utf8')).toBe('one\n');
    expect(namesIn(dir)).toEqual([LATIN1.toString('latin1'), LOOKALIKE.toString('latin1')].sort());
  });

  it('are written by apply --worktree and --branch with the bytes git has, from patches, overlay files and the upstream', async () => {
    const upstream = await overlayRepo();
    writeFileSync(bytesPath(upstream, 'app-misc', LATIN1), 'one\n');
    writeFileSync(bytesPath(upstream, 'app-misc', LOOKALIKE), 'one\n');
    git(upstream, 'add', '-A');
    git(upstream, 'commit', '-q', '-m', 'names that are not UTF-8');
    const layers = await layerSet(['a'], {
      'patches/a/0001-latin1.patch':
        'diff --git "a/app-misc/caf\\351.txt" "b/app-misc/caf\\351.txt"\n--- "a/app-misc/caf\\351.txt"\n+++ "b/app-misc/caf\\351.txt"\n@@ -1 +1 @@\n-one\n+two\n' +
        'diff --git "a/app-misc/new\\377.txt" "b/app-misc/new\\377.txt"\nnew file mode 100644\n--- /dev/null\n+++ "b/app-misc/new\\377.txt"\n@@ -0,0 +1 @@\n+new\n',
    });
    mkdirSync(join(layers, 'overlay', 'a'), { recursive: true });
    writeFileSync(bytesPath(layers, 'overlay', 'a', Buffer.from('over\xfe.txt', 'latin1')), 'overlay\n');

    expect(runCli(['validate', '--upstream', upstream, '--layers', layers]).status).toBe(0);
    const branch = runCli(['apply', '--upstream', upstream, '--layers', layers, '--branch', 'nano']);
    expect(branch.stderr).toBe('');
    expect(branch.status).toBe(0);
    const listed = git(upstream, '-c', 'core.quotePath=true', 'ls-tree', '--name-only', 'nano', 'app-misc/').split('\n').filter(Boolean);
    expect(listed).toEqual(expect.arrayContaining(['"app-misc/caf\\351.txt"', '"app-misc/new\\377.txt"', '"app-misc/caf\\357\\277\\275.txt"']));
    expect(git(upstream, '-c', 'core.quotePath=true', 'ls-tree', '--name-only', 'nano')).toContain('"over\\376.txt"');
    expect(blobAt(upstream, 'nano', 'app-misc/', LATIN1)).toBe('two');
    expect(blobAt(upstream, 'nano', 'app-misc/', LOOKALIKE)).toBe('one');

    const worktree = runCli(['apply', '--upstream', upstream, '--layers', layers, '--worktree']);
    expect(worktree.stderr).toBe('');
    expect(worktree.status).toBe(0);
    expect(readFileSync(bytesPath(upstream, 'app-misc', LATIN1), 'utf8')).toBe('two\n');
    expect(readFileSync(bytesPath(upstream, 'app-misc', LOOKALIKE), 'utf8')).toBe('one\n');
    expect(readFileSync(bytesPath(upstream, 'app-misc', Buffer.from('new\xff.txt', 'latin1')), 'utf8')).toBe('new\n');
    expect(readFileSync(bytesPath(upstream, Buffer.from('over\xfe.txt', 'latin1')), 'utf8')).toBe('overlay\n');
    git(upstream, 'add', '-A');
    expect(git(upstream, 'diff', '--cached', '--stat', 'nano')).toBe('');
  });
});
