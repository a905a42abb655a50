import { InvalidArgumentError } from 'commander';

/** Parses an option's value as a non-negative whole number, for commander. */
export function countArgument(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('not a non-negative integer');
  return Number(value);
}
