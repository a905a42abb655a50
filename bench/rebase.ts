/**
 * Times `rebase --onto` against `git rebase` of the equivalent branch (one commit a layer, as
 * `apply --branch` writes it), in the same run, on a generated overlay with many layers: a third of
 * the patched ebuilds get a revision bump upstream, a third an edit a few lines from the layer's
 * hunk. With FLATCAR_SCRIPTS set to a flatcar/scripts git dir, scripts/real-rebase.ts covers the real history.
 *
 *   node dist/bench/rebase.js [layers]
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runGit } from '../src/git/run.js';
import { startRebase } from '../src/maintain/rebase.js';
import { createPatch } from '../src/patch/index.js';
import { applyToUpstream } from '../src/workflow/apply.js';

export interface RebaseBenchResult {
  readonly layers: number;
  readonly rebaseMs: number;
  readonly gitRebaseMs: number;
  /** rebase --onto time divided by git rebase time. */
  readonly ratio: number;
}

const IDENTITY = { GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'bench@example.invalid', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'bench@example.invalid', GIT_EDITOR: 'true' };

function ebuild(index: number, license = 'MIT'): string {
  const body = Array.from({ length: 30 }, (_, line) => `\techo "step ${line} of package ${index}"`).join('\n');
  return `EAPI=8\n\nDESCRIPTION="bench package ${index}"\nLICENSE="${license}"\nSLOT="0"\nKEYWORDS="amd64 arm64"\nIUSE=""\n\nsrc_install() {\n${body}\n}\n`;
}

async function put(dir: string, path: string, text: string): Promise<void> {
  await mkdir(dirname(join(dir, path)), { recursive: true });
  await writeFile(join(dir, path), text);
}

async function commitAll(dir: string, message: string): Promise<void> {
  await runGit(dir, ['add', '-A'], { env: IDENTITY });
  await runGit(dir, ['commit', '-q', '-m', message], { env: IDENTITY });
}

/** Builds the generated upstream and layer set, runs both rebases and returns the timings. */
export async function benchRebase(count = 60): Promise<RebaseBenchResult> {
  const scratch = await mkdtemp(join(tmpdir(), 'nano-overlay-bench-rebase-'));
  try {
    const repo = join(scratch, 'overlay');
    const layers = join(scratch, 'layers');
    await mkdir(repo);
    await runGit(repo, ['init', '-q', '-b', 'main']);
    await put(repo, 'metadata/layout.conf', 'masters = portage-stable\nthin-manifests = true\n');
    await put(repo, 'profiles/categories', 'app-bench\n');
    const names = Array.from({ length: count }, (_, index) => `layer-${String(index).padStart(3, '0')}`);
    for (let index = 0; index < count; index++) await put(repo, `app-bench/pkg${index}/pkg${index}-1.0-r1.ebuild`, ebuild(index));
    await commitAll(repo, 'base');
    const base = (await runGit(repo, ['rev-parse', 'HEAD'])).stdout.toString().trim();

    await put(layers, 'patches/series', `${names.join('\n')}\n`);
    for (let index = 0; index < count; index++) {
      const path = `app-bench/pkg${index}/pkg${index}-1.0-r1.ebuild`;
      const before = ebuild(index);
      const after = before.replace('IUSE=""', 'IUSE="+bench"').replace('\techo "step 20', '\tuse bench && echo "step 20');
      const patch = createPatch(path, path, { mode: '100644', data: Buffer.from(before) }, { mode: '100644', data: Buffer.from(after) });
      await put(layers, `patches/${names[index]}/layer.yaml`, `summary: "app-bench/pkg${index}: bench flag"\ndescription: |\n  Generated.\nbase: ${base}\n`);
      await put(layers, `patches/${names[index]}/0001.patch`, patch);
    }
    await applyToUpstream({ upstream: repo, layersDir: layers, destination: { branch: 'layers' } });

    for (let index = 0; index < count; index++) {
      const path = `app-bench/pkg${index}/pkg${index}-1.0-r1.ebuild`;
      if (index % 3 === 0) {
        await runGit(repo, ['mv', path, path.replace('-r1.ebuild', '-r2.ebuild')]);
      } else if (index % 3 === 1) {
        await put(repo, path, ebuild(index, 'Apache-2.0'));
      }
    }
    await commitAll(repo, 'upstream moves on');

    const clone = join(scratch, 'clone');
    await runGit(scratch, ['clone', '-q', repo, clone]);
    await runGit(clone, ['checkout', '-q', '--detach', 'origin/layers']);
    let started = performance.now();
    const rebaseResult = await runGit(clone, ['rebase', '-q', 'origin/main'], { env: IDENTITY, okCodes: [1] });
    const gitRebaseMs = performance.now() - started;
    if (rebaseResult.code !== 0) await runGit(clone, ['rebase', '--abort']);

    started = performance.now();
    const report = await startRebase({ upstream: repo, onto: 'main', layersDir: layers });
    const rebaseMs = performance.now() - started;
    if (!report.done) throw new Error(`the generated layers should rebase without conflicts, but ${report.stopped?.layer} stopped`);
    return { layers: count, rebaseMs, gitRebaseMs, ratio: rebaseMs / gitRebaseMs };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const count = Number(process.argv[2] ?? 60);
  const result = await benchRebase(count);
  console.log(`${result.layers} layers: rebase --onto ${result.rebaseMs.toFixed(0)} ms, git rebase ${result.gitRebaseMs.toFixed(0)} ms, ratio ${result.ratio.toFixed(2)}`);
  if (process.env.FLATCAR_SCRIPTS) console.log(`for the real history run: node dist/scripts/real-rebase.js --repo ${process.env.FLATCAR_SCRIPTS}`);
}
