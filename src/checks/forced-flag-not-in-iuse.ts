import { formatAtom, type Atom } from '../portage/atoms.js';
import { layerOfLine } from './blame.js';
import type { Check, CheckContext } from './context.js';
import { addedFlagLinesWithReaders, type FlagLineReaders } from './profile-effects.js';
import { finding, type Finding } from './finding.js';
import { iuseCaveat, packagesAfter } from './packages.js';
import { implicitIuseOf, stockProfiles } from './profiles.js';

/**
 * `ForcedFlagNotInIuse` (error): a `package.use`, `package.use.force` or `package.use.mask` line a
 * layer added or changed, in any profile, sets a flag that the version its atom stands for does not
 * declare, so the line silently does nothing: the version each configured profile reading the file
 * selects (keywords and masks applied, the static model's IUSE), or, for a file no configured
 * profile reads, the highest version in the patched overlay and portage-stable.
 * Packages that exist nowhere are left to UnknownPackage.
 */
export const forcedFlagNotInIuseCheck: Check = {
  name: 'forced-flag-not-in-iuse',
  codes: ['ForcedFlagNotInIuse'],
  async run(context) {
    const lines = await addedFlagLinesWithReaders(context);
    if (lines.length === 0) return [];
    const implicit = implicitIuseOf(await stockProfiles(context, 'after'));
    const judged = await Promise.all(lines.map(({ line, readers }) => judgedVersions(context, line.atom, readers)));
    const findings: Finding[] = [];
    lines.forEach(({ line }, index) => {
      const missingIn = judged[index]!.flatMap(({ cpv, flags, caveat }) => {
        const missing = lineFlags(line.words.slice(1)).filter((flag) => !flags.has(flag) && !implicit.has(flag));
        return missing.length ? [{ cpv, missing, caveat }] : [];
      });
      const first = missingIn[0];
      if (!first) return;
      const { missing, caveat } = first;
      const cpvs = missingIn.map((entry) => entry.cpv).join(', ');
      findings.push(
        finding(
          'ForcedFlagNotInIuse',
          'error',
          `${missing.map((flag) => `'${flag}'`).join(', ')} not in IUSE of ${cpvs} (selected for ${formatAtom(line.atom)}), so ${line.fileName} has no effect${caveat}`,
          { layer: layerOfLine(context, line.file, line.line), path: line.file.path, line: line.line },
        ),
      );
    });
    return findings;
  },
};

/**
 * The versions a line's atom stands for, with their IUSE: those selected by each configured profile
 * that reads the file (see selectedFor), or, when none reads it, the highest version matching.
 */
async function judgedVersions(
  context: CheckContext,
  atom: Atom,
  readers: FlagLineReaders['readers'],
): Promise<{ cpv: string; flags: ReadonlyMap<string, boolean>; caveat: string }[]> {
  if (readers.length === 0) {
    const packages = packagesAfter(context);
    const ebuild = await packages.best(atom);
    const scan = ebuild && (await packages.scan(ebuild.repo, ebuild.path));
    if (!ebuild || !scan) return [];
    const iuse = await packages.iuse(ebuild.repo, scan);
    return [{ cpv: ebuild.cpv, flags: iuse.flags, caveat: iuseCaveat(iuse) }];
  }
  const judged = new Map<string, { cpv: string; flags: ReadonlyMap<string, boolean>; caveat: string }>();
  for (const { selected } of readers) {
    for (const version of selected) {
      const unread = version.notUnderstood.filter(({ variable }) => variable === 'IUSE' || variable === 'inherit');
      const caveat = unread.length ? ` (IUSE not fully read: ${unread.map(({ reason }) => reason).join('; ')})` : '';
      judged.set(version.ebuild.cpv, { cpv: version.ebuild.cpv, flags: version.ebuild.metadata.iuse, caveat });
    }
  }
  return [...judged.values()];
}

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
