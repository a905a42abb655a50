import { InputError } from '../errors.js';
import { ObjectReader } from '../git/objects.js';
import { runGit } from '../git/run.js';
import { GitTree, resolveRef } from '../git/tree.js';
import { loadLayerSet, type LayerSet } from '../layers/load.js';

/** A layer set as it was at a revision of its own git repository. */
export interface HistoricLayerSet {
  readonly set: LayerSet;
  readonly rev: string;
  readonly commit: string;
}

/**
 * Reads the layer set in `layersDir` as it was at `rev` of the git repository holding the directory
 * (the directory may be a subdirectory of that repository), from git objects: the work tree is not
 * touched. InputError when the directory is not in a repository, the revision is unknown or the
 * layer set did not exist there.
 */
export async function loadLayerSetAt(layersDir: string, rev: string): Promise<HistoricLayerSet> {
  const probe = await runGit(layersDir, ['rev-parse', '--show-toplevel', '--show-prefix'], { okCodes: [128] }).catch(() => undefined);
  if (!probe || probe.code !== 0) throw new InputError(`the layer set '${layersDir}' is not in a git repository, so it has no revision '${rev}'`);
  const [top, prefix = ''] = probe.stdout.toString('utf8').split('\n');
  const commit = await resolveRef(top!, rev);
  const reader = new ObjectReader(top!);
  try {
    const tree = await GitTree.open(reader, commit, prefix.replace(/\/$/, ''));
    return { set: await loadLayerSet(tree), rev, commit };
  } finally {
    await reader.close();
  }
}
