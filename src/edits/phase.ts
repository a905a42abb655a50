import { missingAnchor } from './edit-error.js';
import { appendFunction, findFunction, functionHolds, guardedBlock, insertIntoFunction } from './functions.js';
import { dominantIndentUnit, indentBody } from './indent.js';
import { maskForEdit } from './shell-mask.js';
import type { EditContext, EditResult, PhaseAppend } from './types.js';

/** Phases that have a default implementation `default` can call. */
export const PHASES_WITH_DEFAULT = new Set([
  'pkg_nofetch',
  'src_unpack',
  'src_prepare',
  'src_configure',
  'src_compile',
  'src_test',
  'src_install',
]);

/**
 * Appends the guarded body at the end of the function, indented one level deeper than the
 * function's body. A missing function is created at the end of the file when `createPhase` is
 * set. Already applied when the function holds the same block, whitespace aside.
 */
export function applyPhaseAppend(text: string, edit: PhaseAppend, ctx: EditContext): EditResult {
  const mask = maskForEdit(text, ctx);
  const fn = findFunction(mask, edit.phase, ctx);
  if (fn) {
    const indent = fn.indent + fn.unit;
    const block = guardedBlock(edit.flag, indentBody(edit.body, indent + fn.unit), indent);
    if (functionHolds(text, fn, block)) return { text, status: 'already-applied' };
    return { text: insertIntoFunction(text, fn, block, 'end'), status: 'applied' };
  }
  if (!edit.createPhase) throw missingAnchor(ctx, `function ${edit.phase}()`);
  const unit = dominantIndentUnit(mask);
  const block = guardedBlock(edit.flag, indentBody(edit.body, unit + unit), unit);
  const lines = edit.callDefault ? [`${unit}default`, ...block] : block;
  return { text: appendFunction(text, edit.phase, lines), status: 'applied' };
}
