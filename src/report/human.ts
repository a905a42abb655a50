import { LEVELS, type Finding, type Level } from '../checks/finding.js';
import type { Colors } from './colors.js';

/** One layer's line in a human report. */
export interface LayerLine {
  readonly name: string;
  readonly status: string;
  readonly files: readonly { readonly path: string; readonly resolvedPath: string; readonly status: string }[];
}

/**
 * Formats a human report: per layer its status, the files whose status or path is noteworthy and
 * the findings that concern it; then findings tied to no layer; then a one-line summary.
 */
export function formatHuman(layers: readonly LayerLine[], findings: readonly Finding[], colors: Colors, title = 'nano-overlay'): string {
  const lines: string[] = [];
  const paint = levelPainter(colors);
  const statusColor = (status: string) =>
    status === 'failed' || status === 'conflict' ? colors.red(status) : status === 'skipped' ? colors.yellow(status) : colors.green(status);
  for (const layer of layers) {
    lines.push(`${colors.bold(layer.name)}: ${statusColor(layer.status)}`);
    const fileLines = layer.files.map((file) => `  ${file.path}${file.resolvedPath !== file.path ? ` → ${file.resolvedPath}` : ''}: ${statusColor(file.status)}`);
    lines.push(...new Set(fileLines));
    for (const found of findings.filter((entry) => entry.layer === layer.name)) lines.push(`  ${formatFinding(found, paint)}`);
  }
  const unowned = findings.filter((entry) => entry.layer === null || !layers.some((layer) => layer.name === entry.layer));
  if (unowned.length > 0) {
    lines.push(colors.bold('(layer set)'));
    for (const found of unowned) lines.push(`  ${formatFinding(found, paint)}`);
  }
  lines.push(summaryLine(layers, findings, title));
  return lines.join('\n');
}

/** `title: N layers (a applied, b failed); e errors, w warnings, i info, s style`. */
export function summaryLine(layers: readonly LayerLine[], findings: readonly Finding[], title: string): string {
  const byStatus = new Map<string, number>();
  for (const layer of layers) byStatus.set(layer.status, (byStatus.get(layer.status) ?? 0) + 1);
  const statuses = [...byStatus].map(([status, count]) => `${count} ${status}`).join(', ');
  const counts = LEVELS.map((level) => `${findings.filter((entry) => entry.level === level).length} ${plural(level, findings.filter((entry) => entry.level === level).length)}`);
  return `${title}: ${layers.length} layer${layers.length === 1 ? '' : 's'}${statuses ? ` (${statuses})` : ''}; ${counts.join(', ')}`;
}

function plural(level: Level, count: number): string {
  return (level === 'error' || level === 'warning') && count !== 1 ? `${level}s` : level;
}

function formatFinding(found: Finding, paint: (level: Level) => string): string {
  const where = found.path === null ? '' : `${found.path}${found.line === null ? '' : `:${found.line}`}: `;
  return `${paint(found.level)} ${found.code}: ${where}${found.message}`;
}

function levelPainter(colors: Colors): (level: Level) => string {
  const byLevel: Record<Level, (text: string) => string> = { error: colors.red, warning: colors.yellow, info: colors.cyan, style: colors.dim };
  return (level) => byLevel[level](level);
}
