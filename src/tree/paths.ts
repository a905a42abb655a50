import { posix } from 'node:path';
import { InputError } from '../errors.js';

/**
 * Normalises a path that is meant to stay inside a tree's root and returns it relative to that root.
 * Refuses absolute paths, paths that leave the root through `..`, and empty paths, with an
 * InputError naming `source` (the file and line the path came from).
 */
export function treePath(path: string, source?: string): string {
  if (path.startsWith('/')) {
    throw new InputError(`absolute path '${path}' is not allowed; paths must be relative to the tree root`, source);
  }
  const normal = posix.normalize(path);
  if (normal === '..' || normal.startsWith('../')) {
    throw new InputError(`path '${path}' escapes the tree root`, source);
  }
  if (normal === '.' || normal === '') {
    throw new InputError(`empty path`, source);
  }
  return normal.replace(/\/$/, '');
}

/** True when `path` is `dir` itself or lies below it. An empty `dir` contains every path. */
export function isWithin(path: string, dir: string): boolean {
  return dir === '' || path === dir || path.startsWith(dir.endsWith('/') ? dir : `${dir}/`);
}

/** Resolves a symlink target against the link's own directory, within the tree; undefined if it escapes. */
export function resolveLinkTarget(linkPath: string, target: string): string | undefined {
  if (target.startsWith('/')) return undefined;
  const joined = posix.normalize(posix.join(posix.dirname(linkPath), target));
  return joined === '..' || joined.startsWith('../') ? undefined : joined;
}
