import { InputError } from '../errors.js';
import type { Command } from 'commander';
import type { ApplyDestination } from '../workflow/apply.js';
import { countArgument, upstreamOptions } from './options.js';

interface ApplyOptions {
  upstream: string;
  ref?: string;
  layers: string;
  branch?: string;
  worktree?: boolean;
  dryRun?: boolean;
  force?: boolean;
  signoff?: boolean;
  fuzz: number;
  json?: boolean;
}

/** `nano-overlay apply`: render and apply the layers to an upstream, as a new branch or into the work tree. */
export function registerApplyCommand(program: Command): void {
  upstreamOptions(program.command('apply').description('apply the layers to an upstream revision, as a new branch (one commit a layer) or into the work tree'))
    .option('--branch <name>', 'create branch NAME: the revision plus one commit per layer')
    .option('--worktree', "write into the upstream's checked-out work tree")
    .option('--dry-run', 'write nothing; report what would happen')
    .option('--force', 'replace an existing branch')
    .option('--signoff', "with --branch: add a Signed-off-by trailer (git's user.name and user.email) to every commit")
    .option('--fuzz <n>', 'context lines a hunk may drop to apply', countArgument, 2)
    .option('--json', 'print JSON')
    .action(async (options: ApplyOptions) => {
      const { formatApplyReport } = await import('../report/apply.js');
      const { colorsFor } = await import('../report/colors.js');
      const { applyToUpstream } = await import('../workflow/apply.js');
      const report = await applyToUpstream({
        layersDir: options.layers,
        upstream: options.upstream,
        ...(options.ref ? { ref: options.ref } : {}),
        destination: destination(options),
        fuzz: options.fuzz,
      });
      process.stdout.write(`${options.json ? JSON.stringify(report, null, 2) : formatApplyReport(report, colorsFor())}\n`);
      process.exitCode = report.ok ? 0 : 1;
    });
}

function destination(options: ApplyOptions): ApplyDestination {
  const chosen = [options.branch !== undefined, options.worktree === true].filter(Boolean).length;
  if (options.dryRun) return { dryRun: true };
  if (chosen !== 1) throw new InputError('choose exactly one of --branch NAME, --worktree or --dry-run');
  if (options.signoff && options.branch === undefined) throw new InputError('--signoff needs --branch NAME');
  return options.branch !== undefined ? { branch: options.branch, force: options.force === true, signoff: options.signoff === true } : { worktree: true };
}
