import { isMap, isSeq, parseDocument, type Document } from 'yaml';
import { InputError } from '../errors.js';

/** A change to a layer manifest that keeps its comments, key order and scalar styles. */
export interface ManifestChange {
  /** The upstream commit the layer's patches now apply to. */
  readonly base?: string;
  /** New `file:` values for edits, by their index in `edits`. */
  readonly editFiles?: ReadonlyMap<number, string>;
  /** New values of edit fields (a phase-append's `body`), by the edit's index in `edits`. */
  readonly editFields?: ReadonlyMap<number, Readonly<Record<string, string>>>;
  /** Indexes of edits to remove. */
  readonly removeEdits?: ReadonlySet<number>;
  /** Patch file names to append to an explicit `patches:` list (ignored when the manifest has none). */
  readonly addPatches?: readonly string[];
  /** Patch file names to remove from an explicit `patches:` list. */
  readonly removePatches?: ReadonlySet<string>;
}

const TO_STRING = { lineWidth: 0, flowCollectionPadding: false } as const;

/**
 * Applies `change` to the YAML text of a manifest with the yaml Document API, so that everything
 * not changed (comments, order, quoting) stays as it was. A new `base` goes after `description`.
 * JSON manifests are YAML too and stay valid, in block style.
 */
export function updateManifestText(text: string, file: string, change: ManifestChange): string {
  const doc = parseDocument(text);
  if (doc.errors.length > 0 || !isMap(doc.contents)) throw new InputError('cannot update the manifest: it is not a YAML mapping', file);
  if (change.base !== undefined) setBase(doc, change.base);
  const edits = doc.get('edits', true);
  if (isSeq(edits)) {
    for (const [index, path] of change.editFiles ?? []) doc.setIn(['edits', index, 'file'], path);
    for (const [index, fields] of change.editFields ?? []) for (const [field, value] of Object.entries(fields)) doc.setIn(['edits', index, field], value);
    const remove = [...(change.removeEdits ?? [])].sort((a, b) => b - a);
    for (const index of remove) edits.items.splice(index, 1);
    if (edits.items.length === 0 && remove.length > 0) doc.delete('edits');
  }
  const patches = doc.get('patches', true);
  if (isSeq(patches)) {
    patches.items = patches.items.filter((item) => !change.removePatches?.has(String((item as { value?: unknown }).value ?? item)));
    for (const name of change.addPatches ?? []) patches.items.push(doc.createNode(name));
  }
  const out = doc.toString(TO_STRING);
  return text.endsWith('\n') ? out : out.replace(/\n$/, '');
}

/** Sets the manifest's `base`, in place when it has one, else right after `description`. */
export function setBase(doc: Document, base: string): void {
  if (doc.has('base')) {
    doc.set('base', base);
    return;
  }
  const map = doc.contents;
  if (!isMap(map)) return;
  const after = map.items.findIndex((pair) => String((pair.key as { value?: unknown }).value) === 'description');
  map.items.splice(after < 0 ? map.items.length : after + 1, 0, doc.createPair('base', base));
}
