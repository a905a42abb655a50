import type { Command } from 'commander';
import { InputError } from '../errors.js';

/** `nano-overlay example DIR`: create the bundled example upstream as a git repository, to try the commands on. */
export function registerExampleCommand(program: Command): void {
  program
    .command('example')
    .description('create the bundled example upstream (an invented, coreos-overlay-shaped git repository) in DIR, to try the other commands on')
    .argument('<dir>', 'an empty or absent directory')
    .option('--layout <layout>', 'scripts (a flatcar/scripts-shaped repository) or overlay (a standalone coreos-overlay)', 'scripts')
    .action(async (dir: string, options: { layout: string }) => {
      if (options.layout !== 'scripts' && options.layout !== 'overlay') throw new InputError(`--layout must be scripts or overlay, not '${options.layout}'`);
      const { materializeExample } = await import('../upstream/example.js');
      const example = await materializeExample(dir, options.layout);
      process.stdout.write(`created the example upstream in ${example.dir} (branch main, commit ${example.commit.slice(0, 12)})\n`);
    });
}
