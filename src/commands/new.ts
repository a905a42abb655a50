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
    .option('--upstream <path>', "record the upstream's --ref (default HEAD) as the layer's base; default: the set's usual base")
    .option('--ref <rev>', 'the upstream revision for --upstream')
    .action(async (layer: string, options: { layers: string; summary?: string; after?: string; upstream?: string; ref?: string }) => {
      const { scaffoldLayer } = await import('../layers/scaffold.js');
      const base = options.upstream ? await baseOf(options.upstream, options.ref ?? 'HEAD') : undefined;
      const created = await scaffoldLayer({
        ...(base ? { base } : {}),
        dir: options.layers,
        name: layer,
        ...(options.summary ? { summary: options.summary } : {}),
        ...(options.after ? { after: options.after } : {}),
      });
      process.stdout.write(`created layer ${layer}: ${created.join(', ')}\n`);
    });
}

async function baseOf(path: string, ref: string): Promise<string> {
  const { locateUpstream } = await import('../upstream/locate.js');
  const upstream = await locateUpstream(path, ref);
  await upstream.close();
  return upstream.commit;
}
