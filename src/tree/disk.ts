import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmdirSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
  type Stats,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { InputError } from '../errors.js';
import { treePath } from './paths.js';
import type { ChangeSet, FileEntry, ReadableTree } from './types.js';

/*
 * The file system is used synchronously: a tree is read and written file by file, and synchronous
 * calls cost a fraction of what promises and the thread pool add to each small operation.
 */

/**
 * A directory on disk as a tree. Symlinks are read as links; a path below a symlink, a directory or
 * anything else that is neither a file nor a link reads as absent. `.git` is never listed.
 */
export class DiskTree implements ReadableTree {
  private realRoot: string | undefined;

  constructor(readonly root: string) {}

  async read(path: string): Promise<FileEntry | undefined> {
    const normal = treePath(path);
    const full = join(this.root, normal);
    let fd: number;
    try {
      fd = openSync(full, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOOP' || !this.isRealDirectory(dirname(normal))) return undefined;
      return { mode: '120000', data: Buffer.from(readlinkSync(full), 'utf8') };
    }
    try {
      const stats = fstatSync(fd);
      if (!stats.isFile() || !this.isRealDirectory(dirname(normal))) return undefined;
      return { mode: stats.mode & 0o100 ? '100755' : '100644', data: readFileSync(fd) };
    } finally {
      closeSync(fd);
    }
  }

  async list(dir = ''): Promise<string[]> {
    const start = dir === '' ? '' : treePath(dir);
    if (start) {
      if (!this.isRealDirectory(dirname(start))) return [];
      const stats = lstatOrUndefined(join(this.root, start));
      if (!stats?.isDirectory()) return stats?.isFile() || stats?.isSymbolicLink() ? [start] : [];
    }
    const paths: string[] = [];
    const walk = (relative: string): void => {
      for (const entry of readdirSync(join(this.root, relative), { withFileTypes: true })) {
        const path = relative ? `${relative}/${entry.name}` : entry.name;
        if (entry.isDirectory() && entry.name !== '.git') walk(path);
        else if (entry.isFile() || entry.isSymbolicLink()) paths.push(path);
      }
    };
    walk(start);
    return paths.sort();
  }

  /** True when `dir` (relative, `.` for the root) is reached from the root without following a symlink. */
  private isRealDirectory(dir: string): boolean {
    if (dir === '.') return true;
    this.realRoot ??= realpathSync.native(this.root);
    try {
      return realpathSync.native(join(this.root, dir)) === join(this.realRoot, dir);
    } catch {
      return false;
    }
  }
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/**
 * Writes a ChangeSet into the directory `root`. Everything is checked before anything is touched:
 * paths must stay inside the root and must not lead through a symlink (or a file) that is not itself
 * deleted by the set, so nothing is ever written outside the root. New content is first staged in
 * temporary files inside the root, then deletions are made and the staged files moved into place; a
 * failure while staging leaves the directory as it was. Directories emptied by deletions are
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
  for (const path of [...writes.map(([path]) => path), ...deleted]) parents.check(path);

  let fallback: string | undefined;
  const staged: [string, string][] = [];
  let moved = 0;
  try {
    for (const [index, [path, entry]] of writes.entries()) {
      // Staged next to its target when that directory exists: creating files in one directory of
      // their own is many times slower on ext4.
      const dir = dirname(path);
      const home = dir === '.' || parents.isDirectory(dir) ? join(root, dir) : (fallback ??= mkdtempSync(join(root, '.nano-overlay-staging-')));
      const file = join(home, `.nano-overlay-${process.pid}-${index}.tmp`);
      if (entry.mode === '120000') symlinkSync(entry.data.toString('utf8'), file);
      else writeFileSync(file, entry.data, { mode: entry.mode === '100755' ? 0o777 : 0o666, flag: 'wx' });
      staged.push([file, path]);
    }
    for (const path of deleted) removeFile(root, path);
    const made = new Set<string>();
    const directoriesMayBeGone = deleted.size > 0;
    for (; moved < staged.length; moved++) {
      const [file, path] = staged[moved]!;
      const dir = dirname(path);
      if (dir !== '.' && !made.has(dir) && (directoriesMayBeGone || !parents.isDirectory(dir))) {
        mkdirSync(join(root, dir), { recursive: true });
        made.add(dir);
      }
      moveIntoPlace(file, join(root, path));
    }
  } finally {
    for (const [file] of staged.slice(moved)) rmSync(file, { force: true });
    if (fallback) rmSync(fallback, { recursive: true, force: true });
  }
}

/**
 * Moves a staged file to its target, removing what stands there first (a file, a link or an empty
 * directory). Unlinking before the rename, as git does, spares ext4 the flush it forces on a rename
 * over an existing file.
 */
function moveIntoPlace(file: string, target: string): void {
  try {
    unlinkSync(target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EISDIR' || code === 'EPERM') rmdirSync(target);
    else if (code !== 'ENOENT') throw error;
  }
  renameSync(file, target);
}

/** Refuses paths whose parent directories on disk include a symlink or a file that the change set does not delete. */
class ParentCheck {
  /** Directories looked at, and what each is. */
  private readonly seen = new Map<string, 'directory' | 'missing' | 'other'>();

  constructor(
    private readonly root: string,
    private readonly deleted: ReadonlySet<string>,
  ) {}

  check(path: string): void {
    const parts = path.split('/');
    for (let depth = 1; depth < parts.length; depth++) {
      const dir = parts.slice(0, depth).join('/');
      const kind = this.kind(dir);
      if (kind === 'directory') continue;
      if (kind === 'missing' || this.deleted.has(dir)) return;
      const what = lstatSync(join(this.root, dir)).isSymbolicLink() ? 'a symbolic link' : 'not a directory';
      throw new InputError(`refusing to write '${path}': '${dir}' is ${what}`);
    }
  }

  /** True when `dir` was found to be an existing real directory. */
  isDirectory(dir: string): boolean {
    return this.seen.get(dir) === 'directory';
  }

  private kind(dir: string): 'directory' | 'missing' | 'other' {
    let kind = this.seen.get(dir);
    if (!kind) {
      const stats = lstatOrUndefined(join(this.root, dir));
      kind = !stats ? 'missing' : stats.isDirectory() ? 'directory' : 'other';
      this.seen.set(dir, kind);
    }
    return kind;
  }
}

/** Deletes a file or link and then every directory above it that became empty, up to the root. */
function removeFile(root: string, path: string): void {
  try {
    unlinkSync(join(root, path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  for (let dir = dirname(path); dir !== '.'; dir = dirname(dir)) {
    try {
      rmdirSync(join(root, dir));
    } catch {
      break;
    }
  }
}
