import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { abortRebase, startRebase } from '../../src/maintain/rebase.js';
import { createOverlayFixture } from '../helpers/fixture-overlay.js';
import { git, makeTempDir, removeTempDirs } from '../helpers/git.js';
import { exampleLayersAt, OVERLAY, snapshot } from './helpers.js';

afterAll(removeTempDirs);

const cli = resolve('dist/src/cli.js');
const DEMO_FILES = 'app-misc/demo-files';
const STATE = '.nano-overlay-rebase/state.json';
/** Kills of `rebase` and of `rebase --abort` each; NANO_KILL_RUNS asks for more. */
const KILLS = Number(process.env.NANO_KILL_RUNS ?? 3);

/** An upstream whose newest commit conflicts with the motd layer, and the example layers based before it. */
async function conflictSetup() {
  const fixture = await createOverlayFixture({ layout: 'scripts' });
  const layers = await exampleLayersAt(fixture.head);
  const ebuild = join(fixture.dir, OVERLAY, DEMO_FILES, 'demo-files-0-r3.ebuild');
  const body = (await readFile(ebuild, 'utf8')).replace('    doins "${FILESDIR}"/motd\n', '    newins "${FILESDIR}"/motd motd.txt\n');
  await fixture.commit('Rename the installed motd', [{ modify: `${DEMO_FILES}/demo-files-0-r3.ebuild`, data: body }]);
  return { fixture, layers, before: await snapshot(layers) };
}

/** The work trees git has registered for the repository, as `path [locked]`. */
function worktrees(repo: string): string[] {
  return git(repo, 'worktree', 'list', '--porcelain')
    .split('\n\n')
    .map((block) => `${block.split('\n')[0]!.slice('worktree '.length)}${/^locked/m.test(block) ? ' locked' : ''}`);
}

async function editState(layers: string, edit: (state: Record<string, unknown>) => unknown): Promise<void> {
  const file = join(layers, STATE);
  await writeFile(file, JSON.stringify(edit(JSON.parse(await readFile(file, 'utf8')))));
}

const runCli = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });

