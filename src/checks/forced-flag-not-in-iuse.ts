import { formatAtom } from '../portage/atoms.js';
import { layerOfLine } from './blame.js';
import type { Check } from './context.js';
import { finding, type Finding } from './finding.js';
import { iuseCaveat, packagesAfter } from './packages.js';
import { contentWords, lineAtom, profileFileName } from './profile-lines.js';
import { implicitIuseOf, stockProfiles } from './profiles.js';

const FLAG_LINE_FILES: ReadonlySet<string> = new Set(['package.use', 'package.use.force', 'package.use.mask', 'package.use.stable.force', 'package.use.stable.mask']);

/**
 * `ForcedFlagNotInIuse` (error): a `package.use`, `package.use.force` or `package.use.mask` line a
 * layer added or changed, in any profile, sets a flag that the best ebuild for its atom (in the
 * patched overlay, then portage-stable) does not declare, so the line silently does nothing.
 * Packages that exist nowhere are left to UnknownPackage.
 */
export const forcedFlagNotInIuseCheck: Check = {
  name: 'forced-flag-not-in-iuse',
  codes: ['ForcedFlagNotInIuse'],
  async run(context) {
    const packages = packagesAfter(context);
    const findings: Finding[] = [];
    let implicit: Set<string> | undefined;
    for (const file of await context.changedFiles()) {
      const name = profileFileName(file.path);
      if (!name || !FLAG_LINE_FILES.has(name)) continue;
      for (const region of file.regions) {
        for (const [offset, text] of region.added.entries()) {
          const words = contentWords(text);
          const atom = lineAtom(name, words);
          const ebuild = atom && (await packages.best(atom));
          const scan = ebuild && (await packages.scan(ebuild.repo, ebuild.path));
          if (!atom || !ebuild || !scan) continue;
          const iuse = await packages.iuse(ebuild.repo, scan);
          implicit ??= implicitIuseOf(await stockProfiles(context, 'after'));
          const missing = lineFlags(words.slice(1)).filter((flag) => !iuse.flags.has(flag) && !implicit!.has(flag));
          if (missing.length === 0) continue;
          const line = region.line + offset;
          findings.push(
            finding(
              'ForcedFlagNotInIuse',
              'error',
              `${missing.map((flag) => `'${flag}'`).join(', ')} not in IUSE of ${ebuild.cpv} (best match for ${formatAtom(atom)}), so ${name} has no effect${iuseCaveat(iuse)}`,
              { layer: layerOfLine(context, file, line), path: file.path, line },
            ),
          );
        }
      }
    }
    return findings;
  },
};

/** The flags a package-file line's words name: `-flag` as `flag`, `NAME: value` as `name_value`; `*` and `-*` name none. */
function lineFlags(words: readonly string[]): string[] {
  const flags: string[] = [];
  let prefix = '';
  for (const word of words) {
    if (word.endsWith(':')) prefix = `${word.slice(0, -1).toLowerCase()}_`;
    else if (word !== '*' && word !== '-*') flags.push(prefix + word.replace(/^-/, ''));
  }
  return flags;
}
