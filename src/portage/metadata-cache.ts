import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseIuse } from './iuse.js';
import type { EbuildMetadata, EbuildRef, MetadataProvider } from './metadata.js';
import { contentKey, portageCacheDir, type ExtractedRepository, type RepositorySource } from './portage-trees.js';

/** The start of the file name egencache's run leaves in a generated repository's metadata/ (see generateMetadata). */
export const REGEN_STAMP_PREFIX = '.nano-overlay-regen-';

/** An ebuild's metadata as Portage generated it (md5-cache keys: EAPI, SLOT, IUSE, KEYWORDS, RDEPEND, INHERIT, …). */
export type PortageMetadata = Readonly<Record<string, string>>;

/**
 * Portage's own metadata for the ebuild `cpv` (`category/name-version[-rN]`) of a repository the
 * bridge extracted (see `portageTrees`), read from the md5-cache egencache wrote; undefined when
 * there is no entry (metadata not generated yet, or the ebuild could not be sourced). IUSE, SLOT
 * and dependencies include what eclasses add, exactly as Portage sees them.
 */
export function portageMetadata(repo: Pick<ExtractedRepository, 'location'>, cpv: string): PortageMetadata | undefined {
  const file = join(repo.location, 'metadata', 'md5-cache', cpv);
  if (!existsSync(file)) return undefined;
  const metadata: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const equals = line.indexOf('=');
    if (equals > 0) metadata[line.slice(0, equals)] = line.slice(equals + 1);
  }
  return metadata;
}

/**
 * The extracted trees the bridge has generated metadata for, by name: what portageCacheProvider can
 * answer from, so a memo of results it fed is keyed by it.
 */
export function generatedMetadataTrees(): string[] {
  const trees = join(portageCacheDir(), 'trees');
  const names = existsSync(trees) ? readdirSync(trees).filter((name) => !name.startsWith('.')) : [];
  return names.filter((name) => isGenerated(join(trees, name))).sort();
}

function isGenerated(location: string): boolean {
  return existsSync(join(location, 'metadata')) && readdirSync(join(location, 'metadata')).some((name) => name.startsWith(REGEN_STAMP_PREFIX));
}

/**
 * A MetadataProvider answering from Portage's own md5-cache where the bridge already generated it
 * for exactly these repositories (their content keys name the extracted trees), and from nothing
 * otherwise: the static reading then stands in. Portage sources every ebuild, so what the static
 * model cannot read (IUSE built in eclasses or from variables) comes out as Portage sees it.
 */
export function portageCacheProvider(sources: readonly RepositorySource[]): MetadataProvider {
  const locations = new Map<string, string | undefined>();
  const generated = (source: RepositorySource): string | undefined => {
    if (!locations.has(source.name)) {
      const location = join(portageCacheDir(), 'trees', `${source.name}-${contentKey(source)}`);
      locations.set(source.name, isGenerated(location) ? location : undefined);
    }
    return locations.get(source.name);
  };
  return {
    async metadata(ebuild: EbuildRef): Promise<EbuildMetadata | undefined> {
      const source = sources.find((candidate) => candidate.name === ebuild.repo);
      const location = source && generated(source);
      const cached = location ? portageMetadata({ location }, ebuild.cpv) : undefined;
      if (!cached) return undefined;
      const [slot, subslot] = (cached.SLOT ?? '0').split('/');
      return {
        eapi: cached.EAPI ?? '0',
        slot: slot!,
        subslot,
        keywords: (cached.KEYWORDS ?? '').split(/\s+/).filter(Boolean),
        iuse: parseIuse(cached.IUSE ?? ''),
        requiredUse: cached.REQUIRED_USE ?? '',
        notUnderstood: [],
      };
    },
  };
}
