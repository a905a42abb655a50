import { verdictCheck } from './verdict-findings.js';

/**
 * `FilesdirChangesStock` (error): a file under a package's `files/` is added, changed, removed or
 * re-moded while stock code of the package (reduced under stock USE) reads or installs it: by
 * name, through a directory it installs recursively, a glob or a variable.
 */
export const filesdirChangesStockCheck = verdictCheck('filesdir-changes-stock', ['FilesdirChangesStock']);
