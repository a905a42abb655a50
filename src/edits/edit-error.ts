import { InputError } from '../errors.js';
import type { EditContext } from './types.js';

/**
 * A structured edit that cannot be applied to the file it targets. The message reads
 * `layer <layer>: <file>: <detail>`.
 */
export class EditError extends InputError {
  readonly layer: string;
  readonly file: string;

  constructor(ctx: EditContext, detail: string) {
    super(`layer ${ctx.layer}: ${ctx.file}: ${detail}`);
    this.name = 'EditError';
    this.layer = ctx.layer;
    this.file = ctx.file;
  }
}

/** The error for an anchor (a variable, an atom, a function, a line) the file does not hold. */
export function missingAnchor(ctx: EditContext, anchor: string): EditError {
  return new EditError(ctx, `cannot find ${anchor}`);
}
