import { resolve } from 'node:path';
import { DiskTree } from '../tree/disk.js';
import { loadLayerSet, type LayerSet } from '../layers/load.js';
import { renderLayerSet, type RenderedLayer } from '../layers/render.js';

/** A layer set read from a directory and rendered. */
export interface LoadedLayers {
  readonly dir: string;
  readonly set: LayerSet;
  readonly rendered: RenderedLayer[];
}

/** Reads and renders the layer set in `dir` (the current directory when omitted). */
export async function loadLayersFrom(dir = '.'): Promise<LoadedLayers> {
  const absolute = resolve(dir);
  const set = await loadLayerSet(new DiskTree(absolute), `in ${absolute}`);
  return { dir: absolute, set, rendered: renderLayerSet(set) };
}
