import type { ChangeSet } from '../tree/types.js';
import { findWriteProblems, type WriteProblem } from '../tree/write-check.js';
import type { ApplyResult } from './apply.js';

/** A write the applied layers cannot make, with the layer that makes it. */
export interface LayerWriteProblem {
  readonly layer: string | null;
  readonly root: 'overlay' | 'scripts';
  readonly problem: WriteProblem;
}

/**
 * What every writer would refuse in an applied layer set: each root's changes checked against its
 * upstream tree as the whole set leaves it (a link one layer places counts for the layers after it).
 * The layer named is the last one that writes the refused path.
 */
export async function findLayerWriteProblems(result: ApplyResult): Promise<LayerWriteProblem[]> {
  const found: LayerWriteProblem[] = [];
  for (const [root, tree] of [['overlay', result.overlay], ['scripts', result.scripts]] as const) {
    if (!tree || tree.changes.size === 0) continue;
    for (const problem of await findWriteProblems(tree.base, tree.changes as ChangeSet)) {
      const writer = result.layers.filter((layer) => layer.root === root && layer.changes.has(problem.path)).pop();
      found.push({ layer: writer?.name ?? null, root, problem });
    }
  }
  return found;
}
