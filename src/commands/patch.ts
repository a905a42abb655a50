import type { Command } from 'commander';
import { countArgument } from './options.js';

/** Adds `nano-overlay patch [PATCHFILE|-]` to the program. */
export function registerPatchCommand(program: Command): void {
  program
    .command('patch')
    .description('apply a patch to a directory like git apply: git extended headers, offsets, fuzz, three-way merges; all or nothing')
    .argument('[patchfile]', 'the patch; - or nothing reads standard input')
    .option('-d, --directory <dir>', 'directory to apply the patch in (default: the current directory)')
    .option('-p, --strip <n>', 'leading path components to strip from file names (a/ and b/ count as one)', countArgument, 1)
    .option('--check', 'only report whether the patch applies; write nothing')
    .option('-F, --fuzz <n>', 'context lines a hunk may ignore at each end, like GNU patch', countArgument, 2)
    .option('-3, --3way', 'merge files whose hunks do not apply three-way, with base blobs from the git repository containing the directory')
    .option('-R, --reverse', 'apply the patch backwards')
    .option('--json', 'print the outcome as JSON')
    .action(async (patchFile: string | undefined, flags: Record<string, unknown>) => {
      const { runPatch } = await import('../workflow/patch.js');
      const result = await runPatch({
        ...(patchFile !== undefined ? { patchFile } : {}),
        ...(typeof flags.directory === 'string' ? { directory: flags.directory } : {}),
        strip: flags.strip as number,
        fuzz: flags.fuzz as number,
        check: Boolean(flags.check),
        threeWay: Boolean(flags['3way']),
        reverse: Boolean(flags.reverse),
        json: Boolean(flags.json),
      });
      if (result.exitCode === 2) process.stderr.write(`nano-overlay: ${result.output}\n`);
      else if (result.output) process.stdout.write(`${result.output}\n`);
      process.exitCode = result.exitCode;
    });
}
