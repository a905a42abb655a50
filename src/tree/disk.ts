import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readFileSync, readlinkSync, realpathSync, type Dirent, type Stats } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathBytes } from '../patch/text.js';
import { fsPath, nameFromBytes, treePath } from './paths.js';
import type { FileEntry, PathKind, ReadableTree } from './types.js';
/*
 * The file system is used synchronously: a tree is read and written file by file, and synchronous
 * calls cost a fraction of what promises and the thread pool add to each small operation.
 */

/**
 * A directory on disk as a tree. Symlinks are read as links; a path below a symlink, a directory or
 * anything else that is neither a file nor a link reads as absent. The root's `.git` is never listed.
 */
export class DiskTree implements ReadableTree {
  private realRoot: string | undefined;
  /** Directory entries read by `kind`, by directory; a tree is checked before it is written, so they stay valid meanwhile. */
  private readonly entries = new Map<string, Map<string, PathKind> | null>();

  constructor(readonly root: string) {}

  async read(path: string): Promise<FileEntry | undefined> {
    const normal = treePath(path);
    const full = join(this.root, normal);
    let fd: number;
    try {
      fd = openSync(fsPath(full), constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOOP' || !this.isRealDirectory(dirname(normal))) return undefined;
      return { mode: '120000', data: readlinkSync(fsPath(full), { encoding: 'buffer' }) };
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
      for (const { name, entry } of directoryEntries(join(this.root, relative))) {
        const path = relative ? `${relative}/${name}` : name;
        // Only the tree's own `.git` is skipped: one deeper down is content that every writer refuses.
        if (entry.isDirectory() && (path !== '.git' || start !== '')) walk(path);
        else if (entry.isFile() || entry.isSymbolicLink()) paths.push(path);
      }
    };
    walk(start);
    return paths.sort();
  }

  /** What `path` is on disk, looked at component by component: below a link or a file nothing is there. */
  async kind(path: string): Promise<PathKind> {
    return this.kindOf(treePath(path));
  }

  /** The synchronous kind of a normal path: each directory is read once (one readdir tells the kinds of all it holds). */
  kindOf(path: string): PathKind {
    const slash = path.lastIndexOf('/');
    const parent = slash < 0 ? '' : path.slice(0, slash);
    if (parent && this.kindOf(parent) !== 'directory') return 'missing';
    return this.entriesOf(parent)?.get(path.slice(slash + 1)) ?? 'missing';
  }

  private entriesOf(dir: string): Map<string, PathKind> | undefined {
    let entries = this.entries.get(dir);
    if (entries === undefined) {
      try {
        const listed = directoryEntries(join(this.root, dir));
        entries = new Map(listed.map(({ name, entry }) => [name, entry.isDirectory() ? 'directory' : entry.isSymbolicLink() ? 'link' : 'file']));
      } catch {
        entries = null;
      }
      this.entries.set(dir, entries);
    }
    return entries ?? undefined;
  }

  /** True when `dir` (relative, `.` for the root) is reached from the root without following a symlink. */
  private isRealDirectory(dir: string): boolean {
    if (dir === '.') return true;
    this.realRoot ??= realpathSync.native(this.root);
    try {
      return realpathSync.native(fsPath(join(this.root, dir)), { encoding: 'buffer' }).equals(pathBytes(join(this.realRoot, dir)));
    } catch {
      return false;
    }
  }
}

/**
 * The entries of a directory with their names as paths hold them: read as UTF-8, and again as bytes
 * when a name is not UTF-8 (U+FFFD in the first reading), so that no name stands for another.
 */
function directoryEntries(dir: string): { name: string; entry: Dirent | Dirent<Buffer> }[] {
  const listed = readdirSync(fsPath(dir), { withFileTypes: true });
  if (!listed.some((entry) => entry.name.includes('\uFFFD'))) return listed.map((entry) => ({ name: entry.name, entry }));
  return readdirSync(fsPath(dir), { withFileTypes: true, encoding: 'buffer' }).map((entry) => ({ name: nameFromBytes(entry.name), entry }));
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(fsPath(path));
  } catch {
    return undefined;
  }
}

export { recoverWrites, writeChanges } from './transaction.js';
