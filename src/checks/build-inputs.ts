import { verdictCheck } from './verdict-findings.js';

/**
 * Files a stock build reads besides ebuilds and profile settings:
 * - `EclassShadowed` (error): a new overlay eclass has the name of a portage-stable eclass, so every
 *   ebuild inheriting it gets the overlay's;
 * - `UserPatchChangesStock` (error): `coreos/user-patches/<category>/<package>/` changes for a
 *   package a repository has (`eapply_user` applies it to every build);
 * - `BoardConfigChangesStock` (error): `coreos/config/portage/` changes (linked into every board);
 * - `StockReadFileChanged` (error): a file of a stock profile directory that Portage does not read by
 *   name (one `profile.bashrc` sources), `profiles/repo_name`, the repository's `package.mask` or
 *   `package.unmask`, `thirdpartymirrors` or `updates/` changes;
 * - `ManifestChangesStock` (error): a DIST entry of a package with ebuilds changes or goes;
 * - `LayoutChangesStock` (error): `metadata/layout.conf` changes masters, EAPIs, cache or profile
 *   formats or manifest handling.
 */
export const buildInputsCheck = verdictCheck('build-inputs', [
  'EclassShadowed',
  'UserPatchChangesStock',
  'BoardConfigChangesStock',
  'StockReadFileChanged',
  'ManifestChangesStock',
  'LayoutChangesStock',
]);
