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

/** Formats `file:line` for error messages, omitting the line when it is unknown. */
export function locate(file: string, line?: number): string {
  return line === undefined ? file : `${file}:${line}`;
}
