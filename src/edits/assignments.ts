import { lineEnd } from './source-text.js';

/** A variable assignment written at the start of a line: `NAME="…"`, `NAME+='…'` or `NAME=word`. */
export interface Assignment {
  readonly name: string;
  /** `NAME+=`. */
  readonly append: boolean;
  /** The whitespace before the name; empty for a top-level assignment. */
  readonly indent: string;
  /** The quote around the value, or '' for an unquoted one. */
  readonly quote: '"' | "'" | '';
  /** Index of the value's first character (inside the quotes). */
  readonly valueStart: number;
  /** Index after the value's last character (before the closing quote). */
  readonly valueEnd: number;
  /** Index after the assignment (after the closing quote). */
  readonly end: number;
}

const ASSIGNMENT = /^([ \t]*)(?:(?:export|local|declare)[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)(\+?=)/gm;

/**
 * The scalar assignments, in file order, of the variables `wanted` accepts. `mask` is the
 * file's `scanShell` view, so text inside strings, comments and heredocs is never taken for code.
 * Array assignments (`NAME=(…)`) are not scalars and are left out.
 */
export function findAssignments(text: string, mask: string, wanted: (name: string) => boolean): Assignment[] {
  const found: Assignment[] = [];
  for (const match of mask.matchAll(ASSIGNMENT)) {
    const name = match[2]!;
    if (!wanted(name)) continue;
    const open = match.index + match[0].length;
    const first = mask[open];
    if (first === '(') continue;
    const base = { name, append: match[3] === '+=', indent: match[1]! };
    if (first === '"' || first === "'") {
      const close = mask.indexOf(first, open + 1);
      const valueEnd = close === -1 ? text.length : close;
      found.push({ ...base, quote: first, valueStart: open + 1, valueEnd, end: Math.min(valueEnd + 1, text.length) });
    } else {
      const word = /^[^\s;&|]*/.exec(mask.slice(open, lineEnd(mask, open)))![0];
      found.push({ ...base, quote: '', valueStart: open, valueEnd: open + word.length, end: open + word.length });
    }
  }
  return found;
}
