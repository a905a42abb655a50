import { changedRegions } from '../checks/context.js';
import type { Finding } from '../checks/finding.js';
import type { FileEntry } from '../tree/types.js';

/**
 * What a layer set's change to one upstream file does to a stock build:
 * - `neutral`: proven not to change what a stock build does or installs;
 * - `guarded`: changes only builds where a flag the layers introduce is off, or the Nano board variant;
 * - `unproven`: no rule could decide (reported as `StockSafetyUnproven`);
 * - `stock-changing`: changes stock builds (reported as an error).
 */
export type Verdict = 'neutral' | 'guarded' | 'unproven' | 'stock-changing';

/** How a path changed. A rename is the deletion of one path and the addition of another. */
export type ChangeKind = 'added' | 'modified' | 'deleted' | 're-moded';

/** One changed path of an upstream tree, with its entries before and after the layers and the layers that touched it. */
export interface ChangedPath {
  /** The tree it is in: the overlay, or the flatcar/scripts repository root. */
  readonly root: 'overlay' | 'scripts';
  readonly path: string;
  readonly change: ChangeKind;
  readonly layers: readonly string[];
  readonly before: FileEntry | undefined;
  readonly after: FileEntry | undefined;
}

/** The verdict on one changed path and the rule that decided it. */
export interface FileVerdict {
  readonly root: 'overlay' | 'scripts';
  readonly path: string;
  readonly change: ChangeKind;
  readonly layers: readonly string[];
  readonly verdict: Verdict;
  /** The rule that decided (`ebuild-reduction`, `filesdir-readers`, …). */
  readonly rule: string;
  /** Why, in a few words: the flag, "new file nothing stock reads", what could not be judged. */
  readonly reason: string;
  /** For `stock-changing` and `unproven`: the finding that reports it. */
  readonly finding?: Finding;
}

/** A rule's decision, before the path's identity is added. */
export interface Decision {
  readonly verdict: Verdict;
  readonly rule: string;
  readonly reason: string;
  readonly finding?: Finding;
}

/** The text of an entry, or undefined for none or a symlink. */
export function textOf(entry: FileEntry | undefined): string | undefined {
  return entry && entry.mode !== '120000' ? entry.data.toString('utf8') : undefined;
}

/** The first line of the patched file that the change added or replaced; null for a deleted file or a symlink. */
export function firstChangedLine(change: Pick<ChangedPath, 'before' | 'after'>): number | null {
  const after = textOf(change.after);
  if (after === undefined) return null;
  return changedRegions(textOf(change.before) ?? '', after)[0]?.line ?? 1;
}
