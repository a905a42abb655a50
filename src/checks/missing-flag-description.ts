import { describedFlags } from '../edits/metadata.js';
import type { Check } from './context.js';
import { finding, type Finding } from './finding.js';
import { packagesAfter, type Packages } from './packages.js';

/**
 * `MissingFlagDescription` (warning): a USE flag a layer introduces (its `flags:` in layer.yaml) is
 * described neither by a `<flag name="…">` in the metadata.xml of a package that declares it, as
 * the layers leave that file, nor by `profiles/use.desc` of either repository, so `equery uses` and
 * the package's documentation show nothing for it (pkgcheck reports it as `UnknownUseFlags`).
 */
export const missingFlagDescriptionCheck: Check = {
  name: 'missing-flag-description',
  codes: ['MissingFlagDescription'],
  async run(context) {
    const packages = packagesAfter(context);
    const global = await globalFlags(packages);
    const findings: Finding[] = [];
    for (const { layer, flag } of context.introducedFlags()) {
      if (global.has(flag.name)) continue;
      for (const cp of flag.packages) {
        const path = `${cp}/metadata.xml`;
        const metadata = (await packages.overlay.read(path)) ?? (await packages.portageStable?.read(path));
        if (metadata && describedFlags(metadata.data.toString('utf8')).has(flag.name)) continue;
        const fix = metadata ? `add a metadata-flag edit for ${path}` : `${cp} has no metadata.xml: add one with a <use> block`;
        const message = `USE flag '${flag.name}' of ${cp} is described neither in its metadata.xml nor in profiles/use.desc: ${fix}`;
        findings.push(finding('MissingFlagDescription', 'warning', message, { layer, path, line: null }));
      }
    }
    return findings;
  },
};

/** The flags `profiles/use.desc` of either repository describes (`flag - description` lines). */
async function globalFlags(packages: Packages): Promise<Set<string>> {
  const flags = new Set<string>();
  for (const tree of [packages.overlay, packages.portageStable]) {
    const text = (await tree?.read('profiles/use.desc'))?.data.toString('utf8') ?? '';
    for (const line of text.split('\n')) {
      const match = /^([A-Za-z0-9][\w+.@-]*)\s+-\s/.exec(line);
      if (match) flags.add(match[1]!);
    }
  }
  return flags;
}
