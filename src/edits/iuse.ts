import { findAssignments, type Assignment } from './assignments.js';
import { EditError, missingAnchor } from './edit-error.js';
import { dominantIndentUnit } from './indent.js';
import { maskForEdit } from './shell-mask.js';
import { lineEnd, lineStart, splice } from './source-text.js';
import type { EditContext, EditResult, IuseAdd } from './types.js';

/** Variables after which a missing IUSE line is created, the last one written wins. */
const IUSE_NEIGHBOURS = new Set(['DESCRIPTION', 'HOMEPAGE', 'LICENSE', 'SLOT', 'KEYWORDS']);

/**
 * Declares `edit.flag` in IUSE. The entry goes into the first plain `IUSE=` assignment (else the
 * first `IUSE+=`), on a line of its own when the value spans lines; with no IUSE at all, a line
 * `IUSE="+flag"` is created after the last top-level DESCRIPTION/HOMEPAGE/LICENSE/SLOT/KEYWORDS,
 * else after `inherit`, else after EAPI. A flag already declared with the other default is an error.
 */
export function applyIuseAdd(text: string, edit: IuseAdd, ctx: EditContext): EditResult {
  const mask = maskForEdit(text, ctx);
  const entry = edit.default === 'on' ? `+${edit.flag}` : edit.flag;
  const iuse = findAssignments(text, mask, (name) => name === 'IUSE');
  for (const assignment of iuse) {
    for (const token of text.slice(assignment.valueStart, assignment.valueEnd).split(/\s+/)) {
      if (token.replace(/^[+-]/, '') !== edit.flag) continue;
      const declared = token.startsWith('+') ? 'on' : 'off';
      if (declared === edit.default) return { text, status: 'already-applied' };
      throw new EditError(ctx, `IUSE already declares '${token}', not '${entry}'`);
    }
  }
  const target = iuse.find((assignment) => !assignment.append) ?? iuse[0];
  if (target) return { text: addToValue(text, mask, target, entry), status: 'applied' };
  const after = lineAfterNeighbours(text, mask);
  if (after === undefined) throw missingAnchor(ctx, 'IUSE, nor a DESCRIPTION, HOMEPAGE, LICENSE, SLOT, KEYWORDS, inherit or EAPI line to add it after');
  return { text: splice(text, after, after, `\nIUSE="${entry}"`), status: 'applied' };
}

function addToValue(text: string, mask: string, assignment: Assignment, entry: string): string {
  const value = text.slice(assignment.valueStart, assignment.valueEnd);
  const contentEnd = assignment.valueStart + value.trimEnd().length;
  if (assignment.quote === '') {
    const words = value === '' ? entry : `${value} ${entry}`;
    return splice(text, assignment.valueStart, assignment.valueEnd, `"${words}"`);
  }
  if (!value.includes('\n')) {
    if (value.trim() === '') return splice(text, assignment.valueStart, assignment.valueEnd, entry);
    const before = sortedPosition(value, entry);
    if (before !== undefined) return splice(text, assignment.valueStart + before, assignment.valueStart + before, `${entry} `);
    return splice(text, contentEnd, contentEnd, ` ${entry}`);
  }
  const entriesStart = lineEnd(text, assignment.valueStart) + 1;
  const entryLines = text
    .slice(entriesStart, assignment.valueEnd)
    .split('\n')
    .filter((line) => line.trim() !== '');
  const oneEntryALine = entryLines.every((line) => line.trim().split(/\s+/).length === 1);
  const before = oneEntryALine ? sortedPosition(text.slice(entriesStart, assignment.valueEnd), entry) : undefined;
  if (before !== undefined) {
    const at = lineStart(text, entriesStart + before);
    return splice(text, at, at, `${text.slice(at, entriesStart + before)}${entry}\n`);
  }
  const lastEntry = entryLines.at(-1);
  const indent = lastEntry === undefined ? assignment.indent + dominantIndentUnit(mask) : /^[ \t]*/.exec(lastEntry)![0];
  const closingLine = lineStart(text, assignment.valueEnd);
  if (text.slice(closingLine, assignment.valueEnd).trim() === '') {
    return splice(text, closingLine, closingLine, `${indent}${entry}\n`);
  }
  return splice(text, contentEnd, contentEnd, `\n${indent}${entry}`);
}

/**
 * Where `entry` goes in an IUSE value whose flags (two or more) are in alphabetical order, `+`/`-`
 * aside: the offset in `value` of the first flag that sorts after it, or undefined when the value
 * is in no such order or every flag sorts before it (the entry is then appended).
 */
function sortedPosition(value: string, entry: string): number | undefined {
  const tokens = [...value.matchAll(/\S+/g)].map((match) => ({ name: match[0].replace(/^[+-]/, ''), at: match.index }));
  const names = tokens.map((token) => token.name);
  if (tokens.length < 2 || names.some((name, index) => index > 0 && names[index - 1]! > name)) return undefined;
  const name = entry.replace(/^[+-]/, '');
  return tokens.find((token) => token.name > name)?.at;
}

/** The index where a new top-level line belongs (the end of the anchor line), or undefined. */
function lineAfterNeighbours(text: string, mask: string): number | undefined {
  const topLevel = findAssignments(text, mask, () => true).filter((assignment) => assignment.indent === '');
  const neighbour = topLevel.filter((assignment) => IUSE_NEIGHBOURS.has(assignment.name)).at(-1);
  if (neighbour) return lineEnd(text, neighbour.end);
  const inherit = [...mask.matchAll(/^inherit(?=[ \t])(?:[^\n]*\\\n)*[^\n]*/gm)].at(-1);
  if (inherit) return inherit.index + inherit[0].length;
  const eapi = topLevel.find((assignment) => assignment.name === 'EAPI');
  return eapi ? lineEnd(text, eapi.end) : undefined;
}
