import { applyLayers, type FileOutcome } from '../layers/apply.js';
import type { LayerRoot } from '../layers/manifest.js';
import type { RenderedLayer } from '../layers/render.js';
import { resolveTarget } from '../layers/targets.js';
import { merge3 } from '../patch/index.js';
import { PendingTree } from '../tree/pending.js';
import type { ReadableTree, RootTrees } from '../tree/types.js';
import { coversOf, type PatchFileCover } from './covers.js';
import { mergeFile } from './file-merge.js';
import { layerRebaseStatus, type RebaseFileResult, type RebaseLayerResult, type RebaseStatus } from './rebase-report.js';

/** A layer moved onto a new upstream, in memory. */
export interface LayerRebase {
  readonly rendered: RenderedLayer;
  readonly root: LayerRoot;
  readonly result: RebaseLayerResult;
  /** The new upstream plus the layers before, with this layer's patches applied. */
  readonly patchStep: PendingTree;
  /** `patchStep` with the layer's structured edits and overlay files on top. */
  readonly final: PendingTree;
  readonly covers: PatchFileCover[];
  /** New `file:` targets for edits whose ebuild was bumped, by edit index. */
  readonly editFiles: Map<number, string>;
  /** The file each edit changes at the new upstream, by edit index. */
  readonly editPaths: string[];
}

/**
 * Moves one layer from its old upstream (`oldBefore`: its base plus the layers before it, as they
 * were) onto `newBefore` (the new upstream plus the layers before it, already moved). Text patches
 * are carried file by file with mergeFile, following bumped and renamed ebuilds and revision
 * symlinks; structured edits and overlay files are simply redone. Returns undefined when the
 * upstream has no tree for the layer's root (a scripts layer on a standalone overlay).
 */
export async function rebaseLayer(rendered: RenderedLayer, oldBefore: RootTrees, newBefore: RootTrees): Promise<LayerRebase | undefined> {
  const root = rendered.layer.manifest.root;
  const oldTree = oldBefore[root];
  const newTree = newBefore[root];
  if (!oldTree || !newTree) return undefined;

  const files: RebaseFileResult[] = [];
  const patchStep = new PendingTree(newTree);
  const old = (await applyLayers([{ ...rendered, edits: [], files: [] }], { overlay: oldTree, scripts: oldTree })).layers[0]!;
  const oldAfter = new PendingTree(oldTree);
  oldAfter.merge(old.changes);
  const moved = new Map<string, string>();
  for (const outcome of old.files) {
    const key = outcome.resolvedPath;
    let target = moved.get(key);
    if (target === undefined) {
      const base = await oldTree.read(key);
      target = base ? await newLocation(newTree, outcome.path, key) : key;
      moved.set(key, target);
      const merge = await mergeFile(target, base, await oldAfter.read(key), await newTree.read(target));
      if (merge.entry) patchStep.write(target, merge.entry);
      else if (await newTree.read(target)) patchStep.remove(target);
      const status: RebaseStatus = merge.status === 'clean' && target !== key ? 'followed' : merge.status;
      files.push({ path: outcome.path, resolvedPath: target, status, kind: 'patch', root, ...(merge.detail ? { detail: merge.detail } : {}) });
    }
  }
  const covers = coversOf(rendered.layer, old.files, (outcome) => moved.get(outcome.resolvedPath)!);

  const final = new PendingTree(patchStep);
  const editFiles = new Map<number, string>();
  const editPaths: string[] = [];
  const rest = (await applyLayers([{ ...rendered, patches: [] }], { overlay: patchStep, scripts: patchStep })).layers[0]!;
  final.merge(rest.changes);
  for (const [index, outcome] of rest.files.entries()) {
    const status = redoneStatus(outcome);
    if (outcome.kind === 'edit') {
      editPaths[index] = outcome.resolvedPath;
      const target = rendered.edits[index]?.target;
      if (target && 'file' in target && status === 'followed') editFiles.set(index, namedPath(outcome));
    } else if (status === 'conflict') {
      const placed = rendered.files.find((file) => file.path === outcome.path);
      const existing = await patchStep.read(outcome.path);
      if (placed && existing) final.write(outcome.path, { mode: placed.entry.mode, data: (await merge3(existing.data, Buffer.alloc(0), placed.entry.data)).data });
    }
    files.push({
      path: outcome.path,
      resolvedPath: outcome.resolvedPath,
      status,
      kind: outcome.kind,
      root,
      ...(outcome.message ? { detail: outcome.message } : outcome.detail ? { detail: outcome.detail } : {}),
    });
  }
  const result: RebaseLayerResult = { name: rendered.layer.name, status: layerRebaseStatus(files), files };
  return { rendered, root, result, patchStep, final, covers, editFiles, editPaths };
}

/** Where a file the layer patches is at the new upstream: the path it names, followed through symlinks and bumps. */
async function newLocation(tree: ReadableTree, named: string, resolved: string): Promise<string> {
  return (await resolveTarget(tree, named))?.path ?? (await resolveTarget(tree, resolved))?.path ?? resolved;
}

/**
 * The name a followed edit target is written back as: where the bump led, before any revision
 * symlink there (`coreos-init-0.0.1-r206.ebuild`, not the `-9999` body it points to), so that a
 * later move follows the revision again.
 */
function namedPath(outcome: FileOutcome): string {
  return outcome.follows.filter((follow) => follow.reason !== 'symlink').at(-1)?.to ?? outcome.resolvedPath;
}

/** The rebase status of a redone edit or placed file. */
function redoneStatus(outcome: FileOutcome): RebaseStatus {
  if (outcome.status === 'already-applied') return 'upstreamed';
  if (outcome.status === 'failed' || outcome.status === 'conflict') return 'conflict';
  return outcome.follows.some((follow) => follow.reason !== 'symlink') ? 'followed' : 'clean';
}
