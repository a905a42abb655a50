import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPatch } from '../../src/workflow/patch.js';
import { applyPatchSet, gitBlobSource, parsePatch } from '../../src/patch/index.js';
import { DiskTree } from '../../src/tree/disk.js';
import { git, tempRepo, writeFiles } from './helpers.js';

const base = Array.from({ length: 30 }, (_, i) => `line ${i + 1}\n`);
const withLines = (changes: Record<number, string>): string => base.map((line, index) => changes[index + 1] ?? line).join('');

/** A repository whose `topic` branch changes line 16, a patch of that change, and main checked out. */
async function repoWithTopic(): Promise<{ repo: string; patch: Buffer }> {
  const repo = await tempRepo();
  await writeFiles(repo, { 'f.txt': base.join('') });
  git(repo, 'add', '-A');
  git(repo, 'commit', '-qm', 'base');
  git(repo, 'checkout', '-qb', 'topic');
  await writeFile(join(repo, 'f.txt'), withLines({ 16: 'topic 16\n' }));
  git(repo, 'commit', '-qam', 'topic');
  const patch = git(repo, 'diff', 'main', 'topic');
  git(repo, 'checkout', '-q', 'main');
  return { repo, patch };
}

describe('three-way merges', () => {
  it('merges a hunk whose context changed, using the base blob from the repository', async () => {
    const { repo, patch } = await repoWithTopic();
    await writeFile(join(repo, 'f.txt'), withLines({ 13: 'ours 13\n', 14: 'ours 14\n' }));
    const blobs = await gitBlobSource(repo);
    const plain = await applyPatchSet(new DiskTree(repo), parsePatch(patch), { fuzz: 0 });
    expect(plain.files[0]!.hunks[0]!.status).toBe('rejected');
    const merged = await applyPatchSet(new DiskTree(repo), parsePatch(patch), { fuzz: 0, threeWay: blobs });
    await blobs.close();
    expect(merged.ok).toBe(true);
    expect(merged.files[0]!.hunks.map((hunk) => hunk.status)).toEqual(['merged']);
    expect(merged.changes.get('f.txt')!.data.toString()).toBe(withLines({ 13: 'ours 13\n', 14: 'ours 14\n', 16: 'topic 16\n' }));
  });

  it('prefers a three-way merge to fuzz when the base blob is known', async () => {
    const { repo, patch } = await repoWithTopic();
    await writeFile(join(repo, 'f.txt'), withLines({ 13: 'ours 13\n' }));
    const blobs = await gitBlobSource(repo);
    const result = await applyPatchSet(new DiskTree(repo), parsePatch(patch), { threeWay: blobs });
    await blobs.close();
    expect(result.files[0]!.hunks.map((hunk) => hunk.status)).toEqual(['merged']);
  });

  it('leaves conflict markers for a true conflict and reports it', async () => {
    const { repo, patch } = await repoWithTopic();
    await writeFile(join(repo, 'f.txt'), withLines({ 16: 'ours 16\n' }));
    await writeFile(join(repo, 'topic.patch'), patch);
    const outcome = await runPatch({ patchFile: join(repo, 'topic.patch'), directory: repo, threeWay: true, json: true });
    expect(outcome.exitCode).toBe(1);
    const report = JSON.parse(outcome.output);
    expect(report.ok).toBe(false);
    expect(report.files[0].hunks[0].status).toBe('conflict');
    const written = await readFile(join(repo, 'f.txt'), 'utf8');
    expect(written).toContain('<<<<<<< ours\nours 16\n=======\ntopic 16\n>>>>>>> theirs\n');
  });

  it('rejects the file as without --3way when the base blob is unknown', async () => {
    const { repo, patch } = await repoWithTopic();
    await writeFile(join(repo, 'f.txt'), withLines({ 15: 'ours 15\n', 16: 'ours 16\n', 17: 'ours 17\n' }));
    const unknown = patch.toString().replace(/^index [0-9a-f]+\.\./m, 'index 1234567..');
    const blobs = await gitBlobSource(repo);
    const result = await applyPatchSet(new DiskTree(repo), parsePatch(unknown), { threeWay: blobs });
    await blobs.close();
    expect(result.ok).toBe(false);
    expect(result.files[0]!.hunks[0]!.status).toBe('rejected');
    expect(result.files[0]!.message).toContain('1234567');
    expect(result.changes.size).toBe(0);
  });

  it('detects a change that is already applied instead of applying it twice', async () => {
    const { repo, patch } = await repoWithTopic();
    git(repo, 'merge', '-q', 'topic');
    await writeFile(join(repo, 'f.txt'), `prepended\n${withLines({ 16: 'topic 16\n' })}`);
    const result = await applyPatchSet(new DiskTree(repo), parsePatch(patch));
    expect(result.ok).toBe(true);
    expect(result.files[0]!.hunks).toMatchObject([{ status: 'already-applied', offset: 1 }]);
    expect(result.changes.get('f.txt')!.data.toString()).toBe(`prepended\n${withLines({ 16: 'topic 16\n' })}`);
  });
});
