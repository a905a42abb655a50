import type { CheckContext } from '../checks/context.js';
import { finding } from '../checks/finding.js';
import { packagesAfter, packagesBefore, type Packages } from '../checks/packages.js';
import { stockProfiles } from '../checks/profiles.js';
import { stockCodeKind } from '../checks/stock-use.js';
import { parseEbuildPath } from '../portage/ebuild-path.js';
import { ProfileVisibility } from '../portage/visibility.js';
import type { ChangedPath, Decision } from './types.js';

/**
 * New and deleted ebuilds, revision symlinks added, removed or pointed elsewhere, and new overlay
 * copies of portage-stable packages: `stock-changing` (`VersionSelectionChanged`) when, under a
 * stock profile of the upstream overlay (its ACCEPT_KEYWORDS, package.accept_keywords,
 * package.mask and package.unmask), the best visible version of a slot of the package, or the body
 * it is read from, is not what it was; `neutral` when every slot keeps its pick, or the package is
 * new to both repositories. Without stock profiles, or ACCEPT_KEYWORDS in one, the change is
 * `unproven`.
 */
export async function judgeVersions(context: CheckContext, change: ChangedPath): Promise<Decision | undefined> {
  if (change.root !== 'overlay' || stockCodeKind(change.path) !== 'ebuild') return undefined;
  if (change.change === 'modified' && change.before?.mode !== '120000' && change.after?.mode !== '120000') return undefined;
  const name = parseEbuildPath(change.path)!;
  const cp = `${name.category}/${name.package}`;
  const rule = 'version-selection';
  const [before, after] = [packagesBefore(context), packagesAfter(context)];
  if (!(await before.exists(cp))) return { verdict: 'neutral', rule, reason: 'new package nothing stock builds' };
  const selection = await selectionChange(context, cp, before, after);
  if (selection.verdict !== 'stock-changing') return { ...selection, rule };
  const where = { layer: change.layers.at(-1) ?? null, path: change.path, line: change.after ? 1 : null };
  return { verdict: 'stock-changing', rule, reason: selection.reason, finding: finding('VersionSelectionChanged', 'error', selection.reason, where) };
}

/** Whether the best visible version of a slot of `cp` under a stock profile differs between two package views, and how. */
export async function selectionChange(
  context: CheckContext,
  cp: string,
  before: Packages,
  after: Packages,
): Promise<{ verdict: 'neutral' | 'unproven' | 'stock-changing'; reason: string }> {
  const profiles = await stockProfiles(context, 'before');
  if (profiles.length === 0) return { verdict: 'unproven', reason: 'no stock profile to select versions with' };
  for (const { name: profileName, profile } of profiles) {
    const visibility = ProfileVisibility.of(profile);
    if (visibility.acceptKeywords.length === 0) return { verdict: 'unproven', reason: `${profileName} sets no ACCEPT_KEYWORDS to select versions with` };
    const [was, is] = await Promise.all([picks(before, cp, visibility), picks(after, cp, visibility)]);
    for (const slot of new Set([...was.keys(), ...is.keys()])) {
      if (was.get(slot) === is.get(slot)) continue;
      const reason = `changes the version ${profileName} builds of ${cp}${slot === '0' ? '' : `:${slot}`}: ${was.get(slot) ?? 'none'} before, ${is.get(slot) ?? 'none'} after`;
      return { verdict: 'stock-changing', reason };
    }
  }
  return { verdict: 'neutral', reason: `every stock profile keeps its pick of ${cp}` };
}

/** The best visible ebuild of each slot, as `cpv::repository (body)`. */
async function picks(packages: Packages, cp: string, visibility: ProfileVisibility): Promise<Map<string, string>> {
  const chosen = new Map<string, string>();
  for (const [slot, ebuild] of visibility.bestBySlot(await packages.selectable(cp))) {
    const body = (await packages.resolve(ebuild.repo, ebuild.path))?.path ?? ebuild.path;
    chosen.set(slot, `${ebuild.cpv}::${ebuild.repository}${body === ebuild.path ? '' : ` (${body})`}`);
  }
  return chosen;
}
