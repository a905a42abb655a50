import { isUtf8 } from 'node:buffer';
import { diffArrays } from 'diff/lib/diff/array.js';
import type { FileEntry, ReadableTree } from '../tree/types.js';
import { formatPatch } from './format.js';
import { blobId, NULL_OID } from './oid.js';
import { splitLines } from './text.js';
import type { FilePatch, Hunk, HunkLine } from './types.js';

export interface CreatePatchOptions {
  /** Context lines around each change. Default 3. */
  context?: number;
  /** Blob ids for the `index` line; computed from the content when omitted. */
  oldOid?: string;
  newOid?: string;
  /** Name each hunk after the nearest line above it that starts a definition, as git's default funcname does. */
  functionContext?: boolean;
}

/**
 * A `git diff`-style patch from `oldEntry` at `oldPath` to `newEntry` at `newPath` (undefined for a side
 * that does not exist): creation, deletion, rename, mode change, symlinks, missing final line feeds.
 * Content with NUL bytes or that is not UTF-8 becomes a `GIT binary patch` literal. Empty when nothing
 * changed. `git apply` and applyPatchSet accept the result.
 */
export function createPatch(
  oldPath: string,
  newPath: string,
  oldEntry: FileEntry | undefined,
  newEntry: FileEntry | undefined,
  options: CreatePatchOptions = {},
): string {
  return formatPatch(createFilePatches(oldPath, newPath, oldEntry, newEntry, options));
}

/** The patch of `createPatch` in parsed form: one FilePatch, or two when a symlink becomes a file or back. */
export function createFilePatches(
  oldPath: string,
  newPath: string,
  oldEntry: FileEntry | undefined,
  newEntry: FileEntry | undefined,
  options: CreatePatchOptions = {},
): FilePatch[] {
  if (!oldEntry && !newEntry) return [];
  if (oldEntry && newEntry && (oldEntry.mode === '120000') !== (newEntry.mode === '120000')) {
    return [...createFilePatches(oldPath, oldPath, oldEntry, undefined), ...createFilePatches(newPath, newPath, undefined, newEntry)];
  }
  const oldOid = options.oldOid ?? (oldEntry ? blobId(oldEntry.data) : NULL_OID);
  const newOid = options.newOid ?? (newEntry ? blobId(newEntry.data) : NULL_OID);
  const contentChanged = oldOid !== newOid;
  if (!contentChanged && oldPath === newPath && oldEntry?.mode === newEntry?.mode) return [];
  const patch: FilePatch = {
    oldPath: oldEntry ? oldPath : null,
    newPath: newEntry ? newPath : null,
    isNew: !oldEntry,
    isDeleted: !newEntry,
    isRename: Boolean(oldEntry && newEntry && oldPath !== newPath),
    isCopy: false,
    hunks: [],
    sourceLine: 1,
  };
  if (oldEntry) patch.oldMode = oldEntry.mode;
  if (newEntry) patch.newMode = newEntry.mode;
  if (patch.isRename && !contentChanged) patch.similarity = 100;
  if (!contentChanged) return [patch];
  patch.oldOid = oldOid;
  patch.newOid = newOid;
  const oldData = oldEntry?.data ?? Buffer.alloc(0);
  const newData = newEntry?.data ?? Buffer.alloc(0);
  if (isBinary(oldData) || isBinary(newData)) {
    patch.binary = {
      forward: { method: 'literal', data: newData, sourceLine: 1 },
      reverse: { method: 'literal', data: oldData, sourceLine: 1 },
    };
  } else {
    const oldText = oldData.toString('latin1');
    patch.hunks = diffHunks(oldText, newData.toString('latin1'), options.context ?? 3);
    if (options.functionContext) nameHunks(patch.hunks, oldText);
  }
  return [patch];
}

/** A patch from `oldTree` to `newTree` over `paths` (every path of either tree when omitted), file by file in path order. */
export async function createTreePatch(
  oldTree: ReadableTree,
  newTree: ReadableTree,
  paths?: readonly string[],
  options: Pick<CreatePatchOptions, 'context' | 'functionContext'> = {},
): Promise<string> {
  const all = paths ?? [...new Set([...(await oldTree.list()), ...(await newTree.list())])].sort();
  const patches: FilePatch[] = [];
  for (const path of all) patches.push(...createFilePatches(path, path, await oldTree.read(path), await newTree.read(path), options));
  return formatPatch(patches);
}

const FUNCTION_LINE = /^[A-Za-z_$]/;

/** Git's default hunk header: the last line above the hunk starting with a letter, `_` or `$`, cut to 80 characters. */
function nameHunks(hunks: Hunk[], oldText: string): void {
  const lines = splitLines(oldText);
  for (const hunk of hunks) {
    for (let index = hunk.oldStart - 2; index >= 0; index--) {
      const line = lines[index]!.replace(/\s+$/, '');
      if (FUNCTION_LINE.test(line)) {
        hunk.header = ` ${line.slice(0, 80)}`;
        break;
      }
    }
  }
}

/** Git's test (a NUL in the first 8000 bytes), plus content that a patch string could not carry: anything not UTF-8. */
function isBinary(data: Buffer): boolean {
  return data.subarray(0, 8000).includes(0) || !isUtf8(data);
}

/** Unified hunks between two byte strings: a line diff, grouped with `context` lines around each change. */
function diffHunks(oldText: string, newText: string, context: number): Hunk[] {
  const entries: { kind: HunkLine['kind']; line: string }[] = [];
  for (const change of diffArrays(splitLines(oldText), splitLines(newText))) {
    const kind = change.added ? '+' : change.removed ? '-' : ' ';
    for (const line of change.value) entries.push({ kind, line });
  }
  const changed = entries.flatMap((entry, index) => (entry.kind === ' ' ? [] : [index]));
  const hunks: Hunk[] = [];
  let oldCount = 0;
  let newCount = 0;
  let counted = 0;
  const countTo = (end: number): void => {
    for (; counted < end; counted++) {
      if (entries[counted]!.kind !== '+') oldCount++;
      if (entries[counted]!.kind !== '-') newCount++;
    }
  };
  for (let group = 0; group < changed.length; ) {
    let last = group;
    while (last + 1 < changed.length && changed[last + 1]! - changed[last]! - 1 <= 2 * context) last++;
    const start = Math.max(0, changed[group]! - context);
    const end = Math.min(entries.length, changed[last]! + context + 1);
    countTo(start);
    const oldBefore = oldCount;
    const newBefore = newCount;
    countTo(end);
    const lines: HunkLine[] = entries.slice(start, end).map(({ kind, line }) =>
      line.endsWith('\n') ? { kind, text: line.slice(0, -1) } : { kind, text: line, noNewlineAtEnd: true },
    );
    const oldLines = oldCount - oldBefore;
    const newLines = newCount - newBefore;
    hunks.push({
      oldStart: oldLines ? oldBefore + 1 : oldBefore,
      oldLines,
      newStart: newLines ? newBefore + 1 : newBefore,
      newLines,
      header: '',
      lines,
      sourceLine: 1,
    });
    group = last + 1;
  }
  return hunks;
}
