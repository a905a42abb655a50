import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { dirtyPaths } from '../git/worktree.js';
import { applyLayers, treesBefore } from '../layers/apply.js';
import type { RenderedLayer } from '../layers/render.js';
import { DiskTree, recoverWrites } from '../tree/disk.js';
import { isWithin } from '../tree/paths.js';
import { PendingTree } from '../tree/pending.js';
import type { FileEntry } from '../tree/types.js';
import { locateUpstream, openRootTrees } from '../upstream/locate.js';
import { loadLayersFrom } from '../workflow/layer-set.js';
import type { LayerSet } from '../layers/load.js';
import { coverFor, coversOf, planCovers, writeCoverPlans } from './covers.js';
import { keepEdits } from './edit-writeback.js';
import { sameEntry } from './file-merge.js';
import { LayerSetWriter } from './layer-writer.js';
import { updateManifestText } from './manifest-write.js';
import { rootDir } from './rebase-worktree.js';

export interface RefreshRequest {
  /** A checked-out upstream whose work tree holds the applied layers plus edits (after `apply --worktree`, or a rebase work tree). */
  readonly upstream: string;
  readonly layersDir?: string;
  /** Refresh only this layer's files. */
  readonly only?: string;
  /** Give the changed files no layer owns to this layer. */
  readonly claim?: string;
}

/** One file written back into the layer set. */
export interface RefreshedFile {
  readonly layer: string;
  /** The file in the upstream's tree (relative to the layer's root). */
  readonly path: string;
  /** What recorded it: a patch file or an overlay file of the layer set. */
  readonly into: string;
  readonly claimed?: boolean;
  /** How the change was written back, when the layer's structured edits were involved. */
  readonly note?: string;
}

export interface RefreshReport {
  readonly refreshed: readonly RefreshedFile[];
  /** Changed files no layer owns (paths relative to the repository), left alone. */
  readonly unowned: readonly string[];
  /** Structured edits dropped because their file's whole change is now text in a patch. */
  readonly droppedEdits: readonly string[];
}

type Root = 'overlay' | 'scripts';

/**
 * Writes edits made in the upstream's work tree back into the layers that own the files, like
 * `quilt refresh`: the owner is the last layer that touches the path. A file the owner changes with
 * structured edits keeps them where the change fits (see keepEdits: outside them into the patch, a
 * phase body into the edit or its partial); otherwise, and for a patched file, its patch is
 * re-created from the upstream plus the layers before the owner to the work-tree file (structured
 * edits of that file are dropped, and the note says so: the text holds their change now); an overlay file
 * is copied back, and one rendered from a template is refused, naming the `.hbs` to edit by hand.
 * Files no layer owns are listed, or claimed by `claim`. Every refreshed layer records the work
 * tree's HEAD as its `base`. Nothing is written when something is refused.
 */
export async function refreshLayers(request: RefreshRequest): Promise<RefreshReport> {
  const layers = await loadLayersFrom(request.layersDir);
  const upstream = await locateUpstream(request.upstream, 'HEAD');
  try {
    if (upstream.bare) throw new InputError(`refresh reads a work tree; ${upstream.repoDir} is bare`);
    recoverWrites(upstream.repoDir);
    const names = layers.rendered.map(({ layer }) => layer.name);
    for (const name of [request.only, request.claim]) {
      if (name !== undefined && !names.includes(name)) throw new InputError(`no layer '${name}' in ${layers.dir}`);
    }
    const base = await openRootTrees(upstream, upstream.commit);
    const applied = await applyLayers(layers.rendered, base);
    const expected = { overlay: applied.overlay, scripts: applied.scripts };
    const disks = { overlay: new DiskTree(rootDir(upstream.repoDir, upstream, 'overlay')), scripts: new DiskTree(upstream.repoDir) };

    const owned = new Map<number, { root: Root; path: string; claimed: boolean }[]>();
    const unowned: string[] = [];
    for (const repoPath of await dirtyPaths(upstream.repoDir, ['.'])) {
      const inOverlay = upstream.overlayPrefix === '' || isWithin(repoPath, upstream.overlayPrefix);
      const root: Root = inOverlay ? 'overlay' : 'scripts';
      if (root === 'scripts' && !upstream.scriptsRoot) continue;
      const path = inOverlay && upstream.overlayPrefix ? repoPath.slice(upstream.overlayPrefix.length + 1) : repoPath;
      if (sameEntry(await disks[root].read(path), await expected[root]?.read(path))) continue;
      let owner = -1;
      applied.layers.forEach((layer, index) => {
        if (layer.root === root && layer.files.some((file) => file.resolvedPath === path || file.path === path)) owner = index;
      });
      const claimed = owner < 0 && request.claim !== undefined && layers.rendered[names.indexOf(request.claim)]!.layer.manifest.root === root;
      if (claimed) owner = names.indexOf(request.claim!);
      if (owner < 0) unowned.push(repoPath);
      else if (request.only === undefined || names[owner] === request.only) owned.set(owner, [...(owned.get(owner) ?? []), { root, path, claimed }]);
    }

    const writer = LayerSetWriter.deferred(layers.dir);
    const refreshed: RefreshedFile[] = [];
    const droppedEdits: string[] = [];
    const plans = [];
    for (const [index, files] of [...owned].sort((a, b) => a[0] - b[0])) {
      plans.push(await planLayer(layers.set, layers.rendered[index]!, treesBefore(base, applied, index), files, disks, upstream.commit));
    }
    for (const plan of plans) {
      await plan.write(writer);
      refreshed.push(...plan.refreshed);
      droppedEdits.push(...plan.droppedEdits);
    }
    await writer.flush();
    return { refreshed, unowned, droppedEdits };
  } finally {
    await upstream.close();
  }
}

