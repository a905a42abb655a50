/**
 * `validate --range` against what a maintainer would do by hand: check out each commit and run
 * `git apply --check` with the layers' combined patch. Both look at the same commits of a generated
 * upstream history (and, when FLATCAR_SCRIPTS names a flatcar/scripts repository and the root layer set
 * exists, of the real one between the Nano branch's fork point and main).
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { commitToCheckout, materializeExample } from '../src/upstream/example.js';
import { applyStatusCheck } from '../src/checks/apply-status.js';
import { applyToUpstream } from '../src/workflow/apply.js';
import { validateRange, type RangeReport } from '../src/workflow/validate-range.js';
import { benchRow, timed } from './timing.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const OVERLAY = 'sdk_container/src/third_party/coreos-overlay';

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 1 << 30 }).trim();

/** Times checking out every commit and `git apply --check`ing the combined layer patch there. */
function checkoutAndApplyCheck(repo: string, commits: readonly string[], patchFile: string): number {
  const worktree = join(dirname(patchFile), 'worktree');
  git(repo, 'worktree', 'add', '-q', '--detach', worktree, commits[0]!);
  const start = performance.now();
  for (const commit of commits) {
    git(worktree, 'checkout', '-q', '--detach', commit);
    try {
      execFileSync('git', ['apply', '--check', patchFile], { cwd: worktree, stdio: 'ignore' });
    } catch {
      // A patch that no longer applies is an answer, not a failure of the measurement.
    }
  }
  const ms = performance.now() - start;
  git(repo, 'worktree', 'remove', '--force', worktree);
  return ms;
}

/** The combined diff the layers make at `ref`, as a maintainer keeping a patch would have it. */
async function combinedPatch(upstream: string, layers: string, ref: string, dir: string): Promise<string> {
  const branch = `bench/layers-${process.pid}`;
  await applyToUpstream({ upstream, layersDir: layers, ref, destination: { branch, force: true } });
  const patchFile = join(dir, 'layers.patch');
  await writeFile(patchFile, execFileSync('git', ['diff', '--binary', ref, branch], { cwd: upstream, maxBuffer: 1 << 30 }));
  git(upstream, 'branch', '-D', branch);
  return patchFile;
}

/** A generated history: `count` commits on the example upstream, a third of them touching what the layers read. */
async function generatedHistory(dir: string, count: number): Promise<{ repo: string; start: string }> {
  const example = await materializeExample(join(dir, 'upstream'), 'scripts');
  const ebuild = `${OVERLAY}/sys-apps/demo-tools/demo-tools-2.1.0.ebuild`;
  const original = await readFile(join(example.dir, ebuild), 'utf8');
  for (let index = 1; index <= count; index++) {
    const touchesLayers = index % 3 === 0;
    const path = touchesLayers ? `${OVERLAY}/coreos-base/demo-init/metadata.xml` : `${OVERLAY}/dev-util/churn-${index % 7}/churn-${index % 7}-1.ebuild`;
    const data = touchesLayers ? `<!-- revision ${index} -->\n` : `${original}# churn ${index}\n`;
    const date = new Date(Date.UTC(2024, 2, 1, 0, index)).toISOString();
    await commitToCheckout(example.dir, new Map([[path, { mode: '100644', data: Buffer.from(data) }]]), `churn ${index}`, date);
  }
  return { repo: example.dir, start: example.commit };
}

/**
 * Two rows: every check (what validate --range does) and only whether the layers apply (what
 * `git apply --check` answers), each against checking out and `git apply --check` at the same commits.
 */
async function compare(label: string, upstream: string, layers: string, range: string, dir: string): Promise<string[]> {
  const { ms: allChecksMs, result } = await timed<RangeReport>(() => validateRange({ upstream, layersDir: layers, range }));
  const { ms: applyOnlyMs } = await timed(() => validateRange({ upstream, layersDir: layers, range, checks: [applyStatusCheck] }));
  const commits = result.checked.map((commit) => commit.commit);
  const patchFile = await combinedPatch(upstream, layers, commits[0]!, dir);
  const gitMs = checkoutAndApplyCheck(upstream, commits, patchFile);
  return [
    benchRow(`${label} (${commits.length} commits), every check`, allChecksMs, gitMs),
    benchRow(`${label} (${commits.length} commits), applying only`, applyOnlyMs, gitMs),
  ];
}

/** Runs the comparison and returns the table rows. */
export async function benchValidateRange(): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'nano-overlay-bench-range-'));
  try {
    const rows: string[] = [];
    const generated = await generatedHistory(dir, 150);
    rows.push(...await compare('generated history', generated.repo, join(root, 'examples/layers'), `${generated.start}..HEAD`, dir));
    const real = process.env.FLATCAR_SCRIPTS;
    if (real) {
      const clone = join(dir, 'scripts.git');
      git(dir, 'clone', '-q', '--bare', real, clone);
      const forkPoint = git(clone, 'merge-base', 'main', 't-lo/flatcar-nano');
      rows.push(...await compare('flatcar/scripts fork point..main', clone, root, `${forkPoint}..main`, dir));
    }
    return rows;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const row of await benchValidateRange()) process.stdout.write(`${row}\n`);
}
