import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { resolveRef } from '../git/tree.js';
import { applyLayers, treesBefore, type ApplyResult } from '../layers/apply.js';
import { SERIES_FILE } from '../layers/load.js';
import type { RenderedLayer } from '../layers/render.js';
import { DiskTree, recoverWrites } from '../tree/disk.js';
import { PendingTree } from '../tree/pending.js';
import type { FileEntry, RootTrees } from '../tree/types.js';
import { locateUpstream, openRootTrees, type Upstream } from '../upstream/locate.js';
import { loadLayersFrom, type LoadedLayers } from '../workflow/layer-set.js';
import { renderLayerText } from '../layers/render.js';
import { coverFor, planCovers, writeCoverPlans, type CoverPlan } from './covers.js';
import { sameEntry } from './file-merge.js';
import { rebaseLayer, type LayerRebase } from './layer-rebase.js';
import { LayerSetWriter } from './layer-writer.js';
import { updateManifestText, type ManifestChange } from './manifest-write.js';
import { layerRebaseStatus, type RebaseFileResult, type RebaseLayerResult, type RebaseReport } from './rebase-report.js';
import { backupDir, beginState, clearInterruptedState, clearState, readState, restoreBackup, saveState, withRebaseLock, type RebaseState } from './rebase-state.js';
import { openConflictWorktree, removeConflictWorktree, rootDir } from './rebase-worktree.js';

export interface RebaseRequest {
  readonly upstream: string;
  readonly onto: string;
  readonly layersDir?: string;
  /** Remove layers whose whole change upstream already has. */
  readonly dropUpstreamed?: boolean;
}

/**
 * `rebase --onto`: moves every layer from its recorded base onto `onto`, in series order, each on
 * top of `onto` plus the layers already moved. Every layer must apply at its own base (checked
 * before anything is written). Stops at the first layer with a conflict, leaving a work tree with
 * markers and the state for `--continue`/`--abort`; otherwise rewrites every layer's patches
 * against `onto` and records it as the layers' new base.
 */
export function startRebase(request: RebaseRequest): Promise<RebaseReport> {
  return withRecoveredLock(resolve(request.layersDir ?? '.'), () => startLocked(request));
}

/**
 * Runs `action` under the rebase lock after rolling back a write into the layer set that a killed
 * run left half-done, so that no rebase step reads or restores a partial layer set.
 */
function withRecoveredLock<T>(layersDir: string, action: () => Promise<T>): Promise<T> {
  return withRebaseLock(layersDir, async () => {
    recoverWrites(layersDir);
    return action();
  });
}

/** `rebase --continue`: records the resolution of the layer in conflict from the work tree and goes on. */
export function continueRebase(layersDirOption = '.'): Promise<RebaseReport> {
  return withRecoveredLock(resolve(layersDirOption), () => continueLocked(layersDirOption));
}

/** `rebase --abort`: puts back every layer-set file the rebase rewrote, removes the work tree and the state. */
export function abortRebase(layersDirOption = '.'): Promise<{ readonly restored: number; readonly worktree?: string }> {
  return withRecoveredLock(resolve(layersDirOption), () => abortLocked(layersDirOption));
}

async function startLocked(request: RebaseRequest): Promise<RebaseReport> {
  const layersDir = resolve(request.layersDir ?? '.');
  if (await readState(layersDir)) {
    throw new InputError(`a rebase is in progress in ${layersDir}; run 'nano-overlay rebase --continue' or '--abort'`);
  }
  const upstream = await locateUpstream(request.upstream, request.onto);
  try {
    const layers = await loadLayersFrom(layersDir);
    await new OldSides(upstream, layers).checkAll();
    const state: RebaseState = {
      version: 1,
      upstream: upstream.repoDir,
      onto: { ref: request.onto, commit: upstream.commit },
      dropUpstreamed: request.dropUpstreamed ?? false,
      next: 0,
      results: [],
      written: [],
      worktree: undefined,
      conflict: undefined,
    };
    await beginState(layersDir, state);
    return await run(layersDir, state, upstream, false);
  } finally {
    await upstream.close();
  }
}

async function continueLocked(layersDirOption: string): Promise<RebaseReport> {
  const layersDir = resolve(layersDirOption);
  const state = await requireState(layersDir);
  const upstream = await locateUpstream(state.upstream, state.onto.commit);
  try {
    return await run(layersDir, state, upstream, true);
  } finally {
    await upstream.close();
  }
}

async function abortLocked(layersDirOption: string): Promise<{ readonly restored: number; readonly worktree?: string }> {
  const layersDir = resolve(layersDirOption);
  if (!(await readState(layersDir)) && (await clearInterruptedState(layersDir))) return { restored: 0 };
  const state = await requireState(layersDir);
  if (state.worktree) await removeConflictWorktree(state.upstream, state.worktree, layersDir);
  await restoreBackup(layersDir, state.written);
  await clearState(layersDir);
  return { restored: new Set(state.written).size, ...(state.worktree ? { worktree: state.worktree.path } : {}) };
}

