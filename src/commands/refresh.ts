import type { Command } from 'commander';

/** `nano-overlay refresh [LAYER]`: write work-tree edits back into the layers that own the files. */
export function registerRefreshCommand(program: Command): void {
  program
    .command('refresh')
    .description("write edits in the upstream's work tree back into the layers that own the files, like quilt refresh")
    .argument('[layer]', 'refresh only this layer')
    .requiredOption('--upstream <path>', 'the checked-out upstream holding the applied layers and your edits')
    .option('--layers <dir>', 'the layer set directory', '.')
    .option('--layer <name>', 'give changed files that no layer owns to this layer')
    .option('--json', 'print JSON')
    .action(async (only: string | undefined, options: { upstream: string; layers: string; layer?: string; json?: boolean }) => {
      const { refreshLayers } = await import('../maintain/refresh.js');
      const report = await refreshLayers({
        upstream: options.upstream,
        layersDir: options.layers,
        ...(only ? { only } : {}),
        ...(options.layer ? { claim: options.layer } : {}),
      });
      if (options.json) {
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        return;
      }
      const lines = report.refreshed.map((file) => `${file.claimed ? 'claimed  ' : 'refreshed'} ${file.path} → ${file.into} (${file.layer})${file.note ? `: ${file.note}` : ''}`);
      lines.push(...report.droppedEdits.map((edit) => `dropped edit ${edit}: the patch now holds its change`));
      if (report.unowned.length > 0) lines.push('changed files no layer owns (add them with --layer NAME):', ...report.unowned.map((path) => `  ${path}`));
      if (lines.length === 0) lines.push('nothing to refresh');
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
