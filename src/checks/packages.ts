import { posix } from 'node:path';
import { atomMatches, type Atom } from '../portage/atoms.js';
import { parseEbuildPath, type EbuildPath } from '../portage/ebuild-path.js';
import { staticMetadata, type EbuildMetadata, type MetadataProvider } from '../portage/metadata.js';
import { compareVersions } from '../portage/versions.js';
import type { ProfileVisibility, SelectableEbuild } from '../portage/visibility.js';
import type { ReadableTree } from '../tree/types.js';
import type { CheckContext } from './context.js';
import { scanEbuild, type EbuildScan } from './ebuild-scan.js';

/**
 * Packages as a build sees them: ebuilds in the overlay, then in portage-stable (its master), with
 * their text (revision symlinks followed), their IUSE including inherited eclasses, and the best
 * ebuild for an atom.
 */

export type RepositoryName = 'overlay' | 'portage-stable';

/** One ebuild of a package and the repository holding it. */
export interface PackageEbuild extends EbuildPath {
  readonly repo: RepositoryName;
}

/** An ebuild's IUSE with its eclasses' IUSE, and what could not be resolved. */
export interface ResolvedIuse {
  readonly flags: ReadonlyMap<string, boolean>;
  /** Inherited eclasses found in no repository, whose flags are therefore unknown. */
  readonly missingEclasses: readonly string[];
  /** IUSE words holding expansions (`${VAR}`), whose flags are unknown. */
  readonly unresolved: readonly string[];
}

/** An ebuild with its metadata, ready for version selection. */
export interface SelectablePackageEbuild extends PackageEbuild, SelectableEbuild {
  readonly metadata: EbuildMetadata;
}

const MAX_SYMLINK_HOPS = 8;

/** Package lookups in an overlay and its master; results are cached. */
export class Packages {
  private readonly ebuildLists = new Map<string, Promise<PackageEbuild[]>>();
  private readonly scans = new Map<string, Promise<EbuildScan | undefined>>();
  private readonly metadataCache = new Map<string, Promise<EbuildMetadata | undefined>>();
  private readonly eclassTexts = new Map<string, Promise<string | undefined>>();
  private overlayName: Promise<string> | undefined;

  /** `provider`, when given, is asked first for each ebuild's metadata (Portage's own, say); the static reading fills in. */
  constructor(
    readonly overlay: ReadableTree,
    readonly portageStable: ReadableTree | undefined,
    readonly provider?: MetadataProvider,
  ) {}

  /** The name `::repo` atoms use for a repository (the overlay's from its `profiles/repo_name`). */
  repositoryName(repo: RepositoryName): Promise<string> {
    if (repo === 'portage-stable') return Promise.resolve('portage-stable');
    this.overlayName ??= this.overlay.read('profiles/repo_name').then((entry) => entry?.data.toString('utf8').trim() || 'coreos-overlay');
    return this.overlayName;
  }

  /** The metadata of an ebuild (revision symlinks followed): the provider's, else read statically; undefined when the file is gone. */
  metadata(ebuild: PackageEbuild): Promise<EbuildMetadata | undefined> {
    const key = `${ebuild.repo}:${ebuild.path}`;
    let metadata = this.metadataCache.get(key);
    if (!metadata) {
      metadata = (async () => {
        const file = await this.resolve(ebuild.repo, ebuild.path);
        if (!file) return undefined;
        const known = await this.provider?.metadata({ repo: await this.repositoryName(ebuild.repo), cpv: ebuild.cpv, path: file.path });
        return known ?? staticMetadata(file.text, ebuild, (eclass) => this.eclassText(ebuild.repo, eclass));
      })();
      this.metadataCache.set(key, metadata);
    }
    return metadata;
  }

  /** Every ebuild of `category/package` with its metadata, the overlay's first. */
  async selectable(cp: string): Promise<SelectablePackageEbuild[]> {
    const ebuilds = await this.ebuilds(cp);
    // Read together: each ebuild's metadata waits on parses, which run beside one another.
    const read = await Promise.all(ebuilds.map(async (ebuild) => ({ ebuild, metadata: await this.metadata(ebuild), repository: await this.repositoryName(ebuild.repo) })));
    return read.flatMap(({ ebuild, metadata, repository }) =>
      metadata ? [{ ...ebuild, metadata, slot: metadata.slot, subslot: metadata.subslot, keywords: metadata.keywords, repository }] : [],
    );
  }

