import type { Command } from 'commander';
import { upstreamOptions } from './options.js';
import { InputError } from '../errors.js';
import { colorsFor } from '../report/colors.js';
import { formatGithub } from '../report/github.js';
import { formatHuman } from '../report/human.js';
import { formatRangeReport, progressLine } from '../report/range.js';
import { validateLayers, type ValidationReport } from '../workflow/validate.js';
import { deepFindings } from '../workflow/validate-deep.js';
import { validateRange } from '../workflow/validate-range.js';

type Format = 'human' | 'json' | 'github';

/** `nano-overlay validate`: apply the layers in memory to an upstream revision and run every check. */
export function registerValidateCommand(program: Command): void {
  upstreamOptions(program.command('validate').description('apply the layers in memory to an upstream revision and check that they apply and leave stock Flatcar unchanged'))
    .option('--format <format>', 'human, json or github', 'human')
    .option('--json', 'the same as --format json')
    .option('--range <A..B>', 'check every first-parent commit of A..B that touches what the layers target')
    .option('--deep', 're-check stock safety with real Portage and check the static USE model against it')
    .option('--portage <dir>', 'with --deep: a Portage source tree to run Portage from')
    .option('--bash <path>', 'with --deep: the bash to source ebuilds with (EAPI 9 needs bash >= 5.3)')
    .action(async (options: { upstream: string; ref?: string; layers: string; format: string; json?: boolean; range?: string; deep?: boolean; portage?: string; bash?: string }) => {
      const format = (options.json ? 'json' : options.format) as Format;
      if (!['human', 'json', 'github'].includes(format)) throw new InputError(`--format must be human, json or github, not '${format}'`);
      if (options.range !== undefined) {
        await validateRangeCommand(options.upstream, options.layers, options.range, format);
        return;
      }
      const plain = await validateLayers({ upstream: options.upstream, layersDir: options.layers, ...(options.ref ? { ref: options.ref } : {}) });
      const report = options.deep ? await withDeepFindings(plain, options) : plain;
      const output =
        format === 'json'
          ? JSON.stringify(report, null, 2)
          : format === 'github'
            ? formatGithub(report.findings, manifestsOf(report.layers))
            : formatHuman(report.layers, report.findings, colorsFor(), 'validate');
      if (output !== '') process.stdout.write(`${output}\n`);
      process.exitCode = report.ok ? 0 : 1;
    });
}

async function withDeepFindings(
  report: ValidationReport,
  options: { upstream: string; ref?: string; layers: string; portage?: string; bash?: string },
): Promise<ValidationReport> {
  const deep = await deepFindings({
    upstream: options.upstream,
    layersDir: options.layers,
    ...(options.ref ? { ref: options.ref } : {}),
    ...(options.portage ? { portageDir: options.portage } : {}),
    ...(options.bash ? { bash: options.bash } : {}),
  });
  const findings = [...report.findings, ...deep];
  return { ...report, ok: !findings.some((entry) => entry.level === 'error'), findings };
}

async function validateRangeCommand(upstream: string, layers: string, range: string, format: Format): Promise<void> {
  const tty = process.stderr.isTTY === true;
  const report = await validateRange({
    upstream,
    layersDir: layers,
    range,
    ...(tty ? { onProgress: (done: number, total: number, commit: { commit: string; subject: string }) => process.stderr.write(`\r\x1b[K${progressLine(done, total, `${commit.commit.slice(0, 10)} ${commit.subject}`)}`) } : {}),
  });
  if (tty) process.stderr.write('\r\x1b[K');
  const output =
    format === 'json'
      ? JSON.stringify(report, null, 2)
      : format === 'github'
        ? formatGithub(report.layers.flatMap((layer) => layer.firstBad?.findings ?? []), manifestsOf(report.layers))
        : formatRangeReport(report, colorsFor());
  if (output !== '') process.stdout.write(`${output}\n`);
  process.exitCode = report.ok ? 0 : 1;
}

function manifestsOf(layers: readonly { name: string; manifest: string }[]): Map<string, string> {
  return new Map(layers.map((layer) => [layer.name, layer.manifest]));
}
