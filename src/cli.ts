#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { Command, CommanderError } from 'commander';
import { describeFailure, EXIT_BAD_INPUT } from './errors.js';
import { registerCommands } from './commands/index.js';

const PROGRAM = 'nano-overlay';

/** The package's version, read from its package.json (two levels up from dist/src/cli.js). */
function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

/**
 * The `nano-overlay` command line. Commands print their own output; every failure becomes one line
 * on standard error, `nano-overlay: <what> (<file>:<line>)`, with exit status 2 for bad input (3 for
 * an internal error). `--debug` adds the stack trace.
 */
async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  const program = new Command(PROGRAM)
    .description('Keep the Flatcar Nano changes as templated, USE-conditional layers and apply them to coreos-overlay')
    .version(packageVersion(), '-V, --version', 'print the version and exit')
    .option('--debug', 'print the stack trace of a failure')
    .exitOverride()
    .configureOutput({
      writeErr: (text) => process.stderr.write(text),
      outputError: (text, write) => write(`${PROGRAM}: ${text.replace(/^error: /, '')}`),
    });
  registerCommands(program);
  try {
    await program.parseAsync(argv);
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
    const failure = describeFailure(error);
    process.stderr.write(`${PROGRAM}: ${failure.line}\n`);
    if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    return failure.exitCode;
  }
}

// A run lasts a second or two, and optimising its hot functions with everything they call inlined
// cost more CPU on V8's compiler threads than the optimised code saved (on 2 cores, a first validate
// of the bundled layers used about a tenth less CPU without). Set before any code gets hot; worker
// threads share the flag.
setFlagsFromString('--no-turbo-inlining');
process.exitCode = await main(process.argv);
