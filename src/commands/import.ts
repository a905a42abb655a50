import type { Command } from 'commander';
import { InputError } from '../errors.js';
import type { ImportGrouping } from '../maintain/import.js';

interface ImportOptions {
  upstream: string;
  from: string;
  base?: string;
  into: string;
  group: string;
  force?: boolean;
  json?: boolean;
}

/** `nano-overlay import`: turn a branch's overlay changes into a layer set. */
export function registerImportCommand(program: Command): void {
  program
    .command('import')
    .description("turn a branch's changes against its merge-base with main into a layer set")
    .argument('[pathspec...]', 'limit the import to these paths (relative to the repository root), as git does')
    .requiredOption('--upstream <path>', 'a flatcar/scripts checkout, a coreos-overlay checkout or a bare repository')
    .requiredOption('--from <branch>', 'the branch holding the changes')
    .option('--base <rev>', 'take the changes against this revision instead of the merge-base with main')
    .option('--into <dir>', 'the layer set directory to create', '.')
    .option('--group <how>', 'one layer per package, file or commit', 'package')
    .option('--force', 'replace an existing layer set')
    .option('--json', 'print JSON')
    .action(async (pathspecs: string[], options: ImportOptions) => {
      const { importBranch } = await import('../maintain/import.js');
      if (!['package', 'file', 'commit'].includes(options.group)) throw new InputError(`--group must be package, file or commit, not '${options.group}'`);
      const report = await importBranch({
        upstream: options.upstream,
        from: options.from,
        into: options.into,
        group: options.group as ImportGrouping,
        force: options.force === true,
        pathspecs,
        ...(options.base ? { base: options.base } : {}),
      });
      if (options.json) {
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        return;
      }
      const lines = [`imported ${report.from.ref} (${report.from.commit.slice(0, 12)}) against ${report.base.slice(0, 12)} into ${report.into}:`];
      for (const layer of report.layers) {
        const parts = [`${layer.patched.length} patched`, `${layer.edited.length} edited`, `${layer.placed.length} new`];
        lines.push(`  ${layer.name}${layer.root === 'scripts' ? ' (root: scripts)' : ''}: ${parts.join(', ')}`);
      }
      lines.push(...report.notes.map((note) => `note: ${note}`));
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
