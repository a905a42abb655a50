import type { Command } from 'commander';
import { upstreamOptions } from './options.js';

/** `nano-overlay use`: the static model's effective USE of packages under a profile, with the reason for each flag. */
export function registerUseCommand(program: Command): void {
  upstreamOptions(program.command('use [atoms...]').description('the effective USE of packages under a profile, each flag with the file:line that decides it'))
    .requiredOption('--profile <name>', 'the profile below the overlay\'s profiles/ (coreos/amd64/generic)')
    .option('--all', 'every ebuild of the overlay and portage-stable')
    .option('--json', 'print JSON')
    .action(async (atoms: string[], options: { upstream: string; ref?: string; layers: string; profile: string; all?: boolean; json?: boolean }) => {
      const [{ useReport }, { formatUse }] = await Promise.all([import('../workflow/use.js'), import('../report/use.js')]);
      const report = await useReport({ upstream: options.upstream, layersDir: options.layers, profile: options.profile, atoms, all: options.all === true, ...(options.ref ? { ref: options.ref } : {}) });
      process.stdout.write(`${options.json ? JSON.stringify(report, null, 2) : formatUse(report)}\n`);
    });
}
