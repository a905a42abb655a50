/**
 * Real history: imports t-lo/flatcar-nano at its merge-base with main from a flatcar/scripts
 * repository into a temporary layer set, checks the round trip, runs `rebase --onto main`, checks
 * that the rebased files still carry the branch's change, and compares with `git rebase` of the
 * branch onto main. Everything happens in a scratch bare clone; the given repository is only read.
 *
 *   node dist/scripts/real-rebase.js --repo /path/to/flatcar-scripts.git
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gitText, runGit } from '../src/git/run.js';
import { importBranch } from '../src/maintain/import.js';
import { formatRebaseReport } from '../src/maintain/rebase-report.js';
import { abortRebase, startRebase } from '../src/maintain/rebase.js';
import { DiskTree } from '../src/tree/disk.js';
import type { ReadableTree } from '../src/tree/types.js';
import { locateUpstream, SCRIPTS_OVERLAY_PREFIX } from '../src/upstream/locate.js';
import { applyToUpstream } from '../src/workflow/apply.js';

const BRANCH = 't-lo/flatcar-nano';

async function main(argv: string[]): Promise<number> {
  const at = argv.indexOf('--repo');
  const repo = at >= 0 ? argv[at + 1] : undefined;
  if (!repo) {
    process.stderr.write('usage: real-rebase --repo <flatcar/scripts git dir>\n');
    return 2;
  }
  const scratch = await mkdtemp(join(tmpdir(), 'nano-overlay-real-'));
  try {
    const clone = join(scratch, 'scripts.git');
    await runGit(scratch, ['clone', '--quiet', '--bare', repo, clone]);
    const layers = join(scratch, 'layers');
    const imported = await importBranch({ upstream: clone, from: BRANCH, into: layers });
    console.log(`imported ${imported.layers.length} layers from ${BRANCH} at ${imported.base.slice(0, 12)}`);
    for (const note of imported.notes) console.log(`note: ${note}`);

    await applyToUpstream({ upstream: clone, ref: imported.base, layersDir: layers, destination: { branch: 'nano-round-trip' } });
    const [roundTrip, original] = await Promise.all([gitText(clone, ['rev-parse', 'nano-round-trip^{tree}']), gitText(clone, ['rev-parse', `${BRANCH}^{tree}`])]);
    console.log(`round trip: ${roundTrip === original ? 'identical tree' : `DIFFERENT (${roundTrip} vs ${original})`}`);

    const started = Date.now();
    const report = await startRebase({ upstream: clone, onto: 'main', layersDir: layers });
    console.log(`\n${formatRebaseReport(report, layers)}\n(rebase took ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);

    const upstream = await locateUpstream(clone, 'main');
    try {
      let rebased: ReadableTree;
      if (report.stopped) {
        rebased = new DiskTree(join(report.stopped.worktree, SCRIPTS_OVERLAY_PREFIX));
      } else {
        await applyToUpstream({ upstream: clone, ref: 'main', layersDir: layers, destination: { branch: 'nano-rebased' } });
        rebased = await upstream.openTree('overlay', 'nano-rebased');
      }
      console.log('intent check (lines the branch added that the rebased file holds; lines it removed that are gone):');
      const files = report.layers.flatMap((layer) => layer.files).filter((file) => file.root === 'overlay');
      for (const file of files) {
        const base = await (await upstream.openTree('overlay', imported.base)).read(file.path);
        const branch = await (await upstream.openTree('overlay', BRANCH)).read(file.path);
        const result = await rebased.read(file.resolvedPath);
        console.log(`  ${intent(base?.data, branch?.data, result?.data)}  ${file.status.padEnd(10)} ${file.resolvedPath}`);
      }
    } finally {
      await upstream.close();
    }
    if (report.stopped) await abortRebase(layers);

    console.log('\ngit rebase of the same branch onto main:');
    const conflicts = await gitRebaseConflicts(clone, scratch);
    for (const { commit, files } of conflicts) console.log(`  ${commit}: ${files.join(', ')}`);
    const overlayFiles = new Set(conflicts.flatMap(({ files }) => files).filter((file) => file.startsWith(`${SCRIPTS_OVERLAY_PREFIX}/`)));
    const ours = report.stopped ? report.stopped.files.filter((file) => file.startsWith(`${SCRIPTS_OVERLAY_PREFIX}/`)).length : 0;
    console.log(`\noverlay files needing a human: git rebase ${overlayFiles.size}, rebase --onto ${ours}`);
    return 0;
  } finally {
    await runGit(scratch, ['worktree', 'prune'], { okCodes: [128] }).catch(() => undefined);
    await rm(scratch, { recursive: true, force: true });
  }
}

/** `kept/added gone/removed` for the branch's line changes, as found in the rebased file. */
function intent(base: Buffer | undefined, branch: Buffer | undefined, result: Buffer | undefined): string {
  const lines = (data: Buffer | undefined) => (data ? data.toString('utf8').split('\n') : []);
  const before = new Set(lines(base));
  const after = new Set(lines(branch));
  const now = new Set(lines(result));
  const added = [...after].filter((line) => !before.has(line) && line.trim() !== '');
  const removed = [...before].filter((line) => !after.has(line) && line.trim() !== '');
  const kept = added.filter((line) => now.has(line)).length;
  const gone = removed.filter((line) => !now.has(line)).length;
  return `added ${kept}/${added.length} removed ${gone}/${removed.length}`;
}

/** Replays the branch's commits onto main with `git rebase` in a scratch work tree and lists each commit's conflicting files. */
async function gitRebaseConflicts(clone: string, scratch: string): Promise<{ commit: string; files: string[] }[]> {
  const worktree = join(scratch, 'git-rebase');
  await runGit(clone, ['worktree', 'add', '--quiet', '--detach', worktree, BRANCH]);
  const env = { GIT_EDITOR: 'true', GIT_AUTHOR_NAME: 'real-rebase', GIT_AUTHOR_EMAIL: 'real-rebase@example.invalid', GIT_COMMITTER_NAME: 'real-rebase', GIT_COMMITTER_EMAIL: 'real-rebase@example.invalid' };
  const conflicts: { commit: string; files: string[] }[] = [];
  let step = await runGit(worktree, ['rebase', 'main'], { env, okCodes: [1] });
  while (step.code !== 0) {
    const files = (await gitText(worktree, ['diff', '--name-only', '--diff-filter=U'])).split('\n').filter(Boolean);
    const commit = await gitText(worktree, ['log', '-1', '--format=%h %s', 'REBASE_HEAD']);
    conflicts.push({ commit, files });
    await runGit(worktree, ['checkout', '--theirs', '--', ...files]);
    await runGit(worktree, ['add', '--', ...files]);
    step = await runGit(worktree, ['rebase', '--continue'], { env, okCodes: [1] });
  }
  return conflicts;
}

process.exitCode = await main(process.argv.slice(2));