async function requireState(layersDir: string): Promise<RebaseState> {
  const state = await readState(layersDir);
  if (!state) throw new InputError(`no rebase in progress in ${layersDir}`);
  return state;
}

/** The layers as they were before the rebase, each applied at its own base with the layers before it. */
class OldSides {
  private readonly runs = new Map<string, Promise<{ trees: RootTrees; result: ApplyResult }>>();
  /** Base commits by the `base` written in manifests: most layers share one, so it is resolved once. */
  private readonly bases = new Map<string, Promise<string>>();

  constructor(
    private readonly upstream: Upstream,
    private readonly layers: LoadedLayers,
  ) {}

  /** Fails, with an InputError naming the layer, when some layer has no base or does not apply at it. */
  async checkAll(): Promise<void> {
    for (let index = 0; index < this.layers.rendered.length; index++) await this.before(index);
  }

  /** The trees layer `index` was made against: its base plus the layers before it. */
  async before(index: number): Promise<RootTrees> {
    const { layer } = this.layers.rendered[index]!;
    if (!layer.manifest.base) throw new InputError(`layer '${layer.name}' has no 'base': the upstream commit its patches were made against`, layer.manifestFile);
    let resolving = this.bases.get(layer.manifest.base);
    if (!resolving) {
      resolving = resolveRef(this.upstream.repoDir, layer.manifest.base);
      this.bases.set(layer.manifest.base, resolving);
    }
    const commit = await resolving.catch(() => {
      throw new InputError(`base '${layer.manifest.base}' is not a commit in ${this.upstream.repoDir}`, layer.manifestFile);
    });
    let runAtBase = this.runs.get(commit);
    if (!runAtBase) {
      runAtBase = this.applyAt(commit);
      this.runs.set(commit, runAtBase);
    }
    const { trees, result } = await runAtBase;
    const outcome = result.layers[index]!;
    if (outcome.status === 'failed' || outcome.status === 'conflict') {
      const bad = outcome.files.find((file) => file.status === 'failed' || file.status === 'conflict');
      throw new InputError(`layer '${layer.name}' does not apply at its base ${commit.slice(0, 12)}: ${bad?.path ?? ''} ${bad?.message ?? outcome.status}`.trim(), layer.manifestFile);
    }
    return treesBefore(trees, result, index);
  }

  private async applyAt(commit: string): Promise<{ trees: RootTrees; result: ApplyResult }> {
    const trees = await openRootTrees(this.upstream, commit);
    return { trees, result: await applyLayers(this.layers.rendered, trees) };
  }
}

