import { posix } from 'node:path';
import { InputError, locate } from '../errors.js';
import type { ReadableTree } from '../tree/types.js';
import { atomMatches, entriesNaming, formatAtom, parseAtom, type Atom, type PackageCandidate } from './atoms.js';
import { parseMakeDefaults, trackedWords, type TrackedValue } from './make-defaults.js';

/**
 * Portage profiles: the `parent` chain of a profile directory, the USE settings each directory holds
 * (`make.defaults` USE, `package.use`, `use.force`, `package.use.force`, `use.mask`,
 * `package.use.mask`), and the USE a package gets under a profile, in Portage's order of precedence.
 */

/** One incremental USE word (`flag`, `-flag`, or `-*` as flag `*` negated) and where it was written. */
export interface FlagSetting {
  readonly flag: string;
  readonly negated: boolean;
  readonly source: string;
}

/** A `package.use`-style line: an atom and its flag settings. */
export interface PackageFlagLine {
  readonly atom: Atom;
  readonly flags: readonly FlagSetting[];
  readonly source: string;
}

/** A `package.mask` or `package.unmask` line: an atom, or (`negated`) `-atom` taking back a parent's line. */
export interface PackageAtomLine {
  readonly atom: Atom;
  readonly negated: boolean;
  readonly source: string;
}

/** A `package.accept_keywords` or `package.keywords` line: an atom and the keywords it names (possibly none). */
export interface PackageKeywordsLine {
  readonly atom: Atom;
  readonly keywords: readonly string[];
  readonly source: string;
}

/** One profile directory and the USE settings it holds. */
export interface ProfileNode {
  /** The repository holding it (the overlay's or a master's name). */
  readonly repo: string;
  /** Its directory, relative to that repository's root (`profiles/coreos/amd64/generic`). */
  readonly dir: string;
  /** Its parents in `parent` file order: `repo:dir` and the line naming it. */
  readonly parents: readonly { readonly key: string; readonly source: string }[];
  /** Every variable `make.defaults` sets, after expansion. */
  readonly variables: ReadonlyMap<string, TrackedValue>;
  readonly use: readonly FlagSetting[];
  readonly packageUse: readonly PackageFlagLine[];
  readonly useForce: readonly FlagSetting[];
  readonly packageUseForce: readonly PackageFlagLine[];
  readonly useMask: readonly FlagSetting[];
  readonly packageUseMask: readonly PackageFlagLine[];
  /** `use.stable`, `use.stable.force` and friends: like their plain twins, for versions the profile takes as stable only. */
  readonly useStable: readonly FlagSetting[];
  readonly packageUseStable: readonly PackageFlagLine[];
  readonly useStableForce: readonly FlagSetting[];
  readonly packageUseStableForce: readonly PackageFlagLine[];
  readonly useStableMask: readonly FlagSetting[];
  readonly packageUseStableMask: readonly PackageFlagLine[];
  readonly packageMask: readonly PackageAtomLine[];
  /** Empty where Portage does not read `package.unmask` (profile EAPI below 7 without portage-1/2 formats). */
  readonly packageUnmask: readonly PackageAtomLine[];
  readonly packageAcceptKeywords: readonly PackageKeywordsLine[];
  readonly packageKeywords: readonly PackageKeywordsLine[];
  /** The files of this directory (not of its subprofiles), relative to the repository root. */
  readonly files: readonly string[];
}

/** A parent that could not be loaded because its repository is not available. */
export interface SkippedParent {
  readonly parent: string;
  /** The `parent` file line naming it. */
  readonly source: string;
  readonly reason: string;
}

/** A repository's own `profiles/package.mask` and `profiles/package.unmask`, which apply to its packages only. */
export interface RepositoryMasks {
  readonly repo: string;
  /** The repositories whose `profiles/package.mask` this one inherits (`masters` in layout.conf). */
  readonly masters: readonly string[];
  readonly packageMask: readonly PackageAtomLine[];
  readonly packageUnmask: readonly PackageAtomLine[];
}

/** A profile with its parents resolved. */
export interface Profile {
  /** Every profile directory in Portage's order: each directory after its parents, the profile itself last. */
  readonly chain: readonly ProfileNode[];
  readonly skipped: readonly SkippedParent[];
  /** The repository-wide masks of the overlay and its master, when loaded by loadProfile. */
  readonly repositories?: readonly RepositoryMasks[];
}

