import { findAssignments } from './assignments.js';
import { EditError } from './edit-error.js';
import { appendFunction, findFunction, functionHolds, guardedBlock, insertIntoFunction } from './functions.js';
import { dominantIndentUnit } from './indent.js';
import { maskForEdit } from './shell-mask.js';
import type { EditContext, EditResult, PatchesAdd } from './types.js';

/**
 * Applies a FILESDIR patch under a USE condition: `if use flag; then eapply "${FILESDIR}/…"; fi`
 * at the start of src_prepare, before `default` or an eclass's src_prepare runs, so the patch
 * applies to the sources as unpacked. Without src_prepare, one is added holding the block and
 * `prepareCall` (`default` when omitted). `use` is unavailable at global scope, so a guarded
 * `PATCHES+=` is not an option there. Needs EAPI 6 or later (`eapply`).
 */
export function applyPatchesAdd(text: string, edit: PatchesAdd, ctx: EditContext): EditResult {
  const mask = maskForEdit(text, ctx);
  const eapi = findAssignments(text, mask, (name) => name === 'EAPI').find((assignment) => assignment.indent === '');
  const eapiValue = eapi ? text.slice(eapi.valueStart, eapi.valueEnd) : undefined;
  if (eapiValue === undefined || /^[0-5]$/.test(eapiValue)) {
    const found = eapiValue === undefined ? 'no EAPI line' : `EAPI ${eapiValue}`;
    throw new EditError(ctx, `patches-add needs EAPI 6 or later for eapply, the file has ${found}`);
  }
  const fn = findFunction(mask, 'src_prepare', ctx);
  const unit = fn?.unit ?? dominantIndentUnit(mask);
  const indent = (fn?.indent ?? '') + unit;
  const block = guardedBlock(edit.flag, [`${indent}${unit}eapply "\${FILESDIR}/${edit.patch}"`], indent);
  if (!fn) return { text: appendFunction(text, 'src_prepare', [...block, `${indent}${edit.prepareCall ?? 'default'}`]), status: 'applied' };
  if (functionHolds(text, fn, block)) return { text, status: 'already-applied' };
  return { text: insertIntoFunction(text, fn, block, 'start'), status: 'applied' };
}
