import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import parseDiff from 'parse-diff';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { applyPatchSet, createFilePatches, formatPatchBytes, parsePatch, type FilePatch, type PatchSetResult } from '../../src/patch/index.js';
import { memoryTree } from '../../src/tree/memory.js';
import type { FileEntry } from '../../src/tree/types.js';
import { runPatch } from '../../src/workflow/patch.js';
import { GIT_ENV, snapshotDir, tempDir, writeFiles } from './helpers.js';

/*
 * A bounded mutation fuzzer: real-shaped git patches (made from random trees and edits) are broken
 * in small ways, and whatever comes out must be applied completely or refused with one line; no
 * write may leave the tree. `git apply` and parse-diff are the oracles. NANO_FUZZ_RUNS sets the
 * number of inputs for a longer run.
 */
const RUNS = Number(process.env.NANO_FUZZ_RUNS ?? 300);
const GIT_RUNS = Math.max(20, Math.round(RUNS / 8));
/** NANO_FUZZ_SEED replays a run that fast-check reported. */
const SEED = process.env.NANO_FUZZ_SEED ? { seed: Number(process.env.NANO_FUZZ_SEED) } : {};

const NAMES = ['f.txt', 'dir/g.c', 'dir/sub/h', 'with space.txt', 'café.txt', 'link'];
const line = fc.constantFrom('a', 'b', 'c', '', '  x', '}', 'int y;', 'grüße', '-dash', '+plus', '@@ x', '\\ back');
const text = fc
  .tuple(fc.array(line, { maxLength: 14 }), fc.boolean())
  .map(([lines, lastNewline]) => (lines.length ? lines.join('\n') + (lastNewline ? '\n' : '') : ''));

/** A base tree: some text files and a symlink `link` leading outside it. */
const baseTree = fc.dictionary(fc.constantFrom(...NAMES.filter((name) => name !== 'link')), text, { minKeys: 1, maxKeys: 4 });

type Edit = { kind: 'modify' | 'delete' | 'rename'; to?: string; text: string } | { kind: 'create'; path: string; text: string };
const edits = fc.array(
  fc.oneof(
    fc.record({ kind: fc.constant('modify' as const), text }),
    fc.record({ kind: fc.constant('delete' as const), text: fc.constant('') }),
    fc.record({ kind: fc.constant('rename' as const), to: fc.constantFrom('renamed.txt', 'dir/moved'), text }),
    fc.record({ kind: fc.constant('create' as const), path: fc.constantFrom('new.txt', 'dir/new', 'link/inside', '.git/hooks/x', '../out'), text }),
  ),
  { minLength: 1, maxLength: 3 },
);

const INTERESTING = [
  '--- a/f.txt', '+++ b/f.txt', '--- /dev/null', '+++ /dev/null', '@@ -1 +1 @@', '@@ -1,2 +1,2 @@', '@@ -4294967296,1 +1 @@', '\\ No newline at end of file',
  'GIT binary patch', 'literal 5', 'new file mode 100644', 'deleted file mode 100644', 'old mode 120000', 'rename from ../x', 'rename to f.txt',
  'diff --git a/../e b/../e', 'diff --git a/.git/config b/.git/config', 'diff --git a/link/x b/link/x', 'index 0000000..1111111', '',
  ' a', '-a', '+a', '+\x1b[2J', 'diff --cc f.txt', '***************',
];

/** One mutation of a patch's lines. */
const mutation = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('swap' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), line: fc.constantFrom(...INTERESTING) }),
  fc.record({ op: fc.constant('number' as const), at: fc.nat(), value: fc.constantFrom('0', '1', '2', '7', '4294967296', '9007199254740993') }),
  fc.record({ op: fc.constant('prefix' as const), at: fc.nat(), char: fc.constantFrom(' ', '+', '-', '\\', '@', 'x') }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
);

/** Applies mutations to the patch's lines (a byte string). */
function mutate(patch: string, mutations: readonly object[]): string {
  let lines = patch.split('\n');
  for (const m of mutations as Array<{ op: string; at: number; line?: string; value?: string; char?: string }>) {
    const at = m.at % Math.max(lines.length, 1);
    if (m.op === 'delete') lines.splice(at, 1);
    else if (m.op === 'duplicate') lines.splice(at, 0, lines[at] ?? '');
    else if (m.op === 'swap' && at + 1 < lines.length) [lines[at], lines[at + 1]] = [lines[at + 1]!, lines[at]!];
    else if (m.op === 'insert') lines.splice(at, 0, m.line!);
    else if (m.op === 'number') {
      const headers = lines.flatMap((text, index) => (text.startsWith('@@ ') ? [index] : []));
      const index = headers[at % Math.max(headers.length, 1)];
      if (index !== undefined) {
        let count = 0;
        const which = m.at % 4;
        lines[index] = lines[index]!.replace(/\d+/g, (digits) => (count++ === which ? m.value! : digits));
      }
    } else if (m.op === 'prefix' && lines[at] !== undefined) lines[at] = m.char! + lines[at]!.slice(1);
    else if (m.op === 'truncate') lines = lines.join('\n').slice(0, m.at % (lines.join('\n').length + 1)).split('\n');
  }
  return lines.join('\n');
}

