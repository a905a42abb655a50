import { buildInputsCheck } from '../checks/build-inputs.js';
import { filesdirChangesStockCheck } from '../checks/filesdir-changes-stock.js';
import type { Finding } from '../checks/finding.js';
import { flagDefaultCheck } from '../checks/flag-default.js';
import { scriptsChangeStockCheck } from '../checks/scripts-change-stock.js';
import { unguardedChangeCheck } from '../checks/unguarded-change.js';
import { unguardedProfileChangeCheck } from '../checks/unguarded-profile-change.js';
import { versionSelectionCheck } from '../checks/version-selection.js';
import type { FileVerdict, Verdict } from '../verdicts/index.js';
import { describeTag, type HunkTag } from './tags.js';

/** Finding codes that say a layer changes stock Flatcar. */
export const STOCK_CHANGING_CODES: ReadonlySet<string> = new Set([
  ...unguardedChangeCheck.codes,
  ...flagDefaultCheck.codes,
  ...unguardedProfileChangeCheck.codes,
  ...filesdirChangesStockCheck.codes,
  ...scriptsChangeStockCheck.codes,
  ...versionSelectionCheck.codes,
  ...buildInputsCheck.codes,
]);

/** A layer's column in the summary: every file proven, some file not proven, or some file changing stock. */
export type StockSafety = 'stock-safe' | 'not proven' | 'changes stock';

/** What a hunk's badge says: the verdict it stands for and why, in a few words. */
export interface HunkBadge {
  readonly verdict: Verdict;
  readonly text: string;
}

/**
 * The column of layer `layer`: `changes stock` when an error finding of the stock-changing codes
 * belongs to it, `not proven` when a `StockSafetyUnproven` warning does, else `stock-safe`.
 * Findings belong to the layer that made the change (see blame.ts), not to every layer of the file.
 */
export function layerStockSafety(layer: string, findings: readonly Finding[]): StockSafety {
  const own = findings.filter((entry) => entry.layer === layer);
  if (own.some((entry) => entry.level === 'error' && STOCK_CHANGING_CODES.has(entry.code))) return 'changes stock';
  if (own.some((entry) => entry.code === 'StockSafetyUnproven')) return 'not proven';
  return 'stock-safe';
}

/**
 * The badge of a hunk of a file with verdict `verdict`: a neutral or guarded file's hunks say why
 * (the flag of a guarded hunk, "new file nothing stock reads", "scripts: Nano variant only"); in a
 * stock-changing file the hunk holding the finding says so, a guarded hunk beside it keeps its flag
 * and any other is not proven; an unproven file's hunks say what could not be judged.
 */
export function hunkBadge(verdict: FileVerdict | undefined, tag: HunkTag, holdsFinding: boolean): HunkBadge {
  if (!verdict) return { verdict: 'unproven', text: 'not proven: no verdict for this file' };
  const guardedTag = tag.kind === 'guarded' ? { verdict: 'guarded' as const, text: describeTag(tag) } : undefined;
  switch (verdict.verdict) {
    case 'stock-changing':
      if (holdsFinding || verdict.finding?.line === null || verdict.finding?.line === undefined) return { verdict: 'stock-changing', text: `changes stock: ${verdict.reason}` };
      return guardedTag ?? { verdict: 'unproven', text: 'not proven: the file changes stock elsewhere' };
    case 'unproven':
      return { verdict: 'unproven', text: `not proven: ${verdict.reason}` };
    case 'guarded':
      return guardedTag ?? { verdict: 'guarded', text: verdict.reason };
    default:
      return { verdict: 'neutral', text: verdict.reason };
  }
}
