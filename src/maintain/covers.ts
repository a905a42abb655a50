import { posix } from 'node:path';
import type { FileOutcome } from '../layers/apply.js';
import type { Layer } from '../layers/load.js';
import { createTreePatch, merge3, parsePatch, type CreatePatchOptions } from '../patch/index.js';
import type { ReadableTree } from '../tree/types.js';
import type { LayerSetWriter } from './layer-writer.js';

/** Which files (paths in the target tree) each patch file of a layer covers, in the layer's order. */
export interface PatchFileCover {
  /** The patch file's path in the layer set. */
  readonly file: string;
  readonly template: boolean;
  readonly paths: string[];
}

/** The covers of a layer's patch files, from the outcomes of applying them; a file goes to the first patch file that touches it. */
export function coversOf(layer: Layer, outcomes: readonly FileOutcome[], pathOf: (outcome: FileOutcome) => string = (outcome) => outcome.resolvedPath): PatchFileCover[] {
  const covers = layer.patchFiles.map(({ file }) => ({ file, template: file.endsWith('.hbs'), paths: [] as string[] }));
  for (const outcome of outcomes) {
    const path = pathOf(outcome);
    const cover = covers.find((item) => item.file === outcome.source);
    if (cover && !covers.some((item) => item.paths.includes(path))) cover.paths.push(path);
  }
  return covers;
}

/**
 * The patch file that takes a file no patch of the layer covers yet: the layer's last plain patch
 * file, or a new `patches/<layer>/<layer>.patch`, whose name is then added to `addPatches` (for an
 * explicit `patches:` list in the manifest).
 */
export function coverFor(covers: PatchFileCover[], layer: string, addPatches: string[]): PatchFileCover {
  const last = [...covers].reverse().find((cover) => !cover.template);
  if (last) return last;
  const cover = { file: `patches/${layer}/${layer}.patch`, template: false, paths: [] as string[] };
  covers.push(cover);
  addPatches.push(posix.basename(cover.file));
  return cover;
}

/** Renders a templated patch file's text as the layer set would. */
export type TemplateRender = (file: string, text: string) => string;

/** What rewriting one patch file comes to: new text, removal, or a template only a human can fix. */
export type CoverPlan =
  | { readonly kind: 'write'; readonly file: string; readonly text: string }
  | { readonly kind: 'remove'; readonly file: string }
  | { readonly kind: 'template-conflict'; readonly file: string };

/**
 * How each patch file is rewritten from `before` to `after` over the paths it covers, in the file's
 * own style (its context width, hunk headers or none; 3 lines and git's headers for a new file),
 * `index` lines with full blob ids, files sorted; an emptied patch file is removed. A templated
 * patch file (`.patch.hbs`) is merged: the change from its rendered text to the new patch is merged
 * into the template with git's three-way merge, and written when that is clean and the merged
 * template renders to the new patch; otherwise it is a `template-conflict`. Files that need no
 * change are left out.
 */
export async function planCovers(
  layer: Layer,
  covers: readonly PatchFileCover[],
  before: ReadableTree,
  after: ReadableTree,
  render?: TemplateRender,
): Promise<CoverPlan[]> {
  const plans: CoverPlan[] = [];
  for (const cover of covers) {
    const current = layer.patchFiles.find((file) => file.file === cover.file)?.entry.data.toString('utf8');
    const shown = cover.template && current !== undefined && render ? render(cover.file, current) : current;
    const text = await createTreePatch(before, after, [...cover.paths].sort(), shown === undefined ? { functionContext: true } : patchStyle(shown, cover.file));
    if (cover.template) {
      if (text === shown) continue;
      const merged = render && current !== undefined && shown !== undefined ? await mergeTemplate(current, shown, text, (candidate) => render(cover.file, candidate)) : undefined;
      plans.push(merged === undefined ? { kind: 'template-conflict', file: cover.file } : { kind: 'write', file: cover.file, text: merged });
    } else {
      plans.push(text === '' ? { kind: 'remove', file: cover.file } : { kind: 'write', file: cover.file, text });
    }
  }
  return plans;
}

/**
 * Carries out `plans` (template conflicts are left alone); returns the base names of the patch
 * files it removed, for the manifest's `patches:` list.
 */
export async function writeCoverPlans(writer: LayerSetWriter, plans: readonly CoverPlan[]): Promise<Set<string>> {
  const removed = new Set<string>();
  for (const plan of plans) {
    if (plan.kind === 'write') await writer.writeText(plan.file, plan.text);
    else if (plan.kind === 'remove' && (await writer.remove(plan.file))) removed.add(posix.basename(plan.file));
  }
  return removed;
}

/**
 * The template that renders to `wanted`: the change from `rendered` (what `template` renders to now)
 * to `wanted` merged into `template`; undefined when the merge conflicts (the change touches lines
 * the template computes) or its result does not render to `wanted`.
 */
async function mergeTemplate(template: string, rendered: string, wanted: string, render: (text: string) => string): Promise<string | undefined> {
  const merged = await merge3(Buffer.from(template), Buffer.from(rendered), Buffer.from(wanted));
  if (merged.conflicts > 0) return undefined;
  const text = merged.data.toString('utf8');
  return render(text) === wanted ? text : undefined;
}

/**
 * The context width and hunk-header habit of a patch file: the widest context on either side of a
 * change (hunks at a file's edge have less), and whether any hunk names its function.
 */
export function patchStyle(text: string, file: string): Pick<CreatePatchOptions, 'context' | 'functionContext'> {
  let context = 0;
  let named = false;
  let hunks = 0;
  try {
    for (const patch of parsePatch(text, file)) {
      for (const hunk of patch.hunks) {
        hunks++;
        named ||= hunk.header.trim() !== '';
        const kinds = hunk.lines.map((line) => line.kind);
        const leading = kinds.findIndex((kind) => kind !== ' ');
        const trailing = [...kinds].reverse().findIndex((kind) => kind !== ' ');
        context = Math.max(context, leading < 0 ? 0 : leading, trailing < 0 ? 0 : trailing);
      }
    }
  } catch {
    return { functionContext: true };
  }
  return hunks === 0 ? { functionContext: true } : { context, functionContext: named };
}
