import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { git, makeTempDir, removeTempDirs } from '../helpers/git.js';
import { CLI, layerSet, overlayRepo, runCli, runCliKilled, snapshotWorkTree, type KillMoment } from './helpers.js';

afterAll(removeTempDirs);

/** Kills per writer in `npm test`; NANO_OVERLAY_KILLS raises it for a longer local run. */
const KILLS = Number(process.env.NANO_OVERLAY_KILLS ?? 6);
/** Time for one test of KILLS kills. */
const KILL_TIMEOUT = 60_000 + KILLS * 6_000;

/** A deterministic pseudo-random sequence, so a failing run can be repeated (NANO_OVERLAY_SEED). */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

/**
 * An upstream of `packages` ebuilds and a layer set that patches every other one (layer a) and
 * places `placed` new files in directories of their own (layer b): a write long enough to be
 * killed in the middle of.
 */
async function workload(packages: number, placed: number, random = false) {
  const data = (index: number) => (random ? randomBytes(6000).toString('base64') : `${'x'.repeat(64)} ${index}`);
  const files: Record<string, string> = {};
  for (let index = 0; index < packages; index++) files[`app-misc/p${index}/p${index}-1.ebuild`] = `EAPI=8\nSLOT="0"\n# package ${index}\n`;
  const upstream = await overlayRepo(files);
  git(upstream, 'checkout', '-q', '-b', 'edit');
  for (let index = 0; index < packages; index += 2) await writeFile(join(upstream, `app-misc/p${index}/p${index}-1.ebuild`), `EAPI=8\nSLOT="0"\n# package ${index}, patched\n`);
  git(upstream, 'commit', '-qam', 'edit');
  const patch = git(upstream, 'diff', 'main', 'edit');
  git(upstream, 'checkout', '-q', 'main');
  git(upstream, 'branch', '-q', '-D', 'edit');
  const overlay: Record<string, string> = { 'patches/a/0001-edit.patch': `${patch}\n` };
  for (let index = 0; index < placed; index++) overlay[`overlay/b/app-new/n${index % 40}/file-${index}.txt`] = `${data(index)}\n`;
  const layers = await layerSet(['a', 'b'], overlay);
  return { upstream, layers };
}

/** Leftovers a write must never leave in the user's directories, nor (after recovery) in the git dir. */
function leftovers(upstream: string): string[] {
  const inTree = Object.keys(snapshotWorkTree(upstream)).filter((path) => /nano-overlay/.test(path));
  const inGit = readdirSync(join(upstream, '.git')).filter((name) => name.startsWith('nano-overlay-write'));
  return [...inTree, ...inGit];
}

/**
 * A third of the kills at a random moment of a whole run (calibrated by `duration`, a full run's
 * time), a third while the new files are staged (after the transaction directory `home` appears),
 * a third while they are moved into place (after the journal appears).
 */
function killMoment(kill: number, next: () => number, duration: number, home: string): KillMoment {
  if (kill % 3 === 0) return { afterMs: Math.floor((0.3 + next() * 0.8) * duration) };
  if (kill % 3 === 1) return { path: home, delayMs: Math.floor(next() * 100) };
  return { path: join(home, 'journal.json'), delayMs: Math.floor(next() * 40) };
}

function resetHard(upstream: string): void {
  git(upstream, 'reset', '-q', '--hard');
  git(upstream, 'clean', '-qfdx');
}

