import { diffArrays } from 'diff/lib/diff/array.js';
import { applyEdit, EditError, type StructuredEdit } from '../edits/index.js';
import { guardedBlock, useCondition } from '../edits/functions.js';
import { dominantIndentUnit, indentBody } from '../edits/indent.js';
import { scanShell } from '../edits/shell-mask.js';
import { InputError, locate } from '../errors.js';
import { parseAtom } from '../portage/atoms.js';
import { DEPEND_VARIABLES } from '../portage/ebuild.js';
import { guardMap } from '../review/guards.js';
import { bashStructure, type TopAssignment } from './structure.js';

/** The flag a conversion guards with, and which way each side of it goes. */
export interface Guard {
  readonly flag: string;
  readonly default: 'on' | 'off';
  /** The guard under which stock behaviour is kept: `flag` when the flag is on by default, else `!flag`. */
  readonly stock: string;
  /** The guard under which the Nano change runs: the negation of `stock`. */
  readonly nano: string;
}

/** The guard for `flag` with its stock default. */
export function guardFor(flag: string, stockDefault: 'on' | 'off'): Guard {
  return stockDefault === 'on' ? { flag, default: 'on', stock: flag, nano: `!${flag}` } : { flag, default: 'off', stock: `!${flag}`, nano: flag };
}

/** What a conversion needs to know beyond the ebuild's text. */
export interface ConversionOptions {
  /**
   * What the ebuild's src_prepare runs when it defines none: the exported phase of an inherited
   * eclass (`distutils-r1_src_prepare`), for a src_prepare the conversion has to create.
   */
  readonly prepareCall?: string;
}

/** A change that was left as the layer made it, and why. */
export interface Unconverted {
  /** The line in the file as the layer leaves it (for a pure removal, the line where it was). */
  readonly line: number;
  readonly reason: string;
}

/** An ebuild's change, turned into a guarded one. */
export interface EbuildConversion {
  /** The guarded text: upstream's text with every convertible change guarded, the rest as the layer left it. */
  readonly text: string;
  /** Structured edits that turn the upstream text into `text` exactly, when there are such edits. */
  readonly edits: readonly StructuredEdit[] | undefined;
  /** What was converted, one line each. */
  readonly converted: readonly string[];
  readonly unconverted: readonly Unconverted[];
}

/** A replacement of `[from, to)` of the upstream text, and the structured edits that would do the same. */
interface Op {
  readonly from: number;
  readonly to: number;
  readonly text: string;
  /** Undefined when no structured edit expresses this replacement. */
  readonly equivalent: readonly StructuredEdit[] | undefined;
}

/** Dependency variables whose atoms come back under the flag (the rest of DEPEND_VARIABLES are not dependencies). */
const DEPENDENCIES = new Set([...DEPEND_VARIABLES].filter((name) => name.endsWith('DEPEND')));
const FILESDIR_ENTRY = /^"?\$(?:\{FILESDIR\}|FILESDIR)\/([^"\s]+)"?$/;

/**
 * Turns the unconditional changes a layer makes to an ebuild (`before` → `after`) into changes
 * guarded by `guard`: removed dependency atoms come back as `stock? ( atom )`, added ones as
 * `nano? ( atom )`; code in functions runs under `if use …` (removed), `if ! use …` (added) or both
 * (replaced); PATCHES entries become `eapply` under the flag in src_prepare; the flag joins IUSE.
 * Changes already guarded, blank lines and comments stay as the layer made them; so does whatever
 * cannot be guarded, listed with the reason.
 */
