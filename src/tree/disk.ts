import { constants } from 'node:fs';
import { lstat, mkdir, mkdtemp, open, readdir, readlink, realpath, rename, rm, rmdir, symlink, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { InputError } from '../errors.js';
import { treePath } from './paths.js';
import type { ChangeSet, FileEntry, ReadableTree } from './types.js';

/**
 * A directory on disk as a tree. Symlinks are read as links; a path below a symlink, a directory or
 * anything else that is neither a file nor a link reads as absent. `.git` is never listed.
 */
export class DiskTree implements ReadableTree {
  private realRoot: Promise<string> | undefined;

  constructor(readonly root: string) {}

  async read(path: string): Promise<FileEntry | undefined> {
    const normal = treePath(path);
    const full = join(this.root, normal);
    const file = await open(full, constants.O_RDONLY | constants.O_NOFOLLOW).catch((error: NodeJS.ErrnoException) => error.code);
    if (file === 'ELOOP') {
      if (!(await this.isRealDirectory(dirname(normal)))) return undefined;
      return { mode: '120000', data: Buffer.from(await readlink(full), 'utf8') };
    }
    if (typeof file === 'string' || file === undefined) return undefined;
    try {
      const stats = await file.stat();
      if (!stats.isFile() || !(await this.isRealDirectory(dirname(normal)))) return undefined;
      return { mode: stats.mode & 0o100 ? '100755' : '100644', data: await file.readFile() };
    } finally {
      await file.close();
    }
  }

  /** True when `dir` (relative, `.` for the root) is reached from the root without following a symlink. */
  private async isRealDirectory(dir: string): Promise<boolean> {
    if (dir === '.') return true;
    this.realRoot ??= realpath(this.root);
    const real = await realpath(join(this.root, dir)).catch(() => undefined);
    return real === join(await this.realRoot, dir);
  }

  async list(dir = ''): Promise<string[]> {
    const start = dir === '' ? '' : treePath(dir);
    if (start && !(await this.isRealDirectory(dirname(start)))) return [];
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

/**
 * Writes a ChangeSet into the directory `root`. Everything is checked before anything is touched:
 * paths must stay inside the root and must not lead through a symlink (or a file) that is not itself
 * deleted by the set, so nothing is ever written outside the root. New content is staged in a
 * temporary directory inside the root, then deletions are made and the staged files moved into
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
  const parents = new ParentCheck(root, deleted);
  await inParallel([...writes.map(([path]) => path), ...deleted], (path) => parents.check(path));

  const staging = await mkdtemp(join(root, '.nano-overlay-staging-'));
  try {
    const staged = await inParallel(writes, async ([path, entry], index): Promise<[string, string]> => {
      const file = join(staging, String(index));
      if (entry.mode === '120000') await symlink(entry.data.toString('utf8'), file);
      else await writeFile(file, entry.data, { mode: entry.mode === '100755' ? 0o777 : 0o666 });
      return [file, path];
    });
    for (const path of deleted) await removeFile(root, path);
    const made = new Set<string>();
    const directoriesMayBeGone = deleted.size > 0;
    for (const [, path] of staged) {
      const dir = dirname(path);
      if (dir !== '.' && !made.has(dir) && (directoriesMayBeGone || !parents.isDirectory(dir))) {
        await mkdir(join(root, dir), { recursive: true });
        made.add(dir);
      }
    }
    await inParallel(staged, ([file, path]) => moveIntoPlace(file, join(root, path)));
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * Moves a staged file to its target, removing what stands there first (a file, a link or an empty
 * directory). Unlinking before the rename, as git does, spares ext4 the flush it forces on a rename
 * over an existing file.
 */
async function moveIntoPlace(file: string, target: string): Promise<void> {
  await unlink(target).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code === 'EISDIR' || error.code === 'EPERM') await rmdir(target);
    else if (error.code !== 'ENOENT') throw error;
  });
  await rename(file, target);
}

/** Maps `items` with at most 16 calls under way at once, keeping the order. */
async function inParallel<T, R>(items: readonly T[], work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(16, items.length) }, worker));
  return results;
}

/** Refuses paths whose parent directories on disk include a symlink or a file that the change set does not delete. */
class ParentCheck {
  /** Directories looked at, and what each is. */
  private readonly seen = new Map<string, Promise<'directory' | 'missing' | 'other'>>();
  /** Directories found to exist as real directories. */
  private readonly directories = new Set<string>();

  constructor(
    private readonly root: string,
    private readonly deleted: ReadonlySet<string>,
  ) {}

  async check(path: string): Promise<void> {
    const parts = path.split('/');
    for (let depth = 1; depth < parts.length; depth++) {
      const dir = parts.slice(0, depth).join('/');
      const kind = await this.kind(dir);
      if (kind === 'directory') continue;
      if (kind === 'missing' || this.deleted.has(dir)) return;
      const stats = await lstat(join(this.root, dir));
      const what = stats.isSymbolicLink() ? 'a symbolic link' : 'not a directory';
      throw new InputError(`refusing to write '${path}': '${dir}' is ${what}`);
    }
  }

  /** True when `dir` was found to be an existing real directory. */
  isDirectory(dir: string): boolean {
    return this.directories.has(dir);
  }

  private kind(dir: string): Promise<'directory' | 'missing' | 'other'> {
    let kind = this.seen.get(dir);
    if (!kind) {
      kind = lstat(join(this.root, dir)).then(
        (stats) => {
          if (!stats.isDirectory()) return 'other';
          this.directories.add(dir);
          return 'directory';
        },
        () => 'missing',
      );
      this.seen.set(dir, kind);
    }
    return kind;
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