export interface LoadProfileOptions {
  /** The master repository (portage-stable), when its profiles should be read. */
  readonly masters?: ReadableTree;
  /** The overlay's repository name; read from `profiles/repo_name` when omitted. */
  readonly repoName?: string;
  /** Names that refer to the master repository in `parent` lines. */
  readonly masterNames?: readonly string[];
  /** Reads to share with other loads from the same trees (see ProfileReads); a load keeps its own otherwise. */
  readonly reads?: ProfileReads;
}

/**
 * The profile directories and repository files loads have read, by tree, so that profiles sharing
 * parents (every stock profile inherits Gentoo's base) read and parse each directory once. Share one
 * only among loads from trees that do not change meanwhile.
 */
export class ProfileReads {
  private readonly byTree = new WeakMap<ReadableTree, Map<string, Promise<unknown>>>();

  /** What `read()` gave for `key` in `tree`, read the first time it is asked for. */
  once<T>(tree: ReadableTree, key: string, read: () => Promise<T>): Promise<T> {
    let known = this.byTree.get(tree);
    if (!known) this.byTree.set(tree, (known = new Map()));
    let value = known.get(key) as Promise<T> | undefined;
    if (!value) known.set(key, (value = read()));
    return value;
  }
}

/** A profile file a build reads (whether or not it exists), relative to its repository's root. */
export interface ProfileFile {
  readonly repo: string;
  readonly path: string;
}

/** How one flag of a package ends up, and the `file:line` (or `IUSE`) that decided it. */
export interface FlagDecision {
  readonly enabled: boolean;
  readonly source: string;
  readonly forced: boolean;
  readonly masked: boolean;
}

/** The profile files Portage reads from each profile directory (each may also be a directory of files). */
export const PROFILE_FILE_NAMES = [
  'parent',
  'eapi',
  'deprecated',
  'make.defaults',
  'packages',
  'packages.build',
  'package.provided',
  'package.mask',
  'package.unmask',
  'package.accept_keywords',
  'package.keywords',
  'package.use',
  'package.use.force',
  'package.use.mask',
  'package.use.stable',
  'package.use.stable.force',
  'package.use.stable.mask',
  'use.stable',
  'use.force',
  'use.mask',
  'use.stable.force',
  'use.stable.mask',
  'profile.bashrc',
] as const;

/** The profiles stock Flatcar images are built with (binary packages under `generic`, images under `prod`). */
export const STOCK_PROFILES = ['coreos/amd64/generic', 'coreos/amd64/generic/prod', 'coreos/arm64/generic', 'coreos/arm64/generic/prod'] as const;

const DEFAULT_MASTER_NAMES = ['portage-stable', 'gentoo'];
const FLAG_WORD_RE = /^(-?)([A-Za-z0-9][A-Za-z0-9+_@-]*|\*)$/;

