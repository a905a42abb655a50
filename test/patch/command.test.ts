import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { registerPatchCommand } from '../../src/commands/patch.js';
import { runPatch } from '../../src/workflow/patch.js';
import { createPatch } from '../../src/patch/index.js';
import { snapshotDir, tempDir, writeFiles } from './helpers.js';

const entry = (text: string) => ({ mode: '100644' as const, data: Buffer.from(text) });
const lines = (count: number, tag: string): string => Array.from({ length: count }, (_, i) => `${tag} ${i + 1}\n`).join('');

/** A directory with two files and a patch changing both. */
async function fixture(): Promise<{ dir: string; patchFile: string }> {
  const dir = await tempDir();
  await writeFiles(dir, { 'a.txt': lines(10, 'a'), 'sub/b.txt': lines(10, 'b') });
  const patch =
    createPatch('a.txt', 'a.txt', entry(lines(10, 'a')), entry(lines(10, 'a').replace('a 5\n', 'A 5\n'))) +
    createPatch('sub/b.txt', 'sub/b.txt', entry(lines(10, 'b')), entry(lines(10, 'b').replace('b 5\n', 'B 5\n')));
  const patchFile = join(await tempDir(), 'change.patch');
  await writeFile(patchFile, patch);
  return { dir, patchFile };
}

describe('nano-overlay patch', () => {
  it('applies to a plain directory and reports one line per file', async () => {
    const { dir, patchFile } = await fixture();
    const outcome = await runPatch({ patchFile, directory: dir });
    expect(outcome).toEqual({ exitCode: 0, output: 'modified  a.txt\nmodified  sub/b.txt\n2 file(s) applied' });
    const files = await snapshotDir(dir);
    expect(files['a.txt']!.data).toContain('A 5\n');
    expect(files['sub/b.txt']!.data).toContain('B 5\n');
  });

  it('writes nothing with --check', async () => {
    const { dir, patchFile } = await fixture();
    const before = await snapshotDir(dir);
    const outcome = await runPatch({ patchFile, directory: dir, check: true });
    expect(outcome.exitCode).toBe(0);
    expect(outcome.output).toContain('would apply; nothing written');
    expect(await snapshotDir(dir)).toEqual(before);
  });

  it('writes nothing when one file fails, and says what, where and why', async () => {
    const { dir, patchFile } = await fixture();
    await writeFile(join(dir, 'sub/b.txt'), lines(10, 'b').replace(/b [3-7]\n/g, 'other\n'));
    const before = await snapshotDir(dir);
    const outcome = await runPatch({ patchFile, directory: dir });
    expect(outcome.exitCode).toBe(1);
    expect(outcome.output).toMatch(/^FAILED {4}sub\/b\.txt\n {2}hunk #1 \(.*change\.patch:\d+\) rejected at line 2: .*match nowhere$/m);
    expect(outcome.output).toContain('1 file(s) failed; nothing written');
    expect(await snapshotDir(dir)).toEqual(before);
  });

  it('reports offsets and fuzz as JSON', async () => {
    const { dir, patchFile } = await fixture();
    await writeFile(join(dir, 'a.txt'), `new first\n${lines(10, 'a')}`);
    await writeFile(join(dir, 'sub/b.txt'), lines(10, 'b').replace('b 2\n', 'changed\n'));
    const outcome = await runPatch({ patchFile, directory: dir, json: true });
    expect(outcome.exitCode).toBe(0);
    expect(JSON.parse(outcome.output)).toEqual({
      ok: true,
      files: [
        { path: 'a.txt', status: 'modified', hunks: [{ status: 'offset', offset: 1, fuzz: 0, line: 3 }] },
        { path: 'sub/b.txt', status: 'modified', hunks: [{ status: 'fuzz', offset: 0, fuzz: 1, line: 2 }] },
      ],
    });
  });

  it('strips the number of components given with -p and undoes with --reverse', async () => {
    const { dir, patchFile } = await fixture();
    const before = await snapshotDir(dir);
    const unprefixed = readFileSync(patchFile, 'utf8').replace(/^(---|\+\+\+) [ab]\//gm, '$1 ').replace(/^diff --git a\/(\S+) b\/(\S+)$/gm, 'diff --git $1 $2');
    expect((await runPatch({ input: Buffer.from(unprefixed), directory: dir, strip: 0 })).exitCode).toBe(0);
    expect((await runPatch({ input: Buffer.from(unprefixed), directory: dir, strip: 0, reverse: true })).exitCode).toBe(0);
    expect(await snapshotDir(dir)).toEqual(before);
  });

  it('refuses an input without any patch', async () => {
    const dir = await tempDir();
    expect(await runPatch({ input: Buffer.from('just prose\n'), patchFile: 'notes.txt', directory: dir })).toEqual({
      exitCode: 2,
      output: 'no patch found in the input (notes.txt)',
    });
  });

  it('parses its options through commander', async () => {
    const { dir, patchFile } = await fixture();
    const before = await snapshotDir(dir);
    const program = new Command().exitOverride();
    registerPatchCommand(program);
    const printed: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string) => printed.push(chunk) > 0) as typeof process.stdout.write;
    try {
      await program.parseAsync(['node', 'nano-overlay', 'patch', patchFile, '-d', dir, '-p1', '-F', '0', '--3way', '--check', '--json']);
    } finally {
      process.stdout.write = write;
    }
    expect(process.exitCode).toBe(0);
    process.exitCode = undefined;
    expect(JSON.parse(printed.join('')).ok).toBe(true);
    expect(await snapshotDir(dir)).toEqual(before);
    const strict = new Command().exitOverride().configureOutput({ writeErr: () => undefined });
    registerPatchCommand(strict);
    await expect(strict.parseAsync(['node', 'nano-overlay', 'patch', '-p', 'x'])).rejects.toThrow(/not a non-negative integer/);
  });

  const cli = join(process.cwd(), 'dist/src/cli.js');
  it('runs from the built CLI, reading the patch from standard input', async () => {
    const { dir, patchFile } = await fixture();
    const run = spawnSync('node', [cli, 'patch', '-', '--directory', dir], { input: readFileSync(patchFile), encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('2 file(s) applied');
    const broken = spawnSync('node', [cli, 'patch', '--directory', dir, '-'], { input: '--- a/a.txt\n+++ b/a.txt\n@@ -1,2 +1,2 @@\n-x\n', encoding: 'utf8' });
    expect(broken.status).toBe(2);
    expect(broken.stderr).toMatch(/^nano-overlay: truncated hunk.* \(<stdin>:3\)\n$/);
    expect(execFileSync('node', [cli, 'patch', '--help'], { encoding: 'utf8' })).toContain('--3way');
  });
});
