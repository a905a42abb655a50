import type { Command } from 'commander';
import { upstreamOptions } from './options.js';
import { InputError } from '../errors.js';
import type { ImageRequest } from '../workflow/image.js';

interface ImageOptions {
  upstream: string;
  ref?: string;
  layers: string;
  profile?: string;
  package?: string;
  portage?: string;
  bash?: string;
  json?: boolean;
}

/** Adds what `image` and `why` share: the upstream, --profile, --package, --portage, --bash, --json. */
function imageOptions(command: Command): Command {
  return upstreamOptions(command)
    .option('--profile <name>', 'the profile (default: the first Nano profile of values.yaml)')
    .option('--package <atom>', 'the base package (default: package_set.package of values.yaml)')
    .option('--portage <dir>', 'a Portage source tree to run Portage from')
    .option('--bash <path>', 'the bash to source ebuilds with (EAPI 9 needs bash >= 5.3)')
    .option('--json', 'print JSON');
}

function request(options: ImageOptions): ImageRequest {
  return {
    upstream: options.upstream,
    layersDir: options.layers,
    ...(options.ref ? { ref: options.ref } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    ...(options.package ? { package: options.package } : {}),
    ...(options.portage ? { portageDir: options.portage } : {}),
    ...(options.bash ? { bash: options.bash } : {}),
  };
}

/** `nano-overlay image` and `nano-overlay why`: the image's package set as Portage resolves it, and why a package is in it. */
export function registerImageCommands(program: Command): void {
  imageOptions(program.command('image').description("the image's runtime package set, resolved by Portage from binary packages as build_image installs it"))
    .option('--vs <image>', 'put another image beside it: stock')
    .action(async (options: ImageOptions & { vs?: string }) => {
      if (options.vs !== undefined && options.vs !== 'stock') throw new InputError(`--vs takes 'stock', not '${options.vs}'`);
      const [{ imageReport }, { formatImageReport }] = await Promise.all([import('../workflow/image.js'), import('../report/image.js')]);
      const report = await imageReport({ ...request(options), vsStock: options.vs === 'stock' });
      process.stdout.write(`${options.json ? JSON.stringify(report, null, 2) : formatImageReport(report)}\n`);
    });
  imageOptions(program.command('why').argument('<atom>', 'category/package[:slot] or category/package-version').description('the dependency chains that bring a package into the image'))
    .action(async (atom: string, options: ImageOptions) => {
      const [{ whyReport }, { formatWhyReport }] = await Promise.all([import('../workflow/image.js'), import('../report/image.js')]);
      const report = await whyReport({ ...request(options), atom });
      process.stdout.write(`${options.json ? JSON.stringify(report, null, 2) : formatWhyReport(report)}\n`);
      process.exitCode = report.chains.length > 0 ? 0 : 1;
    });
}
