import { deflateSync } from 'node:zlib';
import { encodeBase85Lines } from './base85.js';
import { fromByteString, quotePath } from './text.js';
import type { BinaryHunk, FilePatch, Hunk } from './types.js';

/**
 * Writes patches back as `git diff` text that `git apply` and parsePatch accept:
 * parsePatch(formatPatch(p)) gives p back. Hunk text that is not UTF-8 cannot live in a string; use
 * formatPatchBytes for such patches.
 */
export function formatPatch(patches: readonly FilePatch[]): string {
  return fromByteString(patches.map(formatFilePatch).join(''));
}

/** formatPatch as bytes, exact for any content. */
export function formatPatchBytes(patches: readonly FilePatch[]): Buffer {
  return Buffer.from(patches.map(formatFilePatch).join(''), 'latin1');
}

function formatFilePatch(patch: FilePatch): string {
  const oldName = patch.oldPath ?? patch.newPath!;
  const newName = patch.newPath ?? patch.oldPath!;
  let text = `diff --git ${quotePath('a/', oldName)} ${quotePath('b/', newName)}\n`;
  const modeLineNeeded = !patch.hunks.length && !patch.binary;
  if (patch.isNew && (patch.newMode || modeLineNeeded)) text += `new file mode ${patch.newMode ?? '100644'}\n`;
  else if (patch.isDeleted && (patch.oldMode || modeLineNeeded)) text += `deleted file mode ${patch.oldMode ?? '100644'}\n`;
  else if (patch.oldMode && patch.newMode && patch.oldMode !== patch.newMode) text += `old mode ${patch.oldMode}\nnew mode ${patch.newMode}\n`;
  if (patch.similarity !== undefined) text += `similarity index ${patch.similarity}%\n`;
  if (patch.dissimilarity !== undefined) text += `dissimilarity index ${patch.dissimilarity}%\n`;
  const relation = patch.isCopy ? 'copy' : patch.isRename ? 'rename' : undefined;
  if (relation) text += `${relation} from ${quotePath('', oldName)}\n${relation} to ${quotePath('', newName)}\n`;
  if (patch.oldOid !== undefined && patch.newOid !== undefined) {
    const sameMode = !patch.isNew && !patch.isDeleted && patch.oldMode !== undefined && patch.oldMode === patch.newMode;
    text += `index ${patch.oldOid}..${patch.newOid}${sameMode ? ` ${patch.oldMode}` : ''}\n`;
  }
  if (patch.binary) {
    text += 'GIT binary patch\n' + formatBinaryHunk(patch.binary.forward);
    if (patch.binary.reverse) text += formatBinaryHunk(patch.binary.reverse);
  } else if (patch.hunks.length) {
    text += `--- ${headerName('a/', patch.oldPath)}\n+++ ${headerName('b/', patch.newPath)}\n`;
    text += patch.hunks.map(formatHunk).join('');
  }
  return text;
}

/** A `---`/`+++` name; unquoted names with spaces get a trailing tab, as git writes them for GNU patch. */
function headerName(prefix: string, path: string | null): string {
  if (path === null) return '/dev/null';
  const name = quotePath(prefix, path);
  return !name.startsWith('"') && name.includes(' ') ? `${name}\t` : name;
}

function formatHunk(hunk: Hunk): string {
  const range = (start: number, count: number): string => (count === 1 ? `${start}` : `${start},${count}`);
  let text = `@@ -${range(hunk.oldStart, hunk.oldLines)} +${range(hunk.newStart, hunk.newLines)} @@${hunk.header}\n`;
  for (const line of hunk.lines) {
    text += `${line.kind}${line.text}\n`;
    if (line.noNewlineAtEnd) text += '\\ No newline at end of file\n';
  }
  return text;
}

function formatBinaryHunk(hunk: BinaryHunk): string {
  return `${hunk.method} ${hunk.data.length}\n${encodeBase85Lines(deflateSync(hunk.data))}\n`;
}
