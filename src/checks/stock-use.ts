import { parseEbuildPath, splitPackageVersion, isPackageName, type EbuildPath } from '../portage/ebuild-path.js';
import { effectiveUse, type Profile } from '../portage/profiles.js';
import type { FlagState } from '../portage/reduce.js';
import { ProfileVisibility } from '../portage/visibility.js';
import type { ChangedFile, CheckContext } from './context.js';
import { scanEbuild, iuseDefaults } from './ebuild-scan.js';
import { loadingNames, packagesAfter, packagesBefore, type RepositoryName } from './packages.js';
import { stockProfiles, type NamedProfile } from './profiles.js';

/**
 * The USE a stock build gives the code of a changed overlay file: for an ebuild, its effective USE
 * under each stock profile of the upstream overlay (a profile change is judged, and blamed, on its
 * own) for every name it is loaded as that the profile can see (KEYWORDS accepted, not masked: a
 * `-9999` body's live name is left out); for a `coreos/config/env` hook, the effective USE of each
 * visible ebuild of the package it hooks; for an eclass, which has no USE of its own, only the
 * defaults of the flags the layers added to its IUSE.
 */

/** Kinds of overlay file whose code runs in stock builds. */
export type StockCodeKind = 'ebuild' | 'eclass' | 'env';

/** The flag states of one stock configuration, and what it is (profile and package) for messages. */
export interface StockConfiguration {
  readonly description: string;
  readonly isEnabled: FlagState;
  /** The ebuild's name variables (`PN`, `PV`, …) for the name it is loaded as. */
  readonly variables?: ReadonlyMap<string, string>;
}

/** `PN`, `PV`, `PR`, `PVR`, `P` and `PF` of an ebuild name. */
export function nameVariables(name: EbuildPath): Map<string, string> {
  const pvr = name.revision ? `${name.version}-r${name.revision}` : name.version;
  return new Map([
    ['PN', name.package],
    ['PV', name.version],
    ['PR', `r${name.revision}`],
    ['PVR', pvr],
    ['P', `${name.package}-${name.version}`],
    ['PF', `${name.package}-${pvr}`],
  ]);
}

/** The kind of stock code at `path` (relative to the overlay root), or undefined for other files. */
export function stockCodeKind(path: string): StockCodeKind | undefined {
  if (parseEbuildPath(path) && path.split('/').length === 3) return 'ebuild';
  if (/^eclass\/[^/]+\.eclass$/.test(path)) return 'eclass';
  if (/^coreos\/config\/env\/[^/]+\/[^/]+$/.test(path)) return 'env';
  return undefined;
}

/** Flags the patched text declares in IUSE that the upstream text did not, with their patched defaults. */
export async function addedIuseFlags(file: ChangedFile): Promise<Map<string, boolean>> {
  const after = iuseDefaults((await scanEbuild(file.after ?? '', file.path)).iuse);
  const before = iuseDefaults((await scanEbuild(file.before ?? '', file.path)).iuse);
  return new Map([...after].filter(([flag]) => !before.has(flag)));
}

/** The package a `coreos/config/env/<category>/<name>` hook applies to (`name` may carry a version or slot). */
export function hookedPackage(path: string): string | undefined {
  const [, , , category, name] = path.split('/') as [string, string, string, string, string];
  const bare = name.replace(/:.*$/, '');
  const pkg = isPackageName(bare) ? bare : splitPackageVersion(bare)?.package;
  return pkg && `${category}/${pkg}`;
}

/** The profiles to evaluate stock USE with; without configured stock profiles, IUSE defaults alone. */
async function stockProfileList(context: CheckContext): Promise<NamedProfile[]> {
  // The upstream profiles: a profile change is its own layer's finding, not one of the code it affects.
  const profiles = await stockProfiles(context, 'before');
  return profiles.length ? profiles : [{ name: 'IUSE defaults', profile: { chain: [], skipped: [] } }];
}

/** Every stock configuration `file`'s patched text runs under (see the module comment). */
export async function stockConfigurations(context: CheckContext, file: ChangedFile): Promise<StockConfiguration[]> {
  const kind = stockCodeKind(file.path);
  if (kind === 'eclass') {
    const added = await addedIuseFlags(file);
    return [{ description: 'layer flags at their IUSE defaults', isEnabled: (flag) => added.get(flag) }];
  }
  const packages = packagesAfter(context);
  let targets: { name: EbuildPath; repo: 'overlay' | 'portage-stable'; path: string }[] = [];
  if (kind === 'ebuild') {
    targets = (await loadingNames(context.after, file.path)).map((name) => ({ name, repo: 'overlay', path: file.path }));
  } else if (kind === 'env') {
    const cp = hookedPackage(file.path);
    const ebuilds = cp ? await packages.ebuilds(cp) : [];
    targets = ebuilds.map((ebuild) => ({ name: ebuild, repo: ebuild.repo, path: ebuild.path }));
  }
  const configurations: StockConfiguration[] = [];
  let hidden = 0;
  for (const { name, profile } of await stockProfileList(context)) {
    for (const target of targets) {
      if (!(await visibleToStock(context, profile, target.name, target.repo))) {
        hidden++;
        continue;
      }
      const scan = await packages.scan(target.repo, target.path);
      if (!scan) continue;
      const iuse = await packages.iuse(target.repo, scan);
      const decisions = effectiveUse(profile, target.name.cpv, iuse.flags, scan.slot ? { slot: scan.slot } : {});
      configurations.push({
        description: `${target.name.cpv} under ${name}`,
        isEnabled: (flag) => decisions.get(flag)?.enabled,
        variables: nameVariables(target.name),
      });
    }
  }
  if (configurations.length === 0 && hidden > 0) return []; // no stock profile can see any name it is loaded as
  return configurations.length ? configurations : [{ description: 'no known USE', isEnabled: () => undefined }];
}

/**
 * True when a stock build under `profile` can see the ebuild `name` of `repo` (its KEYWORDS
 * accepted, not masked) with the upstream or the patched text; always when the profile has no
 * ACCEPT_KEYWORDS to judge by (the IUSE-defaults stand-in, a chain without its Gentoo parents).
 */
async function visibleToStock(context: CheckContext, profile: Profile, name: EbuildPath, repo: RepositoryName): Promise<boolean> {
  const visibility = ProfileVisibility.of(profile);
  // Without ACCEPT_KEYWORDS (no Gentoo parent profile in reach) visibility is not known: judge every name.
  if (visibility.acceptKeywords.length === 0) return true;
  for (const packages of [packagesAfter(context), packagesBefore(context)]) {
    const ebuild = (await packages.selectable(`${name.category}/${name.package}`)).find((entry) => entry.cpv === name.cpv && entry.repo === repo);
    if (ebuild && visibility.verdict(ebuild).visible) return true;
  }
  return false;
}
