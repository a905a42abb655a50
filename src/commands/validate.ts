import type { Command } from 'commander';
import { upstreamOptions } from './options.js';
import { printable } from '../patch/text.js';
import { DEFINITION_CODES, EXIT_BAD_INPUT, InputError } from '../errors.js';
import type { Finding } from '../checks/finding.js';
import type { Colors } from '../report/colors.js';
import type { ValidationReport } from '../workflow/validate.js';

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
      const { validateLayersMemoized } = await import('../workflow/validate-memo.js');
      const plain = await validateLayersMemoized({ upstream: options.upstream, layersDir: options.layers, ...(options.ref ? { ref: options.ref } : {}) });
      const definition = plain.findings.find((found) => (DEFINITION_CODES as readonly string[]).includes(found.code));
      if (definition && format === 'human') {
        const where = definition.path === null ? '' : ` (${definition.path}${definition.line === null ? '' : `:${definition.line}`})`;
        process.stderr.write(`nano-overlay: ${printable(`${definition.message}${where}`)}\n`);
        process.exitCode = EXIT_BAD_INPUT;
        return;
      }
      const report = options.deep && !definition ? await withDeepFindings(plain, options) : plain;
      const output =
        format === 'json'
          ? JSON.stringify(report, null, 2)
          : format === 'github'
            ? await githubAnnotations(report.findings, report.layers, options.layers)
            : `${judgedLine(report.upstream)}\n${(await import('../report/human.js')).formatHuman(report.layers, report.findings, await terminalColors(), 'validate')}`;
      if (output !== '') process.stdout.write(`${output}\n`);
      process.exitCode = definition ? EXIT_BAD_INPUT : report.ok ? 0 : 1;
    });
}

async function withDeepFindings(
  report: ValidationReport,
  options: { upstream: string; ref?: string; layers: string; portage?: string; bash?: string },
): Promise<ValidationReport> {
  const { deepFindings } = await import('../workflow/validate-deep.js');
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
  const { validateRange } = await import('../workflow/validate-range.js');
  const { formatRangeReport, progressLine } = await import('../report/range.js');
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
        ? await githubAnnotations(report.layers.flatMap((layer) => layer.firstBad?.findings ?? []), report.layers, layers)
        : formatRangeReport(report, await terminalColors());
  if (output !== '') process.stdout.write(`${output}\n`);
  process.exitCode = report.ok ? 0 : 1;
}

/** `upstream <path> at <ref> (<commit>)`: what a human report judged. */
function judgedLine(upstream: ValidationReport['upstream']): string {
  const ref = upstream.ref === upstream.commit ? '' : ` ${upstream.ref}`;
  return `upstream ${upstream.path}${ref} at ${upstream.commit.slice(0, 12)}`;
}

/** The findings as GitHub workflow commands, anchored in the layer set's own files. */
async function githubAnnotations(findings: readonly Finding[], layers: readonly { name: string; manifest: string }[], layersDir: string): Promise<string> {
  const { formatGithub } = await import('../report/github.js');
  const { layerSetAnchors } = await import('../report/anchors.js');
  return formatGithub(findings, new Map(layers.map((layer) => [layer.name, layer.manifest])), await layerSetAnchors(layersDir));
}

async function terminalColors(): Promise<Colors> {
  return (await import('../report/colors.js')).colorsFor();
}
