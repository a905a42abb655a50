import { applyEdit, describeEdit, EditError } from '../edits/index.js';
import { applyPatchSet, type BlobSource, type FilePatch, type FileResult, type HunkResult } from '../patch/index.js';
import { PendingTree } from '../tree/pending.js';
import type { FileEntry, ReadableTree, RootTrees } from '../tree/types.js';
import type { LayerRoot } from './manifest.js';
import type { RenderedLayer } from './render.js';
import { resolvePackageTarget, resolveTarget, type Follow, type ResolvedTarget } from './targets.js';

/** How one file of a layer went, from best to worst. */
export type FileStatus = 'already-applied' | 'applied' | 'offset' | 'fuzz' | 'merged' | 'conflict' | 'failed';
/** How a layer went: the worst of its files, `already-applied` when every file was, `skipped` when it could not be tried. */
export type LayerStatus = FileStatus | 'skipped';

/** One file a layer touched. */
export interface FileOutcome {
  /** The path the layer names. */
  readonly path: string;
  /** The path actually written, after following symlinks and bumped ebuilds. */
  readonly resolvedPath: string;
  readonly status: FileStatus;
  readonly follows: readonly Follow[];
  /** Where the change comes from: a patch file, an edit's manifest location or an overlay file. */
  readonly source: string;
  readonly kind: 'patch' | 'edit' | 'file';
  /** What was done, for edits (e.g. `add +openssh to IUSE`). */
  readonly detail?: string;
  readonly hunks?: readonly LocatedHunkResult[];
  readonly message?: string;
}

/** A hunk's result with the line of the patched file where it landed (or was expected). */
export type LocatedHunkResult = HunkResult & { readonly line: number };

/** One layer's result and the changes it made, relative to its root. */
export interface LayerOutcome {
  readonly name: string;
  readonly root: LayerRoot;
  readonly status: LayerStatus;
  readonly files: readonly FileOutcome[];
  readonly changes: ReadonlyMap<string, FileEntry | null>;
  readonly message?: string;
}

/** The trees layers are applied to. `scripts` is absent for a standalone coreos-overlay. */
export interface ApplyTargets extends RootTrees {
  /** Where `--3way` finds the base blobs that patches name in their `index` lines. */
  readonly blobs?: BlobSource;
}

export interface ApplyOptions {
  readonly fuzz?: number;
  readonly threeWay?: boolean;
}

/** The outcome of applying a layer set: per layer, and the final trees with every change pending. */
export interface ApplyResult {
  readonly ok: boolean;
  readonly layers: readonly LayerOutcome[];
  readonly overlay: PendingTree;
  readonly scripts: PendingTree | undefined;
}

const SEVERITY: readonly FileStatus[] = ['already-applied', 'applied', 'offset', 'fuzz', 'merged', 'conflict', 'failed'];

/**
 * Applies rendered layers in order, each on top of the upstream trees plus the layers before it.
 * Nothing is written: the result holds each layer's changes and the final trees, for the caller to
 * commit to a branch or a work tree, or to inspect. `ok` is false when any file failed or conflicts.
 */
export async function applyLayers(layers: readonly RenderedLayer[], targets: ApplyTargets, options: ApplyOptions = {}): Promise<ApplyResult> {
  const overlay = new PendingTree(targets.overlay);
  const scripts = targets.scripts ? new PendingTree(targets.scripts) : undefined;
  const outcomes: LayerOutcome[] = [];
  for (const rendered of layers) {
    const root = rendered.layer.manifest.root;
    const base = root === 'overlay' ? overlay : scripts;
    if (!base) {
      outcomes.push({
        name: rendered.layer.name,
        root,
        status: 'skipped',
        files: [],
        changes: new Map(),
        message: 'targets the flatcar/scripts repository, but the upstream is a standalone coreos-overlay',
      });
      continue;
    }
    const outcome = await applyLayer(rendered, base, targets.blobs, options);
    base.merge(outcome.changes);
    outcomes.push(outcome);
  }
  const ok = outcomes.every((outcome) => outcome.status !== 'failed' && outcome.status !== 'conflict');
  return { ok, layers: outcomes, overlay, scripts };
}

async function applyLayer(rendered: RenderedLayer, base: ReadableTree, blobs: BlobSource | undefined, options: ApplyOptions): Promise<LayerOutcome> {
  const tree = new PendingTree(base);
  const files: FileOutcome[] = [];
  for (const { file, patches } of rendered.patches) {
    files.push(...(await applyPatchFile(tree, file, patches, blobs, options)));
  }
  for (const { target, edit, location } of rendered.edits) {
    files.push(await applyStructuredEdit(tree, rendered.layer.name, target, edit, location));
  }
  for (const { path, entry, file } of rendered.files) {
    files.push(await placeFile(tree, path, entry, file));
  }
  return {
    name: rendered.layer.name,
    root: rendered.layer.manifest.root,
    status: layerStatus(files),
    files,
    changes: tree.changes,
  };
}

/** The upstream trees an applied set was applied to, without its changes. */
export function appliedTo(result: ApplyResult): RootTrees {
  return { overlay: result.overlay.base, ...(result.scripts ? { scripts: result.scripts.base } : {}) };
}

