import { InputError } from '../errors.js';

/**
 * Package versions as the Package Manager Specification defines them (PMS §3.2 syntax, §3.3
 * comparison): numeric components, an optional letter, suffixes `_alpha`, `_beta`, `_pre`, `_rc`,
 * `_p` each with an optional number, and an optional `-rN` revision.
 */

/** Version suffix kinds in ascending order of precedence. */
export const SUFFIX_KINDS = ['alpha', 'beta', 'pre', 'rc', 'p'] as const;
export type SuffixKind = (typeof SUFFIX_KINDS)[number];

export interface VersionSuffix {
  readonly kind: SuffixKind;
  /** The digits after the suffix name as written ('' when absent, which counts as 0). */
  readonly number: string;
}

export interface Version {
  /** The version as written, including any revision. */
  readonly text: string;
  /** Numeric components as written (leading zeros matter for comparison). */
  readonly numbers: readonly string[];
  readonly letter: string | undefined;
  readonly suffixes: readonly VersionSuffix[];
  /** The revision digits as written ('' when there is no `-rN`, which counts as r0). */
  readonly revision: string;
}

const VERSION_RE = /^(\d+(?:\.\d+)*)([a-z])?((?:_(?:alpha|beta|pre|rc|p)\d*)*)(?:-r(\d+))?$/;
const SUFFIX_RE = /_(alpha|beta|pre|rc|p)(\d*)/g;

/** Versions parsed so far: package listings ask about the same file names again and again. */
const parsedVersions = new Map<string, Version | undefined>();

/** Parses a version, or returns undefined when `text` is not valid PMS version syntax. */
export function tryParseVersion(text: string): Version | undefined {
  if (parsedVersions.has(text)) return parsedVersions.get(text);
  const version = parseVersionText(text);
  if (parsedVersions.size > 50_000) parsedVersions.clear();
  parsedVersions.set(text, version);
  return version;
}

function parseVersionText(text: string): Version | undefined {
  const match = VERSION_RE.exec(text);
  if (!match) return undefined;
  const suffixes = [...(match[3] ?? '').matchAll(SUFFIX_RE)].map((s) => ({
    kind: s[1] as SuffixKind,
    number: s[2] ?? '',
  }));
  return {
    text,
    numbers: match[1]!.split('.'),
    letter: match[2],
    suffixes,
    revision: match[4] ?? '',
  };
}

/** Parses a version; throws an InputError when `text` is not valid PMS version syntax. */
export function parseVersion(text: string, source?: string): Version {
  const version = tryParseVersion(text);
  if (!version) throw new InputError(`invalid version '${text}'`, source);
  return version;
}

function asVersion(v: string | Version): Version {
  return typeof v === 'string' ? parseVersion(v) : v;
}

function sign(n: number): -1 | 0 | 1 {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

/** Compares two unsigned decimal integers of any length given as digit strings ('' is 0). */
export function compareIntegers(a: string, b: string): -1 | 0 | 1 {
  const x = a.replace(/^0+/, '');
  const y = b.replace(/^0+/, '');
  if (x.length !== y.length) return sign(x.length - y.length);
  return x < y ? -1 : x > y ? 1 : 0;
}

function compareStrings(a: string, b: string): -1 | 0 | 1 {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * PMS Algorithm 3.3: the first component compares as an integer; a later component that starts
 * with `0` on either side compares as a string with trailing zeros stripped, otherwise as integers.
 */
function compareNumberComponent(a: string, b: string, first: boolean): -1 | 0 | 1 {
  if (first || (!a.startsWith('0') && !b.startsWith('0'))) return compareIntegers(a, b);
  return compareStrings(a.replace(/0+$/, ''), b.replace(/0+$/, ''));
}

function compareNumbers(a: readonly string[], b: readonly string[]): -1 | 0 | 1 {
  const common = Math.min(a.length, b.length);
  for (let i = 0; i < common; i++) {
    const c = compareNumberComponent(a[i]!, b[i]!, i === 0);
    if (c !== 0) return c;
  }
  return sign(a.length - b.length);
}

function compareSuffixes(a: readonly VersionSuffix[], b: readonly VersionSuffix[]): -1 | 0 | 1 {
  const common = Math.min(a.length, b.length);
  for (let i = 0; i < common; i++) {
    const kinds = sign(SUFFIX_KINDS.indexOf(a[i]!.kind) - SUFFIX_KINDS.indexOf(b[i]!.kind));
    if (kinds !== 0) return kinds;
    const numbers = compareIntegers(a[i]!.number, b[i]!.number);
    if (numbers !== 0) return numbers;
  }
  // A further suffix makes a version newer only when it is `_p`.
  if (a.length > common) return a[common]!.kind === 'p' ? 1 : -1;
  if (b.length > common) return b[common]!.kind === 'p' ? -1 : 1;
  return 0;
}

function compareLetters(a: string | undefined, b: string | undefined): -1 | 0 | 1 {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  return compareStrings(a, b);
}

/** Compares two versions per PMS §3.3, ignoring revisions: -1, 0 or 1. */
export function compareVersionsWithoutRevision(a: string | Version, b: string | Version): -1 | 0 | 1 {
  const x = asVersion(a);
  const y = asVersion(b);
  return compareNumbers(x.numbers, y.numbers) || compareLetters(x.letter, y.letter) || compareSuffixes(x.suffixes, y.suffixes);
}

/** Compares two versions per PMS §3.3 (so `1.0-r1` equals `1.0-r01` and `1.0` equals `1.00`): -1, 0 or 1. */
export function compareVersions(a: string | Version, b: string | Version): -1 | 0 | 1 {
  const x = asVersion(a);
  const y = asVersion(b);
  return compareVersionsWithoutRevision(x, y) || compareIntegers(x.revision, y.revision);
}

/** The version without its `-rN` revision, as written. */
export function withoutRevision(version: string): string {
  parseVersion(version);
  return version.replace(/-r\d+$/, '');
}

/** The revision number of a version (0 when it has none). */
export function revisionOf(version: string): number {
  return Number(parseVersion(version).revision || '0');
}

/**
 * True when `candidate` matches the glob `=pattern*`: `pattern` is a prefix of `candidate` that
 * ends on a boundary between version parts (so `1*` matches `1.2` and `1a` but not `10`, and `1.2_rc*`
 * matches `1.2_rc1`), the way Portage matches globs. Leading zeros of the first component are ignored.
 */
export function versionMatchesGlob(pattern: string | Version, candidate: string | Version): boolean {
  const p = asVersion(pattern).text.replace(/^0+(?=\d)/, '');
  const c = asVersion(candidate).text.replace(/^0+(?=\d)/, '');
  if (!c.startsWith(p)) return false;
  const next = c.charAt(p.length);
  return next === '' || '._-'.includes(next) || isDigit(p.charAt(p.length - 1)) !== isDigit(next);
}

function isDigit(char: string): boolean {
  return char >= '0' && char <= '9';
}
