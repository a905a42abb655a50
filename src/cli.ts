#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { InputError } from './errors.js';
import { registerCommands } from './commands/index.js';

/**
 * The `nano-overlay` command line. Commands print their own output; an InputError becomes a
 * one-line message on standard error and exit status 2.
 */
async function main(argv: string[]): Promise<number> {
  const program = new Command('nano-overlay')
    .description('Keep the Flatcar Nano changes as templated, USE-conditional layers and apply them to coreos-overlay')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  registerCommands(program);
  try {
    await program.parseAsync(argv);
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof InputError) {
      process.stderr.write(`nano-overlay: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv);