/** The base tree as files, with the symlink leading outside. */
function filesOf(base: Record<string, string>): Record<string, string | { link: string }> {
  return { ...base, link: { link: '../outside' } };
}

/** A patch made from `base` and `edits`, as git writes it (a byte string). */
function realPatch(base: Record<string, string>, changes: Edit[]): string {
  const entry = (data: string): FileEntry => ({ mode: '100644', data: Buffer.from(data) });
  const patches: FilePatch[] = [];
  const paths = Object.keys(base);
  const touched = new Set<string>();
  changes.forEach((change, index) => {
    if (change.kind === 'create') {
      if (!(change.path in base) && !touched.has(change.path)) patches.push(...createFilePatches(change.path, change.path, undefined, entry(change.text)));
      touched.add(change.path);
      return;
    }
    const path = paths[index % paths.length]!;
    if (touched.has(path)) return;
    touched.add(path);
    const old = entry(base[path]!);
    if (change.kind === 'modify') patches.push(...createFilePatches(path, path, old, entry(change.text)));
    if (change.kind === 'delete') patches.push(...createFilePatches(path, path, old, undefined));
    if (change.kind === 'rename' && !(change.to! in base) && !touched.has(change.to!)) {
      touched.add(change.to!);
      patches.push(...createFilePatches(path, change.to!, old, entry(change.text)));
    }
  });
  return formatPatchBytes(patches).toString('latin1');
}

/** How our engine fared on an input: refused (InputError), or its result. */
type Outcome = { refused: string } | { result: PatchSetResult; patches: FilePatch[] };

async function ours(patch: string, base: Record<string, string>, fuzz = 2): Promise<Outcome> {
  try {
    const patches = parsePatch(Buffer.from(patch, 'latin1'), 'fuzz.patch');
    return { result: await applyPatchSet(memoryTree(filesOf(base)), patches, { fuzz }), patches };
  } catch (error) {
    if (error instanceof InputError) return { refused: error.message };
    throw error;
  }
}

const counts = { tried: 0, refused: 0, rejected: 0, applied: 0, writesOutside: 0, hunksIgnored: 0 };

/** Checks the invariants on one outcome; returns nothing, throws on a violation. */
function checkInvariants(patch: string, outcome: Outcome): void {
  counts.tried++;
  if ('refused' in outcome) {
    counts.refused++;
    expect(outcome.refused).toMatch(/^fuzz\.patch(:\d+)?: [^\n]+$/);
    expect(outcome.refused).not.toMatch(/[\x00-\x08\x0a-\x1f\x7f]/);
    return;
  }
  const { result, patches } = outcome;
  for (const path of result.changes.keys()) {
    const parts = path.split('/');
    if (path.startsWith('/') || parts.includes('..') || parts.some((part) => part.toLowerCase() === '.git') || parts[0] === 'link' && parts.length > 1) {
      counts.writesOutside++;
    }
  }
  expect(counts.writesOutside).toBe(0);
  if (!result.ok) {
    counts.rejected++;
    return;
  }
  counts.applied++;
  // Every hunk header of the input is a hunk that was parsed, and every parsed hunk has an outcome.
  const headers = patch.split('\n').filter((text) => text.startsWith('@@ -')).length;
  const parsed = patches.reduce((sum, file) => sum + file.hunks.length, 0);
  if (headers !== parsed) counts.hunksIgnored++;
  expect(parsed).toBe(headers);
  result.files.forEach((file, index) => expect(file.hunks).toHaveLength(Math.max(patches[index]!.hunks.length, 1)));
}

const input = fc.tuple(baseTree, edits, fc.array(mutation, { maxLength: 3 }));

