import type { Command } from 'commander';
import { InputError } from '../errors.js';
import type { RebaseReport } from '../maintain/rebase-report.js';

interface RebaseOptions {
  upstream?: string;
  onto?: string;
  layers: string;
  continue?: boolean;
  abort?: boolean;
  dropUpstreamed?: boolean;
  json?: boolean;
}

/** `nano-overlay rebase`: move every layer onto a new upstream revision; `--continue` and `--abort` after a conflict. */
export function registerRebaseCommand(program: Command): void {
  program
    .command('rebase')
    .description("move every layer from its recorded base onto a new upstream revision and refresh its patches")
    .option('--upstream <path>', 'a flatcar/scripts checkout, a coreos-overlay checkout or a bare repository')
    .option('--onto <rev>', 'the upstream revision to move the layers onto')
    .option('--layers <dir>', 'the layer set directory', '.')
    .option('--drop-upstreamed', 'remove layers whose whole change the upstream already has')
    .option('--continue', 'record the resolution of the conflict in the rebase work tree and go on')
    .option('--abort', 'restore the layer set as it was before the rebase and remove the work tree')
    .option('--json', 'print JSON')
    .action(async (options: RebaseOptions) => {
      const { formatRebaseReport } = await import('../maintain/rebase-report.js');
      const { abortRebase, continueRebase, startRebase } = await import('../maintain/rebase.js');
      if (options.abort) {
        const aborted = await abortRebase(options.layers);
        process.stdout.write(`rebase aborted: ${aborted.restored} layer-set file(s) restored${aborted.worktree ? `, work tree ${aborted.worktree} removed` : ''}\n`);
        return;
      }
      let report: RebaseReport;
      if (options.continue) {
        report = await continueRebase(options.layers);
      } else {
        if (!options.upstream || !options.onto) throw new InputError('rebase needs --upstream PATH and --onto REV (or --continue / --abort)');
        report = await startRebase({ upstream: options.upstream, onto: options.onto, layersDir: options.layers, dropUpstreamed: options.dropUpstreamed === true });
      }
      process.stdout.write(`${options.json ? JSON.stringify(report, null, 2) : formatRebaseReport(report, options.layers)}\n`);
      process.exitCode = report.done ? 0 : 1;
    });
}