describe('rebase --abort trusts nothing in the state file', () => {
  it('refuses to remove a directory the state names that the rebase did not create', async () => {
    const { fixture, layers } = await conflictSetup();
    const report = await startRebase({ upstream: fixture.dir, onto: 'main', layersDir: layers });
    expect(report.done).toBe(false);
    const victim = await makeTempDir('nano-overlay-victim-');
    await writeFile(join(victim, 'precious'), 'keep me\n');
    for (const worktree of [
      { path: victim, parent: victim },
      { path: join(victim, 'worktree'), parent: victim },
      { path: join(fixture.dir, '.git', 'nano-overlay-rebase', '..', '..'), parent: join(fixture.dir, '.git', 'nano-overlay-rebase', 'conflict-x', '..', '..') },
    ]) {
      await editState(layers, (state) => ({ ...state, worktree }));
      await expect(abortRebase(layers)).rejects.toThrow(/did not create/);
      expect(await readFile(join(victim, 'precious'), 'utf8')).toBe('keep me\n');
      expect(existsSync(join(fixture.dir, '.git', 'HEAD'))).toBe(true);
    }
  });

  it('refuses a state committed into the layer set that names an upstream inside it', async () => {
    const { layers } = await conflictSetup();
    const upstream = join(layers, 'evil');
    git(layers, 'init', '-q', '--bare', upstream);
    const parent = join(upstream, 'nano-overlay-rebase', 'conflict-1');
    await mkdir(join(parent, 'worktree'), { recursive: true });
    await writeFile(join(parent, 'worktree', 'file'), 'x');
    await mkdir(join(layers, '.nano-overlay-rebase'), { recursive: true });
    const state = { version: 1, upstream, onto: { ref: 'main', commit: 'a'.repeat(40) }, dropUpstreamed: false, next: 0, results: [], written: [], worktree: { path: join(parent, 'worktree'), parent } };
    await writeFile(join(layers, STATE), JSON.stringify(state));
    await expect(abortRebase(layers)).rejects.toThrow(/inside the layer set/);
    expect(existsSync(join(parent, 'worktree', 'file'))).toBe(true);
  });

  const badStates: Record<string, (state: Record<string, unknown>) => unknown> = {
    'written as a string': (state) => ({ ...state, written: 'patches' }),
    'a written path leaving the layer set': (state) => ({ ...state, written: ['../../outside'] }),
    'a written path inside the state directory': (state) => ({ ...state, written: ['.nano-overlay-rebase/backup'] }),
    'next as a string': (state) => ({ ...state, next: '1' }),
    'a worktree that is a number': (state) => ({ ...state, worktree: 5 }),
    'an upstream that is not a path': (state) => ({ ...state, upstream: ['x'] }),
    'an array for a state': () => [],
  };
  for (const [name, edit] of Object.entries(badStates)) {
    it(`reports a state with ${name} in one line, exit 2, changing nothing`, async () => {
      const { fixture, layers } = await conflictSetup();
      await startRebase({ upstream: fixture.dir, onto: 'main', layersDir: layers });
      await editState(layers, edit);
      const during = await snapshot(layers);
      const outcome = runCli(['rebase', '--abort', '--layers', layers]);
      expect(outcome.status).toBe(2);
      expect(outcome.stderr).toMatch(/^nano-overlay: the rebase state has a bad '[^\n]+ \(\S*state\.json\)\n$/);
      expect(await snapshot(layers)).toEqual(during);
    });
  }
});

describe('a run killed while making the work tree', () => {
  it('--abort unlocks and removes a work tree left locked by git worktree add, and one never made', async () => {
    const { fixture, layers, before } = await conflictSetup();
    const report = await startRebase({ upstream: fixture.dir, onto: 'main', layersDir: layers });
    const worktree = report.stopped!.worktree;
    git(fixture.dir, 'worktree', 'lock', '--reason', 'initializing', worktree);
    expect(worktrees(fixture.dir)).toContain(`${worktree} locked`);
    await abortRebase(layers);
    expect(worktrees(fixture.dir)).toEqual([fixture.dir]);
    expect(await snapshot(layers)).toEqual(before);

    await startRebase({ upstream: fixture.dir, onto: 'main', layersDir: layers });
    const unmade = join(fixture.dir, '.git', 'nano-overlay-rebase', 'conflict-0123456789ab');
    await editState(layers, (state) => {
      git(fixture.dir, 'worktree', 'remove', '--force', (state.worktree as { path: string }).path);
      return { ...state, worktree: { path: join(unmade, 'worktree'), parent: unmade }, conflict: undefined };
    });
    await abortRebase(layers);
    expect(worktrees(fixture.dir)).toEqual([fixture.dir]);
    expect(await snapshot(layers)).toEqual(before);
  });
});

describe('one rebase at a time', () => {
  it('lets only one of two concurrent rebases run; --abort then restores the layer set', async () => {
    const { fixture, layers, before } = await conflictSetup();
    const outcomes = await Promise.allSettled([0, 1].map(() => startRebase({ upstream: fixture.dir, onto: 'main', layersDir: layers })));
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = outcomes.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(InputError);
    expect(String(refused.reason)).toMatch(/another rebase .*is running|a rebase is in progress/);
    await abortRebase(layers);
    expect(await snapshot(layers)).toEqual(before);
    expect(worktrees(fixture.dir)).toEqual([fixture.dir]);
  });
});

/** A patch adding `count` files under `junk/`, slow enough to move into place that a kill can land in the middle. */
function junkPatch(count: number): string {
  return Array.from({ length: count }, (_, index) => `--- /dev/null\n+++ b/junk/${index}.txt\n@@ -0,0 +1 @@\n+${index}\n`).join('');
}

/** Runs `patch -d dir` on `input` and SIGKILLs it once its journal appears, until a kill leaves the journal behind. */
async function interruptedWrite(dir: string, input: string): Promise<void> {
  const home = existsSync(join(dir, '.git')) ? join(dir, '.git', 'nano-overlay-write') : join(dir, '.nano-overlay-write');
  for (let attempt = 0; attempt < 30 && !existsSync(join(home, 'journal.json')); attempt++) {
    await new Promise<void>((done) => {
      const child = spawn(process.execPath, [cli, 'patch', '-d', dir, '-'], { stdio: ['pipe', 'ignore', 'ignore'] });
      const poll = setInterval(() => existsSync(join(home, 'journal.json')) && child.kill('SIGKILL'), 1);
      child.on('exit', () => {
        clearInterval(poll);
        done();
      });
      child.stdin.end(input);
    });
    if (!existsSync(join(home, 'journal.json'))) await rm(join(dir, 'junk'), { recursive: true, force: true });
  }
  expect(existsSync(join(home, 'journal.json')), 'no kill landed while the files were moved').toBe(true);
}

describe('rebase --continue and --abort after an interrupted write into the layer set', () => {
  it('roll the half-done write back before reading or restoring the layer set', async () => {
    const { fixture, layers, before } = await conflictSetup();
    expect(runCli(['rebase', '--upstream', fixture.dir, '--onto', 'main', '--layers', layers]).status).toBe(1);
    await interruptedWrite(layers, junkPatch(3000));
    const aborted = runCli(['rebase', '--abort', '--layers', layers]);
    expect(aborted.stderr).toMatch(/^nano-overlay: rolled back an interrupted write of \d+ path\(s\)/);
    expect(aborted.status).toBe(0);
    expect(await snapshot(layers)).toEqual(before);
    expect(worktrees(fixture.dir)).toEqual([fixture.dir]);
  }, 120_000);
});

/** Starts the CLI and SIGKILLs it after `delay` ms (or lets it finish); resolves when it is gone. */
function killAfter(args: string[], delay: number): Promise<void> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), delay);
    child.on('exit', () => {
      clearTimeout(timer);
      done();
    });
  });
}

describe('SIGKILL at random moments', () => {
  it(`recovers from ${KILLS} killed rebases and ${KILLS} killed aborts: the layer set as before, no work tree left`, async () => {
    const { fixture, layers, before } = await conflictSetup();
    const ownDir = join(fixture.dir, '.git', 'nano-overlay-rebase');
    const recover = async (): Promise<void> => {
      if (existsSync(join(layers, '.nano-overlay-rebase'))) {
        const outcome = runCli(['rebase', '--abort', '--layers', layers]);
        expect(outcome.stderr).toMatch(/^(nano-overlay: rolled back an interrupted write[^\n]*\n)?$/);
        expect(outcome.status).toBe(0);
      }
      expect(await snapshot(layers)).toEqual(before);
      expect(worktrees(fixture.dir)).toEqual([fixture.dir]);
      expect(existsSync(ownDir) ? await readdir(ownDir) : []).toEqual([]);
    };
    for (let run = 0; run < KILLS; run++) {
      await killAfter(['rebase', '--upstream', fixture.dir, '--onto', 'main', '--layers', layers], 150 + Math.random() * 2000);
      await recover();
      const stopped = runCli(['rebase', '--upstream', fixture.dir, '--onto', 'main', '--layers', layers]);
      expect(stopped.status).toBe(1);
      await killAfter(['rebase', '--abort', '--layers', layers], 100 + Math.random() * 700);
      await recover();
    }
  }, 600_000);
});
