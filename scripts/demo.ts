/**
 * The main job on a bundled example, with no Flatcar checkout: builds the invented example upstream
 * (examples/upstream) as a temporary flatcar/scripts-shaped git repository, lists the example layer
 * set (examples/layers), validates it, applies it as a branch, then moves the upstream on (an ebuild
 * revision bump and a moved revision symlink) and applies again to show the layers following.
 * Everything happens in a temporary directory that is removed at the end.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commitNewerExample, materializeExample } from '../src/upstream/example.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(root, 'dist', 'src', 'cli.js');
const layers = join(root, 'examples', 'layers');

function step(title: string, args: string[], cwd = root): void {
  process.stdout.write(`\n# ${title}\n$ nano-overlay ${args.join(' ')}\n`);
  try {
    process.stdout.write(execFileSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env } }));
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; status?: number };
    process.stdout.write(`${failed.stdout ?? ''}${failed.stderr ?? ''}(exit ${failed.status})\n`);
    throw new Error(`demo step failed: ${title}`);
  }
}

function show(title: string, command: string, args: string[], cwd: string): void {
  process.stdout.write(`\n# ${title}\n$ ${command} ${args.join(' ')}\n${execFileSync(command, args, { cwd, encoding: 'utf8' })}`);
}

const work = await mkdtemp(join(tmpdir(), 'nano-overlay-demo-'));
try {
  const upstream = join(work, 'scripts');
  const example = await materializeExample(upstream, 'scripts');
  process.stdout.write(`Example upstream: a flatcar/scripts-shaped repository at ${upstream} (commit ${example.commit.slice(0, 12)})\n`);

  step('list the layers', ['list', '--layers', layers]);
  step('validate against the upstream', ['validate', '--upstream', upstream, '--layers', layers]);
  step('apply as a branch', ['apply', '--upstream', upstream, '--layers', layers, '--branch', 'lean/main']);
  show('one commit per layer', 'git', ['log', '--format=%h %s', 'main..lean/main'], upstream);
  show('the upstream checkout is untouched', 'git', ['status', '--short', '--branch'], upstream);

  const newer = await commitNewerExample(example);
  process.stdout.write(`\nUpstream moved on (${newer.slice(0, 12)}): demo-files-0-r3 became -r4, the demo-init symlink moved from -r12 to -r13.\n`);
  step('apply again: the layers follow the bumped ebuilds', ['apply', '--upstream', upstream, '--layers', layers, '--branch', 'lean/next']);
  step('validate every upstream commit since the first', ['validate', '--upstream', upstream, '--layers', layers, '--range', `${example.commit}..main`]);
  step('apply into the work tree', ['apply', '--upstream', upstream, '--layers', layers, '--worktree']);
  step('apply again: every layer is already applied', ['apply', '--upstream', upstream, '--layers', layers, '--dry-run', '--ref', 'lean/next']);
  process.stdout.write('\nDemo finished; the temporary upstream is removed.\n');
} finally {
  await rm(work, { recursive: true, force: true });
}
