import { GitCommandError } from './git/run.js';
import { printable } from './patch/text.js';

/**
 * An error caused by the user's input (a malformed patch, a bad manifest, an unknown ref, a dirty
 * work tree, a path escaping the overlay root). The CLI prints it as one line, `nano-overlay: <what>
 * (<file>:<line>)`, and exits 2. `what` is the problem alone; `location` names the file and line it
 * concerns, as `file:line` or `file`; `message` joins them as `file:line: what` for logs and tests.
 */
export class InputError extends Error {
  readonly location: string | undefined;
  readonly what: string;

  constructor(what: string, location?: string) {
    super(location ? `${location}: ${what}` : what);
    this.name = 'InputError';
    this.what = what;
    this.location = location;
  }
}

/**
 * `BadSeries`, `BadManifest`, `TemplateError`, `BadPatch`, `MissingLayer`, `OverlayFileOwnedTwice` (error):
 * the layer set's own definition is broken (a series entry, a manifest, a template, a patch file, a
 * layer directory, an overlay file two layers place); bad input, so `validate` exits 2.
 */
export const DEFINITION_CODES = ['BadSeries', 'BadManifest', 'TemplateError', 'OverlayFileOwnedTwice', 'BadPatch', 'MissingLayer'] as const;
export type DefinitionCode = (typeof DEFINITION_CODES)[number];

/** An InputError in the layer set itself (series, manifest, template, overlay files, patch files). */
export class LayerDefinitionError extends InputError {
  constructor(
    readonly code: DefinitionCode,
    readonly layer: string | undefined,
    error: InputError,
  ) {
    super(error.what, error.location);
    this.name = 'LayerDefinitionError';
  }
}

/** Formats `file:line` for error messages, omitting the line when it is unknown. */
export function locate(file: string, line?: number): string {
  return line === undefined ? file : `${file}:${line}`;
}

/** Exit status for bad input (usage, files, refs, git refusing an operation). */
export const EXIT_BAD_INPUT = 2;
/** Exit status for an error the tool did not expect: a bug, reported without a stack trace unless asked. */
export const EXIT_INTERNAL = 3;

/** An InputError as `what (file:line)`, the tool's one error style without the program name; control characters and bytes that are no UTF-8 escaped as git quotes them. */
export function formatInputError(error: InputError): string {
  const what = printable(error.what);
  return error.location ? `${what} (${printable(error.location)})` : what;
}

/** The reason a git command gives for failing: its last `fatal:`/`error:` line, or its last line of output. */
export function gitFailureReason(error: GitCommandError): string {
  const lines = error.stderr.split('\n').map((line) => line.trim()).filter(Boolean);
  const reason = [...lines].reverse().find((line) => /^(fatal|error):/.test(line)) ?? lines.at(-1);
  return reason?.replace(/^(fatal|error):\s*/, '').replace(/^update_ref failed for ref '[^']*': /, '') ?? `exit status ${error.code ?? 'killed'}`;
}

const SYSTEM_ERRORS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EEXIST: 'already exists',
  ENOTEMPTY: 'directory not empty',
  ENOSPC: 'no space left on device',
  EROFS: 'read-only file system',
};

/**
 * Any error as one line and an exit status, for the command line: InputErrors and git's refusals are
 * bad input (2); a file the system cannot read or write is named with the reason; anything else is
 * an internal error (3). The line never holds a stack trace.
 */
export function describeFailure(error: unknown): { line: string; exitCode: number } {
  if (error instanceof InputError) return { line: formatInputError(error), exitCode: EXIT_BAD_INPUT };
  if (error instanceof GitCommandError) {
    const command = error.args.find((arg) => !arg.startsWith('-')) ?? '';
    return { line: printable(`git ${command} failed: ${gitFailureReason(error)}`), exitCode: EXIT_BAD_INPUT };
  }
  const system = error as NodeJS.ErrnoException;
  if (system instanceof Error && typeof system.code === 'string' && SYSTEM_ERRORS[system.code]) {
    const what = system.syscall ? `cannot ${system.syscall}` : 'cannot access';
    const path = system.path ? ` ${system.path}` : '';
    return { line: printable(`${what}${path}: ${SYSTEM_ERRORS[system.code]}`), exitCode: EXIT_BAD_INPUT };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { line: `internal error: ${printable(message.split('\n')[0]!)} (run with --debug for the stack trace)`, exitCode: EXIT_INTERNAL };
}
