import type { ApplyResult, LayerOutcome } from '../layers/apply.js';
import type { LayerRoot } from '../layers/manifest.js';
import { createFilePatches, type FilePatch } from '../patch/index.js';
import { PendingTree } from '../tree/pending.js';
import type { FileEntry, ReadableTree } from '../tree/types.js';

/** One file a layer changed: its entry before the layer and after it, and the patch between them. */
export interface LayerFileChange {
  readonly path: string;
  readonly before: FileEntry | undefined;
  readonly after: FileEntry | undefined;
  /** One patch, or two when a symlink became a file or back. */
  readonly patches: readonly FilePatch[];
}

/** What one layer did on top of the upstream and the layers before it. */
export interface LayerChanges {
  readonly name: string;
  readonly root: LayerRoot;
  readonly outcome: LayerOutcome;
  readonly files: readonly LayerFileChange[];
}

/**
 * Splits an applied layer set into each layer's own change: every file a layer changed, compared
 * with the tree as the layers before it left it, in path order.
 */
export async function layerChanges(result: ApplyResult, upstream: { readonly overlay: ReadableTree; readonly scripts?: ReadableTree | undefined }): Promise<LayerChanges[]> {
  const trees: Record<LayerRoot, PendingTree | undefined> = {
    overlay: new PendingTree(upstream.overlay),
    scripts: upstream.scripts ? new PendingTree(upstream.scripts) : undefined,
  };
  const layers: LayerChanges[] = [];
  for (const outcome of result.layers) {
    const tree = trees[outcome.root];
    const files: LayerFileChange[] = [];
    for (const path of [...outcome.changes.keys()].sort()) {
      const before = tree ? await tree.read(path) : undefined;
      const after = outcome.changes.get(path) ?? undefined;
      const patches = createFilePatches(path, path, before, after);
      if (patches.length > 0) files.push({ path, before, after, patches });
    }
    tree?.merge(outcome.changes);
    layers.push({ name: outcome.name, root: outcome.root, outcome, files });
  }
  return layers;
}