  /** The best visible ebuild for `atom` under the profile `visibility` judges for (see ProfileVisibility.best). */
  async bestVisible(atom: Atom, visibility: ProfileVisibility): Promise<SelectablePackageEbuild | undefined> {
    return visibility.best(atom, await this.selectable(`${atom.category}/${atom.package}`));
  }

  /** The tree of a repository (undefined for portage-stable when the upstream has none). */
  tree(repo: RepositoryName): ReadableTree | undefined {
    return repo === 'overlay' ? this.overlay : this.portageStable;
  }

  /** Every ebuild of `category/package`, the overlay's first. */
  ebuilds(cp: string): Promise<PackageEbuild[]> {
    let list = this.ebuildLists.get(cp);
    if (!list) {
      list = this.listEbuilds(cp);
      this.ebuildLists.set(cp, list);
    }
    return list;
  }

  private async listEbuilds(cp: string): Promise<PackageEbuild[]> {
    const found: PackageEbuild[] = [];
    for (const repo of ['overlay', 'portage-stable'] as const) {
      const tree = this.tree(repo);
      if (!tree) continue;
      for (const path of await tree.list(cp)) {
        const parsed = path.split('/').length === 3 ? parseEbuildPath(path) : undefined;
        if (parsed) found.push({ ...parsed, repo });
      }
    }
    return found;
  }

  /** True when either repository has an ebuild of `category/package`. */
  async exists(cp: string): Promise<boolean> {
    return (await this.ebuilds(cp)).length > 0;
  }

  /** The highest version matching `atom` (the overlay's on a tie), as Portage would pick without keywords and masks. */
  async best(atom: Atom): Promise<PackageEbuild | undefined> {
    let best: PackageEbuild | undefined;
    for (const ebuild of await this.ebuilds(`${atom.category}/${atom.package}`)) {
      if (!atomMatches(atom, { cpv: ebuild.cpv })) continue;
      if (!best || compareVersions(versionOf(ebuild), versionOf(best)) > 0) best = ebuild;
    }
    return best;
  }

  /** The regular file a path names once symlinks are followed, with its text; undefined when there is none. */
  async resolve(repo: RepositoryName, path: string): Promise<{ path: string; text: string } | undefined> {
    const tree = this.tree(repo);
    let current = path;
    for (let hop = 0; tree && hop < MAX_SYMLINK_HOPS; hop++) {
      const entry = await tree.read(current);
      if (!entry) return undefined;
      if (entry.mode !== '120000') return { path: current, text: entry.data.toString('utf8') };
      current = posix.normalize(posix.join(posix.dirname(current), entry.data.toString('utf8')));
    }
    return undefined;
  }

  /** The scan of a file in a repository, cached. */
  scan(repo: RepositoryName, path: string): Promise<EbuildScan | undefined> {
    const key = `${repo}:${path}`;
    let scan = this.scans.get(key);
    if (!scan) {
      scan = this.resolve(repo, path).then((file) => (file === undefined ? undefined : scanEbuild(file.text, file.path)));
      this.scans.set(key, scan);
    }
    return scan;
  }

  /**
   * The IUSE of an ebuild whose scan is `scan`, in repository `repo`, with the IUSE of every eclass
   * it inherits (directly or through other eclasses). Eclasses are looked up in the ebuild's
   * repository and, for the overlay, in portage-stable.
   */
  async iuse(repo: RepositoryName, scan: EbuildScan): Promise<ResolvedIuse> {
    const flags = new Map<string, boolean>();
    const missingEclasses: string[] = [];
    const unresolved: string[] = [];
    const seen = new Set<string>();
    const add = (words: EbuildScan['iuse']) => {
      for (const word of words) {
        if ('flag' in word) flags.set(word.flag, word.enabled || (flags.get(word.flag) ?? false));
        else unresolved.push(word.unresolved);
      }
    };
    const visit = async (eclasses: readonly string[]): Promise<void> => {
      for (const eclass of eclasses) {
        if (seen.has(eclass)) continue;
        seen.add(eclass);
        const found = await this.eclassScan(repo, eclass);
        if (!found) {
          missingEclasses.push(eclass);
          continue;
        }
        add(found.iuse);
        await visit(found.inherits);
      }
    };
    add(scan.iuse);
    await visit(scan.inherits);
    return { flags, missingEclasses, unresolved };
  }

