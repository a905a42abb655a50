import type { CheckContext } from '../checks/context.js';
import { finding } from '../checks/finding.js';
import { packagesAfter, packagesBefore, versionOf, type PackageEbuild } from '../checks/packages.js';
import { stockCodeKind } from '../checks/stock-use.js';
import { parseAtom } from '../portage/atoms.js';
import { parseEbuildPath } from '../portage/ebuild-path.js';
import type { ChangedPath, Decision } from './types.js';

/**
 * New and deleted ebuilds, revision symlinks added, removed or pointed elsewhere, and new overlay
 * copies of portage-stable packages: `stock-changing` (`VersionSelectionChanged`) when the version a
 * build picks for the package changes (the highest version, the overlay's on a tie); an ebuild of a
 * package no repository had is `neutral` (nothing stock depends on it). Otherwise the change is
 * `unproven`: a lower version may still be the one a stock profile can see.
 */
export async function judgeVersions(context: CheckContext, change: ChangedPath): Promise<Decision | undefined> {
  if (change.root !== 'overlay' || stockCodeKind(change.path) !== 'ebuild') return undefined;
  if (change.change === 'modified' && change.before?.mode !== '120000' && change.after?.mode !== '120000') return undefined;
  const name = parseEbuildPath(change.path)!;
  const cp = `${name.category}/${name.package}`;
  const atom = parseAtom(cp);
  const [before, after] = await Promise.all([packagesBefore(context).best(atom), packagesAfter(context).best(atom)]);
  const rule = 'version-selection';
  if (!before) return { verdict: 'neutral', rule, reason: 'new package nothing stock builds' };
  const body = async (ebuild: PackageEbuild | undefined, side: 'before' | 'after') =>
    ebuild && (await (side === 'before' ? packagesBefore(context) : packagesAfter(context)).resolve(ebuild.repo, ebuild.path))?.path;
  const [beforeBody, afterBody] = await Promise.all([body(before, 'before'), body(after, 'after')]);
  if (!after || before.cpv !== after.cpv || before.repo !== after.repo || beforeBody !== afterBody) {
    const picked = after ? `${after.cpv}${after.repo === 'overlay' ? '' : ' (portage-stable)'}` : 'nothing';
    const message = `changes the version a build picks for ${cp}: ${before.cpv} before, ${picked} after`;
    const where = { layer: change.layers.at(-1) ?? null, path: change.path, line: change.after ? 1 : null };
    return { verdict: 'stock-changing', rule, reason: message, finding: finding('VersionSelectionChanged', 'error', message, where) };
  }
  const what = change.change === 'deleted' ? 'deletes' : change.change === 'added' ? 'adds' : 'changes';
  return {
    verdict: 'unproven',
    rule,
    reason: `${what} ${name.cpv} below ${before.cpv} (${versionOf(before)}); which one a stock profile sees needs keywords and masks`,
  };
}
