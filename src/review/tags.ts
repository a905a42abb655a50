import type { Hunk } from '../patch/index.js';
import type { GuardMap } from './guards.js';

/**
 * What a hunk does to stock Flatcar, at a glance:
 * - `new file`: it creates a file upstream does not have;
 * - `guarded`: its added and removed lines sit inside USE guards (`flag? ( … )`, `if use flag`,
 *   `if ! use flag`, `use flag && …`), or it only adds flags to IUSE; `flags` names them;
 * - `profile`: it changes a profile file; `stockReads` tells whether a stock profile reads it;
 * - `unguarded`: anything else.
 */
export type HunkTag =
  | { readonly kind: 'new file' }
  | { readonly kind: 'guarded'; readonly flags: readonly string[] }
  | { readonly kind: 'profile'; readonly stockReads: boolean }
  | { readonly kind: 'unguarded' };

/** The guards of a file before and after the change, when it is bash. */
export interface FileGuards {
  readonly before: GuardMap | undefined;
  readonly after: GuardMap | undefined;
}

/** One line describing a tag: `guarded: agent, !agent`, `profile (read by stock)`. */
export function describeTag(tag: HunkTag): string {
  if (tag.kind === 'guarded') return `guarded: ${tag.flags.join(', ')}`;
  if (tag.kind === 'profile') return `profile (${tag.stockReads ? 'read by stock' : 'not read by stock'})`;
  return tag.kind;
}

/**
 * Tags the hunk of a changed bash file as `guarded` or `unguarded`. Blank and comment lines do not
 * count. A removed line outside any guard still counts as guarded when the hunk puts it back inside
 * one (the hunk wrapped it, in an `if` block or in a `flag? ( … )` group on the same line). IUSE lines count as guarded when they only gain flags.
 */
export function tagBashHunk(hunk: Hunk, guards: FileGuards): HunkTag {
  const flags = new Set<string>();
  const guardedAdded: string[] = [];
  const looseRemoved: string[] = [];
  const iuse = { added: [] as string[], removed: [] as string[] };
  let loose = false;
  let oldLine = hunk.oldStart;
  let newLine = hunk.newStart;
  for (const line of hunk.lines) {
    if (line.kind === ' ') {
      oldLine++;
      newLine++;
      continue;
    }
    const number = line.kind === '+' ? newLine++ : oldLine++;
    const text = line.text.trim();
    if (text === '' || text.startsWith('#')) continue;
    const map = line.kind === '+' ? guards.after : guards.before;
    const around = map?.guards.get(number);
    if (around) {
      around.forEach((flag) => flags.add(flag));
      if (line.kind === '+') guardedAdded.push(text);
    } else if (map?.iuseLines.has(number)) {
      (line.kind === '+' ? iuse.added : iuse.removed).push(text);
    } else if (line.kind === '-') {
      looseRemoved.push(text);
    } else {
      loose = true;
    }
  }
  const wrapped = guardedAdded.join('\n');
  const bareAdded = guardedAdded.map(withoutGroups);
  const isWrapped = (text: string) => wrapped.includes(text) || (withoutGroups(text) !== '' && bareAdded.some((line) => line.includes(withoutGroups(text))));
  if (!looseRemoved.every(isWrapped)) loose = true;
  const gained = iuseGain(iuse.removed, iuse.added);
  if (gained === undefined) loose = true;
  else gained.forEach((flag) => flags.add(flag));
  return loose || flags.size === 0 ? { kind: 'unguarded' } : { kind: 'guarded', flags: [...flags].sort() };
}

/** The flags IUSE lines gain, or undefined when they lose or change one. */
function iuseGain(removed: readonly string[], added: readonly string[]): string[] | undefined {
  const words = (lines: readonly string[]) =>
    lines.flatMap((line) => line.replace(/^IUSE\+?=/, '').replace(/["']/g, ' ').split(/\s+/).filter(Boolean));
  const before = new Set(words(removed));
  const after = new Set(words(added));
  if ([...before].some((word) => !after.has(word))) return undefined;
  return [...after].filter((word) => !before.has(word)).map((word) => word.replace(/^[+-]/, ''));
}

/** A line without its `flag? (` openings and the `)` closing them, whitespace squashed. */
function withoutGroups(text: string): string {
  return text
    .replace(/!?[A-Za-z0-9][A-Za-z0-9+_@-]*\?\s*\(\s*/g, '')
    .replace(/\s*\)(?=\s|["']|$)/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}