  /** The text of an eclass, looked up as for an ebuild of `repo` (the overlay's eclasses, then portage-stable's); cached. */
  eclassText(repo: RepositoryName, eclass: string): Promise<string | undefined> {
    const key = `${repo}:${eclass}`;
    let text = this.eclassTexts.get(key);
    if (!text) {
      text = this.findEclassText(repo, eclass);
      this.eclassTexts.set(key, text);
    }
    return text;
  }

  private async findEclassText(repo: RepositoryName, eclass: string): Promise<string | undefined> {
    for (const candidate of eclassRepositories(repo)) {
      const file = await this.resolve(candidate, `eclass/${eclass}.eclass`);
      if (file) return file.text;
    }
    return undefined;
  }

  private async eclassScan(repo: RepositoryName, eclass: string): Promise<EbuildScan | undefined> {
    if (eclass.includes('$')) return undefined;
    for (const candidate of eclassRepositories(repo)) {
      const scan = await this.scan(candidate, `eclass/${eclass}.eclass`);
      if (scan) return scan;
    }
    return undefined;
  }
}

/** Where an ebuild of `repo` finds its eclasses: its own repository, then the master. */
function eclassRepositories(repo: RepositoryName): RepositoryName[] {
  return repo === 'overlay' ? ['overlay', 'portage-stable'] : ['portage-stable'];
}

/** The version with revision of an ebuild path. */
export function versionOf(ebuild: EbuildPath): string {
  return ebuild.revision ? `${ebuild.version}-r${ebuild.revision}` : ebuild.version;
}

/**
 * Every name Portage loads the ebuild body at `path` as: the file itself and each revision symlink
 * beside it that points at it.
 */
export async function loadingNames(tree: ReadableTree, path: string): Promise<EbuildPath[]> {
  const own = parseEbuildPath(path);
  const names: EbuildPath[] = own ? [own] : [];
  const dir = posix.dirname(path);
  for (const sibling of await tree.list(dir)) {
    if (sibling === path || posix.dirname(sibling) !== dir) continue;
    const entry = await tree.read(sibling);
    const parsed = parseEbuildPath(sibling);
    if (entry?.mode === '120000' && parsed && posix.join(dir, entry.data.toString('utf8')) === path) names.push(parsed);
  }
  return names;
}

const cache = new WeakMap<CheckContext, { before: Packages; after: Packages }>();

function packagesOf(context: CheckContext): { before: Packages; after: Packages } {
  let entry = cache.get(context);
  if (!entry) {
    const portageStable = context.input.upstream.portageStable;
    const { before, after } = context.input.metadata ?? {};
    entry = { before: new Packages(context.before, portageStable, before), after: new Packages(context.after, portageStable, after) };
    cache.set(context, entry);
  }
  return entry;
}

/** Packages of the patched overlay and upstream portage-stable, shared by every check of a validation. */
export function packagesAfter(context: CheckContext): Packages {
  return packagesOf(context).after;
}

/** Packages of the upstream overlay and portage-stable, shared by every check of a validation. */
export function packagesBefore(context: CheckContext): Packages {
  return packagesOf(context).before;
}

/** A note for messages on what an IUSE lookup could not see, or '' when it saw everything. */
export function iuseCaveat(iuse: ResolvedIuse): string {
  const parts = [
    ...(iuse.missingEclasses.length ? [`eclass ${iuse.missingEclasses.join(', ')} not found, its flags were not considered`] : []),
    ...(iuse.unresolved.length ? [`IUSE entries ${iuse.unresolved.join(' ')} not expanded`] : []),
  ];
  return parts.length ? ` (${parts.join('; ')})` : '';
}