describe('fault injection: killed and failing writes leave the tree as before or as after', () => {
  it(`SIGKILL of apply --worktree at ${KILLS} random moments, then the next command rolls back`, async () => {
    const { upstream, layers } = await workload(200, 800);
    const before = snapshotWorkTree(upstream);
    const started = performance.now();
    const full = runCli(['apply', '--upstream', upstream, '--layers', layers, '--worktree']);
    const duration = performance.now() - started;
    expect(full.status, full.stderr).toBe(0);
    const after = snapshotWorkTree(upstream);
    resetHard(upstream);
    expect(snapshotWorkTree(upstream)).toEqual(before);

    const next = random(Number(process.env.NANO_OVERLAY_SEED ?? 10));
    const outcomes = { before: 0, after: 0, rolledBack: 0 };
    for (let kill = 0; kill < KILLS; kill++) {
      const moment = killMoment(kill, next, duration, join(upstream, '.git/nano-overlay-write'));
      const delay = JSON.stringify(moment);
      await runCliKilled(['apply', '--upstream', upstream, '--layers', layers, '--worktree'], moment);
      const recovery = runCli(['apply', '--upstream', upstream, '--layers', layers, '--dry-run']);
      expect(recovery.status, `kill at ${delay}: ${recovery.stderr}`).toBe(0);
      expect(leftovers(upstream)).toEqual([]);
      if (recovery.stderr.includes('rolled back an interrupted write')) outcomes.rolledBack += 1;
      const now = snapshotWorkTree(upstream);
      const same = JSON.stringify(now) === JSON.stringify(before) ? 'before' : JSON.stringify(now) === JSON.stringify(after) ? 'after' : undefined;
      expect(same, `kill at ${delay} left a partial tree`).toBeDefined();
      outcomes[same!] += 1;
      resetHard(upstream);
    }
    expect(outcomes.before + outcomes.after).toBe(KILLS);
    if (process.env.NANO_OVERLAY_KILLS) console.log(`apply --worktree kills: ${JSON.stringify(outcomes)}`);
  }, KILL_TIMEOUT);

  it(`SIGKILL of apply --branch at ${KILLS} random moments: the branch is absent or complete`, async () => {
    const { upstream, layers } = await workload(200, 600);
    const started = performance.now();
    const expected = runCli(['apply', '--upstream', upstream, '--layers', layers, '--branch', 'expected']);
    const duration = performance.now() - started;
    expect(expected.status, expected.stderr).toBe(0);
    const tree = git(upstream, 'rev-parse', 'expected^{tree}');
    const work = snapshotWorkTree(upstream);
    const next = random(Number(process.env.NANO_OVERLAY_SEED ?? 20));
    for (let kill = 0; kill < KILLS; kill++) {
      git(upstream, 'branch', '-f', 'victim', 'main');
      const delay = Math.floor((0.4 + next() * 0.65) * duration);
      await runCliKilled(['apply', '--upstream', upstream, '--layers', layers, '--branch', 'victim', '--force'], { afterMs: delay });
      const recovery = runCli(['apply', '--upstream', upstream, '--layers', layers, '--dry-run']);
      expect(recovery.status, recovery.stderr).toBe(0);
      const untouched = git(upstream, 'rev-parse', 'victim') === git(upstream, 'rev-parse', 'main');
      expect(untouched || git(upstream, 'rev-parse', 'victim^{tree}') === tree, `kill after ${delay} ms left a partial branch`).toBe(true);
      expect(snapshotWorkTree(upstream)).toEqual(work);
      expect(leftovers(upstream)).toEqual([]);
    }
  }, KILL_TIMEOUT);

  it('the loser of two concurrent apply --branch of the same name gets one line and exit 2', async () => {
    const { upstream, layers } = await workload(50, 100);
    const args = ['apply', '--upstream', upstream, '--layers', layers, '--branch', 'race'];
    const results = await Promise.all([0, 1, 2].map(() => runAsync(args)));
    const winners = results.filter((result) => result.status === 0);
    expect(winners).toHaveLength(1);
    for (const loser of results.filter((result) => result.status !== 0)) {
      expect(loser.status).toBe(2);
      expect(loser.stderr.trim().split('\n')).toHaveLength(1);
      expect(loser.stderr).toMatch(/branch 'race'/);
    }
  });

  it('an immutable file met half-way through the moves: exit 2, one line, the tree exactly as before', async (context) => {
    const { upstream, layers } = await workload(60, 300);
    const victim = join(upstream, 'app-misc/p58/p58-1.ebuild');
    if (spawnSync('chattr', ['+i', victim]).status !== 0) context.skip();
    try {
      const before = snapshotWorkTree(upstream);
      const run = runCli(['apply', '--upstream', upstream, '--layers', layers, '--worktree']);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(/cannot write 'app-misc\/p58\/p58-1.ebuild'.*\(EPERM\); the tree was left as it was/);
      expect(run.status).toBe(2);
      expect(snapshotWorkTree(upstream)).toEqual(before);
      expect(leftovers(upstream)).toEqual([]);
    } finally {
      spawnSync('chattr', ['-i', victim]);
    }
  });

  it('a full file system half-way through the write: exit 2, one line, the tree exactly as before', async (context) => {
    const mountPoint = join(await makeTempDir('nano-overlay-small-fs-'), 'fs');
    await mkdir(mountPoint);
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1200k', 'tmpfs', mountPoint]).status !== 0) context.skip();
    try {
      const { upstream: source, layers } = await workload(30, 300, true);
      const upstream = join(mountPoint, 'repo');
      git(mountPoint, 'clone', '-q', '--no-hardlinks', source, upstream);
      const before = snapshotWorkTree(upstream);
      const run = runCli(['apply', '--upstream', upstream, '--layers', layers, '--worktree']);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(/\(ENOSPC\); the tree was left as it was/);
      // The line names the file of the tree that could not be written, not the transaction's own files.
      expect(run.stderr).toMatch(/cannot write '[^'/][^']*' in /);
      expect(run.stderr).not.toMatch(/nano-overlay-write/);
      expect(run.status).toBe(2);
      expect(snapshotWorkTree(upstream)).toEqual(before);
      expect(leftovers(upstream)).toEqual([]);
      const refs = git(upstream, 'for-each-ref');
      const branch = runCli(['apply', '--upstream', upstream, '--layers', layers, '--branch', 'full']);
      expect(branch.stderr.trim().split('\n')).toHaveLength(1);
      expect(branch.stderr).toMatch(/no space left on device/i);
      expect(branch.status).toBe(2);
      expect(git(upstream, 'for-each-ref')).toBe(refs);
    } finally {
      spawnSync('umount', [mountPoint]);
    }
    expect(existsSync(join(mountPoint, 'repo'))).toBe(false);
  });
});

function runAsync(args: readonly string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (status) => done({ status, stderr }));
  });
}
