import { isUtf8 } from 'node:buffer';
import { applyHunksToBytes, createFilePatches, merge3 } from '../patch/index.js';
import { splitLines } from '../patch/text.js';
import type { FileEntry } from '../tree/types.js';
import { applyChunks, applyOps, changeChunks, explainChunk, type ChangeOp, type Chunk } from './change-ops.js';

/** How one file of a layer moved to the new upstream. */
export type FileMergeStatus = 'clean' | 'merged' | 'upstreamed' | 'conflict';

/** The file's new content (undefined: deleted) and how it was reached. */
export interface FileMerge {
  readonly entry: FileEntry | undefined;
  readonly status: FileMergeStatus;
  readonly detail?: string;
}

/** True when both entries are absent, or have the same mode and bytes. */
export const sameEntry = (a: FileEntry | undefined, b: FileEntry | undefined): boolean =>
  a === b || (a !== undefined && b !== undefined && a.mode === b.mode && a.data.equals(b.data));

/**
 * Carries a layer's change of one file (`base` → `theirs`, at the layer's old upstream) onto the
 * file at the new upstream (`ours`), as `git rebase` would, in this order: untouched upstream takes
 * the layer's version (`clean`); the layer's version already there is `upstreamed`; the layer's
 * hunks applying exactly or at an offset give `clean` (unless a three-way merge disagrees with an
 * offset placement); then a three-way merge (`merged`); then, for conflicts, the change redone
 * region by region as structured operations (flags in IUSE, conditional dependencies, package.use
 * flags, profile lines) with the rest merged three-way (`merged`); otherwise `conflict`, the content
 * holding conflict markers.
 */
export async function mergeFile(path: string, base: FileEntry | undefined, theirs: FileEntry | undefined, ours: FileEntry | undefined): Promise<FileMerge> {
  if (sameEntry(ours, base)) return { entry: theirs, status: 'clean' };
  if (sameEntry(ours, theirs)) return { entry: ours, status: 'upstreamed' };
  if (!ours) return { entry: theirs, status: 'conflict', detail: 'removed upstream, changed by the layer' };
  if (!theirs) return { entry: ours, status: 'conflict', detail: 'changed upstream, removed by the layer' };
  const mode = base && base.mode !== theirs.mode ? theirs.mode : ours.mode;
  const binary = [base, theirs, ours].some((entry) => entry && (entry.mode === '120000' || !isText(entry.data)));
  if (binary) return { entry: ours, status: 'conflict', detail: 'a symlink or binary file changed on both sides' };
  const baseData = base?.data ?? Buffer.alloc(0);

  const [patch] = createFilePatches(path, path, base, theirs);
  const applied = base && patch ? applyHunksToBytes(ours.data, patch, { fuzz: 0 }) : undefined;
  const statuses = applied?.hunks.map((hunk) => hunk.status) ?? [];
  if (applied && statuses.every((status) => status === 'already-applied')) return { entry: ours, status: 'upstreamed' };
  const merged = await merge3(ours.data, baseData, theirs.data);
  if (applied && statuses.every((status) => status === 'exact' || status === 'offset' || status === 'already-applied')) {
    const shifted = applied.hunks.some((hunk) => hunk.status === 'offset');
    if (!shifted || merged.conflicts > 0 || merged.data.equals(applied.data)) return { entry: { mode, data: applied.data }, status: 'clean' };
  }
  if (merged.conflicts === 0) {
    return merged.data.equals(ours.data) ? { entry: ours, status: 'upstreamed' } : { entry: { mode, data: merged.data }, status: 'merged' };
  }
  const structured = await mergeStructured(path, baseData.toString('utf8'), theirs.data.toString('utf8'), ours.data.toString('utf8'));
  if (structured !== undefined) return { entry: { mode, data: Buffer.from(structured.text) }, status: 'merged', detail: structured.detail };
  return { entry: { mode, data: merged.data }, status: 'conflict', detail: `${merged.conflicts} conflicting region(s)` };
}

function isText(data: Buffer): boolean {
  return !data.subarray(0, 8000).includes(0) && isUtf8(data);
}

/**
 * The layer's change redone on `ours`: regions that explainChunk recognises are redone as
 * operations (checked to reproduce the layer's own text on `base`), the others merged three-way.
 * Undefined when no region is recognised, an operation cannot be redone, or the rest conflicts.
 */
async function mergeStructured(path: string, base: string, theirs: string, ours: string): Promise<{ text: string; detail: string } | undefined> {
  const chunks = changeChunks(base, theirs);
  const baseLines = splitLines(base);
  const explained: { chunk: Chunk; ops: ChangeOp[] }[] = [];
  const rest: Chunk[] = [];
  for (const chunk of chunks) {
    const ops = explainChunk(path, chunk, baseLines);
    if (ops) explained.push({ chunk, ops });
    else rest.push(chunk);
  }
  if (explained.length === 0) return undefined;
  const ops = explained.flatMap((item) => item.ops);
  const redoneOnBase = applyOps(base, ops, path);
  if (redoneOnBase !== applyChunks(base, explained.map((item) => item.chunk))) return undefined;
  const redone = applyOps(ours, ops, path);
  if (redone === undefined) return undefined;
  const merged = await merge3(Buffer.from(redone), Buffer.from(base), Buffer.from(applyChunks(base, rest)));
  if (merged.conflicts > 0) return undefined;
  return { text: merged.data.toString('utf8'), detail: `redone as ${ops.length} structured change(s), the rest merged three-way` };
}
