/**
 * An error caused by the user's input (a malformed patch, a bad manifest, an unknown ref, a dirty
 * work tree, a path escaping the overlay root). The CLI prints its one-line message and exits 2.
 * `location` names the file and line it concerns, as `file:line` or `file`.
 */
export class InputError extends Error {
  readonly location: string | undefined;

  constructor(message: string, location?: string) {
    super(location ? `${location}: ${message}` : message);
    this.name = 'InputError';
    this.location = location;
  }
}

/** Codes for problems in the definition of a layer set, reported as findings by `validate`. */
export type DefinitionCode = 'BadSeries' | 'BadManifest' | 'TemplateError' | 'OverlayFileOwnedTwice' | 'BadPatch' | 'MissingLayer';

/** An InputError in the layer set itself (series, manifest, template, overlay files, patch files). */
export class LayerDefinitionError extends InputError {
  constructor(
    readonly code: DefinitionCode,
    readonly layer: string | undefined,
    error: InputError,
  ) {
    super(error.message.slice(error.location ? error.location.length + 2 : 0), error.location);
    this.name = 'LayerDefinitionError';
  }
}

/** Formats `file:line` for error messages, omitting the line when it is unknown. */
export function locate(file: string, line?: number): string {
  return line === undefined ? file : `${file}:${line}`;
}
