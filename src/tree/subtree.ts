import type { ReadableTree } from './types.js';

/** The part of `tree` below directory `prefix`, as a tree of its own (paths relative to `prefix`). */
export function subtree(tree: ReadableTree, prefix: string): ReadableTree {
  return {
    read: (path) => tree.read(`${prefix}/${path}`),
    list: async (dir) => (await tree.list(dir ? `${prefix}/${dir}` : prefix)).map((path) => path.slice(prefix.length + 1)),
  };
}
