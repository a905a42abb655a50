import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { git, makeTempDir, writeFiles, type FileSpec } from '../helpers/git.js';

export const CLI = resolve('dist/src/cli.js');

/** Runs the built command line synchronously. */
export function runCli(args: readonly string[], cwd?: string): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd, env: { ...process.env, NO_COLOR: '1' } });
}

/** When to kill: a delay from the start, or a delay from the moment `path` appears (polled every millisecond). */
export type KillMoment = { readonly afterMs: number } | { readonly path: string; readonly delayMs: number };

/** Starts the built command line, kills it with SIGKILL at `moment`, and resolves with its exit code or signal. */
export function runCliKilled(args: readonly string[], moment: KillMoment): Promise<{ code: number | null; signal: string | null }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } });
    const kill = () => child.kill('SIGKILL');
    let timer: NodeJS.Timeout | undefined;
    let poll: NodeJS.Timeout | undefined;
    if ('afterMs' in moment) timer = setTimeout(kill, moment.afterMs);
    else {
      poll = setInterval(() => {
        if (!existsSync(moment.path)) return;
        clearInterval(poll);
        timer = setTimeout(kill, moment.delayMs);
      }, 1);
    }
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      clearInterval(poll);
      done({ code, signal });
    });
  });
}

/**
 * Every file below `dir` (`.git` included, as a repository's refs and objects are part of its
 * state) with its kind and bytes: what "unchanged" is measured against.
 */
export function snapshotAll(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (relative: string): void => {
    for (const name of readdirSync(join(dir, relative)).sort()) {
      const path = relative ? `${relative}/${name}` : name;
      const full = join(dir, path);
      const stats = lstatSync(full);
      if (stats.isSymbolicLink()) out[path] = `link ${readlinkSync(full)}`;
      else if (stats.isDirectory()) walk(path);
      else out[path] = `${stats.mode & 0o100 ? 'exec' : 'file'} ${readFileSync(full).toString('base64')}`;
    }
  };
  walk('');
  return out;
}

/** The work tree's files (not `.git`), as snapshotAll shows them. */
export function snapshotWorkTree(dir: string): Record<string, string> {
  return Object.fromEntries(Object.entries(snapshotAll(dir)).filter(([path]) => !path.startsWith('.git/')));
}

/** A standalone coreos-overlay-shaped upstream repository with `files` committed on top of the minimum. */
export async function overlayRepo(files: Record<string, FileSpec> = {}): Promise<string> {
  const dir = await makeTempDir('nano-overlay-upstream-');
  git(dir, 'init', '-q', '-b', 'main');
  await writeFiles(dir, {
    'metadata/layout.conf': 'masters = portage-stable\n',
    'profiles/repo_name': 'coreos\n',
    'app-misc/foo/foo-1.ebuild': 'EAPI=8\nSLOT="0"\n',
    'app-misc/dir/a.txt': 'a\n',
    ...files,
  });
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'initial');
  return dir;
}

/** A layer set with the given layers (in series order) and files (paths relative to the set). */
export async function layerSet(layers: readonly string[], files: Record<string, FileSpec>): Promise<string> {
  const dir = join(await makeTempDir('nano-overlay-set-'), 'layers');
  const manifests = Object.fromEntries(layers.map((name) => [`patches/${name}/layer.yaml`, `summary: "app-misc/foo: ${name}"\ndescription: test layer\n`]));
  await writeFiles(dir, { 'patches/series': `${layers.join('\n')}\n`, ...manifests, ...files });
  return dir;
}
