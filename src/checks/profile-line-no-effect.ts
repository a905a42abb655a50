import { formatAtom } from '../portage/atoms.js';
import { effectiveUse } from '../portage/profiles.js';
import { layerOfLine } from './blame.js';
import type { Check } from './context.js';
import { finding, type Finding } from './finding.js';
import { addedFlagLinesWithReaders, profileWithout } from './profile-effects.js';

/**
 * `ProfileLineNoEffect` (warning): a `package.use`-family line a layer added changes the USE of no
 * version it names under any configured profile that reads the file: each flag it sets is decided
 * elsewhere (a force or mask, a later line) or already had that value. The message names, for each
 * flag, the `file:line` that decides it. Judged on the versions each profile selects; versions whose
 * IUSE the static model could not read are not judged.
 */
export const profileLineNoEffectCheck: Check = {
  name: 'profile-line-no-effect',
  codes: ['ProfileLineNoEffect'],
  async run(context) {
    const findings: Finding[] = [];
    for (const { line, readers } of await addedFlagLinesWithReaders(context)) {
      if (line.flags.length === 0) continue;
      let judged = 0;
      let changes = false;
      const deciders = new Map<string, string>();
      const names: string[] = [];
      for (const { name, profile, selected } of readers) {
        const without = profileWithout(profile, line.source);
        for (const version of selected) {
          if (version.notUnderstood.some(({ variable }) => variable === 'IUSE' || variable === 'SLOT')) continue;
          const flags = line.flags.filter(({ flag }) => version.use.has(flag));
          if (flags.length === 0) continue;
          const { cpv, slot, repository, metadata } = version.ebuild;
          const before = effectiveUse(without, cpv, metadata.iuse, { slot, repo: repository, stable: version.visibility.stable });
          judged++;
          names.push(`${cpv} under ${name}`);
          for (const { flag } of flags) {
            const after = version.use.get(flag)!;
            if (after.enabled !== before.get(flag)?.enabled) changes = true;
            else deciders.set(flag, after.source === line.source ? 'already so' : after.source);
          }
        }
      }
      if (judged === 0 || changes) continue;
      const why = [...deciders].map(([flag, source]) => `'${flag}' ${source === 'already so' ? 'already had that value' : `is decided by ${source}`}`);
      findings.push(
        finding(
          'ProfileLineNoEffect',
          'warning',
          `'${line.text}' changes nothing for ${formatAtom(line.atom)}: ${why.join(', ')} (${names.join(', ')})`,
          { layer: layerOfLine(context, line.file, line.line), path: line.file.path, line: line.line },
        ),
      );
    }
    return findings;
  },
};
