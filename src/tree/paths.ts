import { posix } from 'node:path';
import { InputError } from '../errors.js';
import { decodePath, hasEscapedBytes, pathBytes } from '../patch/text.js';

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

/**
 * A path as the file system is to be given it: the string itself, or, when it holds bytes that are
 * not UTF-8 (kept as escapes by decodePath), exactly those bytes.
 */
export function fsPath(path: string): string | Buffer {
  return hasEscapedBytes(path) ? pathBytes(path) : path;
}

/** A file name's bytes as a path string: ASCII as it is, anything else through decodePath (so no byte is lost). */
export function nameFromBytes(bytes: Buffer, start = 0, end = bytes.length): string {
  for (let index = start; index < end; index++) if (bytes[index]! >= 0x80) return decodePath(bytes.toString('latin1', start, end));
  return bytes.toString('latin1', start, end);
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
