import { isWithin } from './paths.js';
import type { ChangeSet, FileEntry, ReadableTree } from './types.js';

/**
 * A tree with changes pending on top of a base tree. Reads see the changes; nothing reaches the base
 * until the caller writes `changes` out (to disk or to a git tree), which is how every operation
 * stays all-or-nothing.
 */
export class PendingTree implements ReadableTree {
  readonly changes: ChangeSet = new Map();

  constructor(readonly base: ReadableTree) {}

  async read(path: string): Promise<FileEntry | undefined> {
    if (this.changes.has(path)) return this.changes.get(path) ?? undefined;
    return this.base.read(path);
  }

  async list(dir = ''): Promise<string[]> {
    const paths = new Set(await this.base.list(dir));
    for (const [path, entry] of this.changes) {
      if (!isWithin(path, dir)) continue;
      if (entry) paths.add(path);
      else paths.delete(path);
    }
    return [...paths].sort();
  }

  /** Records a new or changed file. */
  write(path: string, entry: FileEntry): void {
    this.changes.set(path, entry);
  }

  /** Records a deletion. */
  remove(path: string): void {
    this.changes.set(path, null);
  }

  /** Adopts every change of `other` (applied after this tree's own). */
  merge(other: ReadonlyMap<string, FileEntry | null>): void {
    for (const [path, entry] of other) this.changes.set(path, entry);
  }
}
