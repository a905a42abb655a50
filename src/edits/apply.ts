import { applyDepConditional } from './dependency.js';
import { useCondition } from './functions.js';
import { applyIuseAdd } from './iuse.js';
import { applyLineAdd, applyLineRemove } from './lines.js';
import { applyMetadataFlag } from './metadata.js';
import { applyPatchesAdd } from './patches.js';
import { applyPhaseAppend } from './phase.js';
import type { EditContext, EditResult, StructuredEdit } from './types.js';

/**
 * Applies a structured edit to a file's text. Text outside the edited region is kept byte for
 * byte; applying an edit a second time reports `already-applied` and returns the text unchanged.
 * Throws EditError when the file lacks what the edit anchors to.
 */
export function applyEdit(text: string, edit: StructuredEdit, ctx: EditContext): EditResult {
  switch (edit.type) {
    case 'iuse-add':
      return applyIuseAdd(text, edit, ctx);
    case 'dep-conditional':
      return applyDepConditional(text, edit, ctx);
    case 'phase-append':
      return applyPhaseAppend(text, edit, ctx);
    case 'patches-add':
      return applyPatchesAdd(text, edit, ctx);
    case 'line-add':
      return applyLineAdd(text, edit, ctx);
    case 'line-remove':
      return applyLineRemove(text, edit);
    case 'metadata-flag':
      return applyMetadataFlag(text, edit, ctx);
  }
}

/** One line describing an edit, for reports. */
export function describeEdit(edit: StructuredEdit): string {
  switch (edit.type) {
    case 'iuse-add':
      return `add ${edit.default === 'on' ? '+' : ''}${edit.flag} to IUSE`;
    case 'dep-conditional':
      return `put ${edit.atom} in ${edit.variable ?? 'the *DEPEND variables'} under ${edit.flag}? ( )`;
    case 'phase-append':
      return `append a block under ${useCondition(edit.flag)} to ${edit.phase}()${edit.createPhase ? ' (created when missing)' : ''}`;
    case 'patches-add':
      return `apply ${edit.patch} in src_prepare under ${useCondition(edit.flag)}`;
    case 'line-add':
      return `add line '${edit.line.trim()}'${edit.after === undefined ? '' : ` after '${edit.after.trim()}'`}`;
    case 'line-remove':
      return `remove line '${edit.line.trim()}'`;
    case 'metadata-flag':
      return `describe the ${edit.flag} flag in metadata.xml`;
  }
}
