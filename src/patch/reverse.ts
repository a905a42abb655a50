import { InputError, locate } from '../errors.js';
import type { FilePatch, Hunk, HunkLine } from './types.js';

/**
 * The patch that undoes `patch`: sides, modes, ids and hunk lines swapped, creation and deletion
 * exchanged, a rename renamed back. A copy cannot be undone by a patch (the copy's content is not in
 * it), nor a binary patch without its reverse section; both throw an InputError.
 */
export function reversePatch(patch: FilePatch): FilePatch {
  const where = locate(patch.source ?? '<patch>', patch.sourceLine);
  if (patch.isCopy) throw new InputError('a copy cannot be reversed', where);
  if (patch.binary && !patch.binary.reverse) throw new InputError('binary patch has no reverse section', where);
  const reversed: FilePatch = {
    ...patch,
    oldPath: patch.newPath,
    newPath: patch.oldPath,
    oldMode: patch.newMode,
    newMode: patch.oldMode,
    isNew: patch.isDeleted,
    isDeleted: patch.isNew,
    oldOid: patch.newOid,
    newOid: patch.oldOid,
    hunks: patch.hunks.map(reverseHunk),
    binary: patch.binary && { forward: patch.binary.reverse!, reverse: patch.binary.forward },
  };
  for (const key of ['oldMode', 'newMode', 'oldOid', 'newOid', 'binary'] as const) if (reversed[key] === undefined) delete reversed[key];
  return reversed;
}

/** Swaps the sides of a hunk, keeping removals before additions within each change block. */
function reverseHunk(hunk: Hunk): Hunk {
  const lines: HunkLine[] = [];
  let removed: HunkLine[] = [];
  let added: HunkLine[] = [];
  const flush = (): void => {
    lines.push(...removed, ...added);
    removed = [];
    added = [];
  };
  for (const line of hunk.lines) {
    if (line.kind === ' ') {
      flush();
      lines.push(line);
    } else if (line.kind === '+') removed.push({ ...line, kind: '-' });
    else added.push({ ...line, kind: '+' });
  }
  flush();
  return { ...hunk, oldStart: hunk.newStart, oldLines: hunk.newLines, newStart: hunk.oldStart, newLines: hunk.oldLines, lines };
}
