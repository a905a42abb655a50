import type { RangeReport } from '../workflow/validate-range.js';
import type { Colors } from './colors.js';

const short = (commit: string) => commit.slice(0, 10);

/** The human form of `validate --range`: per layer, the last good and first bad commit, with why. */
export function formatRangeReport(report: RangeReport, colors: Colors): string {
  const lines = [`checked ${report.checked.length} commit${report.checked.length === 1 ? '' : 's'} of ${short(report.upstream.from)}..${short(report.upstream.to)} touching the layers' paths`];
  for (const layer of report.layers) {
    const good = layer.lastGood ? `fine through ${short(layer.lastGood.commit)} (${layer.lastGood.subject})` : 'never fine';
    if (!layer.firstBad) {
      lines.push(`${colors.bold(layer.name)}: ${colors.green(good)}`);
      continue;
    }
    lines.push(`${colors.bold(layer.name)}: ${good}; ${colors.red(`breaks at ${short(layer.firstBad.commit)}`)} (${layer.firstBad.subject})`);
    for (const found of layer.firstBad.findings.slice(0, 5)) {
      lines.push(`  ${found.code}: ${found.path ?? ''}${found.line ? `:${found.line}` : ''} ${found.message}`);
    }
    for (const transition of layer.transitions.filter((entry) => entry.commit !== layer.firstBad?.commit && entry.commit !== report.checked[0]?.commit)) {
      const state = transition.ok ? colors.green('fine again from') : colors.red('breaks again at');
      lines.push(`  ${state} ${short(transition.commit)} (${transition.subject})`);
    }
  }
  const broken = report.layers.filter((layer) => layer.firstBad).length;
  lines.push(`validate --range: ${report.layers.length} layers, ${broken} broken in the range`);
  return lines.join('\n');
}

/** A one-line progress bar for a terminal: `[#####-----] 12/51 abc1234 subject`. */
export function progressLine(done: number, total: number, label: string, width = 30): string {
  const filled = Math.round((done / Math.max(total, 1)) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} ${label}`.slice(0, 100);
}
