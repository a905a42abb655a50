import type { Command } from 'commander';
import { upstreamOptions } from './options.js';
import { InputError } from '../errors.js';
import type { ReviewReport } from '../review/review.js';

/** The formatters by --format name, each loaded only when chosen. */
const FORMATS: Record<string, () => Promise<(report: ReviewReport) => string>> = {
  md: async () => (await import('../review/markdown.js')).formatReviewMarkdown,
  html: async () => (await import('../review/html.js')).formatReviewHtml,
  json: async () => (report) => `${JSON.stringify(report, null, 2)}\n`,
};

/** `nano-overlay review`: the layers' combined change against an upstream revision, tagged hunk by hunk, for reviewers. */
export function registerReviewCommand(program: Command): void {
  upstreamOptions(program.command('review').description('show the layers\' change to an upstream revision, grouped by layer, every hunk tagged and findings beside it'))
    .option('--format <format>', 'md, html or json', 'md')
    .option('--out <file>', 'write to FILE instead of standard output')
    .option('--since <rev>', "also compare with the layer set at REV of its own git repository (e.g. a pull request's base)")
    .option('--image', 'add the Image section: Nano and stock images resolved by Portage')
    .option('--portage <dir>', 'with --image: a Portage source tree to run Portage from')
    .option('--bash <path>', 'with --image: the bash to source ebuilds with (EAPI 9 needs bash >= 5.3)')
    .action(async (options: { upstream: string; ref?: string; layers: string; format: string; out?: string; since?: string; image?: boolean; portage?: string; bash?: string }) => {
      const loadFormat = FORMATS[options.format];
      if (!loadFormat) throw new InputError(`--format must be md, html or json, not '${options.format}'`);
      const { writeFile } = await import('node:fs/promises');
      const { reviewLayers } = await import('../review/review.js');
      const format = await loadFormat();
      const report = await reviewLayers({
        upstream: options.upstream,
        layersDir: options.layers,
        ...(options.ref ? { ref: options.ref } : {}),
        ...(options.since ? { since: options.since } : {}),
        ...(options.image ? { image: { ...(options.portage ? { portageDir: options.portage } : {}), ...(options.bash ? { bash: options.bash } : {}) } } : {}),
      });
      const output = format(report);
      if (options.out) {
        const out = options.out;
        await writeFile(out, output).catch((error: NodeJS.ErrnoException) => {
          throw new InputError(`cannot write the review: ${error.code === 'ENOENT' ? 'no such directory' : (error.code ?? error.message)}`, out);
        });
      }
      else process.stdout.write(output.endsWith('\n') ? output : `${output}\n`);
    });
}
