import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';

/** `nano-overlay nightly`: rebase onto upstream, validate, and write a pull-request body or a report for a human. */
export function registerNightlyCommand(program: Command): void {
  program
    .command('nightly')
    .description('move the layers onto an upstream revision, validate, and write a pull-request body (or, on a conflict, what needs a human)')
    .requiredOption('--upstream <path>', 'a flatcar/scripts checkout, a coreos-overlay checkout or a bare repository')
    .requiredOption('--onto <rev>', 'the upstream revision to move the layers onto')
    .option('--layers <dir>', 'the layer set directory', '.')
    .option('--out <file>', 'write the Markdown body to FILE instead of standard output')
    .action(async (options: { upstream: string; onto: string; layers: string; out?: string }) => {
      const { nightlyRun } = await import('../workflow/nightly.js');
      const report = await nightlyRun({ upstream: options.upstream, onto: options.onto, layersDir: options.layers });
      if (options.out) await writeFile(options.out, report.body);
      else process.stdout.write(report.body);
      process.stderr.write(`nightly: ${report.outcome}\n`);
      process.exitCode = report.outcome === 'ready' ? 0 : 1;
    });
}
