import { posix } from 'node:path';
import { diffArrays } from 'diff/lib/diff/array.js';
import { applyEdit, EditError, type StructuredEdit } from '../edits/index.js';
import { InputError } from '../errors.js';
import { atomKey, parseAtom } from '../portage/atoms.js';
import { splitLines } from '../patch/text.js';

/** One changed region between two texts: `old` lines of the first text from line index `start` became `new`. */
export interface Chunk {
  readonly start: number;
  readonly old: readonly string[];
  readonly new: readonly string[];
}

/**
 * A change a chunk can be redone as on another version of the file: a structured edit, or a
 * USE-flag change on the one line a profile file has for a package (`atom flags…`).
 */
export type ChangeOp =
  | { readonly kind: 'edit'; readonly edit: StructuredEdit }
  | { readonly kind: 'use-line'; readonly atom: string; readonly remove: readonly string[]; readonly add: readonly string[]; readonly commentBefore?: string };

/** The changed regions from `before` to `after`, line by line, without context. */
export function changeChunks(before: string, after: string): Chunk[] {
  const chunks: Chunk[] = [];
  let line = 0;
  let current: { start: number; old: string[]; new: string[] } | undefined;
  for (const part of diffArrays(splitLines(before), splitLines(after))) {
    if (!part.added && !part.removed) {
      if (current) chunks.push(current);
      current = undefined;
      line += part.value.length;
      continue;
    }
    current ??= { start: line, old: [], new: [] };
    if (part.removed) {
      current.old.push(...part.value);
      line += part.value.length;
    } else {
      current.new.push(...part.value);
    }
  }
  if (current) chunks.push(current);
  return chunks;
}

/** `before` with only `chunks` (regions of it, as changeChunks returns them) replaced. */
export function applyChunks(before: string, chunks: readonly Chunk[]): string {
  const lines = splitLines(before);
  const out: string[] = [];
  let line = 0;
  for (const chunk of [...chunks].sort((a, b) => a.start - b.start)) {
    out.push(...lines.slice(line, chunk.start), ...chunk.new);
    line = chunk.start + chunk.old.length;
  }
  out.push(...lines.slice(line));
  return out.join('');
}

