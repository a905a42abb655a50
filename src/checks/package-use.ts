import { effectiveUse, type FlagDecision, type Profile } from '../portage/profiles.js';
import { ProfileVisibility, type VisibilityVerdict } from '../portage/visibility.js';
import type { Packages, SelectablePackageEbuild } from './packages.js';

/**
 * The static model's answer for the versions of a package under a profile: each version's IUSE
 * (with its eclasses'), whether it is visible and stable, whether it is the version the profile
 * selects for its slot, and the effective USE with the `file:line` (or IUSE default) deciding each
 * flag. What the static reading could not work out is named, so callers report the version as not
 * understood rather than judge it.
 */

/** One version of a package under a profile. */
export interface VersionUse {
  readonly ebuild: SelectablePackageEbuild;
  readonly visibility: VisibilityVerdict;
  /** True when this is the best visible version of its slot: the one a build with the profile takes. */
  readonly selected: boolean;
  readonly use: ReadonlyMap<string, FlagDecision>;
  /** Variables the static reading could not work out (empty when the metadata is fully known). */
  readonly notUnderstood: readonly { readonly variable: string; readonly reason: string }[];
}

/** The use of every version of `cp` (both repositories) under `profile`, overlay versions first. */
export async function packageUse(packages: Packages, profile: Profile, cp: string): Promise<VersionUse[]> {
  const visibility = ProfileVisibility.of(profile);
  const versions = await packages.selectable(cp);
  const selected = new Set(visibility.bestBySlot(versions).values());
  return versions.map((ebuild) => {
    const verdict = visibility.verdict(ebuild);
    const use = effectiveUse(profile, ebuild.cpv, ebuild.metadata.iuse, { slot: ebuild.slot, repo: ebuild.repository, stable: verdict.stable });
    return { ebuild, visibility: verdict, selected: selected.has(ebuild), use, notUnderstood: ebuild.metadata.notUnderstood };
  });
}

/** The version `profile` selects for an atom's package and slot among `versions`, or undefined. */
export function selectedVersion(versions: readonly VersionUse[], slot?: string): VersionUse | undefined {
  return versions.find((version) => version.selected && (slot === undefined || version.ebuild.slot === slot));
}
