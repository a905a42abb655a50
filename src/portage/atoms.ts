import { InputError } from '../errors.js';
import { isPackageName, splitPackageVersion } from './ebuild-path.js';
import { compareVersions, compareVersionsWithoutRevision, versionMatchesGlob } from './versions.js';

/**
 * Package dependency atoms (PMS §8.3): `[!|!!][op]category/package[-version[*]][:slot[/sub][=]|:=|:*][::repo][usedeps]`.
 */

/** Version operators; `=*` is `=` with a trailing `*` on the version. */
export type AtomOperator = '=' | '>=' | '<=' | '<' | '>' | '~' | '=*';

/**
 * One USE dependency: `flag` (enabled), `-flag` (disabled), `flag=` (same as the parent), `!flag=`
 * (opposite of the parent), `flag?` (enabled if enabled in the parent), `!flag?` (disabled if
 * disabled in the parent); `missingDefault` is the `(+)`/`(-)` default for packages without the flag.
 */
export interface UseDependency {
  readonly flag: string;
  readonly kind: 'enabled' | 'disabled' | 'equal' | 'opposite' | 'ifEnabled' | 'ifDisabled';
  readonly missingDefault: '+' | '-' | undefined;
}

export interface Atom {
  readonly blocker: '!' | '!!' | undefined;
  readonly operator: AtomOperator | undefined;
  readonly category: string;
  readonly package: string;
  /** The version including any revision, without the glob `*`; set exactly when `operator` is. */
  readonly version: string | undefined;
  readonly slot: string | undefined;
  readonly subslot: string | undefined;
  /** `=` for `:=`/`:slot=`, `*` for `:*`. */
  readonly slotOperator: '=' | '*' | undefined;
  readonly repo: string | undefined;
  readonly useDeps: readonly UseDependency[];
}

/** An installed or available package to match an atom against. */
export interface PackageCandidate {
  /** `category/package-version[-rN]`. */
  readonly cpv: string;
  readonly slot?: string;
  readonly subslot?: string;
  readonly repo?: string;
}

const CATEGORY_RE = /^[A-Za-z0-9_][A-Za-z0-9+_.-]*$/;
const SLOT_RE = /^[A-Za-z0-9_][A-Za-z0-9+_.-]*$/;
const REPO_RE = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;
const USE_FLAG_RE = /^[A-Za-z0-9][A-Za-z0-9+_@-]*$/;
const USE_DEP_RE = /^(!|-)?([^()=?!]+)(\([+-]\))?([=?])?$/;
const OPERATORS = ['>=', '<=', '=', '<', '>', '~'] as const;

function parseUseDependency(text: string, atom: string, source?: string): UseDependency {
  const match = USE_DEP_RE.exec(text);
  const flag = match?.[2] ?? '';
  if (!match || !USE_FLAG_RE.test(flag)) throw new InputError(`invalid USE dependency '${text}' in atom '${atom}'`, source);
  const [, prefix, , defaultPart, suffix] = match;
  const missingDefault = defaultPart ? (defaultPart[1] as '+' | '-') : undefined;
  const kinds: Record<string, UseDependency['kind'] | undefined> = {
    '|': 'enabled',
    '-|': 'disabled',
    '|=': 'equal',
    '!|=': 'opposite',
    '|?': 'ifEnabled',
    '!|?': 'ifDisabled',
  };
  const kind = kinds[`${prefix ?? ''}|${suffix ?? ''}`];
  if (!kind) throw new InputError(`invalid USE dependency '${text}' in atom '${atom}'`, source);
  return { flag, kind, missingDefault };
}

/** Parses an atom; throws an InputError naming `source` when it is malformed. */
export function parseAtom(text: string, source?: string): Atom {
  const fail = (why: string): never => {
    throw new InputError(`invalid atom '${text}': ${why}`, source);
  };
  let rest = text;
  const blocker = rest.startsWith('!!') ? '!!' : rest.startsWith('!') ? '!' : undefined;
  rest = rest.slice(blocker?.length ?? 0);
  let operator: AtomOperator | undefined = OPERATORS.find((op) => rest.startsWith(op));
  rest = rest.slice(operator?.length ?? 0);

  let useDeps: UseDependency[] = [];
  const bracket = rest.indexOf('[');
  if (bracket >= 0) {
    if (!rest.endsWith(']')) fail('USE dependencies must close the atom');
    useDeps = rest
      .slice(bracket + 1, -1)
      .split(',')
      .map((dep) => parseUseDependency(dep, text, source));
    rest = rest.slice(0, bracket);
  }

  let repo: string | undefined;
  const repoAt = rest.indexOf('::');
  if (repoAt >= 0) {
    repo = rest.slice(repoAt + 2);
    if (!REPO_RE.test(repo)) fail(`bad repository name '${repo}'`);
    rest = rest.slice(0, repoAt);
  }

  let slot: string | undefined;
  let subslot: string | undefined;
  let slotOperator: '=' | '*' | undefined;
  const colon = rest.indexOf(':');
  if (colon >= 0) {
    let slotText = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (slotText === '*' || slotText.endsWith('=')) {
      slotOperator = slotText === '*' ? '*' : '=';
      slotText = slotText.slice(0, -1);
    }
    if (slotText === '' && !slotOperator) fail('empty slot');
    if (slotText !== '') {
      [slot, subslot] = slotText.split('/') as [string, string | undefined];
      if (!SLOT_RE.test(slot) || (subslot !== undefined && !SLOT_RE.test(subslot)) || slotText.split('/').length > 2) {
        fail(`bad slot '${slotText}'`);
      }
    }
  }

  const slash = rest.indexOf('/');
  if (slash < 0 || rest.indexOf('/', slash + 1) >= 0) fail('expected category/package');
  const category = rest.slice(0, slash);
  let name = rest.slice(slash + 1);
  if (!CATEGORY_RE.test(category)) fail(`bad category '${category}'`);

  let version: string | undefined;
  if (operator) {
    if (name.endsWith('*')) {
      if (operator !== '=') fail("'*' is only allowed with '='");
      operator = '=*';
      name = name.slice(0, -1);
    }
    const split = splitPackageVersion(name);
    if (!split) fail('an operator needs a version');
    ({ package: name, version } = split!);
    if (operator === '~' && /-r\d+$/.test(version!)) fail("'~' does not take a revision");
  }
  if (!isPackageName(name)) fail(`bad package name '${name}'`);
  return { blocker, operator, category, package: name, version, slot, subslot, slotOperator, repo, useDeps };
}

