import { expect } from 'vitest';
import { applyEdit, type StructuredEdit } from '../../src/edits/index.js';
import { ctx } from './fixtures.js';
/** The one region in which two texts differ, as lines: what `after` replaced in `before`. */
export function changedLines(before: string, after: string): { removed: string[]; added: string[] } {
  const a = before.split('\n');
  const b = after.split('\n');
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  return { removed: a.slice(head, a.length - tail), added: b.slice(head, b.length - tail) };
}

/** Applies `edit` to `text`, checks that it applied and that a second application changes nothing; returns the edited text. */
export function applyTwice(text: string, edit: StructuredEdit): string {
  const first = applyEdit(text, edit, ctx);
  expect(first.status).toBe('applied');
  expect(applyEdit(first.text, edit, ctx)).toEqual({ text: first.text, status: 'already-applied' });
  return first.text;
}
