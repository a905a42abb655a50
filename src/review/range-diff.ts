import { createPatch, type FilePatch } from '../patch/index.js';
import type { LayerChanges, LayerFileChange } from './layer-diffs.js';

/** How one file's change moved between two versions of a layer. */
export interface FileRangeDiff {
  readonly path: string;
  /** `added`: only the new version changes the file; `removed`: only the old one does. */
  readonly status: 'added' | 'removed' | 'changed';
  /** A patch from the old change to the new one, each written as its hunks' +/- lines only. */
  readonly interdiff: string;
}

/** How one layer's rendered change moved between two versions of the layer set. */
export interface LayerRangeDiff {
  readonly name: string;
  readonly status: 'added' | 'removed' | 'changed' | 'unchanged';
  readonly files: readonly FileRangeDiff[];
}

/**
 * Compares each layer's change to the overlay in an old and a new version of the layer set, both
 * applied to the same upstream revision. Hunks are compared by their added and removed lines only,
 * so a change that merely moved (other line numbers, other context) counts as unchanged. Layers come
 * in the new series order, then the layers only the old version has.
 */
export function rangeDiff(oldLayers: readonly LayerChanges[], newLayers: readonly LayerChanges[]): LayerRangeDiff[] {
  const oldByName = new Map(oldLayers.map((layer) => [layer.name, layer]));
  const newNames = new Set(newLayers.map((layer) => layer.name));
  const result = newLayers.map((layer) => compareLayer(layer.name, oldByName.get(layer.name), layer));
  for (const layer of oldLayers) if (!newNames.has(layer.name)) result.push(compareLayer(layer.name, layer, undefined));
  return result;
}

function compareLayer(name: string, before: LayerChanges | undefined, after: LayerChanges | undefined): LayerRangeDiff {
  const oldFiles = new Map((before?.files ?? []).map((file) => [file.path, normalChange(file)]));
  const newFiles = new Map((after?.files ?? []).map((file) => [file.path, normalChange(file)]));
  const files: FileRangeDiff[] = [];
  for (const path of [...new Set([...oldFiles.keys(), ...newFiles.keys()])].sort()) {
    const oldText = oldFiles.get(path);
    const newText = newFiles.get(path);
    if (oldText === newText) continue;
    const entry = (text: string | undefined) => (text === undefined ? undefined : { mode: '100644' as const, data: Buffer.from(text, 'latin1') });
    files.push({
      path,
      status: oldText === undefined ? 'added' : newText === undefined ? 'removed' : 'changed',
      interdiff: createPatch(path, path, entry(oldText), entry(newText), { context: 2 }),
    });
  }
  const status = !before ? 'added' : !after ? 'removed' : files.length > 0 ? 'changed' : 'unchanged';
  return { name, status, files };
}

/** A file's change as text without line numbers or context: its kind, then each hunk's +/- lines. */
export function normalChange(file: LayerFileChange): string {
  return file.patches.map(normalPatch).join('');
}

function normalPatch(patch: FilePatch): string {
  const lines: string[] = [];
  if (patch.isNew) lines.push(`new file mode ${patch.newMode}`);
  else if (patch.isDeleted) lines.push(`deleted file mode ${patch.oldMode}`);
  else if (patch.oldMode !== patch.newMode) lines.push(`mode ${patch.oldMode} → ${patch.newMode}`);
  if (patch.binary) lines.push(`binary ${patch.newOid ?? ''}`);
  for (const hunk of patch.hunks) {
    lines.push('@@');
    for (const line of hunk.lines) if (line.kind !== ' ') lines.push(`${line.kind}${line.text}`);
  }
  return lines.map((line) => `${line}\n`).join('');
}
