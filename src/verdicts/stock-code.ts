import type { ChangedFile, CheckContext } from '../checks/context.js';
import { finding } from '../checks/finding.js';
import { packagesAfter } from '../checks/packages.js';
import { hookedPackage, stockCodeKind } from '../checks/stock-use.js';
import { stockCodeFinding } from '../checks/unguarded-change.js';
import type { ChangedPath, Decision } from './types.js';

/**
 * Ebuilds, eclasses and `coreos/config/env` hooks whose text changed: the stock reduction of
 * UnguardedChange decides (the whole file, global scope and every phase). A difference is
 * `stock-changing`; no difference is `guarded` when the changed lines name a flag the layers
 * introduce, else `neutral`. A new eclass that shadows portage-stable's is `stock-changing`
 * (`EclassShadowed`: every ebuild inheriting it now gets the overlay's); any other new eclass is
 * `neutral` (no unchanged ebuild inherits it). A hook for a package no repository has is `neutral`.
 * New and deleted ebuilds and revision symlinks go to version selection (versions.ts).
 */
export async function judgeStockCode(context: CheckContext, change: ChangedPath, file: ChangedFile | undefined): Promise<Decision | undefined> {
  const kind = stockCodeKind(change.path);
  if (!kind || change.root !== 'overlay') return undefined;
  if (kind === 'ebuild' && change.change !== 'modified' && change.change !== 're-moded') return undefined;
  if (change.change === 're-moded') return { verdict: 'neutral', rule: 'file-mode', reason: 'Portage reads the text, not the file mode' };
  if (kind === 'eclass' && change.change === 'added') {
    if (context.input.upstream.portageStable && (await context.input.upstream.portageStable.read(change.path))) {
      const message = `shadows portage-stable's ${change.path}: every ebuild inheriting it gets the overlay's`;
      return {
        verdict: 'stock-changing',
        rule: 'eclass-shadowing',
        reason: message,
        finding: finding('EclassShadowed', 'error', message, { layer: change.layers[0] ?? null, path: change.path, line: 1 }),
      };
    }
    return { verdict: 'neutral', rule: 'eclass-shadowing', reason: 'new eclass nothing stock inherits' };
  }
  if (kind === 'env') {
    const cp = hookedPackage(change.path);
    if (!cp || !(await packagesAfter(context).exists(cp))) return { verdict: 'neutral', rule: 'env-hook', reason: `hook for a package no repository has` };
  }
  if (!file) return undefined;
  const found = await stockCodeFinding(context, file);
  if (found) return { verdict: 'stock-changing', rule: 'ebuild-reduction', reason: found.message, finding: found };
  const flags = introducedFlagsIn(context, file);
  return flags.length
    ? { verdict: 'guarded', rule: 'ebuild-reduction', reason: `guarded: ${flags.join(', ')}` }
    : { verdict: 'neutral', rule: 'ebuild-reduction', reason: 'a stock build reduces it to the upstream text' };
}

/** The flags the layers introduce that the changed lines of `file` name. */
function introducedFlagsIn(context: CheckContext, file: ChangedFile): string[] {
  const words = new Set(file.regions.flatMap((region) => [...region.added, ...region.removed]).flatMap((line) => line.split(/[^A-Za-z0-9+_@-]+/)));
  return [...new Set(context.introducedFlags().map((entry) => entry.flag.name))].filter((flag) => words.has(flag)).sort();
}
