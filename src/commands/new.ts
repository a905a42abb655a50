import type { Command } from 'commander';

/** `nano-overlay new LAYER`: scaffold a layer (manifest and series entry). */
export function registerNewCommand(program: Command): void {
  program
    .command('new')
    .description('scaffold a new layer: patches/LAYER/layer.yaml and its series entry')
    .argument('<layer>', 'the layer name (lower-case, digits, ".", "_", "-")')
    .option('--layers <dir>', 'the layer set directory', '.')
    .option('--summary <text>', 'the one-line summary (commit subject)')
    .option('--after <layer>', 'insert after this layer instead of at the end of the series')
    .action(async (layer: string, options: { layers: string; summary?: string; after?: string }) => {
      const { scaffoldLayer } = await import('../layers/scaffold.js');
      const created = await scaffoldLayer({
        dir: options.layers,
        name: layer,
        ...(options.summary ? { summary: options.summary } : {}),
        ...(options.after ? { after: options.after } : {}),
      });
      process.stdout.write(`created layer ${layer}: ${created.join(', ')}\n`);
    });
}
