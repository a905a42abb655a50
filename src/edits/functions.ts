import { missingAnchor } from './edit-error.js';
import { codeIndents, dominantIndentUnit } from './indent.js';
import { lineEnd, lineStart, splice, squashWhitespace } from './source-text.js';
import type { EditContext } from './types.js';

/** A shell function definition `name() {…}` (or `name()` and `{` on the next line). */
export interface ShellFunction {
  /** The indentation of the line holding the name. */
  readonly indent: string;
  /** Index of the opening `{`. */
  readonly open: number;
  /** Index of the closing `}`. */
  readonly close: number;
  /** The indent unit of the body: its indentation relative to the definition line. */
  readonly unit: string;
}

const BRACE_BEFORE = /[\s;&|(]/;
const CLOSE_AFTER = /[\s;&|)<>]/;

/**
 * Finds the first definition of function `name` in a file's `scanShell` view; undefined when there
 * is none, an EditError when its closing brace is missing.
 */
export function findFunction(mask: string, name: string, ctx: EditContext): ShellFunction | undefined {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const definition = new RegExp(`^([ \\t]*)(?:function[ \\t]+)?${escaped}[ \\t]*\\([ \\t]*\\)[ \\t]*\\n?[ \\t]*\\{(?=\\s|$)`, 'm');
  const match = definition.exec(mask);
  if (!match) return undefined;
  const indent = match[1]!;
  const open = match.index + match[0].length - 1;
  const close = matchingBrace(mask, open);
  if (close === undefined) throw missingAnchor(ctx, `the closing brace of ${name}()`);
  const bodyIndents = codeIndents(mask, lineEnd(mask, open) + 1, lineStart(mask, close)).filter(
    (line) => line.startsWith(indent) && line.length > indent.length,
  );
  const shortest = bodyIndents.reduce<string | undefined>((a, b) => (a === undefined || b.length < a.length ? b : a), undefined);
  const unit = shortest === undefined ? dominantIndentUnit(mask) : shortest.slice(indent.length);
  return { indent, open, close, unit };
}

/** The `}` closing the `{` at `open`, counting only braces that stand as shell reserved words. */
function matchingBrace(mask: string, open: number): number | undefined {
  let depth = 0;
  for (let i = open + 1; i < mask.length; i++) {
    const c = mask[i];
    if (c !== '{' && c !== '}') continue;
    const before = i === 0 ? '\n' : mask[i - 1]!;
    const after = mask[i + 1] ?? '\n';
    if (c === '{' && BRACE_BEFORE.test(before) && /\s/.test(after)) depth++;
    if (c === '}' && /[\s;&]/.test(before) && CLOSE_AFTER.test(after)) {
      if (depth === 0) return i;
      depth--;
    }
  }
  return undefined;
}

/** The bash test for a guard flag: `use flag`, or `! use flag` for `!flag`. */
export function useCondition(flag: string): string {
  return flag.startsWith('!') ? `! use ${flag.slice(1)}` : `use ${flag}`;
}

/** The lines of `if <useCondition>; then … fi` at `indent`. */
export function guardedBlock(flag: string, bodyLines: readonly string[], indent: string): string[] {
  return [`${indent}if ${useCondition(flag)}; then`, ...bodyLines, `${indent}fi`];
}

/** Whether the function's text holds `lines`, ignoring whitespace. */
export function functionHolds(text: string, fn: ShellFunction, lines: readonly string[]): boolean {
  return squashWhitespace(text.slice(fn.open, fn.close + 1)).includes(squashWhitespace(lines.join('\n')));
}

/**
 * Inserts `lines` (already indented for the body) at the start or the end of the function's body.
 * A function whose braces share lines with code (`f() { x; }`) is rewritten with `{` ending its
 * line and `}` on a line of its own; everything else is left as it was.
 */
export function insertIntoFunction(text: string, fn: ShellFunction, lines: readonly string[], where: 'start' | 'end'): string {
  const block = lines.join('\n');
  const bodyIndent = fn.indent + fn.unit;
  const closeLine = lineStart(text, fn.close);
  if (closeLine <= fn.open) {
    const code = withoutCommandEnd(text.slice(fn.open + 1, fn.close).trim());
    const inner = code === '' ? [block] : where === 'start' ? [block, bodyIndent + code] : [bodyIndent + code, block];
    return splice(text, fn.open, fn.close + 1, `{\n${inner.join('\n')}\n${fn.indent}}`);
  }
  if (where === 'start') {
    const openLineEnd = lineEnd(text, fn.open);
    const head = text.slice(fn.open + 1, openLineEnd).trim();
    if (head === '' || head.startsWith('#')) return splice(text, openLineEnd + 1, openLineEnd + 1, `${block}\n`);
    return splice(text, fn.open, openLineEnd, `{\n${block}\n${bodyIndent}${head}`);
  }
  const tail = text.slice(closeLine, fn.close);
  if (tail.trim() === '') return splice(text, closeLine, closeLine, `${block}\n`);
  return splice(text, closeLine, fn.close + 1, `${withoutCommandEnd(tail)}\n${block}\n${fn.indent}}`);
}

/** Appends `name() { … }` holding `lines` at the end of the file, after a blank line. */
export function appendFunction(text: string, name: string, lines: readonly string[]): string {
  const separator = text === '' ? '' : text.endsWith('\n\n') ? '' : text.endsWith('\n') ? '\n' : '\n\n';
  return `${text}${separator}${name}() {\n${lines.join('\n')}\n}\n`;
}

/** `code` without the `;` and whitespace that ended it before a `}`. */
function withoutCommandEnd(code: string): string {
  return code.replace(/[\s;]+$/, '');
}