const IUSE_LINE = /^\s*IUSE="([^"$`\\]*)"\s*$/;
const ATOM_LINE = /^(\s*)([^\s#()]+)\s*$/;
const WRAPPED_LINE = /^(\s*)(!?[A-Za-z0-9][A-Za-z0-9+_@-]*)\? \( ([^\s()]+) \)\s*$/;
const USE_FILE = /^package\.use(\.force|\.mask|\.stable\.force|\.stable\.mask)?$/;

/**
 * Explains one chunk of a change to the file at `path` as operations, or returns undefined when it
 * is not one of the recognised shapes: flags added to a one-line `IUSE="…"`; dependency lines put
 * under `flag? ( … )`; lines added to a profile file; flags changed on a package's line in
 * package.use (and its force/mask variants). `before` is the whole old text, for the anchor of added lines.
 */
export function explainChunk(path: string, chunk: Chunk, before: readonly string[]): ChangeOp[] | undefined {
  const name = posix.basename(path);
  if (path.endsWith('.ebuild')) return explainIuse(chunk) ?? explainDependencies(chunk);
  if (!path.startsWith('profiles/') && !path.includes('/profiles/')) return undefined;
  if (USE_FILE.test(name)) return explainUseLines(chunk) ?? explainAddedLines(chunk, before);
  return explainAddedLines(chunk, before);
}

function explainIuse(chunk: Chunk): ChangeOp[] | undefined {
  if (chunk.old.length !== 1 || chunk.new.length !== 1) return undefined;
  const oldMatch = IUSE_LINE.exec(chunk.old[0]!.replace(/\n$/, ''));
  const newMatch = IUSE_LINE.exec(chunk.new[0]!.replace(/\n$/, ''));
  if (!oldMatch || !newMatch) return undefined;
  const oldTokens = oldMatch[1]!.split(/\s+/).filter(Boolean);
  const newTokens = newMatch[1]!.split(/\s+/).filter(Boolean);
  if (oldTokens.some((token) => !newTokens.includes(token))) return undefined;
  const added = newTokens.filter((token) => !oldTokens.includes(token));
  if (added.length === 0 || added.some((token) => !/^[+]?[A-Za-z0-9][A-Za-z0-9+_@-]*$/.test(token))) return undefined;
  return added.map((token) => ({
    kind: 'edit',
    edit: { type: 'iuse-add', flag: token.replace(/^\+/, ''), default: token.startsWith('+') ? 'on' : 'off' },
  }));
}

function explainDependencies(chunk: Chunk): ChangeOp[] | undefined {
  if (chunk.old.length === 0 || chunk.old.length !== chunk.new.length) return undefined;
  const ops: ChangeOp[] = [];
  for (let index = 0; index < chunk.old.length; index++) {
    const plain = ATOM_LINE.exec(chunk.old[index]!.replace(/\n$/, ''));
    const wrapped = WRAPPED_LINE.exec(chunk.new[index]!.replace(/\n$/, ''));
    if (!plain || !wrapped || plain[2] !== wrapped[3]) return undefined;
    const key = packageOf(plain[2]!);
    if (!key) return undefined;
    ops.push({ kind: 'edit', edit: { type: 'dep-conditional', atom: key, flag: wrapped[2]! } });
  }
  return ops;
}

function packageOf(atom: string): string | undefined {
  try {
    const parsed = parseAtom(atom);
    return parsed.blocker ? undefined : atomKey(parsed);
  } catch (error) {
    if (error instanceof InputError) return undefined;
    throw error;
  }
}

/** Lines only added, none blank: `line-add` after the line before them (or at the end of the file). */
function explainAddedLines(chunk: Chunk, before: readonly string[]): ChangeOp[] | undefined {
  if (chunk.old.length > 0 || chunk.new.length === 0) return undefined;
  const added = chunk.new.map((line) => line.replace(/\r?\n$/, ''));
  if (added.some((line) => line.trim() === '')) return undefined;
  const atEnd = chunk.start === before.length;
  let after = atEnd ? undefined : chunk.start > 0 ? before[chunk.start - 1]!.replace(/\r?\n$/, '') : undefined;
  if (!atEnd && (after === undefined || after.trim() === '')) return undefined;
  const ops: ChangeOp[] = [];
  for (const line of added) {
    ops.push({ kind: 'edit', edit: { type: 'line-add', line, ...(after === undefined ? {} : { after }) } });
    if (after !== undefined) after = line;
  }
  return ops;
}

interface UseLine {
  readonly atom: string;
  readonly flags: string[];
}

function parseUseLine(line: string): UseLine | undefined {
  const text = line.replace(/\r?\n$/, '');
  if (text.trim() === '' || text.trimStart().startsWith('#') || text.includes('#')) return undefined;
  const [atom, ...flags] = text.trim().split(/\s+/);
  return atom ? { atom, flags } : undefined;
}

/**
 * Changed package.use lines: each old `atom flags` line is either kept with other flags (possibly
 * after a commented-out copy of itself), or commented out. New lines must be those and nothing else.
 */
function explainUseLines(chunk: Chunk): ChangeOp[] | undefined {
  if (chunk.old.length === 0) return undefined;
  const olds = chunk.old.map(parseUseLine);
  if (olds.some((line) => !line) || new Set(olds.map((line) => line!.atom)).size !== olds.length) return undefined;
  const ops: ChangeOp[] = [];
  const news = [...chunk.new];
  for (const [index, old] of (olds as UseLine[]).entries()) {
    const oldText = chunk.old[index]!.replace(/\r?\n$/, '');
    let comment: string | undefined;
    if (news[0] !== undefined && /^#\s*/.test(news[0]) && news[0].replace(/^#\s*/, '').replace(/\r?\n$/, '') === oldText.trim()) {
      comment = news.shift()!.replace(/\r?\n$/, '');
    }
    const next = news[0] === undefined ? undefined : parseUseLine(news[0]);
    if (next && next.atom === old.atom) {
      news.shift();
      const remove = old.flags.filter((flag) => !next.flags.includes(flag));
      const add = next.flags.filter((flag) => !old.flags.includes(flag));
      ops.push({ kind: 'use-line', atom: old.atom, remove, add, ...(comment === undefined ? {} : { commentBefore: comment }) });
    } else if (comment !== undefined) {
      ops.push({ kind: 'use-line', atom: old.atom, remove: old.flags, add: [], commentBefore: comment });
    } else {
      return undefined;
    }
  }
  return news.length === 0 ? ops : undefined;
}

/**
 * Redoes `ops` on `text` (the file at `path`). Returns undefined when one cannot be redone: an edit
 * fails, or the package's line is missing, carries a comment, or appears more than once with every
 * flag the change removes.
 */
export function applyOps(text: string, ops: readonly ChangeOp[], path: string): string | undefined {
  let current = text;
  for (const op of ops) {
    if (op.kind === 'edit') {
      try {
        current = applyEdit(current, op.edit, { file: path, layer: 'rebase' }).text;
      } catch (error) {
        if (error instanceof EditError) return undefined;
        throw error;
      }
      continue;
    }
    const next = applyUseLine(current, op);
    if (next === undefined) return undefined;
    current = next;
  }
  return current;
}

function applyUseLine(text: string, op: Extract<ChangeOp, { kind: 'use-line' }>): string | undefined {
  const lines = splitLines(text);
  let matches = lines.flatMap((line, index) => (parseUseLine(line)?.atom === op.atom ? [index] : []));
  if (matches.length > 1 && op.remove.length > 0) matches = matches.filter((index) => op.remove.every((flag) => parseUseLine(lines[index]!)!.flags.includes(flag)));
  if (matches.length !== 1) return undefined;
  const index = matches[0]!;
  const line = lines[index]!;
  const eol = /\r?\n$/.exec(line)?.[0] ?? '';
  const body = line.slice(0, line.length - eol.length);
  const { flags } = parseUseLine(line)!;
  const separator = /^\s*\S+(\s+)/.exec(body)?.[1] ?? ' ';
  const comment = op.commentBefore === undefined ? [] : [`${/^#\s*/.exec(op.commentBefore)![0]}${body.trim()}${eol || '\n'}`];
  if (op.add.length === 0 && op.remove.length === flags.length && op.remove.every((flag) => flags.includes(flag))) {
    lines.splice(index, 1, ...(op.commentBefore === undefined ? [] : comment));
    return lines.join('');
  }
  const firstRemoved = flags.findIndex((flag) => op.remove.includes(flag));
  const kept = flags.filter((flag) => !op.remove.includes(flag));
  const added = op.add.filter((flag) => !kept.includes(flag));
  const at = firstRemoved < 0 ? kept.length : flags.slice(0, firstRemoved).filter((flag) => !op.remove.includes(flag)).length;
  kept.splice(at, 0, ...added);
  const indent = /^\s*/.exec(body)![0];
  const rewritten = `${indent}${op.atom}${kept.length ? separator + kept.join(' ') : ''}${eol}`;
  lines.splice(index, 1, ...comment, rewritten);
  return lines.join('');
}
