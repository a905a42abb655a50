import { InputError } from '../errors.js';
import { isDependVariable } from './dependency.js';
import { PHASES_WITH_DEFAULT } from './phase.js';
import { EDIT_TYPES, type StructuredEdit } from './types.js';

const FLAG = /^[A-Za-z0-9][A-Za-z0-9+_@-]*$/;
const GUARD_FLAG = /^!?[A-Za-z0-9][A-Za-z0-9+_@-]*$/;
const CATEGORY_PACKAGE = /^[A-Za-z0-9+_][A-Za-z0-9+_.-]*\/[A-Za-z0-9+_][A-Za-z0-9+_-]*$/;
const FUNCTION_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

const FIELDS: Record<StructuredEdit['type'], { required: string[]; optional: string[] }> = {
  'iuse-add': { required: ['flag', 'default'], optional: [] },
  'dep-conditional': { required: ['atom', 'flag'], optional: ['variable'] },
  'phase-append': { required: ['phase', 'flag', 'body'], optional: ['createPhase', 'callDefault'] },
  'patches-add': { required: ['flag', 'patch'], optional: ['prepareCall'] },
  'line-add': { required: ['line'], optional: ['after'] },
  'line-remove': { required: ['line'], optional: [] },
  'metadata-flag': { required: ['flag', 'description'], optional: [] },
};

/**
 * Validates an untyped object (an entry of a layer manifest's `edits`) as a structured edit.
 * Errors are InputErrors at `location` naming the field. String fields holding a Handlebars
 * expression (`{{`) are only checked to be strings: their shape can be checked by parsing the
 * rendered edit again.
 */
export function parseEdit(value: unknown, location: string): StructuredEdit {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError('an edit must be a mapping', location);
  }
  const record = value as Record<string, unknown>;
  const type = record.type;
  if (type === undefined) throw new InputError(`'type' is missing (one of ${EDIT_TYPES.join(', ')})`, location);
  if (typeof type !== 'string' || !(EDIT_TYPES as readonly string[]).includes(type)) {
    throw new InputError(`unknown type '${String(type)}' (known: ${EDIT_TYPES.join(', ')})`, location);
  }
  const editType = type as StructuredEdit['type'];
  const fields = FIELDS[editType];
  for (const key of Object.keys(record)) {
    if (key !== 'type' && !fields.required.includes(key) && !fields.optional.includes(key)) {
      throw new InputError(`unknown field '${key}' for ${editType} (known: ${[...fields.required, ...fields.optional].join(', ')})`, location);
    }
  }
  for (const key of fields.required) {
    if (record[key] === undefined) throw new InputError(`'${key}' is missing for ${editType}`, location);
  }
  const field = new FieldReader(record, location);
  switch (editType) {
    case 'iuse-add': {
      const stockDefault = record.default;
      if (stockDefault !== 'on' && stockDefault !== 'off') {
        throw new InputError(`'default' must be 'on' or 'off', not '${String(stockDefault)}'`, location);
      }
      return { type: editType, flag: field.matching('flag', FLAG, 'a USE flag name without +, - or !'), default: stockDefault };
    }
    case 'dep-conditional': {
      const variable = field.optionalString('variable');
      if (variable !== undefined && !variable.includes('{{') && !isDependVariable(variable)) {
        throw new InputError(`'variable' must name a dependency variable ending in DEPEND, not '${variable}'`, location);
      }
      return {
        type: editType,
        ...(variable === undefined ? {} : { variable }),
        atom: field.matching('atom', CATEGORY_PACKAGE, 'category/package (any operator, version, slot or USE deps in the file match)'),
        flag: field.guardFlag(),
      };
    }
    case 'phase-append': {
      const phase = field.matching('phase', FUNCTION_NAME, 'a function name');
      const createPhase = field.optionalBoolean('createPhase');
      const callDefault = field.optionalBoolean('callDefault');
      if (callDefault && !createPhase) throw new InputError(`'callDefault' only applies with 'createPhase: true'`, location);
      if (callDefault && !PHASES_WITH_DEFAULT.has(phase)) {
        throw new InputError(`'callDefault' needs a phase with a default (${[...PHASES_WITH_DEFAULT].join(', ')}), not '${phase}'`, location);
      }
      return {
        type: editType,
        phase,
        flag: field.guardFlag(),
        body: field.string('body', true),
        ...(createPhase === undefined ? {} : { createPhase }),
        ...(callDefault === undefined ? {} : { callDefault }),
      };
    }
    case 'patches-add': {
      const patch = field.string('patch', false);
      if (!patch.includes('{{') && (/["\\`\s]/.test(patch) || patch.startsWith('/') || patch.split('/').includes('..'))) {
        throw new InputError(`'patch' must be a path inside FILESDIR without quotes, spaces or '..', not '${patch}'`, location);
      }
      const prepareCall = field.optionalString('prepareCall');
      if (prepareCall !== undefined && !prepareCall.includes('{{') && !FUNCTION_NAME.test(prepareCall)) {
        throw new InputError(`'prepareCall' must be one command name such as default or cmake_src_prepare, not '${prepareCall}'`, location);
      }
      return { type: editType, flag: field.guardFlag(), patch, ...(prepareCall === undefined ? {} : { prepareCall }) };
    }
    case 'line-add': {
      const after = field.optionalString('after');
      return { type: editType, line: field.string('line', false), ...(after === undefined ? {} : { after }) };
    }
    case 'line-remove':
      return { type: editType, line: field.string('line', false) };
    case 'metadata-flag':
      return { type: editType, flag: field.matching('flag', FLAG, 'a USE flag name without +, - or !'), description: field.string('description', false) };
  }
}

/** Reads typed fields of one edit, throwing InputErrors that name the field. */
class FieldReader {
  constructor(
    private readonly record: Record<string, unknown>,
    private readonly location: string,
  ) {}

  /** A non-blank string; one line unless `multiline`. */
  string(key: string, multiline: boolean): string {
    const value = this.record[key];
    if (typeof value !== 'string' || value.trim() === '') {
      throw new InputError(`'${key}' must be a non-empty string`, this.location);
    }
    if (!multiline && /[\r\n]/.test(value)) throw new InputError(`'${key}' must be one line`, this.location);
    return value;
  }

  optionalString(key: string): string | undefined {
    return this.record[key] === undefined ? undefined : this.string(key, false);
  }

  optionalBoolean(key: string): boolean | undefined {
    const value = this.record[key];
    if (value !== undefined && typeof value !== 'boolean') {
      throw new InputError(`'${key}' must be true or false, not '${String(value)}'`, this.location);
    }
    return value;
  }

  /** A one-line string matching `pattern` unless it is a template. */
  matching(key: string, pattern: RegExp, expected: string): string {
    const value = this.string(key, false);
    if (!value.includes('{{') && !pattern.test(value)) {
      throw new InputError(`'${key}' must be ${expected}, not '${value}'`, this.location);
    }
    return value;
  }

  /** The `flag` of a guard: a USE flag name, `!` in front for "when the flag is off". */
  guardFlag(): string {
    return this.matching('flag', GUARD_FLAG, "a USE flag name, with '!' in front to mean the flag is off");
  }
}
