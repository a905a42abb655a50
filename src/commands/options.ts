import { InvalidArgumentError, type Command } from 'commander';

/** Parses an option's value as a non-negative whole number, for commander. */
export function countArgument(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('not a non-negative integer');
  return Number(value);
}

/** Adds the options every command that reads an upstream shares: --upstream (required), --ref and --layers. */
export function upstreamOptions(command: Command): Command {
  return command
    .requiredOption('--upstream <path>', 'a flatcar/scripts checkout, a coreos-overlay checkout or a bare repository')
    .option('--ref <rev>', 'the upstream revision (default HEAD)')
    .option('--layers <dir>', 'the layer set directory', '.');
}
