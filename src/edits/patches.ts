import { findAssignments } from './assignments.js';
import { EditError } from './edit-error.js';
import { appendFunction, findFunction, functionHolds, guardedBlock, insertIntoFunction } from './functions.js';
import { dominantIndentUnit } from './indent.js';
import { maskForEdit } from './shell-mask.js';
import { lineStart } from './source-text.js';
import type { EditContext, EditResult, PatchesAdd } from './types.js';

/**
 * Applies a FILESDIR patch under a USE condition. In an existing src_prepare the block
 * `if use flag; then eapply "${FILESDIR}/…"; fi` goes at its start, before `default` or an eclass's
 * src_prepare runs, since that function may not apply PATCHES at all. Without src_prepare, one is
 * added that appends to PATCHES under the flag (`use flag || PATCHES+=( … )` for `!flag`) and then
 * runs `prepareCall` (`default` when omitted, else an eclass's src_prepare, which applies PATCHES
 * through `default` too), so the patch applies after the ebuild's own patches; it goes before the
 * first function of a later phase, else at the end. `use` is unavailable at global scope, so
 * PATCHES is not extended there. Needs EAPI 6 or later (`eapply`, PATCHES in `default`).
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
  const path = `"\${FILESDIR}/${edit.patch}"`;
  const negated = edit.flag.startsWith('!');
  const appended = `${indent}use ${edit.flag.replace(/^!/, '')} ${negated ? '||' : '&&'} PATCHES+=( ${path} )`;
  if (!fn) return { text: placeFunction(text, mask, 'src_prepare', [appended, `${indent}${edit.prepareCall ?? 'default'}`]), status: 'applied' };
  const block = guardedBlock(edit.flag, [`${indent}${unit}eapply ${path}`], indent);
  if (functionHolds(text, fn, block) || functionHolds(text, fn, [appended])) return { text, status: 'already-applied' };
  return { text: insertIntoFunction(text, fn, block, 'start'), status: 'applied' };
}

/** Functions that run after src_prepare: later phases and the eclass sub-phases they call. */
const AFTER_PREPARE = /^(?:(?:src|multilib_src|python|multilib)_(?:configure|compile|test|install)(?:_all)?|pkg_(?:preinst|postinst|prerm|postrm|config))$/;

/** Adds `name() { … }` before the first top-level function that runs after src_prepare, else at the end. */
function placeFunction(text: string, mask: string, name: string, lines: readonly string[]): string {
  const later = [...mask.matchAll(/^(?:function[ \t]+)?([A-Za-z_][\w-]*)[ \t]*\([ \t]*\)/gm)].find((match) => AFTER_PREPARE.test(match[1]!));
  if (!later) return appendFunction(text, name, lines);
  let at = later.index;
  // The comment lines right above the function belong to it.
  while (at > 0 && /^[ \t]*#/.test(text.slice(lineStart(text, at - 1), at))) at = lineStart(text, at - 1);
  return `${text.slice(0, at)}${name}() {\n${lines.join('\n')}\n}\n\n${text.slice(at)}`;
}
