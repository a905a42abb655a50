/**
 * A lexical view of bash source, enough to find assignments, function bodies and braces in an
 * ebuild without being fooled by quoted text, comments, heredocs or expansions.
 */

import { missingAnchor } from './edit-error.js';
import type { EditContext } from './types.js';

/** The character that replaces non-code characters in a mask. */
const MASKED = '_';

/**
 * `scanShell(text).mask` for an edit: fails with an EditError when the text ends inside a quote,
 * substitution or heredoc, since nothing could then be placed reliably after it.
 */
export function maskForEdit(text: string, ctx: EditContext): string {
  const { mask, unterminated } = scanShell(text);
  if (unterminated) throw missingAnchor(ctx, 'the end of every quote, substitution and heredoc (the file is not complete shell code)');
  return mask;
}

/**
 * Returns as `mask` the text with the same length and the same newlines, in which everything that
 * is not shell code is replaced by `_`: the insides of quotes (the quote characters stay),
 * comments, heredoc bodies, `${…}`, `$(…)` and backtick substitutions (the `$` stays). A regex run
 * on the mask only matches code; its indices are valid in `text`. `unterminated` tells that the
 * text ends inside one of those constructs.
 */
export function scanShell(text: string): { mask: string; unterminated: boolean } {
  const chars = text.split('');
  const hide = (from: number, to: number): void => {
    for (let i = from; i < to && i < chars.length; i++) if (chars[i] !== '\n') chars[i] = MASKED;
  };
  const scanner = new Scanner(text, hide);
  scanner.code(0, false);
  return { mask: chars.join(''), unterminated: scanner.unterminated };
}

interface Heredoc {
  readonly delimiter: string;
  readonly stripTabs: boolean;
}

const HEREDOC_START = /^<<(-?)[ \t]*(?:'([^'\n]*)'|"([^"\n]*)"|\\?([A-Za-z_][A-Za-z0-9_.-]*))/;
const WORD_BREAK = new Set([' ', '\t', '\n', ';', '&', '|', '(', ')']);

class Scanner {
  /** Set when the text ends inside a construct. */
  unterminated = false;

  constructor(
    private readonly text: string,
    private readonly hide: (from: number, to: number) => void,
  ) {}

  /**
   * Scans code from `i`. When `nested` (inside `$(`), stops after the `)` that closes it; the
   * return value is the index after the construct. Masks only at the top level.
   */
  code(i: number, nested: boolean): number {
    const { text } = this;
    const mask = nested ? () => undefined : this.hide;
    const pending: Heredoc[] = [];
    let depth = 0;
    while (i < text.length) {
      const c = text[i]!;
      if (c === '\\') {
        i += 2;
      } else if (c === '\n') {
        i = this.heredocBodies(i + 1, pending, mask);
        pending.length = 0;
      } else if (c === "'") {
        const end = this.until(i + 1, "'");
        mask(i + 1, end - 1);
        i = end;
      } else if (c === '"') {
        const end = this.doubleQuoted(i + 1);
        mask(i + 1, end - 1);
        i = end;
      } else if (c === '`') {
        const end = this.backticks(i + 1);
        mask(i + 1, end - 1);
        i = end;
      } else if (c === '$') {
        const end = this.dollar(i + 1);
        mask(i + 1, end);
        i = end;
      } else if (c === '#' && (i === 0 || WORD_BREAK.has(text[i - 1]!))) {
        const end = text.indexOf('\n', i);
        const stop = end === -1 ? text.length : end;
        mask(i, stop);
        i = stop;
      } else if (text.startsWith('<<<', i)) {
        i += 3;
      } else if (text.startsWith('<<', i)) {
        const match = HEREDOC_START.exec(text.slice(i, i + 200));
        if (match) {
          pending.push({ delimiter: match[2] ?? match[3] ?? match[4] ?? '', stripTabs: match[1] === '-' });
          i += match[0].length;
        } else {
          i += 2;
        }
      } else if (nested && c === '(') {
        depth++;
        i++;
      } else if (nested && c === ')') {
        i++;
        if (depth === 0) return i;
        depth--;
      } else {
        i++;
      }
    }
    if (nested || pending.length > 0) this.unterminated = true;
    return text.length;
  }

  /** Skips the heredoc bodies that start at `i`; returns the index after the last delimiter line. */
  private heredocBodies(i: number, heredocs: readonly Heredoc[], mask: (from: number, to: number) => void): number {
    for (const heredoc of heredocs) {
      const start = i;
      let closed = false;
      while (i < this.text.length && !closed) {
        const newline = this.text.indexOf('\n', i);
        const line = this.text.slice(i, newline === -1 ? this.text.length : newline);
        closed = (heredoc.stripTabs ? line.replace(/^\t+/, '') : line) === heredoc.delimiter;
        if (closed) mask(start, i);
        i = newline === -1 ? this.text.length : newline + 1;
      }
      if (!closed) {
        mask(start, i);
        this.unterminated = true;
      }
    }
    return i;
  }

  /** Index after the next unescaped `close` at or after `i`. */
  private until(i: number, close: string): number {
    while (i < this.text.length) {
      const c = this.text[i]!;
      if (c === '\\' && close !== "'") i += 2;
      else if (c === close) return i + 1;
      else i++;
    }
    this.unterminated = true;
    return this.text.length;
  }

  private backticks(i: number): number {
    return this.until(i, '`');
  }

  /** Index after the closing `"` of a string whose content starts at `i`. */
  private doubleQuoted(i: number): number {
    const { text } = this;
    while (i < text.length) {
      const c = text[i]!;
      if (c === '\\') i += 2;
      else if (c === '"') return i + 1;
      else if (c === '`') i = this.backticks(i + 1);
      else if (c === '$') i = this.dollar(i + 1);
      else i++;
    }
    this.unterminated = true;
    return text.length;
  }

  /** Index after an expansion whose `$` is just before `i` (`${…}`, `$(…)`, `$'…'`, or plain). */
  private dollar(i: number): number {
    const c = this.text[i];
    if (c === '(') return this.code(i + 1, true);
    if (c === '{') return this.braced(i + 1);
    if (c === "'") return this.until(i + 1, "'");
    return i;
  }

  /** Index after the `}` closing a `${` whose content starts at `i`. */
  private braced(i: number): number {
    const { text } = this;
    while (i < text.length) {
      const c = text[i]!;
      if (c === '\\') i += 2;
      else if (c === '}') return i + 1;
      else if (c === '"') i = this.doubleQuoted(i + 1);
      else if (c === '$') i = this.dollar(i + 1);
      else i++;
    }
    this.unterminated = true;
    return text.length;
  }
}
