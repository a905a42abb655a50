import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyHunks, createPatch, parsePatch, type HunkResult } from '../../src/patch/index.js';
import { available, tempDir } from './helpers.js';

/** What GNU patch did with each hunk, read from its --verbose report, and the file it wrote. */
async function gnuPatch(dir: string, target: string, patch: string): Promise<{ hunks: { ok: boolean; offset: number; fuzz: number }[]; text: string; reversed: boolean }> {
  await writeFile(join(dir, 'f.txt'), target);
  await writeFile(join(dir, 'p.patch'), patch);
  const run = spawnSync('patch', ['--verbose', '--forward', '--fuzz=2', '--no-backup-if-mismatch', '-r', '-', '-o', 'out.txt', 'f.txt', 'p.patch'], {
    cwd: dir,
    encoding: 'utf8',
  });
  const hunks = [...run.stdout.matchAll(/^Hunk #\d+ (succeeded|FAILED) at \d+(?: with fuzz (\d+))?(?: \(offset (-?\d+) lines?\))?\.$/gm)].map((match) => ({
    ok: match[1] === 'succeeded',
    fuzz: Number(match[2] ?? 0),
    offset: Number(match[3] ?? 0),
  }));
  const text = await readFile(join(dir, 'out.txt'), 'utf8').catch(() => '');
  return { hunks, text, reversed: run.stdout.includes('Reversed (or previously applied) patch detected') };
}

const ours = (hunk: HunkResult): { ok: boolean; offset: number; fuzz: number } =>
  hunk.status === 'rejected' ? { ok: false, offset: 0, fuzz: 0 } : { ok: true, offset: hunk.offset, fuzz: hunk.fuzz };

const numbered = (count: number, tag: string): string[] => Array.from({ length: count }, (_, i) => `${tag} ${i + 1}\n`);

/** Replaces, inserts or deletes lines at the given places of a line array. */
function mutate(lines: string[], edits: readonly (readonly [number, number, number])[], tag: string): string[] {
  let result = [...lines];
  edits.forEach(([at, remove, insert], index) => {
    const start = at % (result.length + 1);
    const added = Array.from({ length: insert }, (_, i) => `${tag}${index}.${i}\n`);
    result = [...result.slice(0, start), ...added, ...result.slice(start + remove)];
  });
  return result;
}

describe.skipIf(!available('patch'))('offsets and fuzz compared with GNU patch', () => {
  it('finds the same place, offset and fuzz for every hunk and writes the same file', async () => {
    const dir = await tempDir();
    const edit = fc.tuple(fc.nat(80), fc.nat(2), fc.nat(2));
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 5, max: 60 }),
        fc.array(fc.constantFrom('}', '', 'return 0;'), { maxLength: 6 }),
        fc.array(edit, { minLength: 1, maxLength: 4 }),
        fc.array(edit, { maxLength: 5 }),
        async (count, repeated, changes, drift) => {
          const base = numbered(count, 'line');
          repeated.forEach((text, index) => base.splice((index * 7) % base.length, 0, `${text}\n`));
          const changed = mutate(base, changes, 'new');
          const target = mutate(base, drift, 'drift').join('');
          const patch = createPatch('f.txt', 'f.txt', { mode: '100644', data: Buffer.from(base.join('')) }, { mode: '100644', data: Buffer.from(changed.join('')) });
          fc.pre(patch !== '');
          const result = applyHunks(target, parsePatch(patch)[0]!);
          fc.pre(result.hunks.every((hunk) => hunk.status !== 'already-applied'));
          const gnu = await gnuPatch(dir, target, patch);
          fc.pre(!gnu.reversed);
          expect(result.hunks.map(ours)).toEqual(gnu.hunks);
          expect(result.text).toBe(gnu.text);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('agrees on hand-made offset, fuzz and anchored cases', async () => {
    const dir = await tempDir();
    const base = numbered(30, 'line');
    const changed = [...base];
    changed[2] = 'first change\n';
    changed[15] = 'middle change\n';
    changed[28] = 'last change\n';
    const patch = createPatch('f.txt', 'f.txt', { mode: '100644', data: Buffer.from(base.join('')) }, { mode: '100644', data: Buffer.from(changed.join('')) });
    const targets = {
      offset: [...numbered(4, 'extra'), ...base],
      fuzz1: base.map((line, index) => (index === 12 || index === 18 ? `edited ${line}` : line)),
      fuzz2: base.map((line, index) => (index === 12 || index === 13 || index === 17 || index === 18 ? `edited ${line}` : line)),
      fuzz3: base.map((line, index) => (index >= 12 && index <= 14 ? `edited ${line}` : line)),
      anchoredStart: base.map((line, index) => (index === 0 ? 'edited\n' : line)),
      anchoredEnd: base.map((line, index) => (index === 29 ? 'edited\n' : line)),
    };
    const statuses: Record<string, string[]> = {};
    for (const [name, lines] of Object.entries(targets)) {
      const target = lines.join('');
      const result = applyHunks(target, parsePatch(patch)[0]!);
      const gnu = await gnuPatch(dir, target, patch);
      expect(result.hunks.map(ours), name).toEqual(gnu.hunks);
      expect(result.text, name).toBe(gnu.text);
      statuses[name] = result.hunks.map((hunk) => hunk.status);
    }
    expect(statuses).toEqual({
      offset: ['fuzz', 'offset', 'offset'],
      fuzz1: ['exact', 'fuzz', 'exact'],
      fuzz2: ['exact', 'fuzz', 'exact'],
      fuzz3: ['exact', 'rejected', 'exact'],
      anchoredStart: ['fuzz', 'exact', 'exact'],
      anchoredEnd: ['exact', 'exact', 'rejected'],
    });
  });
});
