import { diffArrays } from 'diff/lib/diff/array.js';
import { applyLayers } from '../layers/apply.js';
import type { LayerSet } from '../layers/load.js';
import { renderLayerText, type RenderedLayer } from '../layers/render.js';
import { merge3 } from '../patch/index.js';
import { PendingTree } from '../tree/pending.js';
import type { FileEntry, ReadableTree } from '../tree/types.js';

/** How a work-tree file is written back while the layer's structured edits of it stay. */
export interface KeptEdits {
  /** What the layer's patches must make of the file before the edits run (the patch step's new text). */
  readonly patched: FileEntry;
  /** New values of edit fields, by edit index in the manifest (written into the manifest). */
  readonly fields: ReadonlyMap<number, Readonly<Record<string, string>>>;
  /** Partials (`templates/*.hbs`) rewritten, by file. */
  readonly templates: ReadonlyMap<string, string>;
  /** What went where, for the report. */
  readonly note: string;
}

/**
 * Writes the work-tree text `wanted` of `path` back into the layer's form, keeping its structured
 * edits of the file: a change outside the lines the edits make goes to the patch step (merged with
 * git from the edits' output onto the patched text, and checked by redoing the edits); a change
 * inside the body of a `phase-append` goes into the edit's body, or into the partial the body
 * names (`{{> name}}`), when the edit re-done with it gives `wanted`. Undefined when neither holds.
 */
export async function keepEdits(
  set: LayerSet,
  rendered: RenderedLayer,
  patchStep: PendingTree,
  path: string,
  wanted: FileEntry,
  editIndexes: readonly number[],
): Promise<KeptEdits | undefined> {
  const current = await patchStep.read(path);
  const expected = await redo(rendered, patchStep, path, new Map());
  if (!current || expected === undefined || current.mode !== wanted.mode) return undefined;
  const want = wanted.data.toString('utf8');

  const merged = await merge3(current.data, Buffer.from(expected), wanted.data);
  if (merged.conflicts === 0) {
    const trial = new PendingTree(patchStep);
    trial.write(path, { mode: current.mode, data: merged.data });
    if ((await redo(rendered, trial, path, new Map())) === want) {
      return { patched: { mode: current.mode, data: merged.data }, fields: new Map(), templates: new Map(), note: 'structured edits kept; the change outside them went into the patch' };
    }
  }

  for (const index of editIndexes) {
    const edit = rendered.edits[index]!.edit;
    if (edit.type !== 'phase-append') continue;
    const body = changedBody(expected, want, edit.body);
    if (body === undefined) continue;
    const bodies = new Map([[index, body]]);
    if ((await redo(rendered, patchStep, path, bodies)) !== want) continue;
    const raw = rendered.layer.manifest.edits[index]!.edit;
    const rawBody = raw.type === 'phase-append' ? raw.body : '';
    if (!rawBody.includes('{{')) {
      return { patched: current, fields: new Map([[index, { body }]]), templates: new Map(), note: `the change went into ${rendered.edits[index]!.location}'s body` };
    }
    const partial = /^\{\{>\s*([^\s}]+)\s*\}\}$/.exec(rawBody.trim())?.[1];
    const source = set.templates.find((template) => template.name === partial);
    if (!source) continue;
    const rewritten = await merge3(Buffer.from(source.text), Buffer.from(edit.body), Buffer.from(body));
    const text = rewritten.data.toString('utf8');
    if (rewritten.conflicts === 0 && renderLayerText(set, rendered.layer, source.file, text) === body) {
      return { patched: current, fields: new Map(), templates: new Map([[source.file, text]]), note: `the change went into the template ${source.file}` };
    }
  }
  return undefined;
}

/** The file's text after the layer's edits run on `tree`, with phase-append bodies replaced by `bodies` (by edit index). */
async function redo(rendered: RenderedLayer, tree: ReadableTree, path: string, bodies: ReadonlyMap<number, string>): Promise<string | undefined> {
  const edits = rendered.edits.map((entry, index) => {
    const body = bodies.get(index);
    return body !== undefined && entry.edit.type === 'phase-append' ? { ...entry, edit: { ...entry.edit, body } } : entry;
  });
  const outcome = (await applyLayers([{ ...rendered, patches: [], files: [], edits }], { overlay: tree, scripts: tree })).layers[0]!;
  if (outcome.status === 'failed' || outcome.status === 'conflict') return undefined;
  return (outcome.changes.get(path) ?? (await tree.read(path)))?.data.toString('utf8');
}

/**
 * The new body of a phase-append whose block lies in `expected` (its lines, re-indented), when every
 * difference from `expected` to `wanted` falls inside that block; undefined otherwise.
 */
function changedBody(expected: string, wanted: string, body: string): string | undefined {
  const lines = expected.split('\n');
  const bodyLines = body.replace(/\n$/, '').split('\n');
  const start = lines.findIndex((_, at) => bodyLines.every((line, offset) => lines[at + offset]?.trim() === line.trim()));
  if (start < 0 || bodyLines[0]!.trim() === '') return undefined;
  const end = start + bodyLines.length;
  const extra = lines[start]!.slice(0, lines[start]!.length - bodyLines[0]!.length);
  if (!lines[start]!.endsWith(bodyLines[0]!)) return undefined;
  const wantedLines = wanted.split('\n');
  let at = 0;
  for (const change of diffArrays(lines, wantedLines)) {
    if (change.added) {
      if (at < start || at > end) return undefined;
      continue;
    }
    if (change.removed && (at < start || at + change.value.length > end)) return undefined;
    at += change.value.length;
  }
  const block = wantedLines.slice(start, end + wantedLines.length - lines.length);
  const text = block.map((line) => (line.startsWith(extra) ? line.slice(extra.length) : line.trimStart())).join('\n');
  return body.endsWith('\n') ? `${text}\n` : text;
}
