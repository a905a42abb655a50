import { InputError } from '../errors.js';

/** Parses a non-negative whole number given for `option`. */
export function parseCount(value: string, option: string): number {
  if (!/^\d+$/.test(value)) throw new InputError(`${option} takes a whole number, not '${value}'`);
  return Number(value);
}
