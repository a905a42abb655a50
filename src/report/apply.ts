import type { ApplyReport } from '../workflow/apply.js';
import type { Colors } from './colors.js';

/** The human form of an apply report: a line per layer, a line per noteworthy file, and where it went. */
export function formatApplyReport(report: ApplyReport, colors: Colors): string {
  const lines: string[] = [`upstream ${report.upstream.path} at ${report.upstream.ref} (${report.upstream.commit.slice(0, 12)})`];
  for (const layer of report.layers) {
    const bad = layer.status === 'failed' || layer.status === 'conflict';
    const status = bad ? colors.red(layer.status) : layer.status === 'skipped' ? colors.yellow(layer.status) : colors.green(layer.status);
    lines.push(`${colors.bold(layer.name)}: ${status}${layer.commit ? ` ${layer.commit.slice(0, 12)}` : ''}${layer.message ? ` (${layer.message})` : ''}`);
    for (const file of layer.files) {
      const moved = file.resolvedPath !== file.path ? ` → ${file.resolvedPath}` : '';
      const detail = [file.detail, file.message].filter(Boolean).join(': ');
      lines.push(`  ${file.status.padEnd(15)} ${file.path}${moved}${detail ? `: ${detail}` : ''}`);
    }
  }
  lines.push(outcomeLine(report));
  return lines.join('\n');
}

function outcomeLine(report: ApplyReport): string {
  const count = `${report.layers.length} layer${report.layers.length === 1 ? '' : 's'}`;
  if (!report.ok) return `apply: ${count}; failed, nothing written`;
  const destination = report.destination;
  if ('branch' in destination) return `apply: ${count}; branch ${destination.branch} at ${destination.head.slice(0, 12)}`;
  if ('worktree' in destination) return `apply: ${count}; written to the work tree ${destination.worktree}`;
  return `apply: ${count}; dry run, nothing written`;
}
