import { lstat, mkdir, readFile, readlink, rm, rmdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DiskTree, writeChanges } from '../tree/disk.js';
import { fsPath, treePath } from '../tree/paths.js';
import type { ChangeSet, FileEntry } from '../tree/types.js';
import { assertWritable } from '../tree/write-check.js';

/**
 * Writes files of a layer set on disk, telling `record` about every path before touching it (so a
 * rebase can back it up and restore it). Writing identical bytes and mode is skipped, so a refreshed
 * layer set differs from the old one only where something really changed. Every path is checked
 * against the directory first, as every writer checks (nothing through a symlink or a file, no
 * file/directory clash, nothing in `.git`). A deferred writer (`LayerSetWriter.deferred`) only
 * collects the changes, and `flush` writes them as one checked transaction.
 */
export class LayerSetWriter {
  /** Paths (relative to the layer set) written or removed, in order. */
  readonly touched: string[] = [];
  private pending: ChangeSet | undefined;

  constructor(
    readonly dir: string,
    private readonly record: (path: string) => Promise<void> = async () => undefined,
  ) {}

  /** A writer that writes nothing until `flush`, and then everything or nothing. */
  static deferred(dir: string): LayerSetWriter {
    const writer = new LayerSetWriter(dir);
    writer.pending = new Map();
    return writer;
  }

  /** Writes `entry` (a regular file, an executable or a symlink) at `path`; returns whether anything changed. */
  async write(path: string, entry: FileEntry): Promise<boolean> {
    const relative = treePath(path);
    const full = join(this.dir, relative);
    // A path a deferred writer is to remove is written even when its bytes are the same.
    if (!this.pending?.has(relative) && (await isSame(full, entry))) return false;
    if (this.pending) return this.defer(relative, entry);
    await assertWritable(new DiskTree(this.dir), new Map([[relative, entry]]), this.dir);
    await this.record(relative);
    this.touched.push(relative);
    await mkdir(fsPath(dirname(full)), { recursive: true });
    await rm(fsPath(full), { force: true });
    if (entry.mode === '120000') await symlink(entry.data, fsPath(full));
    else await writeFile(fsPath(full), entry.data, { mode: entry.mode === '100755' ? 0o755 : 0o644 });
    return true;
  }

  /** Writes text as a regular file. */
  async writeText(path: string, text: string): Promise<boolean> {
    return this.write(path, { mode: '100644', data: Buffer.from(text) });
  }

  /** Removes the file at `path` and the directories it leaves empty; returns whether it existed. */
  async remove(path: string): Promise<boolean> {
    const relative = treePath(path);
    const full = join(this.dir, relative);
    if ((await new DiskTree(this.dir).kind(relative)) === 'missing') return false;
    if (this.pending) return this.defer(relative, null);
    await assertWritable(new DiskTree(this.dir), new Map([[relative, null]]), this.dir);
    await this.record(relative);
    this.touched.push(relative);
    await rm(fsPath(full), { force: true });
    for (let current = dirname(full); current.startsWith(`${this.dir}/`); current = dirname(current)) {
      if (!(await rmdir(fsPath(current)).then(() => true, () => false))) break;
    }
    return true;
  }

  /** Writes what a deferred writer collected, all or nothing. */
  async flush(): Promise<void> {
    if (!this.pending) return;
    const changes = this.pending;
    this.pending = new Map();
    await writeChanges(this.dir, changes);
  }

  private defer(path: string, entry: FileEntry | null): boolean {
    this.pending!.set(path, entry);
    this.touched.push(path);
    return true;
  }
}

async function isSame(full: string, entry: FileEntry): Promise<boolean> {
  const path = fsPath(full);
  const info = await lstat(path).catch(() => undefined);
  if (!info) return false;
  if (info.isSymbolicLink()) return entry.mode === '120000' && (await readlink(path, { encoding: 'buffer' })).equals(entry.data);
  if (!info.isFile() || entry.mode === '120000') return false;
  if ((info.mode & 0o100 ? '100755' : '100644') !== entry.mode) return false;
  return (await readFile(path)).equals(entry.data);
}
