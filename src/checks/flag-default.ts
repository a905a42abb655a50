import type { FlagSpec } from '../layers/manifest.js';
import { parseEbuildPath } from '../portage/ebuild-path.js';
import { effectiveUse } from '../portage/profiles.js';
import { compareReduced } from '../portage/reduce.js';
import { layerOfLine } from './blame.js';
import type { ChangedFile, Check, CheckContext } from './context.js';
import { iuseDefaults, scanEbuild } from './ebuild-scan.js';
import { finding, type Finding } from './finding.js';
import { packagesAfter } from './packages.js';
import { nanoProfiles } from './profiles.js';
import { addedIuseFlags, stockCodeKind, stockConfigurations } from './stock-use.js';

/**
 * `FlagDefaultChangesStock` (error): a flag a layer introduces whose default sends stock builds down
 * the Nano path. For every patched or new ebuild that declares such a flag (because a layer added it
 * to IUSE, or because the manifest lists the package for it), the IUSE default must match the
 * manifest's stock default, and that default must not be the Nano path: the Nano path is the state
 * under which the patched ebuild stops building as upstream does, or, for an ebuild with no upstream
 * version, the state a Nano profile explicitly gives the flag.
 */
export const flagDefaultCheck: Check = {
  name: 'flag-default',
  codes: ['FlagDefaultChangesStock'],
  async run(context) {
    const specs = new Map<string, { layer: string; flag: FlagSpec }[]>();
    for (const entry of context.introducedFlags()) specs.set(entry.flag.name, [...(specs.get(entry.flag.name) ?? []), entry]);
    const findings: Finding[] = [];
    for (const file of await context.changedFiles()) {
      if (stockCodeKind(file.path) !== 'ebuild' || file.after === undefined) continue;
      const { category, package: name } = parseEbuildPath(file.path)!;
      const cp = `${category}/${name}`;
      const added = await addedIuseFlags(file);
      const scan = await scanEbuild(file.after, file.path);
      for (const [flag, declaredOn] of iuseDefaults(scan.iuse)) {
        const candidates = specs.get(flag) ?? [];
        const spec = candidates.find((entry) => entry.flag.packages.includes(cp)) ?? (added.has(flag) ? candidates[0] : undefined);
        if (!spec) continue;
        const line = scan.iuse.filter((word) => 'flag' in word && word.flag === flag).at(-1)?.line ?? null;
        const where = { layer: layerOfLine(context, file, line), path: file.path, line };
        const stockOn = spec.flag.default === 'on';
        if (declaredOn !== stockOn) {
          findings.push(
            finding(
              'FlagDefaultChangesStock',
              'error',
              `IUSE declares '${flag}' ${state(declaredOn)} by default, but layer ${spec.layer} says stock builds have it ${state(stockOn)}: write '${stockOn ? '+' : ''}${flag}'`,
              where,
            ),
          );
          continue;
        }
        const nanoPath = await nanoPathReason(context, file, cp, flag, stockOn, [...added.keys()]);
        if (nanoPath) {
          findings.push(finding('FlagDefaultChangesStock', 'error', `'${flag}' is ${state(stockOn)} by default (layer ${spec.layer}), which is the Nano path: ${nanoPath}`, where));
        }
      }
    }
    return findings;
  },
};

function state(on: boolean): string {
  return on ? 'on' : 'off';
}

/** Why `stockOn` is the Nano state of `flag` for the ebuild, or undefined when it is not (or nothing tells). */
async function nanoPathReason(context: CheckContext, file: ChangedFile, cp: string, flag: string, stockOn: boolean, ignoreIuseFlags: string[]): Promise<string | undefined> {
  const { before, after } = file;
  if (before !== undefined && after !== undefined) {
    for (const configuration of await stockConfigurations(context, file)) {
      const reduceWith = (value: boolean) =>
        compareReduced(before, after, (name) => (name === flag ? value : configuration.isEnabled(name)), { ignoreIuseFlags }).catch(() => 'unknown' as const);
      const [atDefault, flipped] = await Promise.all([reduceWith(stockOn), reduceWith(!stockOn)]);
      if (atDefault !== undefined && atDefault !== 'unknown' && flipped === undefined) {
        return `with ${flag} ${state(!stockOn)} the ebuild builds as upstream does, with ${flag} ${state(stockOn)} it does not`;
      }
    }
    return undefined;
  }
  const packages = packagesAfter(context);
  const scan = await packages.scan('overlay', file.path);
  if (!scan) return undefined;
  const iuse = await packages.iuse('overlay', scan);
  for (const { name, profile } of await nanoProfiles(context)) {
    const decision = effectiveUse(profile, parseEbuildPath(file.path)!.cpv, iuse.flags, scan.slot ? { slot: scan.slot } : {}).get(flag);
    if (decision && decision.source !== 'IUSE' && decision.enabled === stockOn) {
      return `the Nano profile ${name} sets it ${state(stockOn)} for ${cp} (${decision.source})`;
    }
  }
  return undefined;
}
