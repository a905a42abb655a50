import { PendingTree } from './pending.js';
import type { FileEntry, ReadableTree } from './types.js';

/** A tree with no files. */
export const EMPTY_TREE: ReadableTree = {
  read: async () => undefined,
  list: async () => [],
};

/**
 * A tree held in memory, from a map of paths to text (a regular file), `{ link: target }` (a
 * symlink) or a FileEntry.
 */
export function memoryTree(files: Record<string, string | { link: string } | FileEntry>): PendingTree {
  const tree = new PendingTree(EMPTY_TREE);
  for (const [path, content] of Object.entries(files)) {
    if (typeof content === 'string') tree.write(path, { mode: '100644', data: Buffer.from(content) });
    else if ('link' in content) tree.write(path, { mode: '120000', data: Buffer.from(content.link) });
    else tree.write(path, content);
  }
  return tree;
}
