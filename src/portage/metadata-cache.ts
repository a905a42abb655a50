import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExtractedRepository } from './portage-trees.js';

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
