import type { FileEntry, ReadableTree } from '../tree/types.js';
import type { GitTree } from './tree.js';

/**
 * What a computation read from git trees: for every file read and every directory listed, the object
 * id it had ('' when absent), keyed by the tree's label and the path. A result computed only from
 * these reads holds for any other revision where they all have the same ids.
 */
export type ReadRecord = Map<string, string>;

const key = (label: string, kind: 'file' | 'dir', path: string) => `${label}\0${kind}\0${path}`;

/** A GitTree that records every read and listing in `record` under `label`. */
export class RecordingTree implements ReadableTree {
  constructor(
    private readonly tree: GitTree,
    private readonly label: string,
    private readonly record: ReadRecord,
  ) {}

  async read(path: string): Promise<FileEntry | undefined> {
    this.record.set(key(this.label, 'file', path), (await this.tree.entry(path))?.oid ?? '');
    return this.tree.read(path);
  }

  async list(dir = ''): Promise<string[]> {
    this.record.set(key(this.label, 'dir', dir), await directoryOid(this.tree, dir));
    return this.tree.list(dir);
  }
}

/** True when every read in `record` finds the same object id in the trees `open` gives for each label. */
export async function sameReads(record: ReadRecord, open: (label: string) => Promise<GitTree>): Promise<boolean> {
  const trees = new Map<string, Promise<GitTree>>();
  for (const [entryKey, oid] of record) {
    const [label, kind, path] = entryKey.split('\0') as [string, 'file' | 'dir', string];
    if (!trees.has(label)) trees.set(label, open(label));
    const tree = await trees.get(label)!;
    const now = kind === 'dir' ? await directoryOid(tree, path) : ((await tree.entry(path))?.oid ?? '');
    if (now !== oid) return false;
  }
  return true;
}

async function directoryOid(tree: GitTree, dir: string): Promise<string> {
  const normal = dir.replace(/^\.\/?|\/$/g, '');
  return normal === '' ? tree.treeOid : ((await tree.entry(normal))?.oid ?? '');
}
