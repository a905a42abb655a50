import { resolve } from 'node:path';
import { DiskTree } from '../tree/disk.js';
import { loadLayerSet, type LayerSet } from '../layers/load.js';
import { renderLayerSet, type RenderedLayer } from '../layers/render.js';
import type { ReadableTree } from '../tree/types.js';

/** A layer set read from a directory and rendered. */
export interface LoadedLayers {
  readonly dir: string;
  readonly set: LayerSet;
  readonly rendered: RenderedLayer[];
}

/**
 * Reads and renders the layer set in `dir` (the current directory when omitted), through `wrap` when
 * given (a tree that records what was read, say).
 */
export async function loadLayersFrom(dir = '.', wrap?: (tree: ReadableTree) => ReadableTree): Promise<LoadedLayers> {
  const absolute = resolve(dir);
  const disk = new DiskTree(absolute);
  const set = await loadLayerSet(wrap ? wrap(disk) : disk, `in ${absolute}`);
  return { dir: absolute, set, rendered: renderLayerSet(set) };
}
