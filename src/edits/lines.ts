import { missingAnchor } from './edit-error.js';
import type { EditContext, EditResult, LineAdd, LineRemove } from './types.js';

/** A line-oriented file split into lines, remembering its line ending and final newline. */
interface Lines {
  readonly lines: string[];
  readonly eol: '\n' | '\r\n';
  readonly finalNewline: boolean;
}

function splitLines(text: string): Lines {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const finalNewline = text.endsWith(eol);
  const body = finalNewline ? text.slice(0, -eol.length) : text;
  return { lines: text === '' ? [] : body.split(eol), eol, finalNewline };
}

function joinLines({ lines, eol, finalNewline }: Lines): string {
  return lines.length === 0 ? '' : lines.join(eol) + (finalNewline ? eol : '');
}

const sameLine = (a: string, b: string): boolean => a.trim() === b.trim();

/**
 * Adds `edit.line` at the end of the file, or after the first line equal to `edit.after`
 * (trimmed). Already applied when the file holds the line anywhere. Keeps the file's line ending
 * and whether it ends with a newline (an empty file gets one).
 */
export function applyLineAdd(text: string, edit: LineAdd, ctx: EditContext): EditResult {
  const file = splitLines(text);
  if (file.lines.some((line) => sameLine(line, edit.line))) return { text, status: 'already-applied' };
  const lines = [...file.lines];
  if (edit.after === undefined) {
    lines.push(edit.line);
  } else {
    const anchor = lines.findIndex((line) => sameLine(line, edit.after!));
    if (anchor === -1) throw missingAnchor(ctx, `line '${edit.after.trim()}'`);
    lines.splice(anchor + 1, 0, edit.line);
  }
  return { text: joinLines({ ...file, lines, finalNewline: file.finalNewline || text === '' }), status: 'applied' };
}

/**
 * Removes every line equal to `edit.line` (trimmed). When there is none the desired state already
 * holds: already applied, not an error.
 */
export function applyLineRemove(text: string, edit: LineRemove): EditResult {
  const file = splitLines(text);
  const lines = file.lines.filter((line) => !sameLine(line, edit.line));
  if (lines.length === file.lines.length) return { text, status: 'already-applied' };
  return { text: joinLines({ ...file, lines }), status: 'applied' };
}
