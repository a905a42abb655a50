import { isWithin, treePath } from '../tree/paths.js';
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
