import type { Command } from 'commander';

/** `nano-overlay list`: the layers in order with summary, flags, targets and files. */
export function registerListCommand(program: Command): void {
  program
    .command('list')
    .description('list the layers in series order with their summary, flags, targets and files')
    .option('--layers <dir>', 'the layer set directory', '.')
    .option('--json', 'print JSON')
    .action(async (options: { layers: string; json?: boolean }) => {
      const { describeLayers, formatLayerList } = await import('../layers/describe.js');
      const { loadLayersFrom } = await import('../workflow/layer-set.js');
      const { rendered } = await loadLayersFrom(options.layers);
      const descriptions = describeLayers(rendered);
      process.stdout.write(`${options.json ? JSON.stringify({ layers: descriptions }, null, 2) : formatLayerList(descriptions)}\n`);
    });
}
