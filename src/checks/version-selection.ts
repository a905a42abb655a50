import { verdictCheck } from './verdict-findings.js';

/**
 * `VersionSelectionChanged` (error): a new or deleted ebuild, a revision symlink added, removed or
 * pointed elsewhere, or a new overlay copy of a portage-stable package changes which ebuild a build
 * picks for the package (a new `-r99` or higher version is what stock builds next).
 */
export const versionSelectionCheck = verdictCheck('version-selection', ['VersionSelectionChanged']);
