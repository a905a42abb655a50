import { effectiveUse, type FlagDecision } from '../portage/profiles.js';
import { unsatisfiedRequiredUse } from '../portage/required-use.js';
import { layerOfLine } from './blame.js';
import type { Check } from './context.js';
import { finding, type Finding } from './finding.js';
import { addedFlagLinesWithReaders, profileWithout } from './profile-effects.js';

/**
 * `RequiredUseUnsatisfied` (error): under a configured profile that reads a `package.use`-family
 * line a layer added, the version of the package it names that the profile selects fails a
 * REQUIRED_USE clause that it satisfies without the line (Portage would refuse to build it).
 * Versions whose REQUIRED_USE the static model could not read are not judged.
 */
export const requiredUseUnsatisfiedCheck: Check = {
  name: 'required-use-unsatisfied',
  codes: ['RequiredUseUnsatisfied'],
  async run(context) {
    const findings: Finding[] = [];
    for (const { line, readers } of await addedFlagLinesWithReaders(context)) {
      for (const { name, profile, selected } of readers) {
        for (const version of selected) {
          const { cpv, slot, repository, metadata } = version.ebuild;
          if (!metadata.requiredUse || version.notUnderstood.some(({ variable }) => variable === 'REQUIRED_USE' || variable === 'IUSE')) continue;
          const before = effectiveUse(profileWithout(profile, line.source), cpv, metadata.iuse, { slot, repo: repository, stable: version.visibility.stable });
          const failing = (use: ReadonlyMap<string, FlagDecision>) => unsatisfiedRequiredUse(metadata.requiredUse, (flag) => use.get(flag)?.enabled ?? false);
          const earlier = new Set(failing(before));
          const broken = failing(version.use).filter((clause) => !earlier.has(clause));
          if (broken.length === 0) continue;
          findings.push(
            finding('RequiredUseUnsatisfied', 'error', `${cpv} under ${name} fails REQUIRED_USE ${broken.map((clause) => `'${clause}'`).join(', ')} with '${line.text}'`, {
              layer: layerOfLine(context, line.file, line.line),
              path: line.file.path,
              line: line.line,
            }),
          );
        }
      }
    }
    return findings;
  },
};
