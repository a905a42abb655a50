import { usedFlags, type FlagUseKind } from '../portage/ebuild.js';
import { addedLines, layerOfLine } from './blame.js';
import type { Check } from './context.js';
import { finding, type Finding } from './finding.js';
import { iuseCaveat, packagesAfter } from './packages.js';
import { implicitIuseOf, stockProfiles } from './profiles.js';
import { stockCodeKind } from './stock-use.js';

/** Tests that need the flag in IUSE (`in_iuse` exists to ask about flags that may not be). */
const IUSE_BOUND_KINDS: ReadonlySet<FlagUseKind> = new Set(['use', 'usex', 'usev', 'use_enable', 'use_with', 'conditional', 'required_use']);

/**
 * `UseNotInIuse` (error): a line a layer added or changed in an ebuild tests a flag (`use X`,
 * `usex X`, `X? (`, …) that neither the ebuild's IUSE, the IUSE of the eclasses it inherits, nor the
 * profiles' implicit IUSE declares. Eclasses found in no repository are named in the message.
 */
export const useNotInIuseCheck: Check = {
  name: 'use-not-in-iuse',
  codes: ['UseNotInIuse'],
  async run(context) {
    const packages = packagesAfter(context);
    const findings: Finding[] = [];
    let implicit: Set<string> | undefined;
    for (const file of await context.changedFiles()) {
      if (stockCodeKind(file.path) !== 'ebuild' || file.after === undefined) continue;
      const added = addedLines(file);
      const uses = (await usedFlags(file.after, file.path)).filter((use) => added.has(use.line) && IUSE_BOUND_KINDS.has(use.kind) && !use.flag.includes('$'));
      if (uses.length === 0) continue;
      const scan = await packages.scan('overlay', file.path);
      if (!scan) continue;
      const iuse = await packages.iuse('overlay', scan);
      implicit ??= implicitIuseOf(await stockProfiles(context, 'after'));
      const reported = new Set<string>();
      for (const use of uses) {
        const key = `${use.flag}:${use.line}`;
        if (iuse.flags.has(use.flag) || implicit.has(use.flag) || reported.has(key)) continue;
        reported.add(key);
        findings.push(
          finding('UseNotInIuse', 'error', `'${use.flag}' is tested (${use.kind}) but not declared in IUSE${iuseCaveat(iuse)}`, {
            layer: layerOfLine(context, file, use.line),
            path: file.path,
            line: use.line,
          }),
        );
      }
    }
    return findings;
  },
};
