import { InputError } from '../errors.js';
import { atomMatches, entriesNaming, formatAtom, type Atom, type PackageCandidate } from './atoms.js';
import { splitPackageVersion } from './ebuild-path.js';
import { matchingLines, type PackageAtomLine, type Profile } from './profiles.js';
import { compareVersions } from './versions.js';

/**
 * Version selection under a profile, as Portage makes it without installed packages: an ebuild is
 * visible when its KEYWORDS meet the profile's ACCEPT_KEYWORDS (widened by `package.accept_keywords`,
 * its KEYWORDS changed by `package.keywords`) and no `package.mask` line masks it that a
 * `package.unmask` line does not lift; masks come from every profile directory and from each
 * repository's own `profiles/package.mask` (which covers that repository's packages and inherits its
 * masters' lines). The best visible version of an atom is the highest visible matching ebuild; at
 * the same version, the repository listed first among the candidates (the overlay) wins.
 *
 * Flatcar's board configuration (setup_board's make.conf) sets no ACCEPT_KEYWORDS, so the profile's
 * value (`amd64`, `arm64` from Gentoo's arch profiles) is the board's.
 */

/** What version selection reads of an ebuild. */
export interface SelectableEbuild {
  /** `category/package-version[-rN]`. */
  readonly cpv: string;
  /** The name of the repository holding it (`coreos-overlay`, `portage-stable`), as `::repo` atoms name it. */
  readonly repository: string;
  /** SLOT without the subslot. */
  readonly slot: string;
  /** The subslot (the slot when SLOT has none), for `:slot/subslot` atoms. */
  readonly subslot?: string | undefined;
  readonly keywords: readonly string[];
}

/** Whether an ebuild is visible under a profile, and why not. */
export interface VisibilityVerdict {
  readonly visible: boolean;
  /**
   * Stable in Portage's sense for `use.stable.*` files: visible, and it would not be if each of its
   * keywords were `~`-prefixed.
   */
  readonly stable: boolean;
  /** The `file:line` of the mask line hiding it, if one does. */
  readonly maskedBy?: string;
  /** The keywords that would have to be accepted, when KEYWORDS hide it (`**` for empty KEYWORDS). */
  readonly missingKeywords?: readonly string[];
}

/** A mask or unmask atom in force, with the repository it is confined to (repository-wide files). */
interface EffectiveAtom {
  readonly atom: Atom;
  readonly onlyRepo: string | undefined;
  readonly source: string;
}

/** Portage's incremental stacking of atom lines (stack_lists): `-atom` removes an equal atom, `-*` all. */
function stackAtomLines(layers: readonly (readonly PackageAtomLine[])[], onlyRepo?: string): EffectiveAtom[] {
  let stacked: EffectiveAtom[] = [];
  for (const lines of layers) {
    for (const line of lines) {
      const text = formatAtom(line.atom);
      if (!line.negated) stacked.push({ atom: line.atom, onlyRepo, source: line.source });
      else stacked = stacked.filter((entry) => formatAtom(entry.atom) !== text);
    }
  }
  return stacked;
}

/** Incremental words (`word`, `-word`, `-*`) stacked into a set. */
function stackWords(words: Iterable<string>, into = new Set<string>()): Set<string> {
  for (const word of words) {
    if (word === '-*') into.clear();
    else if (word.startsWith('-')) into.delete(word.slice(1));
    else into.add(word);
  }
  return into;
}

/** Portage's `_getMissingKeywords`: the ebuild keywords nothing accepted, or none when one is. */
function missingKeywords(accepted: ReadonlySet<string>, keywords: readonly string[]): string[] {
  let hasStable = false;
  let hasTesting = false;
  for (const keyword of keywords) {
    if (keyword === '*' || accepted.has(keyword)) return [];
    if (keyword === '~*') {
      if ([...accepted].some((word) => word.startsWith('~'))) return [];
      hasTesting = true;
    } else if (keyword.startsWith('~')) hasTesting = true;
    else if (!keyword.startsWith('-')) hasStable = true;
  }
  if ((hasTesting && accepted.has('~*')) || (hasStable && accepted.has('*')) || accepted.has('**')) return [];
  return keywords.length ? [...keywords] : ['**'];
}

const visibilities = new WeakMap<Profile, ProfileVisibility>();

/** Visibility and version selection under one profile. */
export class ProfileVisibility {
  /** The visibility of `profile`, built once per loaded profile. */
  static of(profile: Profile): ProfileVisibility {
    let visibility = visibilities.get(profile);
    if (!visibility) {
      visibility = new ProfileVisibility(profile);
      visibilities.set(profile, visibility);
    }
    return visibility;
  }

  /** The profile's ACCEPT_KEYWORDS after stacking every directory's `make.defaults`. */
  readonly acceptKeywords: readonly string[];
  private readonly masks: EffectiveAtom[];
  private readonly unmasks: EffectiveAtom[];

