import type { UseReport } from '../workflow/use.js';

/** `nano-overlay use` for people: per version its visibility, then each flag with `+`/`-`, forced/masked and the deciding source. */
export function formatUse(report: UseReport): string {
  const lines = [`profile ${report.profile} (${report.tree === 'patched' ? 'after the layers' : 'upstream as it is'}, ${report.commit.slice(0, 10)})`];
  for (const version of report.versions) {
    const state = version.visible ? (version.stable ? 'stable' : 'visible, not stable') : `not visible (${version.maskedBy ? `masked by ${version.maskedBy}` : `keywords ${version.missingKeywords?.join(' ')}`})`;
    lines.push('', `${version.cpv}::${version.repository} slot ${version.slot}: ${state}${version.selected ? ', selected' : ''}`);
    for (const { flag, enabled, source, forced, masked } of version.flags) {
      const notes = [...(forced ? ['forced'] : []), ...(masked ? ['masked'] : [])];
      lines.push(`  ${enabled ? '+' : '-'}${flag}${notes.length ? ` (${notes.join(', ')})` : ''}  ${source}`);
    }
    for (const { variable, reason } of version.notUnderstood) lines.push(`  not understood: ${variable}: ${reason}`);
  }
  return lines.join('\n');
}
