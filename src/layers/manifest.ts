import { parse as parseYaml, YAMLParseError } from 'yaml';
import { InputError, locate } from '../errors.js';
import { parseEdit, type StructuredEdit } from '../edits/index.js';
import { treePath } from '../tree/paths.js';

/** A USE flag a layer introduces, with the default that keeps stock Flatcar's behaviour. */
export interface FlagSpec {
  readonly name: string;
  /** The default in IUSE: `on` (`+flag`) keeps stock behaviour for flags that Nano turns off. */
  readonly default: 'on' | 'off';
  readonly description: string;
  /** Packages that declare the flag (category/package). */
  readonly packages: readonly string[];
}

/** What an edit targets: an exact file, or a package whose ebuild is found at apply time. */
export type EditTarget = { readonly file: string } | { readonly package: string };

/** A structured edit and the file it applies to. */
export interface LayerEdit {
  readonly target: EditTarget;
  readonly edit: StructuredEdit;
  /** `file:index` of the edit in the manifest, for messages. */
  readonly location: string;
}

/** Which tree a layer's paths are relative to. */
export type LayerRoot = 'overlay' | 'scripts';

/** A layer's manifest, `patches/<layer>/layer.yaml`. */
export interface LayerManifest {
  readonly summary: string;
  readonly description: string;
  readonly base: string | undefined;
  readonly root: LayerRoot;
  readonly flags: readonly FlagSpec[];
  readonly variables: Readonly<Record<string, unknown>>;
  /** Patch files in application order; when omitted, every `*.patch`/`*.patch.hbs` in name order. */
  readonly patches: readonly string[] | undefined;
  readonly edits: readonly LayerEdit[];
}

const KNOWN_KEYS = new Set(['summary', 'description', 'base', 'root', 'flags', 'variables', 'patches', 'edits']);
const FLAG_NAME = /^[A-Za-z0-9][A-Za-z0-9+_@-]*$/;
const PACKAGE_NAME = /^[A-Za-z0-9+_.-]+\/[A-Za-z0-9+_-]+$/;

/**
 * Parses and validates a layer manifest (YAML or JSON). Every problem is an InputError naming the
 * file, the line where YAML can tell it, and the field.
 */
export function parseManifest(text: string, file: string): LayerManifest {
  let data: unknown;
  try {
    data = parseYaml(text, { prettyErrors: true });
  } catch (error) {
    // Besides syntax errors, the yaml package throws a ReferenceError for an alias bomb.
    const line = error instanceof YAMLParseError ? error.linePos?.[0]?.line : undefined;
    throw new InputError(`invalid YAML: ${(error as Error).message.split('\n')[0]}`, locate(file, line));
  }
  const record = expectRecord(data, file, 'the manifest');
  for (const key of Object.keys(record)) {
    if (!KNOWN_KEYS.has(key)) {
      throw new InputError(`unknown field '${key}' (known: ${[...KNOWN_KEYS].join(', ')})`, file);
    }
  }
  const summary = expectString(record.summary, file, 'summary');
  if (summary.includes('\n')) throw new InputError(`'summary' must be one line`, file);
  const description = expectString(record.description, file, 'description').trimEnd();
  const root = record.root ?? 'overlay';
  if (root !== 'overlay' && root !== 'scripts') {
    throw new InputError(`'root' must be 'overlay' or 'scripts', not '${String(root)}'`, file);
  }
  return {
    summary,
    description,
    base: record.base === undefined ? undefined : expectString(record.base, file, 'base'),
    root,
    flags: expectList(record.flags, file, 'flags').map((flag, index) => parseFlag(flag, file, `flags[${index}]`)),
    variables: record.variables === undefined ? {} : expectRecord(record.variables, file, 'variables'),
    patches:
      record.patches === undefined
        ? undefined
        : expectList(record.patches, file, 'patches').map((name, index) => expectString(name, file, `patches[${index}]`)),
    edits: expectList(record.edits, file, 'edits').map((edit, index) => parseLayerEdit(edit, `${file}: edits[${index}]`)),
  };
}

function parseFlag(value: unknown, file: string, field: string): FlagSpec {
  const record = expectRecord(value, file, field);
  const name = expectString(record.name, file, `${field}.name`);
  if (!FLAG_NAME.test(name)) throw new InputError(`${field}.name '${name}' is not a valid USE flag name`, file);
  const stockDefault = record.default ?? 'on';
  if (stockDefault !== 'on' && stockDefault !== 'off') {
    throw new InputError(`${field}.default must be 'on' or 'off', not '${String(stockDefault)}'`, file);
  }
  const packages = expectList(record.packages, file, `${field}.packages`).map((pkg, index) =>
    expectPackage(pkg, file, `${field}.packages[${index}]`),
  );
  return {
    name,
    default: stockDefault,
    description: record.description === undefined ? '' : expectString(record.description, file, `${field}.description`),
    packages,
  };
}

function parseLayerEdit(value: unknown, location: string): LayerEdit {
  const record = { ...expectRecord(value, location, 'the edit') };
  const { file, package: pkg } = record;
  delete record.file;
  delete record.package;
  let target: EditTarget;
  if (file !== undefined && pkg === undefined) {
    target = { file: treePath(expectString(file, location, 'file'), location) };
  } else if (pkg !== undefined && file === undefined) {
    target = { package: expectPackage(pkg, location, 'package') };
  } else {
    throw new InputError(`an edit needs exactly one of 'file' or 'package'`, location);
  }
  return { target, edit: parseEdit(record, location), location };
}

function expectRecord(value: unknown, file: string, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError(`${field} must be a mapping`, file);
  }
  return value as Record<string, unknown>;
}

function expectString(value: unknown, file: string, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new InputError(`'${field}' must be a non-empty string`, file);
  }
  return value;
}

function expectList(value: unknown, file: string, field: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new InputError(`'${field}' must be a list`, file);
  return value;
}

function expectPackage(value: unknown, file: string, field: string): string {
  const name = expectString(value, file, field);
  if (!PACKAGE_NAME.test(name)) throw new InputError(`'${field}' must be category/package, not '${name}'`, file);
  return name;
}
