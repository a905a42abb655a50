import { posix } from 'node:path';
import type { ChangedFile, CheckContext } from '../checks/context.js';
import { finding } from '../checks/finding.js';
import { meaningfulContent, profileFileName } from '../checks/profile-lines.js';
import { existingNanoProfiles } from '../checks/profiles.js';
import { profileChangeFindings, stockReadProfileFiles } from '../checks/unguarded-profile-change.js';
import { textOf, type ChangedPath, type Decision } from './types.js';

/** Files at the top of `profiles/` that describe things for tools and people; no build reads them. */
const DESCRIPTIVE = /^profiles\/(profiles\.desc|use\.desc|use\.local\.desc|desc\/.*|info_pkgs|info_vars|arch\.list|README.*)$/;

/**
 * Profile files. In a directory of a stock profile's chain (before or after the layers), every file
 * counts: what UnguardedProfileChange finds is `stock-changing`, a change of comments and blanks
 * only, or of lines that leave stock USE, forces and masks as they were, is `neutral`; a file
 * Portage does not read by name there (one `profile.bashrc` sources) is `stock-changing`
 * (`StockReadFileChanged`) when its content changes. Outside the stock chains: a file of a Nano
 * profile is `guarded`, of any other profile `neutral`; `profiles/repo_name` and the repository's
 * own `profiles/package.mask` are read by every build (`StockReadFileChanged`), descriptive files
 * (`profiles.desc`, `use.desc`, `desc/`, …) and new `categories` lines are `neutral`, anything else
 * (`updates/`, `license_groups`, …) `unproven`.
 */
export async function judgeProfile(context: CheckContext, change: ChangedPath, file: ChangedFile | undefined): Promise<Decision | undefined> {
  if (change.root !== 'overlay' || !change.path.startsWith('profiles/')) return undefined;
  const rule = 'profile-effect';
  const before = textOf(change.before) ?? '';
  const after = textOf(change.after) ?? '';
  const same = meaningfulContent(before) === meaningfulContent(after);
  const stockChanging = (message: string, code: string, line: number | null = firstLine(file)) => ({
    verdict: 'stock-changing' as const,
    rule,
    reason: message,
    finding: finding(code, 'error', message, { layer: change.layers.at(-1) ?? null, path: change.path, line }),
  });
  if ((await stockReadProfileFiles(context)).has(change.path)) {
    const found = (await profileChangeFindings(context)).find((entry) => entry.path === change.path);
    if (found) return { verdict: 'stock-changing', rule, reason: found.message, finding: found };
    if (same) return { verdict: 'neutral', rule, reason: 'comments and blanks only' };
    if (!profileFileName(change.path)) return stockChanging(`changes ${posix.basename(change.path)}, a file of a stock profile directory`, 'StockReadFileChanged');
    return { verdict: 'neutral', rule, reason: 'stock USE, forces and masks stay as they were' };
  }
  if (same && change.change !== 'added' && change.change !== 'deleted') return { verdict: 'neutral', rule, reason: 'comments and blanks only' };
  if (/^profiles\/(repo_name|package\.mask|package\.unmask|thirdpartymirrors|updates\/.+)$/.test(change.path)) {
    return stockChanging(`changes ${change.path}, which every build reads`, 'StockReadFileChanged');
  }
  if (DESCRIPTIVE.test(change.path)) return { verdict: 'neutral', rule, reason: 'describes profiles and flags; no build reads it' };
  if (change.path === 'profiles/categories') {
    const kept = before.split('\n').every((line) => after.split('\n').includes(line));
    return kept ? { verdict: 'neutral', rule, reason: 'only adds categories' } : { verdict: 'unproven', rule, reason: 'removes a category' };
  }
  const dir = posix.dirname(change.path);
  const nanoDirs = new Set((await existingNanoProfiles(context)).flatMap(({ profile }) => profile.chain.map((node) => node.dir)));
  if (nanoDirs.has(dir) || nanoDirs.has(posix.dirname(dir))) return { verdict: 'guarded', rule, reason: 'profile: Nano profile only' };
  if (profileFileName(change.path) || /^profiles\/.+\/(parent|make\.defaults)$/.test(change.path)) {
    return { verdict: 'neutral', rule, reason: 'a profile no stock build reads' };
  }
  return { verdict: 'unproven', rule, reason: `no rule for ${change.path}` };
}

function firstLine(file: ChangedFile | undefined): number | null {
  return file?.regions[0]?.line ?? null;
}
