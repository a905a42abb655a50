import type { Colors } from '../report/colors.js';
import type { ConditionalizeReport } from './conditionalize.js';

/** The human summary of a conditionalize run: what moved under the flag, what moved to the Nano profile, what was left and why. */
export function formatConditionalizeReport(report: ConditionalizeReport, colors: Colors): string {
  const lines: string[] = [];
  const flag = `${report.default === 'on' ? '+' : ''}${report.flag}`;
  for (const file of report.converted) {
    lines.push(`${colors.green('guarded')} ${file.path} (as ${file.as === 'edits' ? 'structured edits' : 'a text patch'})`);
    for (const change of file.changes) lines.push(`  ${change}`);
  }
  for (const move of report.moved) {
    lines.push(`${colors.green('moved')}   ${move.from} → ${move.to}`);
    for (const line of move.lines) lines.push(`  ${line}`);
  }
  for (const entry of report.unconverted) {
    lines.push(`${colors.yellow('left')}    ${entry.path}${entry.line === null ? '' : `:${entry.line}`}: ${entry.reason}`);
  }
  for (const step of report.next) lines.push(`${colors.cyan('next')}    ${step}`);
  const outcome = report.written ? 'layer rewritten' : report.diff === '' ? 'nothing to rewrite' : 'dry run, nothing written';
  lines.push(
    `conditionalize ${report.layer} under ${flag}: ${report.converted.length} ebuild${report.converted.length === 1 ? '' : 's'} guarded, ${report.moved.length} profile file${report.moved.length === 1 ? '' : 's'} moved, ${report.unconverted.length} change${report.unconverted.length === 1 ? '' : 's'} left; ${outcome}`,
  );
  return lines.join('\n');
}