/** Works out how one layer takes its files back, refusing before anything is written. */
async function planLayer(
  set: LayerSet,
  rendered: RenderedLayer,
  before: { overlay: PendingTree; scripts?: PendingTree },
  files: { root: Root; path: string; claimed: boolean }[],
  disks: Record<Root, DiskTree>,
  baseCommit: string,
) {
  const { layer } = rendered;
  const root = layer.manifest.root;
  const start = before[root]!;
  const patched = (await applyLayers([{ ...rendered, edits: [], files: [] }], { overlay: start, scripts: start })).layers[0]!;
  const patchStep = new PendingTree(start);
  patchStep.merge(patched.changes);
  const covers = coversOf(layer, patched.files);
  const edits = (await applyLayers([{ ...rendered, patches: [] }], { overlay: patchStep, scripts: patchStep })).layers[0]!;
  const addPatches: string[] = [];
  const removeEdits = new Set<number>();
  const editFields = new Map<number, Readonly<Record<string, string>>>();
  const templateWrites = new Map<string, string>();
  const overlayWrites: { file: string; entry: FileEntry | undefined }[] = [];
  const refreshed: RefreshedFile[] = [];
  for (const { path, claimed } of files) {
    const entry = await disks[root].read(path);
    const placed = layer.overlayFiles.find((file) => file.path === path);
    const createdHere = claimed && !(await start.read(path));
    if (placed || createdHere) {
      if (placed?.template) throw new InputError(`'${path}' is rendered from a template; edit ${placed.file} by hand`, placed.file);
      const file = placed?.file ?? `overlay/${layer.name}/${path}`;
      overlayWrites.push({ file, entry });
      refreshed.push({ layer: layer.name, path, into: file, ...(claimed ? { claimed } : {}) });
      continue;
    }
    const covering = covers.find((cover) => cover.paths.includes(path));
    if (covering?.template) throw new InputError(`'${path}' is patched by a template; edit ${covering.file} by hand`, covering.file);
    const editing = edits.files.flatMap((outcome, index) => (outcome.kind === 'edit' && outcome.resolvedPath === path ? [index] : []));
    const kept = entry && editing.length > 0 ? await keepEdits(set, rendered, patchStep, path, entry, editing) : undefined;
    if (kept) {
      for (const [index, fields] of kept.fields) editFields.set(index, fields);
      for (const [file, text] of kept.templates) templateWrites.set(file, text);
      const unchanged = (await patchStep.read(path))?.data.equals(kept.patched.data) ?? false;
      const cover = unchanged ? undefined : (covering ?? coverFor(covers, layer.name, addPatches));
      if (cover && !covering) cover.paths.push(path);
      if (!unchanged) patchStep.write(path, kept.patched);
      const into = [cover?.file, kept.fields.size > 0 ? layer.manifestFile : undefined, ...kept.templates.keys()].filter((file): file is string => file !== undefined);
      refreshed.push({ layer: layer.name, path, into: [...new Set(into)].join(', ') || layer.manifestFile, note: kept.note, ...(claimed ? { claimed } : {}) });
      continue;
    }
    const cover = covering ?? coverFor(covers, layer.name, addPatches);
    if (!covering) cover.paths.push(path);
    if (entry) patchStep.write(path, entry);
    else patchStep.remove(path);
    editing.forEach((index) => removeEdits.add(index));
    const note = editing.length > 0 ? `no structured edit expresses the change: the file's edits became text in ${cover.file}` : undefined;
    refreshed.push({ layer: layer.name, path, into: cover.file, ...(note ? { note } : {}), ...(claimed ? { claimed } : {}) });
  }
  const droppedEdits = [...removeEdits].map((index) => rendered.edits[index]!.location);
  return {
    refreshed,
    droppedEdits,
    async write(writer: LayerSetWriter): Promise<void> {
      for (const { file, entry } of overlayWrites) {
        if (entry) await writer.write(file, entry);
        else await writer.remove(file);
      }
      for (const [file, text] of templateWrites) await writer.writeText(file, text);
      const touched = covers.filter((cover) => refreshed.some((item) => item.into.split(', ').includes(cover.file)));
      const removed = await writeCoverPlans(writer, await planCovers(layer, touched, start, patchStep));
      const text = await readFile(join(writer.dir, layer.manifestFile), 'utf8');
      const change = { base: baseCommit, removeEdits, editFields, addPatches, removePatches: removed };
      const updated = updateManifestText(text, layer.manifestFile, change);
      if (updated !== text) await writer.writeText(layer.manifestFile, updated);
    },
  };
}
