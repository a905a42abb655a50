import { posix } from 'node:path';
import type { ChangedFile, CheckContext } from '../checks/context.js';
import { finding } from '../checks/finding.js';
import { packagesAfter } from '../checks/packages.js';
import type { ChangedPath, Decision } from './types.js';

/**
 * What a board build reads from `coreos/` besides the env hooks (stock-code.ts):
 * - `coreos/user-patches/<category>/<package>/…`: `eapply_user` applies them to every build of the
 *   package, so a change for a package a repository has is `stock-changing` (`UserPatchChangesStock`),
 *   for any other package `neutral`;
 * - `coreos/config/portage/…`: setup_board links it into every board's configuration, so any
 *   change is `stock-changing` (`BoardConfigChangesStock`).
 * Anything else below `coreos/` has no rule (`unproven`).
 */
export async function judgeBoardConfig(context: CheckContext, change: ChangedPath, file: ChangedFile | undefined): Promise<Decision | undefined> {
  if (change.root !== 'overlay' || !change.path.startsWith('coreos/') || change.path.startsWith('coreos/config/env/')) return undefined;
  const where = { layer: change.layers.at(-1) ?? null, path: change.path, line: file?.regions[0]?.line ?? null };
  const patch = /^coreos\/user-patches\/([^/]+\/[^/]+)\//.exec(change.path);
  if (patch) {
    const cp = patch[1]!.replace(/-\d.*$/, '').replace(/:.*$/, '');
    if (!(await packagesAfter(context).exists(cp))) return { verdict: 'neutral', rule: 'user-patches', reason: 'user patch for a package no repository has' };
    const message = `eapply_user applies it to every build of ${cp}`;
    return { verdict: 'stock-changing', rule: 'user-patches', reason: message, finding: finding('UserPatchChangesStock', 'error', message, where) };
  }
  if (change.path.startsWith('coreos/config/portage/')) {
    const message = `setup_board links ${posix.dirname(change.path)} into every board's configuration`;
    return { verdict: 'stock-changing', rule: 'board-config', reason: message, finding: finding('BoardConfigChangesStock', 'error', message, where) };
  }
  return { verdict: 'unproven', rule: 'board-config', reason: `no rule for ${change.path}` };
}
