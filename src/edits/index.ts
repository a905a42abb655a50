export { applyEdit, describeEdit } from './apply.js';
export { EditError } from './edit-error.js';
export { parseEdit } from './parse.js';
export type {
  DepConditional,
  EditContext,
  EditResult,
  IuseAdd,
  LineAdd,
  LineRemove,
  MetadataFlag,
  PatchesAdd,
  PhaseAppend,
  StructuredEdit,
} from './types.js';
export { EDIT_TYPES } from './types.js';