describe('mutation fuzzer', () => {
  it(`applies each of ${RUNS} broken real-shaped patches completely or refuses it in one line, never writing outside`, async () => {
    await fc.assert(
      fc.asyncProperty(input, async ([base, changes, mutations]) => {
        const patch = mutate(realPatch(base, changes), mutations);
        checkInvariants(patch, await ours(patch, base));
      }),
      { numRuns: RUNS, ...SEED },
    );
    console.info(`fuzz: ${JSON.stringify(counts)}`);
    expect(counts.writesOutside).toBe(0);
    expect(counts.hunksIgnored).toBe(0);
  }, 600_000);

  it(`agrees with git apply on ${GIT_RUNS} inputs, and writes nothing outside on disk`, async () => {
    const tally = { tried: 0, bothApplied: 0, bothRefused: 0, onlyGit: 0, onlyOurs: 0 };
    await fc.assert(
      fc.asyncProperty(input, async ([base, changes, mutations]) => {
        const patch = mutate(realPatch(base, changes), mutations);
        const root = await tempDir();
        const repo = join(root, 'repo');
        const outside = join(root, 'outside');
        await mkdir(outside);
        await writeFile(join(outside, 'keep'), 'keep\n');
        await writeFiles(repo, filesOf(base));
        execFileSync('git', ['init', '-q'], { cwd: repo, env: GIT_ENV });
        await writeFile(join(root, 'p.patch'), Buffer.from(patch, 'latin1'));
        const gitOk = (() => {
          try {
            execFileSync('git', ['apply', '--check', join(root, 'p.patch')], { cwd: repo, env: GIT_ENV, stdio: 'ignore' });
            return true;
          } catch {
            return false;
          }
        })();
        const before = await snapshotDir(repo);
        const outcome = await runPatch({ input: Buffer.from(patch, 'latin1'), patchFile: 'fuzz.patch', directory: repo, fuzz: 0 });
        tally.tried++;
        expect(await snapshotDir(outside)).toEqual({ keep: { mode: '100644', data: 'keep\n' } });
        if (outcome.exitCode !== 0) expect(await snapshotDir(repo)).toEqual(before);
        if (outcome.exitCode === 2) expect(outcome.output).toMatch(/^[^\n]+$/);
        const oursOk = outcome.exitCode === 0 && !/already applied/.test(outcome.output);
        if (gitOk && oursOk) {
          tally.bothApplied++;
          // Both applied: git's result in a copy must equal ours.
          const copy = join(root, 'copy');
          await writeFiles(copy, filesOf(base));
          execFileSync('git', ['init', '-q'], { cwd: copy, env: GIT_ENV });
          execFileSync('git', ['apply', join(root, 'p.patch')], { cwd: copy, env: GIT_ENV, stdio: 'ignore' });
          expect(await snapshotDir(repo)).toEqual(await snapshotDir(copy));
        } else if (gitOk) tally.onlyGit++;
        else if (oursOk) tally.onlyOurs++;
        else tally.bothRefused++;
        // Git refuses nothing that we apply: we are at least as strict as git.
        expect(oursOk && !gitOk, `applied what git apply refuses:\n${patch}`).toBe(false);
      }),
      { numRuns: GIT_RUNS, ...SEED },
    );
    console.info(`fuzz vs git apply: ${JSON.stringify(tally)}`);
  }, 600_000);

  it('agrees with parse-diff on files, hunks and lines of plain unified diffs', async () => {
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(input, async ([base, changes, mutations]) => {
        // A plain unified diff: git's extended header lines dropped, UTF-8 text only.
        const plain = mutate(realPatch(base, changes), mutations.filter((m) => m.op !== 'insert'))
          .split('\n')
          .filter((text) => !/^(diff --git|index |new file mode|deleted file mode|old mode|new mode|similarity|rename |copy )/.test(text))
          .join('\n');
        const unicode = Buffer.from(plain, 'latin1').toString('utf8');
        let patches: FilePatch[];
        try {
          patches = parsePatch(unicode, 'plain.diff', { strip: 1 });
        } catch (error) {
          expect(error).toBeInstanceOf(InputError);
          return;
        }
        compared++;
        // A `---`/`+++` pair without hunks is a file to parse-diff and nothing to us (nor to git).
        const theirs = parseDiff(unicode).filter((file) => file.chunks.length > 0);
        expect(theirs.map((file) => file.chunks.length)).toEqual(patches.map((file) => file.hunks.length));
        theirs.forEach((file, index) => {
          const mine = patches[index]!;
          const strip = (name: string | undefined) => (name === '/dev/null' || name === undefined ? null : name);
          // parse-diff leaves C-quoted names (non-ASCII ones) quoted; they are compared as ours only when plain.
          const plainName = (name: string | null) => name === null || /^[\x20-\x7e]*$/.test(name);
          // Two names in a plain diff name one file, the shorter (as GNU patch takes `foo.c.orig` and `foo.c`).
          const [from, to] = [strip(file.from), strip(file.to)];
          const one = from !== null && to !== null && from !== to ? [from, to].sort((a, b) => a.length - b.length)[0]! : undefined;
          if (!mine.isNew && plainName(mine.oldPath)) expect(one ?? from).toBe(mine.oldPath);
          if (!mine.isDeleted && plainName(mine.newPath)) expect(one ?? to).toBe(mine.newPath);
          file.chunks.forEach((chunk, at) => {
            const hunk = mine.hunks[at]!;
            expect([chunk.oldStart, chunk.oldLines, chunk.newStart, chunk.newLines]).toEqual([hunk.oldStart, hunk.oldLines, hunk.newStart, hunk.newLines]);
            const kinds = { normal: ' ', add: '+', del: '-' } as const;
            // parse-diff keeps `\ No newline at end of file` as a change of its own (not always: not compared).
            const changed = chunk.changes.filter((change) => !change.content.startsWith('\\'));
            expect(changed.map((change) => `${kinds[change.type]}${change.content.slice(1)}`)).toEqual(
              hunk.lines.map((item) => `${item.kind}${Buffer.from(item.text, 'latin1').toString('utf8')}`),
            );
          });
        });
      }),
      { numRuns: RUNS, ...SEED },
    );
    console.info(`fuzz vs parse-diff: ${compared} of ${RUNS} plain diffs compared`);
    expect(compared).toBeGreaterThan(RUNS / 4);
  }, 600_000);
});

