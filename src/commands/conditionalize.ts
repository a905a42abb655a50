import type { Command } from 'commander';
import { upstreamOptions } from './options.js';
import { InputError } from '../errors.js';

interface ConditionalizeOptions {
  flag: string;
  layers: string;
  upstream: string;
  ref?: string;
  default: string;
  reason?: string;
  dryRun?: boolean;
  json?: boolean;
  package?: string[];
}

/** `nano-overlay conditionalize LAYER --flag FLAG`: put a layer's unconditional changes under a USE flag. */
export function registerConditionalizeCommand(program: Command): void {
  upstreamOptions(program.command('conditionalize').description("rewrite a layer so that its changes to upstream ebuilds run only with a USE flag off, and its stock profile lines move to the Nano profile"))
    .argument('<layer>', 'the layer to rewrite')
    .requiredOption('--flag <flag>', 'the USE flag that keeps stock behaviour')
    .option('--default <on|off>', "the flag's default in IUSE: on keeps stock behaviour; off needs --reason", 'on')
    .option('--reason <text>', 'why the flag is off by default (recorded in the flag description)')
    .option('--dry-run', 'write nothing; show the change to the layer set as a diff')
    .option('--package <cp...>', "convert only these packages' changes (category/package), to give a layer one flag per concern")
    .option('--json', 'print JSON')
    .action(async (layer: string, options: ConditionalizeOptions) => {
      const { conditionalizeLayer } = await import('../conditionalize/conditionalize.js');
      const { formatConditionalizeReport } = await import('../conditionalize/report.js');
      const { colorsFor } = await import('../report/colors.js');
      if (options.default !== 'on' && options.default !== 'off') throw new InputError(`--default must be on or off, not '${options.default}'`);
      const report = await conditionalizeLayer({
        layer,
        flag: options.flag,
        layersDir: options.layers,
        upstream: options.upstream,
        ...(options.ref ? { ref: options.ref } : {}),
        default: options.default,
        ...(options.reason ? { reason: options.reason } : {}),
        dryRun: options.dryRun === true,
        ...(options.package ? { packages: options.package } : {}),
      });
      if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else process.stdout.write(`${options.dryRun && report.diff ? report.diff : ''}${formatConditionalizeReport(report, colorsFor())}\n`);
    });
}