/** Runs the rebase from `state.next` on; with `resolving`, first takes the stopped layer's resolution from the work tree. */
async function run(layersDir: string, state: RebaseState, upstream: Upstream, resolving: boolean): Promise<RebaseReport> {
  const original = await loadLayersFrom(backupDir(layersDir));
  const current = await loadLayersFrom(layersDir);
  const old = new OldSides(upstream, original);
  const start = await openRootTrees(upstream, state.onto.commit);
  const trees = { overlay: new PendingTree(start.overlay), ...(start.scripts ? { scripts: new PendingTree(start.scripts) } : {}) };
  const writer = new LayerSetWriter(layersDir, async (path) => {
    if (state.written.includes(path)) return;
    state.written.push(path);
    await saveState(layersDir, state);
  });

  for (const [index, rendered] of original.rendered.entries()) {
    const name = rendered.layer.name;
    if (index < state.next) {
      const moved = current.rendered.find((layer) => layer.layer.name === name);
      if (moved && state.results[index]?.status !== 'upstreamed') await applyMoved(moved, trees);
      continue;
    }
    const rebase = await rebaseLayer(rendered, await old.before(index), trees);
    if (!rebase) {
      state.results.push({ name, status: 'clean', files: [], messages: ['not moved: the upstream has no flatcar/scripts tree for this root'] });
      state.next = index + 1;
      await saveState(layersDir, state);
      continue;
    }
    let result = rebase.result;
    const manifestChange: ManifestChange & { removeEdits: Set<number>; addPatches: string[] } = { removeEdits: new Set(), addPatches: [] };
    let resolvedTemplates: readonly string[] = [];
    // Without a recorded conflict, the work tree is one a killed run was still making.
    if (resolving && index === state.next && state.worktree && state.conflict) {
      if (state.templates) {
        await checkEditedTemplates(current, rebase, trees, state.templates);
        resolvedTemplates = state.templates;
      } else result = await takeResolution(rebase, rootDir(state.worktree.path, upstream, rebase.root), manifestChange, writer);
      await removeConflictWorktree(upstream.repoDir, state.worktree, layersDir);
      state.worktree = undefined;
      state.conflict = undefined;
      state.templates = undefined;
    }
    let plans: CoverPlan[] = [];
    let templates: string[] = [];
    if (result.status !== 'conflict' && result.status !== 'upstreamed') {
      const render = (file: string, text: string) => renderLayerText(original.set, rendered.layer, file, text);
      plans = (await planCovers(rendered.layer, rebase.covers, rebase.patchStep.base, rebase.patchStep, render)).filter((plan) => !resolvedTemplates.includes(plan.file));
      templates = plans.filter((plan) => plan.kind === 'template-conflict').map((plan) => plan.file);
      const notes = templates.map((file) => `conflict: ${file} is a template and the upstream moved lines it computes; edit it (or the layer's variables) until it renders to the change in the work tree`);
      if (templates.length > 0) result = { ...result, status: 'conflict', messages: [...(result.messages ?? []), ...notes] };
    }
    if (result.status === 'conflict') {
      if (state.worktree) await removeConflictWorktree(upstream.repoDir, state.worktree, layersDir);
      const pending = new Map([...rebase.patchStep.changes, ...rebase.final.changes]);
      const committed = { overlay: trees.overlay.changes, ...(trees.scripts ? { scripts: trees.scripts.changes } : {}) };
      const record = async (worktree: RebaseState['worktree']): Promise<void> => {
        state.worktree = worktree;
        state.conflict = undefined;
        await saveState(layersDir, state);
      };
      state.worktree = await openConflictWorktree(upstream, state.onto.commit, committed, rebase.root === 'overlay' ? { overlay: pending } : { overlay: new Map(), scripts: pending }, `Layers rebased onto ${state.onto.ref} before ${name}`, record);
      state.conflict = result;
      if (templates.length > 0) {
        state.templates = templates;
        // The templates and the manifest's variables are edited in place: --abort puts them back.
        for (const path of [...templates, rendered.layer.manifestFile]) if (!state.written.includes(path)) state.written.push(path);
      }
      await saveState(layersDir, state);
      const prefix = rebase.root === 'overlay' && upstream.overlayPrefix ? `${upstream.overlayPrefix}/` : '';
      const files = result.files.filter((file) => file.status === 'conflict').map((file) => prefix + file.resolvedPath);
      return {
        onto: state.onto,
        layers: [...state.results, result],
        stopped: { layer: name, worktree: state.worktree.path, files, ...(templates.length > 0 ? { templates } : {}) },
        dropped: [],
        done: false,
      };
    }
    if (result.status !== 'upstreamed') {
      await writeMovedLayer(writer, rebase, state.onto.commit, manifestChange, plans);
      (rebase.root === 'overlay' ? trees.overlay : trees.scripts)?.merge(new Map([...rebase.patchStep.changes, ...rebase.final.changes]));
    }
    state.results.push(result);
    state.next = index + 1;
    await saveState(layersDir, state);
  }

  const dropped = state.dropUpstreamed ? await dropLayers(writer, state.results.filter((result) => result.status === 'upstreamed').map((result) => result.name)) : [];
  await clearState(layersDir);
  return { onto: state.onto, layers: state.results, dropped, done: true };
}

/** Applies a layer already moved onto the new upstream; it must apply cleanly there. */
async function applyMoved(rendered: RenderedLayer, trees: RootTrees<PendingTree>): Promise<void> {
  const root = rendered.layer.manifest.root;
  const tree = trees[root];
  if (!tree) return;
  const outcome = (await applyLayers([rendered], { overlay: tree, scripts: tree })).layers[0]!;
  if (outcome.status === 'failed' || outcome.status === 'conflict') {
    throw new InputError(`layer '${rendered.layer.name}' was changed during the rebase and no longer applies; run 'nano-overlay rebase --abort'`, rendered.layer.manifestFile);
  }
  tree.merge(outcome.changes);
}

const MARKER = /^(<{7} |>{7} |={7}$)/m;

/**
 * Takes the layer's files from the work tree where they differ from what the rebase computed (every
 * conflicting file does): a patched or edited file becomes text in the layer's patch (structured
 * edits of that file are dropped, as the text now holds their change), an overlay file is copied back.
 */
