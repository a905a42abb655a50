import { findAssignments } from './assignments.js';
import { missingAnchor } from './edit-error.js';
import { maskForEdit } from './shell-mask.js';
import type { DepConditional, EditContext, EditResult } from './types.js';

const DEPEND_VARIABLE = /^[A-Za-z0-9_]*DEPEND$/;
const VERSION = String.raw`-[0-9]+(?:\.[0-9]+)*[a-z]?(?:_(?:alpha|beta|pre|rc|p)[0-9]*)*(?:-r[0-9]+)?\*?`;

/** Whether `name` is a dependency variable (RDEPEND, BDEPEND, COMMON_DEPEND, …). */
export function isDependVariable(name: string): boolean {
  return DEPEND_VARIABLE.test(name);
}

/**
 * Wraps every occurrence of the package in the dependency variables in `flag? ( … )`, in place:
 * only the atom's token changes, so an atom on a line of its own stays on it with its indentation.
 * Occurrences already inside a `flag? ( … )` group are left alone; when all are, the edit is
 * already applied.
 */
export function applyDepConditional(text: string, edit: DepConditional, ctx: EditContext): EditResult {
  const mask = maskForEdit(text, ctx);
  const atom = atomPattern(edit.atom);
  const group = `${edit.flag}?`;
  const wanted = edit.variable === undefined ? isDependVariable : (name: string) => name === edit.variable;
  let found = 0;
  const unguarded: { start: number; token: string }[] = [];
  for (const assignment of findAssignments(text, mask, wanted)) {
    const value = text.slice(assignment.valueStart, assignment.valueEnd);
    const groups: string[] = [];
    let previous = '';
    for (const match of value.matchAll(/\S+/g)) {
      const token = match[0];
      if (token === '(') groups.push(previous);
      else if (token === ')') groups.pop();
      else if (atom.test(token)) {
        found++;
        if (!groups.includes(group)) unguarded.push({ start: assignment.valueStart + match.index, token });
      }
      previous = token;
    }
  }
  if (found === 0) throw missingAnchor(ctx, `dependency ${edit.atom} in ${edit.variable ?? 'the *DEPEND variables'}`);
  if (unguarded.length === 0) return { text, status: 'already-applied' };
  let edited = text;
  for (const { start, token } of unguarded.reverse()) {
    edited = `${edited.slice(0, start)}${group} ( ${token} )${edited.slice(start + token.length)}`;
  }
  return { text: edited, status: 'applied' };
}

/** Matches a dependency token naming `categoryPackage`, whatever operator, version, slot or USE deps. */
function atomPattern(categoryPackage: string): RegExp {
  const escaped = categoryPackage.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(String.raw`^(?:[<>]=?|=|~)?${escaped}(?:${VERSION})?(?::[^\s\[]*)?(?:\[[^\s]*\])?$`);
}