/** The trees as layer `index` of an applied set found them: `base` plus the changes of the layers before it. */
export function treesBefore(base: RootTrees, result: ApplyResult, index: number): RootTrees<PendingTree> {
  const overlay = new PendingTree(base.overlay);
  const scripts = base.scripts ? new PendingTree(base.scripts) : undefined;
  for (const earlier of result.layers.slice(0, index)) (earlier.root === 'overlay' ? overlay : scripts)?.merge(earlier.changes);
  return { overlay, ...(scripts ? { scripts } : {}) };
}

/** The worst status among the files, or `already-applied` when every file already was. */
function layerStatus(files: readonly FileOutcome[]): FileStatus {
  const changed = files.filter((file) => file.status !== 'already-applied');
  if (changed.length === 0) return files.length === 0 ? 'applied' : 'already-applied';
  return changed.reduce<FileStatus>((worst, file) => (SEVERITY.indexOf(file.status) > SEVERITY.indexOf(worst) ? file.status : worst), 'applied');
}

async function applyPatchFile(
  tree: PendingTree,
  source: string,
  patches: readonly FilePatch[],
  blobs: BlobSource | undefined,
  options: ApplyOptions,
): Promise<FileOutcome[]> {
  const targets: (ResolvedTarget | undefined)[] = [];
  const resolved: FilePatch[] = [];
  for (const patch of patches) {
    const named = patch.oldPath ?? patch.newPath;
    const target = patch.isNew || named === null ? undefined : await resolveTarget(tree, named);
    targets.push(target);
    resolved.push(target && !patch.isRename && !patch.isCopy ? retarget(patch, target.path) : patch);
  }
  const result = await applyPatchSet(tree, resolved, {
    fuzz: options.fuzz ?? 2,
    ...(options.threeWay && blobs ? { threeWay: blobs } : {}),
  });
  const statuses = result.files.map(fileStatus);
  if (result.ok || statuses.includes('conflict')) await writeChanged(tree, result.changes);
  return result.files.map((file, index) => {
    const patch = patches[index]!;
    return {
      path: patch.newPath ?? patch.oldPath ?? file.path,
      resolvedPath: file.path,
      status: statuses[index]!,
      follows: targets[index]?.follows ?? [],
      source,
      kind: 'patch',
      hunks: file.hunks.map((hunk, hunkIndex) => ({ ...hunk, line: Math.max(1, (patch.hunks[hunkIndex]?.newStart ?? 1) + hunk.offset) })),
      ...(file.message ? { message: file.message } : {}),
    };
  });
}

/** Records only the entries that differ from what the tree holds, so an already-applied change records nothing. */
async function writeChanged(tree: PendingTree, changes: ReadonlyMap<string, FileEntry | null>): Promise<void> {
  for (const [path, entry] of changes) {
    const current = await tree.read(path);
    if (entry === null) {
      if (current) tree.remove(path);
    } else if (!current || current.mode !== entry.mode || !current.data.equals(entry.data)) {
      tree.write(path, entry);
    }
  }
}

function retarget(patch: FilePatch, path: string): FilePatch {
  return { ...patch, oldPath: path, newPath: patch.isDeleted ? null : path };
}

/** Maps the engine's per-hunk results onto one file status. */
function fileStatus(file: FileResult): FileStatus {
  const statuses = file.hunks.map((hunk) => hunk.status);
  if (statuses.includes('rejected')) return 'failed';
  if (statuses.includes('conflict')) return 'conflict';
  if (statuses.length > 0 && statuses.every((status) => status === 'already-applied')) return 'already-applied';
  for (const status of ['merged', 'fuzz', 'offset'] as const) if (statuses.includes(status)) return status;
  return 'applied';
}

async function applyStructuredEdit(
  tree: PendingTree,
  layer: string,
  target: RenderedLayer['edits'][number]['target'],
  edit: RenderedLayer['edits'][number]['edit'],
  location: string,
): Promise<FileOutcome> {
  const named = 'file' in target ? target.file : target.package;
  const resolved = 'file' in target ? await resolveTarget(tree, target.file) : await resolvePackageTarget(tree, target.package);
  const base = { path: named, source: location, kind: 'edit' as const, detail: describeEdit(edit), follows: resolved?.follows ?? [] };
  const entry = resolved ? await tree.read(resolved.path) : undefined;
  if (!resolved || !entry) {
    return { ...base, resolvedPath: named, status: 'failed', message: `${'file' in target ? 'file' : 'package'} '${named}' not found upstream` };
  }
  try {
    const result = applyEdit(entry.data.toString('utf8'), edit, { file: resolved.path, layer });
    if (result.status === 'applied') tree.write(resolved.path, { mode: entry.mode, data: Buffer.from(result.text) });
    return { ...base, resolvedPath: resolved.path, status: result.status };
  } catch (error) {
    if (error instanceof EditError) return { ...base, resolvedPath: resolved.path, status: 'failed', message: error.message };
    throw error;
  }
}

async function placeFile(tree: PendingTree, path: string, entry: FileEntry, source: string): Promise<FileOutcome> {
  const existing = await tree.read(path);
  const base = { path, resolvedPath: path, source, kind: 'file' as const, follows: [] };
  if (!existing) {
    tree.write(path, entry);
    return { ...base, status: 'applied' };
  }
  if (existing.mode === entry.mode && existing.data.equals(entry.data)) return { ...base, status: 'already-applied' };
  return { ...base, status: 'failed', message: `'${path}' already exists upstream with different content` };
}