  constructor(private readonly profile: Profile) {
    const accept = new Set<string>();
    for (const node of profile.chain) stackWords((node.variables.get('ACCEPT_KEYWORDS')?.text ?? '').split(/\s+/).filter(Boolean), accept);
    this.acceptKeywords = [...accept];
    const repositories = profile.repositories ?? [];
    const repositoryMasks = repositories.flatMap((repo) => {
      const masters = repo.masters.flatMap((name) => repositories.filter((candidate) => candidate.repo === name).map((master) => master.packageMask));
      return stackAtomLines([...masters, repo.packageMask], repo.repo);
    });
    // Profile `-atom` lines take back lines of earlier profiles only, not repository-wide ones.
    this.masks = [...repositoryMasks, ...stackAtomLines(profile.chain.map((node) => node.packageMask))];
    this.unmasks = [
      ...repositories.flatMap((repo) => stackAtomLines([repo.packageUnmask], repo.repo)),
      ...stackAtomLines(profile.chain.map((node) => node.packageUnmask)),
    ];
  }

  /** The ebuild's KEYWORDS after every matching `package.keywords` line. */
  keywordsOf(ebuild: SelectableEbuild): string[] {
    const candidate = candidateOf(ebuild);
    const words = new Set(ebuild.keywords.filter((word) => word !== '-*'));
    for (const node of this.profile.chain) stackWords(matchingLines(node.packageKeywords, candidate).flatMap((line) => line.keywords), words);
    return [...words];
  }

  /** The keywords accepted for the ebuild: ACCEPT_KEYWORDS and every matching `package.accept_keywords` line. */
  acceptedFor(ebuild: SelectableEbuild): Set<string> {
    const candidate = candidateOf(ebuild);
    const defaults = this.acceptKeywords.filter((word) => !'~-'.includes(word.charAt(0))).map((word) => `~${word}`);
    const extra = this.profile.chain.flatMap((node) =>
      matchingLines(node.packageAcceptKeywords, candidate).flatMap((line) => (line.keywords.length ? line.keywords : defaults)),
    );
    return extra.length ? stackWords([...this.acceptKeywords, ...extra]) : new Set(this.acceptKeywords);
  }

  /** The `file:line` of the mask line hiding the ebuild, unless none does or an unmask line lifts it. */
  maskedBy(ebuild: SelectableEbuild): string | undefined {
    const candidate = candidateOf(ebuild);
    const matches = (entry: EffectiveAtom) => (entry.onlyRepo === undefined || entry.onlyRepo === ebuild.repository) && atomMatches(entry.atom, candidate);
    const mask = entriesNaming(this.masks, ebuild.cpv).find(matches);
    return mask && !entriesNaming(this.unmasks, ebuild.cpv).some(matches) ? mask.source : undefined;
  }

  /** Whether the ebuild is visible, and whether it counts as stable (see VisibilityVerdict). */
  verdict(ebuild: SelectableEbuild): VisibilityVerdict {
    const accepted = this.acceptedFor(ebuild);
    const keywords = this.keywordsOf(ebuild);
    const missing = missingKeywords(accepted, keywords);
    const maskedBy = this.maskedBy(ebuild);
    const unstable = keywords.map((word) => (word.startsWith('~') ? word : `~${word}`));
    const stable = missing.length === 0 && missingKeywords(accepted, unstable).length > 0;
    return {
      visible: missing.length === 0 && maskedBy === undefined,
      stable,
      ...(maskedBy === undefined ? {} : { maskedBy }),
      ...(missing.length ? { missingKeywords: missing } : {}),
    };
  }

  /**
   * The best visible ebuild among `candidates` matching `atom` (name, version, slot, repository):
   * the highest version; at the same version, the candidate listed first. Undefined when none is visible.
   */
  best<T extends SelectableEbuild>(atom: Atom, candidates: readonly T[]): T | undefined {
    let best: T | undefined;
    for (const ebuild of candidates) {
      if (!atomMatches(atom, candidateOf(ebuild))) continue;
      if (best && compareVersions(versionOfCpv(ebuild.cpv), versionOfCpv(best.cpv)) <= 0) continue;
      if (this.verdict(ebuild).visible) best = ebuild;
    }
    return best;
  }

  /** The best visible ebuild of each slot among `candidates` (all of one package). */
  bestBySlot<T extends SelectableEbuild>(candidates: readonly T[]): Map<string, T> {
    const bySlot = new Map<string, T>();
    for (const ebuild of candidates) {
      const current = bySlot.get(ebuild.slot);
      if (current && compareVersions(versionOfCpv(ebuild.cpv), versionOfCpv(current.cpv)) <= 0) continue;
      if (this.verdict(ebuild).visible) bySlot.set(ebuild.slot, ebuild);
    }
    return bySlot;
  }
}

/** The ebuild as atoms match it: name, version, slot and subslot, repository. */
function candidateOf(ebuild: SelectableEbuild): PackageCandidate {
  return { cpv: ebuild.cpv, slot: ebuild.slot, subslot: ebuild.subslot ?? ebuild.slot, repo: ebuild.repository };
}

/** The version (with revision) of `category/package-version`. */
function versionOfCpv(cpv: string): string {
  const version = splitPackageVersion(cpv.slice(cpv.indexOf('/') + 1))?.version;
  if (version === undefined) throw new InputError(`invalid package '${cpv}': expected category/package-version`);
  return version;
}
