import { InputError } from '../errors.js';

const IUSE_TOKEN_RE = /^([+-]?)([A-Za-z0-9][A-Za-z0-9+_@-]*)$/;

/**
 * Parses an IUSE value (`a +b -c`) into each flag's default: true for `+flag`, false otherwise.
 * As in Portage's IUSE defaults, a flag listed again without a sign keeps the default an earlier
 * `+flag` or `-flag` gave it (`+debug … debug`, an ebuild's and an eclass's IUSE, stays on); a
 * signed entry overrides earlier ones.
 * Throws an InputError naming `source` for a token that is not a flag (such as an unexpanded `${VAR}`).
 */
export function parseIuse(value: string, source?: string): Map<string, boolean> {
  const flags = new Map<string, boolean>();
  for (const token of value.split(/\s+/).filter(Boolean)) {
    const match = IUSE_TOKEN_RE.exec(token);
    if (!match) throw new InputError(`invalid IUSE entry '${token}'`, source);
    if (match[1] !== '' || !flags.has(match[2]!)) flags.set(match[2]!, match[1] === '+');
  }
  return flags;
}