export async function conditionalizeEbuild(before: string, after: string, path: string, guard: Guard, options: ConversionOptions = {}): Promise<EbuildConversion> {
  const oldLines = splitKeepingNewlines(before);
  const newLines = splitKeepingNewlines(after);
  const { regions, oldShape, newShape } = await wholeStatements(lineRegions(oldLines, newLines), before, after, path);
  const [oldGuards, newGuards] = await Promise.all([guardMap(before, path), guardMap(after, path)]);
  const offsets = lineOffsets(oldLines);
  const unit = dominantIndentUnit(scanShell(before).mask);
  const ops: Op[] = [];
  const later: StructuredEdit[] = [];
  const converted: string[] = [];
  const unconverted: Unconverted[] = [];
  const keep = (region: Region): Op => ({ from: offsets[region.oldFrom]!, to: offsets[region.oldTo]!, text: newLines.slice(region.newFrom, region.newTo).join(''), equivalent: undefined });

  const pairs = pairAssignments(oldShape.assignments, newShape.assignments).filter(
    ([a, b]) => before.slice(a.valueStart, a.valueEnd) !== after.slice(b.valueStart, b.valueEnd),
  );
  for (const [a, b] of pairs) {
    const result = convertAssignment(a, b, before, after, guard, options);
    ops.push(...result.ops);
    later.push(...result.later);
    converted.push(...result.converted.map((what) => `line ${b.startLine}: ${what}`));
    unconverted.push(...result.problems.map((reason) => ({ line: b.startLine, reason })));
  }

  regions.forEach((region, index) => {
    const line = region.newFrom + 1;
    if (pairs.some(([a, b]) => within(region.oldFrom, region.oldTo, a) && within(region.newFrom, region.newTo, b))) return;
    const removed = oldLines.slice(region.oldFrom, region.oldTo);
    const added = newLines.slice(region.newFrom, region.newTo);
    const meaningful = (lines: string[], from: number) =>
      lines.map((text, offset) => ({ text, line: from + offset + 1 })).filter(({ text }) => !/^\s*(#.*)?$/.test(text));
    const oldCode = meaningful(removed, region.oldFrom);
    const newCode = meaningful(added, region.newFrom);
    const layout = (lines: readonly string[]) => lines.map((text) => text.trimEnd()).join('\n');
    if (layout(removed) === layout(added)) {
      ops.push(keep(region)); // only trailing blanks or the final newline differ: nothing a build does changes
      return;
    }
    const alreadyGuarded = oldCode.every(({ line: at }) => oldGuards.guards.has(at)) && newCode.every(({ line: at }) => newGuards.guards.has(at));
    if (alreadyGuarded) {
      ops.push(keep(region));
      return;
    }
    const problem = (removed.length > 0 ? oldShape.places[index]!.problem : undefined) ?? (added.length > 0 ? newShape.places[index]!.problem : undefined);
    if (problem) {
      ops.push(keep(region));
      unconverted.push({ line, reason: problem });
      return;
    }
    const place = (added.length > 0 ? newShape : oldShape).places[index]!;
    const block = guardedCode(trimBlank(removed), trimBlank(added), guard, unit);
    const lead = leadingBlank(added);
    const trail = trailingBlank(added);
    const atEnd = removed.length === 0 && place.direct && /^\s*}\s*$/.test(newLines.slice(region.newTo).find((text) => text.trim() !== '') ?? '');
    const equivalent: StructuredEdit[] | undefined =
      atEnd && place.fn && lead.length === 0 && trail.length === 0
        ? [{ type: 'phase-append', phase: place.fn, flag: guard.nano, body: indentBody(trimBlank(added).join(''), '').join('\n') }]
        : undefined;
    ops.push({ from: offsets[region.oldFrom]!, to: offsets[region.oldTo]!, text: [...lead, ...block, ...trail].join(''), equivalent });
    const what = removed.length === 0 ? `runs the added lines only under ${useCondition(guard.nano)}` : added.length === 0 ? `keeps the removed lines under ${useCondition(guard.stock)}` : `keeps the old lines under ${useCondition(guard.stock)}, the new ones in its else branch`;
    converted.push(`line ${line}${place.fn ? ` (${place.fn})` : ''}: ${what}`);
  });

  if (converted.length === 0) return { text: after, edits: undefined, converted, unconverted };
  const iuse: StructuredEdit = { type: 'iuse-add', flag: guard.flag, default: guard.default };
  const text = applyAll(spliceAll(before, ops), [iuse, ...later], path);
  converted.unshift(`IUSE: ${guard.default === 'on' ? '+' : ''}${guard.flag}`);
  return { text, edits: structuredEquivalent(before, text, ops, [iuse, ...later], path), converted, unconverted };
}

interface Region {
  readonly oldFrom: number;
  readonly oldTo: number;
  readonly newFrom: number;
  readonly newTo: number;
}

/** The runs of changed lines between two line lists (0-based, end exclusive). */
function lineRegions(oldLines: readonly string[], newLines: readonly string[]): Region[] {
  const regions: Region[] = [];
  let oldAt = 0;
  let newAt = 0;
  let open: { oldFrom: number; newFrom: number } | undefined;
  const close = () => {
    if (open) regions.push({ oldFrom: open.oldFrom, oldTo: oldAt, newFrom: open.newFrom, newTo: newAt });
    open = undefined;
  };
  for (const change of diffArrays([...oldLines], [...newLines])) {
    if (!change.added && !change.removed) {
      close();
      oldAt += change.value.length;
      newAt += change.value.length;
      continue;
    }
    open ??= { oldFrom: oldAt, newFrom: newAt };
    if (change.added) newAt += change.value.length;
    else oldAt += change.value.length;
  }
  close();
  return regions;
}

/**
 * Widens every region that cuts through a statement inside a function (part of a multi-line
 * assignment, loop or string) to the whole statement, on both sides (the lines around a region are
 * the same in both texts), merging regions that meet, until every region is whole statements or
 * cuts through something no widening mends (global scope).
 */
async function wholeStatements(start: Region[], before: string, after: string, path: string) {
  let regions = start;
  for (let round = 0; ; round++) {
    const [oldShape, newShape] = await Promise.all([
      bashStructure(before, regions.map((region) => ({ from: region.oldFrom + 1, to: region.oldTo })), path),
      bashStructure(after, regions.map((region) => ({ from: region.newFrom + 1, to: region.newTo })), path),
    ]);
    let widened = false;
    const next = regions.map((region, index) => {
      let grow = { before: 0, after: 0 };
      const want = (crossed: { first: number; last: number } | undefined, from: number, to: number) => {
        if (!crossed) return;
        grow = { before: Math.max(grow.before, from - (crossed.first - 1)), after: Math.max(grow.after, crossed.last - to) };
      };
      if (region.oldTo > region.oldFrom) want(oldShape.places[index]!.crossed, region.oldFrom, region.oldTo);
      if (region.newTo > region.newFrom) want(newShape.places[index]!.crossed, region.newFrom, region.newTo);
      if (grow.before <= 0 && grow.after <= 0) return region;
      widened = true;
      const by = { before: Math.max(grow.before, 0), after: Math.max(grow.after, 0) };
      return { oldFrom: region.oldFrom - by.before, oldTo: region.oldTo + by.after, newFrom: region.newFrom - by.before, newTo: region.newTo + by.after };
    });
    if (!widened || round >= 16) return { regions, oldShape, newShape };
    regions = mergeRegions(next);
  }
}

/** Joins regions that overlap or touch. */
function mergeRegions(regions: readonly Region[]): Region[] {
  const merged: Region[] = [];
  for (const region of regions) {
    const last = merged.at(-1);
    if (last && region.oldFrom <= last.oldTo && region.newFrom <= last.newTo) {
      merged[merged.length - 1] = { oldFrom: last.oldFrom, oldTo: Math.max(last.oldTo, region.oldTo), newFrom: last.newFrom, newTo: Math.max(last.newTo, region.newTo) };
    } else {
      merged.push(region);
    }
  }
  return merged;
}

/** Whether lines `[from, to)` (0-based) lie inside the assignment; an empty range must fall strictly inside it. */
function within(from: number, to: number, assignment: TopAssignment): boolean {
  if (from === to) return from + 1 > assignment.startLine && from + 1 <= assignment.endLine;
  return from + 1 >= assignment.startLine && to <= assignment.endLine;
}

/** Assignments of the same variable, matched in order of appearance. */
function pairAssignments(before: readonly TopAssignment[], after: readonly TopAssignment[]): [TopAssignment, TopAssignment][] {
  const pairs: [TopAssignment, TopAssignment][] = [];
  const seen = new Map<string, number>();
  for (const a of before) {
    const index = seen.get(a.name) ?? 0;
    seen.set(a.name, index + 1);
    const b = after.filter((entry) => entry.name === a.name)[index];
    if (b) pairs.push([a, b]);
  }
  return pairs;
}

interface AssignmentResult {
  ops: Op[];
  later: StructuredEdit[];
  converted: string[];
  problems: string[];
}

interface Token {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

function tokens(text: string, offset: number): Token[] {
  return [...text.matchAll(/\S+/g)].map((match) => ({ text: match[0], start: offset + match.index, end: offset + match.index + match[0].length }));
}

/** Converts the change of one variable: dependencies, IUSE and PATCHES; anything else is left as it is. */
function convertAssignment(a: TopAssignment, b: TopAssignment, before: string, after: string, guard: Guard, options: ConversionOptions): AssignmentResult {
  const result: AssignmentResult = { ops: [], later: [], converted: [], problems: [] };
  const keepAll = () => result.ops.push({ from: a.valueStart, to: a.valueEnd, text: after.slice(b.valueStart, b.valueEnd), equivalent: undefined });
  const oldTokens = tokens(before.slice(a.valueStart, a.valueEnd), a.valueStart);
  const newTokens = tokens(after.slice(b.valueStart, b.valueEnd), b.valueStart);
  const diff = tokenDiff(oldTokens, newTokens, after, b.valueStart);

  if (a.name === 'IUSE' && !a.isArray) {
    const lost = diff.removed.map((entry) => entry.token.text);
    if (lost.length > 0) {
      result.problems.push(`removes or changes IUSE entries (${lost.join(' ')}); that changes stock builds`);
      keepAll();
      return result;
    }
    const own = diff.added.filter((entry) => entry.token.text.replace(/^[+-]/, '') === guard.flag);
    const wanted = `${guard.default === 'on' ? '+' : ''}${guard.flag}`;
    for (const { token } of own) {
      if (token.text !== wanted) result.converted.push(`IUSE: the layer declares '${token.text}'; written as '${wanted}' so that stock builds keep their behaviour`);
    }
    const gained = diff.added.filter((entry) => !own.includes(entry)).map((entry) => entry.token.text);
    // The layer's own declaration of the flag goes: the iuse-add every conversion ends with writes it with the right default.
    let value = after.slice(b.valueStart, b.valueEnd);
    for (const { token } of [...own].sort((x, y) => y.token.start - x.token.start)) {
      const start = token.start - b.valueStart;
      const space = /[ \t]*$/.exec(value.slice(0, start))![0].length;
      value = value.slice(0, start - space) + value.slice(token.end - b.valueStart);
    }
    result.ops.push({
      from: a.valueStart,
      to: a.valueEnd,
      text: value,
      equivalent: gained.map((word) => ({ type: 'iuse-add', flag: word.replace(/^[+-]/, ''), default: word.startsWith('+') ? 'on' : 'off' })),
    });
    return result;
  }

  if (DEPENDENCIES.has(a.name) && !a.isArray) {
    const isAtom = (text: string) => !text.includes('$') && text.includes('/') && (() => { try { parseAtom(text); return true; } catch { return false; } })();
    const odd = [...diff.removed, ...diff.added].filter((entry) => !isAtom(entry.token.text));
    if (odd.length > 0 && diff.removed.length === 0 && groupsUnderFlag(after.slice(b.valueStart, b.valueEnd), diff.added.map((entry) => entry.token.text), guard)) {
      result.ops.push({ from: a.valueStart, to: a.valueEnd, text: after.slice(b.valueStart, b.valueEnd), equivalent: undefined });
      result.converted.push(`${a.name}: the layer already puts its atoms under ${guard.stock}? ( … ) or ${guard.nano}? ( … )`);
      return result;
    }
    if (odd.length > 0) {
      result.problems.push(`changes ${a.name} beyond whole atoms (${odd.map((entry) => entry.token.text).join(' ')})`);
      keepAll();
      return result;
    }
    for (const { token } of diff.removed) {
      const atom = parseAtom(token.text);
      const dep: StructuredEdit = { type: 'dep-conditional', variable: a.name, atom: `${atom.category}/${atom.package}`, flag: guard.stock };
      result.ops.push({ from: token.start, to: token.end, text: `${guard.stock}? ( ${token.text} )`, equivalent: atom.blocker ? undefined : [dep] });
      result.converted.push(`${a.name}: ${token.text} kept as ${guard.stock}? ( … )`);
    }
    for (const { token, at, space } of diff.added) {
      const wrapped = `${guard.nano}? ( ${token.text} )`;
      const insert = at === undefined ? `${space}${wrapped}${/^\s/.test(before.slice(a.valueStart, a.valueEnd)) ? '' : ' '}` : `${space || ' '}${wrapped}`;
      result.ops.push({ from: at ?? a.valueStart, to: at ?? a.valueStart, text: insert, equivalent: undefined });
      result.converted.push(`${a.name}: ${token.text} added as ${guard.nano}? ( … )`);
    }
    return result;
  }

  if (a.name === 'PATCHES' && a.isArray) {
    const odd = [...diff.removed, ...diff.added].filter((entry) => !FILESDIR_ENTRY.test(entry.token.text));
    if (odd.length > 0) {
      result.problems.push(`changes PATCHES entries outside FILESDIR (${odd.map((entry) => entry.token.text).join(' ')})`);
      keepAll();
      return result;
    }
    for (const { token, previousEnd } of diff.removed) {
      const patch = FILESDIR_ENTRY.exec(token.text)![1]!;
      result.ops.push({ from: previousEnd ?? token.start, to: token.end, text: '', equivalent: undefined });
      result.later.push({ type: 'patches-add', flag: guard.stock, patch, ...prepare(options) });
      result.converted.push(`PATCHES: ${patch} applied in src_prepare under ${useCondition(guard.stock)}`);
    }
    for (const { token } of diff.added) {
      const patch = FILESDIR_ENTRY.exec(token.text)![1]!;
      result.later.push({ type: 'patches-add', flag: guard.nano, patch, ...prepare(options) });
      result.converted.push(`PATCHES: ${patch} applied in src_prepare under ${useCondition(guard.nano)}`);
    }
    return result;
  }

  result.problems.push(`changes the variable ${a.name}, which is not a dependency variable, IUSE or PATCHES`);
  keepAll();
  return result;
}

/** The `prepareCall` of a patches-add edit: only when it is not plain `default`. */
function prepare(options: ConversionOptions): { prepareCall?: string } {
  return options.prepareCall && options.prepareCall !== 'default' ? { prepareCall: options.prepareCall } : {};
}

/**
 * Whether the only tokens a dependency value gained are `flag? (` groups of the guard's flag (either
 * way) and their `)`, with the atoms inside them whole: existing atoms moved under the flag.
 */
function groupsUnderFlag(value: string, added: readonly string[], guard: Guard): boolean {
  const opens = added.filter((token) => token === `${guard.stock}?` || token === `${guard.nano}?`).length;
  const count = (tokens: readonly string[], wanted: string) => tokens.filter((token) => token === wanted).length;
  const words = value.split(/\s+/).filter(Boolean);
  return (
    opens > 0 &&
    added.length === 3 * opens &&
    count(added, '(') === opens &&
    count(added, ')') === opens &&
    count(words, '(') === count(words, ')')
  );
}

/**
 * The tokens only the old value has (with the end of the token before, for removing it with its
 * space) and the tokens only the new value has (with where they go in the old text, undefined for
 * its start, and the whitespace written before them in the new text).
 */
function tokenDiff(oldTokens: readonly Token[], newTokens: readonly Token[], newText: string, newStart: number) {
  const removed: { token: Token; previousEnd: number | undefined }[] = [];
  const added: { token: Token; at: number | undefined; space: string }[] = [];
  let oldAt = 0;
  let newAt = 0;
  for (const change of diffArrays(oldTokens.map((token) => token.text), newTokens.map((token) => token.text))) {
    for (let i = 0; i < change.value.length; i++) {
      if (change.removed) {
        removed.push({ token: oldTokens[oldAt]!, previousEnd: oldTokens[oldAt - 1]?.end });
        oldAt++;
      } else if (change.added) {
        const token = newTokens[newAt]!;
        const space = newText.slice(newTokens[newAt - 1]?.end ?? newStart, token.start);
        added.push({ token, at: oldTokens[oldAt - 1]?.end, space });
        newAt++;
      } else {
        oldAt++;
        newAt++;
      }
    }
  }
  return { removed, added };
}

function splitKeepingNewlines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

function lineOffsets(lines: readonly string[]): number[] {
  const offsets = [0];
  for (const line of lines) offsets.push(offsets.at(-1)! + line.length);
  return offsets;
}

const isBlank = (line: string) => line.trim() === '';

function trimBlank(lines: readonly string[]): string[] {
  let start = 0;
  let end = lines.length;
  while (start < end && isBlank(lines[start]!)) start++;
  while (end > start && isBlank(lines[end - 1]!)) end--;
  return lines.slice(start, end);
}

function leadingBlank(lines: readonly string[]): string[] {
  const first = lines.findIndex((line) => !isBlank(line));
  return first === -1 ? [...lines] : lines.slice(0, first);
}

function trailingBlank(lines: readonly string[]): string[] {
  if (lines.every(isBlank)) return [];
  let end = lines.length;
  while (end > 0 && isBlank(lines[end - 1]!)) end--;
  return lines.slice(end);
}

const HEREDOC = /<<-?\s*['"]?[A-Za-z_]\w*/;

/** `if use …; then <old> [else <new>] fi`, or `if ! use …; then <new> fi`, one level deeper than the code. */
function guardedCode(removed: readonly string[], added: readonly string[], guard: Guard, unit: string): string[] {
  const code = [...removed, ...added].filter((line) => !isBlank(line));
  const heredoc = code.some((line) => HEREDOC.test(line));
  const leads = code.map((line) => /^[ \t]*/.exec(line)![0]);
  const indent = heredoc ? leads[0]! : leads.reduce((shortest, lead) => (lead.length < shortest.length ? lead : shortest));
  // A heredoc's body and terminator must stay exactly as written: such code is guarded without re-indenting.
  const deeper = (lines: readonly string[]) =>
    heredoc ? [...lines] : lines.map((line) => (isBlank(line) ? '\n' : `${indent}${unit}${line.slice(indent.length).trimEnd()}\n`));
  if (removed.length === 0) return guardedBlock(guard.nano, deeper(added).map((line) => line.replace(/\n$/, '')), indent).map((line) => `${line}\n`);
  const head = `${indent}if ${useCondition(guard.stock)}; then\n`;
  if (added.length === 0) return [head, ...deeper(removed), `${indent}fi\n`];
  return [head, ...deeper(removed), `${indent}else\n`, ...deeper(added), `${indent}fi\n`];
}

function spliceAll(text: string, ops: readonly Op[]): string {
  let result = text;
  const ordered = ops.map((op, index) => ({ op, index })).sort((x, y) => y.op.from - x.op.from || y.index - x.index);
  for (const { op } of ordered) result = result.slice(0, op.from) + op.text + result.slice(op.to);
  return result;
}

function applyAll(text: string, edits: readonly StructuredEdit[], path: string): string {
  let result = text;
  for (const edit of edits) {
    try {
      result = applyEdit(result, edit, { file: path, layer: 'conditionalize' }).text;
    } catch (error) {
      if (error instanceof EditError) throw new InputError(error.message, locate(path));
      throw error;
    }
  }
  return result;
}

/** The structured edits that turn `before` into `text` exactly, or undefined when there are none. */
function structuredEquivalent(before: string, text: string, ops: readonly Op[], later: readonly StructuredEdit[], path: string): StructuredEdit[] | undefined {
  if (ops.some((op) => op.equivalent === undefined)) return undefined;
  const [iuse, ...rest] = later;
  const edits = [iuse!, ...ops.flatMap((op) => op.equivalent!), ...rest];
  try {
    return applyAll(before, edits, path) === text ? edits : undefined;
  } catch {
    return undefined;
  }
}
