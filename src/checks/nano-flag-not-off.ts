import type { Check } from './context.js';
import { finding, type Finding } from './finding.js';
import { parseAtom } from '../portage/atoms.js';
import { selectedFor } from './profile-effects.js';
import { existingNanoProfiles } from './profiles.js';

/**
 * `NanoFlagNotOff` (error): a flag a layer introduces with the stock default `on` (so that Nano can
 * turn it off) is still on, under a Nano profile, for the version of a package the flag is declared
 * for that the profile selects (its best visible version); the message names the `file:line` (or IUSE default) that keeps it on.
 */
export const nanoFlagNotOffCheck: Check = {
  name: 'nano-flag-not-off',
  codes: ['NanoFlagNotOff'],
  async run(context) {
    const findings: Finding[] = [];
    const profiles = await existingNanoProfiles(context);
    for (const { layer, flag } of context.introducedFlags()) {
      if (flag.default !== 'on') continue;
      for (const cp of flag.packages) {
        for (const { name, profile } of profiles) {
          for (const version of await selectedFor(context, profile, parseAtom(cp))) {
            const decision = version.use.get(flag.name);
            if (!decision?.enabled) continue;
            findings.push(
              finding('NanoFlagNotOff', 'error', `'${flag.name}' is still on for ${version.ebuild.cpv} under ${name}, decided by ${decision.source}`, { layer }),
            );
          }
        }
      }
    }
    return findings;
  },
};
