import { posix } from 'node:path';
import { parseAtom, type Atom } from '../portage/atoms.js';
import { PROFILE_FILE_NAMES } from '../portage/profiles.js';

/** Profile files as the checks read them: which kind a path is, and its content lines with atoms and words. */

/** The profile file name a path belongs to (`package.use` for `profiles/x/package.use/extra` too), or undefined. */
export function profileFileName(path: string): string | undefined {
  if (!path.startsWith('profiles/')) return undefined;
  const segments = path.split('/').slice(1);
  const index = segments.findIndex((segment) => (PROFILE_FILE_NAMES as readonly string[]).includes(segment));
  if (index < 0 || posix.basename(path).startsWith('.')) return undefined;
  return segments[index];
}

/** Profile files whose lines start with an atom. */
export const ATOM_LINE_FILES: ReadonlySet<string> = new Set([
  'package.use',
  'package.use.force',
  'package.use.mask',
  'package.use.stable.force',
  'package.use.stable.mask',
  'package.mask',
  'package.unmask',
  'package.accept_keywords',
  'package.keywords',
  'packages',
  'packages.build',
]);

/** A line without its comment, split into words (empty for a comment or blank line). */
export function contentWords(line: string): string[] {
  return line.replace(/(^|\s)#.*$/, '').split(/\s+/).filter(Boolean);
}

/** The atom a line of an atom-line profile file starts with (`*atom` in `packages`, `-atom` removals), or undefined. */
export function lineAtom(fileName: string, words: readonly string[]): Atom | undefined {
  const first = words[0];
  if (!first) return undefined;
  const text = fileName === 'packages' || fileName === 'packages.build' ? first.replace(/^-?\*?/, '') : first.replace(/^-(?=[A-Za-z0-9<>=~])/, '');
  try {
    return parseAtom(text);
  } catch {
    return undefined;
  }
}

/** The meaningful content of a profile file: its lines without comments, whitespace collapsed. */
export function meaningfulContent(text: string): string {
  return text
    .split('\n')
    .map((line) => contentWords(line).join(' '))
    .filter(Boolean)
    .join('\n');
}
