import type { LayerSet } from '../layers/load.js';
import { loadProfile, profileFiles, ProfileReads } from '../portage/profiles.js';
import type { ReadableTree } from '../tree/types.js';
import { profileConfig } from '../workflow/validate.js';

/** The overlay's profile files a stock build reads, and the overlay directories of the stock profile chains. */
export interface StockProfiles {
  /** Paths relative to the overlay (`profiles/coreos/base/package.use`). */
  readonly files: ReadonlySet<string>;
  /** Profile directories relative to the overlay (`profiles/coreos/base`). */
  readonly dirs: ReadonlySet<string>;
}

/**
 * Reads the stock profiles (values.yaml `profiles.stock`, else the default stock profiles) that
 * `overlay` has, with their parents, and collects the overlay's files and directories they read.
 */
export async function stockProfiles(set: LayerSet, overlay: ReadableTree, masters: ReadableTree | undefined): Promise<StockProfiles> {
  const files = new Set<string>();
  const dirs = new Set<string>();
  const options = { reads: new ProfileReads(), ...(masters ? { masters } : {}) };
  for (const profile of profileConfig(set).stock) {
    if ((await overlay.list(`profiles/${profile}`)).length === 0) continue;
    const loaded = await loadProfile(overlay, `profiles/${profile}`, options);
    const overlayRepo = loaded.chain.at(-1)?.repo;
    for (const node of loaded.chain) if (node.repo === overlayRepo) dirs.add(node.dir);
    for (const file of profileFiles(loaded)) if (file.repo === overlayRepo) files.add(file.path);
  }
  return { files, dirs };
}
