import { InputError, locate } from '../errors.js';

/** One entry of `patches/series`: a layer name and the line it stands on. */
export interface SeriesEntry {
  readonly name: string;
  readonly line: number;
}

const LAYER_NAME = /^[a-z0-9][a-z0-9._-]*$/;

/**
 * Parses quilt-style `patches/series`: one layer name a line, in application order; blank lines and
 * `#` comments (whole-line or trailing) are ignored. Names must be lower-case directory names and
 * may appear once.
 */
export function parseSeries(text: string, file = 'patches/series'): SeriesEntry[] {
  const entries: SeriesEntry[] = [];
  const seen = new Map<string, number>();
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    const name = raw.replace(/#.*$/, '').trim();
    if (name === '') return;
    if (!LAYER_NAME.test(name)) {
      throw new InputError(`'${name}' is not a valid layer name (lower-case letters, digits, '.', '_', '-')`, locate(file, line));
    }
    const previous = seen.get(name);
    if (previous !== undefined) {
      throw new InputError(`layer '${name}' is listed twice (first on line ${previous})`, locate(file, line));
    }
    seen.set(name, line);
    entries.push({ name, line });
  });
  return entries;
}

/** True when `name` can be used as a layer name. */
export function isLayerName(name: string): boolean {
  return LAYER_NAME.test(name);
}
