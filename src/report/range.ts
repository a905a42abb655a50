import type { RangeReport } from '../workflow/validate-range.js';
import type { Colors } from './colors.js';

const short = (commit: string) => commit.slice(0, 10);

/**
 * The human form of `validate --range`: per layer, the last good and first bad commit with why,
 * every later break and recovery, and the state at B; then each commit named, with its subject, once.
 */
export function formatRangeReport(report: RangeReport, colors: Colors): string {
  const end = report.checked.at(-1)?.commit;
  const lines = [`checked ${report.checked.length} commit${report.checked.length === 1 ? '' : 's'} of ${short(report.upstream.from)}..${short(report.upstream.to)} touching the layers' paths`];
  const named = new Set<string>();
  const name = (commit: string) => {
    named.add(commit);
    return short(commit);
  };
  for (const layer of report.layers) {
    const good = layer.lastGood ? `fine through ${name(layer.lastGood.commit)}` : 'never fine';
    const atEnd = layer.okAtEnd ? colors.green('fine at B') : colors.red('broken at B');
    if (!layer.firstBad) {
      lines.push(`${colors.bold(layer.name)}: ${colors.green(layer.lastGood?.commit === end ? 'fine throughout' : good)}`);
      continue;
    }
    lines.push(`${colors.bold(layer.name)}: ${good}; ${colors.red(`breaks at ${name(layer.firstBad.commit)}`)}; ${atEnd}`);
    for (const found of layer.firstBad.findings.slice(0, 5)) {
      lines.push(`  ${found.code}: ${found.path ?? ''}${found.line ? `:${found.line}` : ''} ${found.message}`);
    }
    for (const transition of layer.transitions.filter((entry) => entry.commit !== layer.firstBad?.commit && entry.commit !== report.checked[0]?.commit)) {
      const state = transition.ok ? colors.green('fine again from') : colors.red('breaks again at');
      lines.push(`  ${state} ${name(transition.commit)}`);
    }
  }
  const mentioned = report.checked.filter((commit) => named.has(commit.commit));
  if (mentioned.length > 0) lines.push('commits:', ...mentioned.map((commit) => `  ${short(commit.commit)} ${commit.subject}`.trimEnd()));
  const broken = report.layers.filter((layer) => layer.firstBad).length;
  const brokenAtEnd = report.layers.filter((layer) => !layer.okAtEnd).length;
  lines.push(`validate --range: ${report.layers.length} layers, ${broken} broken in the range, ${brokenAtEnd} broken at B`);
  return lines.join('\n');
}

/** A one-line progress bar for a terminal: `[#####-----] 12/51 abc1234 subject`. */
export function progressLine(done: number, total: number, label: string, width = 30): string {
  const filled = Math.round((done / Math.max(total, 1)) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} ${label}`.slice(0, 100);
}