/** The lines of a profile file without comments and blank lines, each with its `file:line`. */
function contentLines(text: string, file: string): { words: string[]; source: string }[] {
  return text.split('\n').flatMap((line, index) => {
    const words = line.replace(/(^|\s)#.*$/, '').split(/\s+/).filter(Boolean);
    return words.length ? [{ words, source: locate(file, index + 1) }] : [];
  });
}

function parseFlagWord(word: string, source: string): FlagSetting {
  const match = FLAG_WORD_RE.exec(word);
  if (!match || (match[2] === '*' && !match[1])) throw new InputError(`invalid USE flag '${word}'`, source);
  return { flag: match[2]!, negated: match[1] === '-', source };
}

function parseFlagLines(text: string, file: string): FlagSetting[] {
  return contentLines(text, file).flatMap(({ words, source }) => words.map((word) => parseFlagWord(word, source)));
}

function parsePackageFlagLines(text: string, file: string): PackageFlagLine[] {
  return contentLines(text, file).map(({ words, source }) => ({
    atom: parseAtom(words[0]!, source),
    flags: words.slice(1).map((word) => parseFlagWord(word, source)),
    source,
  }));
}

/** Parses `package.mask`-style lines: one atom a line, `-atom` taking one back. */
function parsePackageAtomLines(text: string, file: string): PackageAtomLine[] {
  return contentLines(text, file).map(({ words, source }) => {
    const negated = words[0]!.startsWith('-');
    return { atom: parseAtom(negated ? words[0]!.slice(1) : words[0]!, source), negated, source };
  });
}

function parsePackageKeywordsLines(text: string, file: string): PackageKeywordsLine[] {
  return contentLines(text, file).map(({ words, source }) => ({ atom: parseAtom(words[0]!, source), keywords: words.slice(1), source }));
}

/** The `profile-formats` of a repository's `metadata/layout.conf`. */
async function profileFormats(tree: ReadableTree): Promise<string[]> {
  const text = (await tree.read('metadata/layout.conf'))?.data.toString('utf8') ?? '';
  const line = text.split('\n').find((candidate) => /^\s*profile-formats\s*=/.test(candidate));
  return line ? line.replace(/^[^=]*=/, '').split(/\s+/).filter(Boolean) : [];
}

/** True when a profile directory may hold `package.unmask` (and file directories): EAPI 7 or later, or portage-1/2 formats. */
function allowsPortage1(formats: readonly string[], eapi: string): boolean {
  return formats.some((format) => ['portage-1', 'portage-1-compat', 'portage-2'].includes(format)) || (/^\d+$/.test(eapi) && Number(eapi) >= 7);
}

interface Repository {
  readonly name: string;
  readonly tree: ReadableTree;
}

class ProfileLoader {
  constructor(
    private readonly overlay: Repository,
    private readonly masters: Repository | undefined,
    private readonly masterNames: readonly string[],
    private readonly reads: ProfileReads,
  ) {}

  /** The repository a `parent` line's `repo:` prefix names, or undefined when it is not available. */
  repository(name: string, current: Repository): Repository | undefined {
    if (name === '') return current;
    if (name === this.overlay.name) return this.overlay;
    if (this.masterNames.includes(name) || name === this.masters?.name) return this.masters;
    return undefined;
  }

  /** Loads a directory once, however many profiles inherit it. */
  node(repo: Repository, dir: string): Promise<ProfileNode> {
    return this.reads.once(repo.tree, `node ${repo.name}:${dir}`, () => this.readNode(repo, dir));
  }

  private async readNode(repo: Repository, dir: string): Promise<ProfileNode> {
    const files = (await repo.tree.list(dir)).filter((file) => {
      const [first, ...rest] = file.slice(dir.length + 1).split('/');
      return rest.length === 0 || (PROFILE_FILE_NAMES as readonly string[]).includes(first!);
    });
    const read = async (name: string): Promise<{ text: string; file: string }[]> => {
      const path = `${dir}/${name}`;
      const matching = files.filter((file) => file === path || file.startsWith(`${path}/`));
      const texts = [];
      for (const file of matching) {
        if (posix.basename(file).startsWith('.')) continue;
        const entry = await repo.tree.read(file);
        if (entry && entry.mode !== '120000') texts.push({ text: entry.data.toString('utf8'), file });
      }
      return texts;
    };
    const flagFile = async (name: string) => (await read(name)).flatMap(({ text, file }) => parseFlagLines(text, file));
    const packageFile = async (name: string) => (await read(name)).flatMap(({ text, file }) => parsePackageFlagLines(text, file));

    const parents = (await read('parent')).flatMap(({ text, file }) =>
      contentLines(text, file).map(({ words, source }) => ({ line: words.join(' '), source })),
    );
    const variables = new Map<string, TrackedValue>();
    for (const { text, file } of await read('make.defaults')) {
      for (const [name, value] of parseMakeDefaults(text, file)) variables.set(name, value);
    }
    const use = trackedWords(variables.get('USE') ?? { text: '', origins: [] }).map(({ word, source }) => parseFlagWord(word, source));
    const eapi = (await read('eapi'))[0]?.text.trim() ?? '0';
    const readsUnmask = allowsPortage1(await this.formats(repo), eapi);
    const atomFile = async (name: string) => (await read(name)).flatMap(({ text, file }) => parsePackageAtomLines(text, file));
    const keywordsFile = async (name: string) => (await read(name)).flatMap(({ text, file }) => parsePackageKeywordsLines(text, file));
    return {
      repo: repo.name,
      dir,
      parents: parents.map(({ line, source }) => ({ key: this.parentKey(repo, dir, line, source), source })),
      variables,
      use,
      packageUse: await packageFile('package.use'),
      useForce: await flagFile('use.force'),
      packageUseForce: await packageFile('package.use.force'),
      useMask: await flagFile('use.mask'),
      packageUseMask: await packageFile('package.use.mask'),
      useStable: await flagFile('use.stable'),
      packageUseStable: await packageFile('package.use.stable'),
      useStableForce: await flagFile('use.stable.force'),
      packageUseStableForce: await packageFile('package.use.stable.force'),
      useStableMask: await flagFile('use.stable.mask'),
      packageUseStableMask: await packageFile('package.use.stable.mask'),
      packageMask: await atomFile('package.mask'),
      packageUnmask: readsUnmask ? await atomFile('package.unmask') : [],
      packageAcceptKeywords: await keywordsFile('package.accept_keywords'),
      packageKeywords: await keywordsFile('package.keywords'),
      files,
    };
  }

  /** The repository's profile formats, read once. */
  formats(repo: Repository): Promise<string[]> {
    return this.reads.once(repo.tree, 'formats', () => profileFormats(repo.tree));
  }

  /** A repository's own `profiles/package.mask` and (with portage-1/2 formats or EAPI 7) `profiles/package.unmask`. */
  repositoryMasks(repo: Repository, masters: readonly string[]): Promise<RepositoryMasks> {
    return this.reads.once(repo.tree, `masks ${repo.name} ${masters.join(' ')}`, () => this.readRepositoryMasks(repo, masters));
  }

  private async readRepositoryMasks(repo: Repository, masters: readonly string[]): Promise<RepositoryMasks> {
    const lines = async (path: string) => {
      const texts = [];
      const files = (await repo.tree.read(path)) ? [path] : await repo.tree.list(path);
      for (const file of files) {
        const entry = await repo.tree.read(file);
        if (entry && entry.mode !== '120000' && !posix.basename(file).startsWith('.')) texts.push(parsePackageAtomLines(entry.data.toString('utf8'), file));
      }
      return texts.flat();
    };
    const eapi = (await repo.tree.read('profiles/eapi'))?.data.toString('utf8').trim() ?? '0';
    const readsUnmask = allowsPortage1(await this.formats(repo), eapi);
    return { repo: repo.name, masters, packageMask: await lines('profiles/package.mask'), packageUnmask: readsUnmask ? await lines('profiles/package.unmask') : [] };
  }

  /** Resolves a `parent` line to `repo:dir`: `..`-relative paths, `:path` and `repo:path`. */
  parentKey(repo: Repository, dir: string, line: string, source: string): string {
    const colon = line.indexOf(':');
    const [repoName, path] = colon >= 0 && !line.startsWith('.') ? [line.slice(0, colon), `profiles/${line.slice(colon + 1)}`] : ['', posix.join(dir, line)];
    const normal = posix.normalize(path);
    if (normal !== 'profiles' && !normal.startsWith('profiles/')) throw new InputError(`parent '${line}' leaves the profiles directory`, source);
    return `${repoName || repo.name}:${normal}`;
  }
}

async function overlayName(tree: ReadableTree): Promise<string> {
  const entry = await tree.read('profiles/repo_name');
  return entry?.data.toString('utf8').trim() || 'coreos-overlay';
}

/**
 * Loads the profile `profileDir` (relative to the overlay root, e.g. `profiles/coreos/amd64/generic`)
 * and its parents. Parents in a master repository are read from `opts.masters`; when it is not given
 * (or lacks the directory) they are recorded in `skipped`. Throws an InputError for a missing
 * overlay profile, a `parent` cycle or a malformed profile file.
 */
export async function loadProfile(tree: ReadableTree, profileDir: string, opts: LoadProfileOptions = {}): Promise<Profile> {
  const overlay = { name: opts.repoName ?? (await overlayName(tree)), tree };
  const masterNames = opts.masterNames ?? DEFAULT_MASTER_NAMES;
  const masters = opts.masters && { name: masterNames[0] ?? 'portage-stable', tree: opts.masters };
  const loader = new ProfileLoader(overlay, masters, masterNames, opts.reads ?? new ProfileReads());
  const chain: ProfileNode[] = [];
  const skipped: SkippedParent[] = [];

  const visit = async (repo: Repository, dir: string, from: string | undefined, stack: string[]): Promise<void> => {
    const key = `${repo.name}:${dir}`;
    if (stack.includes(key)) throw new InputError(`profile parent cycle: ${[...stack, key].join(' -> ')}`, from);
    const node = await loader.node(repo, dir);
    if (node.files.length === 0) {
      if (repo !== overlay) {
        skipped.push({ parent: key, source: from ?? key, reason: `${dir} is not in ${repo.name}` });
        return;
      }
      throw new InputError(`profile directory '${dir}' does not exist`, from);
    }
    for (const { key: parent, source } of node.parents) {
      const colon = parent.indexOf(':');
      const parentRepo = loader.repository(parent.slice(0, colon), repo);
      if (!parentRepo) {
        skipped.push({ parent, source, reason: `repository '${parent.slice(0, colon)}' is not available` });
        continue;
      }
      await visit(parentRepo, parent.slice(colon + 1), source, [...stack, key]);
    }
    chain.push(node);
  };

  await visit(overlay, posix.normalize(profileDir).replace(/\/$/, ''), undefined, []);
  const repositories = [await loader.repositoryMasks(overlay, masters ? [masters.name] : [])];
  if (masters) repositories.push(await loader.repositoryMasks(masters, []));
  return { chain, skipped, repositories };
}

/**
 * Every profile file a build with `profile` reads or would read if it existed: each known profile
 * file name in each directory of the chain, and every file those directories hold.
 */
export function profileFiles(profile: Profile): ProfileFile[] {
  const files = new Map<string, ProfileFile>();
  for (const node of profile.chain) {
    for (const name of PROFILE_FILE_NAMES) files.set(`${node.repo}:${node.dir}/${name}`, { repo: node.repo, path: `${node.dir}/${name}` });
    for (const path of node.files) files.set(`${node.repo}:${path}`, { repo: node.repo, path });
  }
  return [...files.values()].sort((a, b) => (a.repo === b.repo ? (a.path < b.path ? -1 : 1) : a.repo < b.repo ? -1 : 1));
}

/** The profile files stock builds read (see STOCK_PROFILES), for checking that a change leaves stock alone. */
export async function stockProfileFiles(tree: ReadableTree, opts: LoadProfileOptions = {}): Promise<ProfileFile[]> {
  const files = new Map<string, ProfileFile>();
  const shared = { reads: new ProfileReads(), ...opts };
  for (const profile of STOCK_PROFILES) {
    for (const file of profileFiles(await loadProfile(tree, `profiles/${profile}`, shared))) files.set(`${file.repo}:${file.path}`, file);
  }
  return [...files.values()];
}

/** Portage's specificity of a package-file atom: `=` 6, `~` 5, `=*` 4, a slot 3, ranges 2, a bare name 1. */
function atomSpecificity(atom: Atom): number {
  const byOperator = { '=': 6, '~': 5, '=*': 4, '>': 2, '<': 2, '>=': 2, '<=': 2 } as const;
  const value = atom.operator ? byOperator[atom.operator] : 1;
  return atom.slot !== undefined ? Math.max(3, value) : value;
}

/**
 * The lines among `lines` whose atom matches the package, in the order Portage applies them
 * (`ordered_by_atom_specificity`): lines for the same atom together, less specific atoms first, and
 * among equally specific atoms the later line first (so the first written wins).
 */
export function matchingLines<T extends { readonly atom: Atom }>(lines: readonly T[], candidate: PackageCandidate): T[] {
  const matching = entriesNaming(lines, candidate.cpv).filter((line) => atomMatches(line.atom, candidate));
  if (matching.length < 2) return matching;
  const byAtom = new Map<string, { atom: Atom; lines: T[] }>();
  for (const line of matching) {
    const key = formatAtom(line.atom);
    const group = byAtom.get(key) ?? { atom: line.atom, lines: [] };
    group.lines.push(line);
    byAtom.set(key, group);
  }
  const mostSpecificFirst = [...byAtom.values()].map((group, index) => ({ ...group, index }));
  mostSpecificFirst.sort((a, b) => atomSpecificity(b.atom) - atomSpecificity(a.atom) || a.index - b.index);
  return mostSpecificFirst.reverse().flatMap((group) => group.lines);
}

/** The flag settings of a profile directory's package-file lines that match the package, in Portage's order (see matchingLines). */
function matchingSettings(lines: readonly PackageFlagLine[], candidate: PackageCandidate): FlagSetting[] {
  return matchingLines(lines, candidate).flatMap((line) => line.flags);
}

/** Applies an incremental setting (`flag`, `-flag`, `-*`, `-prefix_*`) to a set of flags with their deciding source. */
function stack(state: Map<string, string>, setting: FlagSetting): void {
  if (setting.flag === '*') state.clear();
  else if (setting.negated && setting.flag.endsWith('_*')) {
    for (const flag of [...state.keys()]) if (flag.startsWith(setting.flag.slice(0, -1))) state.delete(flag);
  } else if (setting.negated) state.delete(setting.flag);
  else state.set(setting.flag, setting.source);
}

/**
 * Whether a setting can decide a flag of `iuse`: one that names it, or a wildcard. Settings of other
 * flags are skipped; only flags in IUSE are answered for.
 */
function decidesIuse(setting: FlagSetting, iuse: ReadonlyMap<string, boolean>): boolean {
  return iuse.has(setting.flag) || setting.flag === '*' || setting.flag.endsWith('_*');
}

/** The words of an incremental profile variable after the whole chain (`-word` removes, `-*` clears). */
export function stackedWords(profile: Profile, variable: string): string[] {
  const words = new Set<string>();
  for (const node of profile.chain) {
    for (const word of (node.variables.get(variable)?.text ?? '').split(/\s+/).filter(Boolean)) {
      if (word === '-*') words.clear();
      else if (word.startsWith('-')) words.delete(word.slice(1));
      else words.add(word);
    }
  }
  return [...words];
}

/**
 * The USE words a profile directory's `make.defaults` sets through USE_EXPAND variables, before its
 * USE, as Portage turns them into flags: `PYTHON_TARGETS="python3_12"` is `python_targets_python3_12`,
 * `-x` is `-prefix_x` (`-*` drops every flag of the prefix), USE_EXPAND_UNPREFIXED values (ARCH) unprefixed.
 */
/** Each chain node's USE_EXPAND settings (see expandSettings), computed once per profile: they depend on no package. */
const expansions = new WeakMap<Profile, FlagSetting[][]>();
/** The settings of a node under given USE_EXPAND lists: profiles share their parents' nodes. */
const nodeExpansions = new WeakMap<ProfileNode, Map<string, FlagSetting[]>>();

function expandedSettings(profile: Profile): FlagSetting[][] {
  let expanded = expansions.get(profile);
  if (!expanded) {
    const useExpand = stackedWords(profile, 'USE_EXPAND');
    const unprefixed = stackedWords(profile, 'USE_EXPAND_UNPREFIXED');
    const key = `${useExpand.join(' ')}\0${unprefixed.join(' ')}`;
    expanded = profile.chain.map((node) => {
      let byLists = nodeExpansions.get(node);
      if (!byLists) nodeExpansions.set(node, (byLists = new Map()));
      let settings = byLists.get(key);
      if (!settings) byLists.set(key, (settings = expandSettings(node, useExpand, unprefixed)));
      return settings;
    });
    expansions.set(profile, expanded);
  }
  return expanded;
}

function expandSettings(node: ProfileNode, useExpand: readonly string[], unprefixed: readonly string[]): FlagSetting[] {
  const settings: FlagSetting[] = [];
  // Most directories set few of the many USE_EXPAND variables.
  const words = (variable: string) => {
    const value = node.variables.get(variable);
    return value ? trackedWords(value) : [];
  };
  for (const variable of unprefixed) {
    for (const { word, source } of words(variable)) settings.push({ flag: word.replace(/^-/, ''), negated: word.startsWith('-'), source });
  }
  for (const variable of useExpand) {
    const prefix = `${variable.toLowerCase()}_`;
    for (const { word, source } of words(variable)) settings.push({ flag: prefix + word.replace(/^-/, ''), negated: word.startsWith('-'), source });
  }
  return settings;
}

/** The options of effectiveUse. */
export interface EffectiveUseOptions {
  readonly slot?: string;
  /** The package's repository name, for `::repo` atoms. */
  readonly repo?: string;
  /** Whether the version is stable under the profile (ProfileVisibility.verdict); `use.stable*` files apply only then. */
  readonly stable?: boolean;
}

/**
 * The USE flags of the package `cpv` whose IUSE is `iuse`, under `profile`, as Portage computes them:
 * IUSE defaults, then for each profile directory in chain order its `make.defaults` USE_EXPAND
 * variables and USE, `use.stable` (stable versions), matching `package.use` and `package.use.stable`
 * lines; then `use.force`/`package.use.force` (where `-flag` only un-forces) and
 * `use.mask`/`package.use.mask` (where `-flag` unmasks), each with its `.stable` twin for stable
 * versions; a masked flag is off even when forced. Only flags in IUSE are returned. The answer is
 * shared by every caller asking the same question of the same profile: it must not be changed.
 */
export function effectiveUse(profile: Profile, cpv: string, iuse: ReadonlyMap<string, boolean>, opts: EffectiveUseOptions = {}): ReadonlyMap<string, FlagDecision> {
  let answers = effectiveUseAnswers.get(profile);
  if (!answers) effectiveUseAnswers.set(profile, (answers = new Map()));
  const key = JSON.stringify([cpv, [...iuse], opts.slot ?? null, opts.repo ?? null, opts.stable === true]);
  let answer = answers.get(key);
  if (!answer) answers.set(key, (answer = computeEffectiveUse(profile, cpv, iuse, opts)));
  return answer;
}

/** Answers of effectiveUse by profile: the checks ask the same package of the same profile again and again. */
const effectiveUseAnswers = new WeakMap<Profile, Map<string, ReadonlyMap<string, FlagDecision>>>();

function computeEffectiveUse(profile: Profile, cpv: string, iuse: ReadonlyMap<string, boolean>, opts: EffectiveUseOptions): Map<string, FlagDecision> {
  const candidate = { cpv, ...(opts.slot === undefined ? {} : { slot: opts.slot }), ...(opts.repo === undefined ? {} : { repo: opts.repo }) };
  const stable = opts.stable === true;
  const enabled = new Map<string, string>();
  const disabledBy = new Map<string, string>();
  const forced = new Map<string, string>();
  const masked = new Map<string, string>();
  for (const [flag, on] of iuse) (on ? enabled : disabledBy).set(flag, 'IUSE');
  const expanded = expandedSettings(profile);
  const whenStable = <T>(items: readonly T[]): readonly T[] => (stable ? items : []);

  // The lists are walked in turn rather than joined: the base profile's lists hold thousands of settings.
  const stacked = (state: Map<string, string>, lists: readonly (readonly FlagSetting[])[]) => {
    for (const list of lists) for (const setting of list) if (decidesIuse(setting, iuse)) stack(state, setting);
  };
  for (const [index, node] of profile.chain.entries()) {
    const lists = [
      expanded[index]!,
      node.use,
      whenStable(node.useStable),
      matchingSettings(node.packageUse, candidate),
      whenStable(matchingSettings(node.packageUseStable, candidate)),
    ];
    for (const list of lists) {
      for (const setting of list) {
        if (!decidesIuse(setting, iuse)) continue;
        if (setting.flag === '*') for (const flag of [...enabled.keys(), ...iuse.keys()]) disabledBy.set(flag, setting.source);
        else if (setting.negated && setting.flag.endsWith('_*')) {
          for (const flag of iuse.keys()) if (flag.startsWith(setting.flag.slice(0, -1))) disabledBy.set(flag, setting.source);
        } else if (setting.negated) disabledBy.set(setting.flag, setting.source);
        if (!setting.negated && setting.flag.endsWith('_*')) {
          for (const flag of iuse.keys()) if (flag.startsWith(setting.flag.slice(0, -1))) enabled.set(flag, setting.source);
        } else stack(enabled, setting);
      }
    }
    stacked(forced, [
      node.useForce,
      whenStable(node.useStableForce),
      matchingSettings(node.packageUseForce, candidate),
      whenStable(matchingSettings(node.packageUseStableForce, candidate)),
    ]);
    stacked(masked, [
      node.useMask,
      whenStable(node.useStableMask),
      matchingSettings(node.packageUseMask, candidate),
      whenStable(matchingSettings(node.packageUseStableMask, candidate)),
    ]);
  }

  const result = new Map<string, FlagDecision>();
  for (const flag of iuse.keys()) {
    const maskSource = masked.get(flag);
    const forceSource = forced.get(flag);
    const useSource = enabled.get(flag);
    result.set(flag, {
      enabled: maskSource === undefined && (forceSource !== undefined || useSource !== undefined),
      source: maskSource ?? forceSource ?? useSource ?? disabledBy.get(flag) ?? 'IUSE',
      forced: forceSource !== undefined,
      masked: maskSource !== undefined,
    });
  }
  return result;
}
