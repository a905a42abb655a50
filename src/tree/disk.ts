import { randomBytes } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rename, rm, rmdir, symlink, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { InputError } from '../errors.js';
import { treePath } from './paths.js';
import type { ChangeSet, FileEntry, ReadableTree } from './types.js';

/**
 * A directory on disk as a tree. Symlinks are read as links; a path below a symlink, a directory or
 * anything else that is neither a file nor a link reads as absent. `.git` is never listed.
 */
export class DiskTree implements ReadableTree {
  constructor(readonly root: string) {}

  async read(path: string): Promise<FileEntry | undefined> {
    const normal = treePath(path);
    const full = join(this.root, normal);
    if (!(await isRealDirectoryChain(this.root, dirname(normal)))) return undefined;
    const stats = await lstat(full).catch(() => undefined);
    if (stats?.isSymbolicLink()) return { mode: '120000', data: Buffer.from(await readlink(full), 'utf8') };
    if (!stats?.isFile()) return undefined;
    return { mode: stats.mode & 0o100 ? '100755' : '100644', data: await readFile(full) };
  }

  async list(dir = ''): Promise<string[]> {
    const start = dir === '' ? '' : treePath(dir);
    if (start && !(await isRealDirectoryChain(this.root, start))) return [];
    const paths: string[] = [];
    const walk = async (relative: string): Promise<void> => {
      const entries = await readdir(join(this.root, relative), { withFileTypes: true }).catch(() => []);
      for (const entry of entries) {
        const path = relative ? `${relative}/${entry.name}` : entry.name;
        if (entry.isDirectory() && entry.name !== '.git') await walk(path);
        else if (entry.isFile() || entry.isSymbolicLink()) paths.push(path);
      }
    };
    const stats = start ? await lstat(join(this.root, start)).catch(() => undefined) : undefined;
    if (start && !stats?.isDirectory()) return stats?.isFile() || stats?.isSymbolicLink() ? [start] : [];
    await walk(start);
    return paths.sort();
  }
}

/** True when every component of `dir` below `root` exists as a real directory, not a symlink. */
async function isRealDirectoryChain(root: string, dir: string): Promise<boolean> {
  if (dir === '.' || dir === '') return true;
  let current = root;
  for (const part of dir.split('/')) {
    current = join(current, part);
    const stats = await lstat(current).catch(() => undefined);
    if (!stats?.isDirectory()) return false;
  }
  return true;
}

/**
 * Writes a ChangeSet into the directory `root`. Everything is checked before anything is touched:
 * paths must stay inside the root and must not lead through a symlink (or a file) that is not itself
 * deleted by the set, so nothing is ever written outside the root. New content is staged in a
 * temporary directory inside the root, then deletions are made and the staged files renamed into
 * place; a failure while staging leaves the directory as it was. Directories emptied by deletions are
 * removed, as git does.
 */
export async function writeChanges(root: string, changes: ChangeSet): Promise<void> {
  const deleted = new Set<string>();
  const writes: [string, FileEntry][] = [];
  for (const [path, entry] of changes) {
    const normal = treePath(path);
    if (entry) writes.push([normal, entry]);
    else deleted.add(normal);
  }
  for (const [path] of writes) await checkParents(root, path, deleted);
  for (const path of deleted) await checkParents(root, path, deleted);

  const staging = await mkdtemp(join(root, '.nano-overlay-staging-'));
  try {
    const staged: [string, string][] = [];
    for (const [path, entry] of writes) {
      const file = join(staging, randomBytes(8).toString('hex'));
      if (entry.mode === '120000') await symlink(entry.data.toString('utf8'), file);
      else await writeFile(file, entry.data, { mode: entry.mode === '100755' ? 0o777 : 0o666 });
      staged.push([file, path]);
    }
    for (const path of deleted) await removeFile(root, path);
    for (const [file, path] of staged) {
      const target = join(root, path);
      await mkdir(dirname(target), { recursive: true });
      const existing = await lstat(target).catch(() => undefined);
      if (existing?.isDirectory()) await rmdir(target);
      await rename(file, target);
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Refuses a path whose parent directories on disk include a symlink or a file the change set does not delete. */
async function checkParents(root: string, path: string, deleted: ReadonlySet<string>): Promise<void> {
  const parts = path.split('/');
  for (let depth = 1; depth < parts.length; depth++) {
    const dir = parts.slice(0, depth).join('/');
    const stats = await lstat(join(root, dir)).catch(() => undefined);
    if (!stats || stats.isDirectory()) continue;
    if (deleted.has(dir)) return;
    const what = stats.isSymbolicLink() ? 'a symbolic link' : 'not a directory';
    throw new InputError(`refusing to write '${path}': '${dir}' is ${what}`);
  }
}

/** Deletes a file or link and then every directory above it that became empty, up to the root. */
async function removeFile(root: string, path: string): Promise<void> {
  await unlink(join(root, path)).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  for (let dir = dirname(path); dir !== '.'; dir = dirname(dir)) {
    const removed = await rmdir(join(root, dir)).then(
      () => true,
      () => false,
    );
    if (!removed) break;
  }
}
