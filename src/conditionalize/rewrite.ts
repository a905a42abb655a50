import { isMap, isSeq, parseDocument, type Document } from 'yaml';
import type { StructuredEdit } from '../edits/index.js';
import type { FileOutcome } from '../layers/apply.js';
import type { Layer } from '../layers/load.js';
import { setBase } from '../maintain/manifest-write.js';
import { createPatch, formatPatch, parsePatch } from '../patch/index.js';
import type { ChangeSet, FileEntry } from '../tree/types.js';

/** How a layer is rewritten: which of its changes go, and what takes their place. */
export interface LayerPlan {
  /** The layer's changes to the files being replaced (every patch entry and edit behind them goes). */
  readonly replaced: readonly FileOutcome[];
  /** Structured edits to add, by the path they name. */
  readonly edits: readonly { readonly file: string; readonly edit: StructuredEdit }[];
  /** Text patches to add: a file named by `file`, from `before` to `after`. */
  readonly patches: readonly { readonly file: string; readonly before: FileEntry; readonly after: FileEntry }[];
  /** Lines for files the layer places (created, or appended to the layer's own file), relative to the overlay. */
  readonly placed: readonly { readonly path: string; readonly lines: readonly string[] }[];
  readonly flag: { readonly name: string; readonly default: 'on' | 'off'; readonly packages: readonly string[]; readonly description: string };
  /** The upstream commit the rewritten layer was made against, recorded as its `base`. */
  readonly base: string;
}

/**
 * The layer-set files that carry out `plan` for `layer`: its manifest with the replaced edits gone,
 * the new edits and the flag added (comments and layout kept); its patch files without the replaced
 * file patches (removed when nothing is left); new patch files; new or extended overlay files.
 * `manifestText` is the manifest as written (YAML or JSON).
 */
export function rewriteLayer(layer: Layer, manifestText: string, plan: LayerPlan): ChangeSet {
  const changes: ChangeSet = new Map();
  const manifest = parseDocument(manifestText);

  const editIndices = new Set(
    plan.replaced
      .filter((outcome) => outcome.kind === 'edit')
      .map((outcome) => Number(/edits\[(\d+)\]$/.exec(outcome.source)?.[1]))
      .filter((index) => Number.isInteger(index)),
  );
  const edits = manifest.get('edits');
  if (isSeq(edits)) for (const index of [...editIndices].sort((a, b) => b - a)) edits.delete(index);

  const listed = manifest.get('patches');
  const dropPatchFile = (file: string) => {
    changes.set(file, null);
    if (isSeq(listed)) {
      const index = listed.items.findIndex((item) => String((item as { value?: unknown }).value ?? item) === file.slice(`patches/${layer.name}/`.length));
      if (index !== -1) listed.delete(index);
    }
  };
  for (const { file, entry } of layer.patchFiles) {
    const named = new Set(plan.replaced.filter((outcome) => outcome.kind === 'patch' && outcome.source === file).map((outcome) => outcome.path));
    if (named.size === 0) continue;
    const text = entry.data.toString('utf8');
    const kept = parsePatch(text, file).filter((patch) => !named.has(patch.newPath ?? patch.oldPath ?? ''));
    if (kept.length === 0) {
      dropPatchFile(file);
      continue;
    }
    const first = text.search(/^diff --git /m);
    changes.set(file, { mode: entry.mode, data: Buffer.from(`${first > 0 ? text.slice(0, first) : ''}${formatPatch(kept)}`) });
  }

  plan.patches.forEach(({ file, before, after }, index) => {
    const number = layer.patchFiles.length + index + 1;
    const name = `${String(number).padStart(4, '0')}-${plan.flag.name}-${file.split('/').slice(0, 2).join('-')}.patch`;
    changes.set(`patches/${layer.name}/${name}`, { mode: '100644', data: Buffer.from(createPatch(file, file, before, after)) });
    if (isSeq(listed)) listed.add(manifest.createNode(name));
  });

  for (const { file, edit } of plan.edits) addTo(manifest, 'edits', { file, ...edit });
  setFlag(manifest, plan.flag);
  setBase(manifest, plan.base);

  for (const { path, lines } of plan.placed) {
    const own = layer.overlayFiles.find((file) => file.path === path);
    const existing = own ? own.entry.data.toString('utf8') : '';
    const separator = existing === '' || existing.endsWith('\n') ? '' : '\n';
    changes.set(own?.file ?? `overlay/${layer.name}/${path}`, { mode: own?.entry.mode ?? '100644', data: Buffer.from(`${existing}${separator}${lines.join('\n')}\n`) });
  }

  const text = layer.manifestFile.endsWith('.json') ? `${JSON.stringify(manifest.toJS(), null, 2)}\n` : manifest.toString({ lineWidth: 0 });
  changes.set(layer.manifestFile, { mode: '100644', data: Buffer.from(text) });
  return changes;
}

/** Appends `value` to the list at `key` (created when missing), written in block style. */
function addTo(doc: Document, key: string, value: unknown): void {
  const list = doc.get(key);
  if (!isSeq(list)) {
    doc.set(key, doc.createNode([value]));
    return;
  }
  list.flow = false;
  list.add(doc.createNode(value));
}

/** Adds the flag to the manifest's `flags`, or adds the packages and the default to the entry it already has. */
function setFlag(doc: Document, flag: LayerPlan['flag']): void {
  const flags = doc.get('flags');
  const existing = isSeq(flags) ? flags.items.find((item) => isMap(item) && item.get('name') === flag.name) : undefined;
  if (isMap(existing)) {
    const packages = existing.get('packages');
    const known = isSeq(packages) ? packages.items.map((item) => String((item as { value?: unknown }).value ?? item)) : [];
    const missing = flag.packages.filter((pkg) => !known.includes(pkg));
    if (isSeq(packages)) missing.forEach((pkg) => packages.add(doc.createNode(pkg)));
    else existing.set('packages', doc.createNode(flag.packages));
    if (!existing.has('description')) existing.set('description', flag.description);
    existing.set('default', flag.default);
    return;
  }
  addTo(doc, 'flags', { name: flag.name, default: flag.default, packages: [...flag.packages], description: flag.description });
}
