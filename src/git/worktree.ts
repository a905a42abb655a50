import { chmod, lstat, mkdir, realpath, rm, rmdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { InputError } from '../errors.js';
import { isWithin, treePath } from '../tree/paths.js';
import type { ChangeSet } from '../tree/types.js';
import { gitText, runGit } from './run.js';

/**
 * Which of `paths` (files or directories, relative to `dir`, a work tree or a directory inside one; `.`
 * for all of `dir`) have uncommitted changes: staged, unstaged or untracked. Returns the changed files,
 * relative to `dir`, sorted.
 */
export async function dirtyPaths(dir: string, paths: readonly string[]): Promise<string[]> {
  if (paths.length === 0) return [];
  const wanted = paths.map((path) => (path === '.' ? '' : treePath(path)));
  const prefix = await gitText(dir, ['rev-parse', '--show-prefix']);
  const { stdout } = await runGit(dir, ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--no-renames', '--', '.']);
  const dirty = stdout
    .toString('utf8')
    .split('\0')
    .filter((record) => record.length > 3)
    .map((record) => record.slice(3).slice(prefix.length));
  return [...new Set(dirty.filter((path) => wanted.some((want) => isWithin(path, want))))].sort();
}

/**
 * Refuses, with an InputError, a path whose existing parent directories lead through a symlink to
 * somewhere outside `root` (a real path).
 */
async function assertStaysInside(root: string, path: string, dirLabel: string): Promise<void> {
  const parts = path.split('/').slice(0, -1);
  for (let depth = 1; depth <= parts.length; depth++) {
    const parent = join(root, ...parts.slice(0, depth));
    const info = await lstat(parent).catch(() => undefined);
    if (!info) return;
    if (!info.isSymbolicLink()) continue;
    const target = await realpath(parent).catch(() => undefined);
    const inside = target !== undefined && (target === root || target.startsWith(root + sep));
    if (!inside) {
      throw new InputError(`refusing to write '${path}' through symlink '${relative(root, parent)}', which leads outside ${dirLabel}`);
    }
  }
}

/** Removes `dir` and its parents up to (not including) `root` while they are empty. */
async function removeEmptyDirectories(root: string, dir: string): Promise<void> {
  for (let current = dir; current !== root && current.startsWith(root + sep); current = dirname(current)) {
    const removed = await rmdir(current).then(() => true, () => false);
    if (!removed) return;
  }
}

/**
 * Writes `changes` into the directory `dir` (a work tree or the overlay inside one): creates directories
 * as needed, symlinks as symlinks, sets or clears the exec bit, and deletes files (and directories left
 * empty). Every path is checked before anything is written: none may leave `dir`, also not through a symlink.
 */
export async function writeChangesToWorkTree(dir: string, changes: ChangeSet): Promise<void> {
  const root = await realpath(dir);
  const planned = [...changes].map(([path, entry]) => ({ path: treePath(path), entry }));
  for (const { path } of planned) await assertStaysInside(root, path, dir);
  for (const { path, entry } of planned) {
    if (entry) continue;
    await rm(join(root, path), { force: true });
    await removeEmptyDirectories(root, dirname(join(root, path)));
  }
  for (const { path, entry } of planned) {
    if (!entry) continue;
    const target = join(root, path);
    await mkdir(dirname(target), { recursive: true });
    await rm(target, { force: true });
    if (entry.mode === '120000') {
      await symlink(entry.data.toString('utf8'), target);
    } else {
      const mode = entry.mode === '100755' ? 0o755 : 0o644;
      await writeFile(target, entry.data, { mode });
      await chmod(target, mode);
    }
  }
}
