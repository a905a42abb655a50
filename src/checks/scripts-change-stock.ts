import { verdictCheck } from './verdict-findings.js';

/**
 * `ScriptsChangeStock` (error): a `root: scripts` layer changes what a stock build of the scripts
 * runs: a bash file reduced for the stock boards (`amd64-usr`, `arm64-usr`, no variant) differs,
 * or a script is deleted or re-moded, or an ebuild or eclass inside the repository changes.
 */
export const scriptsChangeStockCheck = verdictCheck('scripts-change-stock', ['ScriptsChangeStock']);