async function takeResolution(rebase: LayerRebase, dir: string, change: { removeEdits: Set<number>; addPatches: string[] }, writer: LayerSetWriter): Promise<RebaseLayerResult> {
  const disk = new DiskTree(dir);
  const files: RebaseFileResult[] = [];
  for (const file of rebase.result.files) {
    const resolved = await disk.read(file.resolvedPath);
    const computed = await rebase.final.read(file.resolvedPath);
    if (file.status !== 'conflict' && sameEntry(resolved, computed)) {
      files.push(file);
      continue;
    }
    const marker = resolved && resolved.mode !== '120000' ? MARKER.exec(resolved.data.toString('utf8')) : null;
    if (marker) {
      const line = resolved!.data.toString('utf8').slice(0, marker.index).split('\n').length;
      throw new InputError('conflict markers are still there; resolve them, then run rebase --continue again', `${join(dir, file.resolvedPath)}:${line}`);
    }
    if (file.kind === 'file') {
      const placed = rebase.rendered.layer.overlayFiles.find((overlay) => overlay.path === file.path)!;
      if (placed.template) throw new InputError(`'${file.path}' comes from a template; edit ${placed.file} by hand, then run rebase --continue again`, placed.file);
      if (resolved) await writer.write(placed.file, resolved);
      else await writer.remove(placed.file);
    } else {
      rebase.editPaths.forEach((path, index) => {
        if (path === file.resolvedPath) change.removeEdits.add(index);
      });
      rebase.final.changes.delete(file.resolvedPath);
      if (resolved) rebase.patchStep.write(file.resolvedPath, resolved);
      else rebase.patchStep.remove(file.resolvedPath);
      if (!rebase.covers.some((cover) => cover.paths.includes(file.resolvedPath))) coverFor(rebase.covers, rebase.rendered.layer.name, change.addPatches).paths.push(file.resolvedPath);
    }
    files.push({ ...file, resolved: true });
  }
  return { ...rebase.result, status: layerRebaseStatus(files.map((file) => (file.resolved ? { ...file, status: 'merged' } : file))), files, resolved: true };
}

/**
 * Rewrites a moved layer: each patch file as `plans` says (refreshed against the new upstream plus
 * the layers before, templated ones merged; see planCovers), and the manifest's `base` and bumped
 * edit targets.
 */
async function writeMovedLayer(
  writer: LayerSetWriter,
  rebase: LayerRebase,
  onto: string,
  change: ManifestChange & { removeEdits: Set<number>; addPatches: string[] },
  plans: readonly CoverPlan[],
): Promise<void> {
  const removed = await writeCoverPlans(writer, plans);
  const manifestFile = rebase.rendered.layer.manifestFile;
  const text = await readFile(join(writer.dir, manifestFile), 'utf8');
  await writer.writeText(manifestFile, updateManifestText(text, manifestFile, { ...change, base: onto, editFiles: rebase.editFiles, removePatches: removed }));
}

/**
 * `--continue` after a stop on templated patch files: the layer as the layer set holds it now (its
 * templates and variables edited by hand) must make exactly the change the rebase computed (the
 * work tree's content), else an InputError; the templates are then kept as they are.
 */
async function checkEditedTemplates(current: LoadedLayers, rebase: LayerRebase, trees: RootTrees<PendingTree>, templates: readonly string[]): Promise<void> {
  const name = rebase.rendered.layer.name;
  const edited = current.rendered.find((layer) => layer.layer.name === name);
  if (!edited) throw new InputError(`layer '${name}' is no longer in the series; run 'nano-overlay rebase --abort'`, SERIES_FILE);
  const tree = trees[rebase.root]!;
  const outcome = (await applyLayers([edited], { overlay: tree, scripts: tree })).layers[0]!;
  const bad = outcome.files.find((file) => file.status === 'failed' || file.status === 'conflict');
  if (bad) throw new InputError(`the edited layer does not apply at the new upstream: ${bad.path} ${bad.message ?? bad.status}; fix ${templates.join(', ')}, then run rebase --continue again`, edited.layer.manifestFile);
  const wanted = new Map([...rebase.patchStep.changes, ...rebase.final.changes]);
  const after = async (changes: ReadonlyMap<string, FileEntry | null>, path: string): Promise<FileEntry | undefined> => (changes.has(path) ? (changes.get(path) ?? undefined) : tree.read(path));
  for (const path of [...new Set([...wanted.keys(), ...outcome.changes.keys()])].sort()) {
    if (sameEntry(await after(outcome.changes, path), await after(wanted, path))) continue;
    throw new InputError(`${templates.join(', ')} does not render to the change in the work tree yet: ${path} differs; edit it, then run rebase --continue again`, edited.layer.manifestFile);
  }
}

/** Removes the named layers: their series lines, manifests, patches and overlay files. */
async function dropLayers(writer: LayerSetWriter, names: readonly string[]): Promise<string[]> {
  if (names.length === 0) return [];
  const tree = new DiskTree(writer.dir);
  for (const name of names) {
    for (const path of [...(await tree.list(`patches/${name}`)), ...(await tree.list(`overlay/${name}`))]) await writer.remove(path);
  }
  const series = await readFile(join(writer.dir, SERIES_FILE), 'utf8');
  const kept = series.split('\n').filter((line) => !names.includes(line.replace(/#.*$/, '').trim()));
  await writer.writeText(SERIES_FILE, kept.join('\n'));
  return [...names];
}