/**
 * The entries (package-file lines, masks) whose atom names the package of `cpv`, in their order: an
 * atom names one category/package, so no other entry can match it. Indexed once per (unchanging)
 * list; all of them when `cpv` is no `category/package-version` (atomMatches then says why).
 */
export function entriesNaming<T extends { readonly atom: Atom }>(entries: readonly T[], cpv: string): readonly T[] {
  if (entries.length === 0) return entries;
  const name = packageOf(cpv);
  if (name === undefined) return entries;
  let index = entryIndexes.get(entries);
  if (!index) {
    index = new Map();
    for (const entry of entries) {
      const key = `${entry.atom.category}/${entry.atom.package}`;
      const named = index.get(key);
      if (named) named.push(entry);
      else index.set(key, [entry]);
    }
    entryIndexes.set(entries, index);
  }
  return (index.get(name) ?? []) as T[];
}

/** The `category/package` of each `cpv` asked (undefined for no `category/package-version`): the same few are asked again and again. */
const packages = new Map<string, string | undefined>();

function packageOf(cpv: string): string | undefined {
  if (packages.has(cpv)) return packages.get(cpv);
  const slash = cpv.indexOf('/');
  const split = slash < 0 ? undefined : splitPackageVersion(cpv.slice(slash + 1));
  const name = split && `${cpv.slice(0, slash)}/${split.package}`;
  if (packages.size >= 4096) packages.clear();
  packages.set(cpv, name);
  return name;
}

const entryIndexes = new WeakMap<readonly { readonly atom: Atom }[], Map<string, { readonly atom: Atom }[]>>();

/** Formats an atom back into its canonical text. */
export function formatAtom(atom: Atom): string {
  const op = atom.operator === '=*' ? '=' : (atom.operator ?? '');
  const version = atom.version === undefined ? '' : `-${atom.version}${atom.operator === '=*' ? '*' : ''}`;
  const slot =
    atom.slot === undefined && atom.slotOperator === undefined
      ? ''
      : `:${atom.slot ?? ''}${atom.subslot === undefined ? '' : `/${atom.subslot}`}${atom.slotOperator ?? ''}`;
  const repo = atom.repo === undefined ? '' : `::${atom.repo}`;
  const use = atom.useDeps.length === 0 ? '' : `[${atom.useDeps.map(formatUseDependency).join(',')}]`;
  return `${atom.blocker ?? ''}${op}${atom.category}/${atom.package}${version}${slot}${repo}${use}`;
}

function formatUseDependency(dep: UseDependency): string {
  const flag = `${dep.flag}${dep.missingDefault ? `(${dep.missingDefault})` : ''}`;
  switch (dep.kind) {
    case 'enabled':
      return flag;
    case 'disabled':
      return `-${flag}`;
    case 'equal':
      return `${flag}=`;
    case 'opposite':
      return `!${flag}=`;
    case 'ifEnabled':
      return `${flag}?`;
    case 'ifDisabled':
      return `!${flag}?`;
  }
}

/** `category/package` of an atom. */
export function atomKey(atom: Atom): string {
  return `${atom.category}/${atom.package}`;
}

/**
 * True when the package `candidate` satisfies `atom`'s name, version, slot and repository (a blocker
 * matches the packages it blocks). Slot and repository are checked only when the candidate names
 * them; USE dependencies are not checked, as they depend on the candidate's configuration.
 */
export function atomMatches(atom: Atom, candidate: PackageCandidate): boolean {
  // Most atoms name another package: a prefix test answers them without parsing the version.
  if (!candidate.cpv.startsWith(`${atom.category}/${atom.package}`)) {
    if (!candidate.cpv.includes('/')) throw new InputError(`invalid package '${candidate.cpv}': expected category/package-version`);
    return false;
  }
  const slash = candidate.cpv.indexOf('/');
  const split = splitPackageVersion(candidate.cpv.slice(slash + 1));
  if (slash < 0 || !split) throw new InputError(`invalid package '${candidate.cpv}': expected category/package-version`);
  if (candidate.cpv.slice(0, slash) !== atom.category || split.package !== atom.package) return false;
  if (atom.slot !== undefined && candidate.slot !== undefined && atom.slot !== candidate.slot) return false;
  if (atom.subslot !== undefined && candidate.subslot !== undefined && atom.subslot !== candidate.subslot) return false;
  if (atom.repo !== undefined && candidate.repo !== undefined && atom.repo !== candidate.repo) return false;
  if (atom.operator === undefined || atom.version === undefined) return true;
  const order = compareVersions(split.version, atom.version);
  switch (atom.operator) {
    case '=':
      return order === 0;
    case '>=':
      return order >= 0;
    case '<=':
      return order <= 0;
    case '<':
      return order < 0;
    case '>':
      return order > 0;
    case '~':
      return compareVersionsWithoutRevision(split.version, atom.version) === 0;
    case '=*':
      return versionMatchesGlob(atom.version, split.version);
  }
}
