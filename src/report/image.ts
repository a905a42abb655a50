import type { ChainStep, ImageEdge, ImagePackage, ImageSet } from '../portage/image.js';
import type { ImageReport, WhyReport } from '../workflow/image.js';

function packageLine(pkg: ImagePackage): string {
  const slot = pkg.subslot && pkg.subslot !== pkg.slot ? `${pkg.slot}/${pkg.subslot}` : pkg.slot;
  return `  ${pkg.cp}-${pkg.version}:${slot}::${pkg.repo}${pkg.use.length > 0 ? `  USE="${pkg.use.join(' ')}"` : ''}`;
}

function unreadableLines(image: ImageSet): string[] {
  if (image.unreadable.length === 0) return [];
  const eapi9 = image.unreadable.some((ebuild) => ebuild.eapi === '9');
  return [
    `warning: Portage could not read ${image.unreadable.length} ebuild(s)${eapi9 ? ' (EAPI 9 needs bash >= 5.3 to be sourced; name one with --bash PATH)' : ''}:`,
    ...image.unreadable.map((ebuild) => `  ${ebuild.repo}/${ebuild.path} (EAPI ${ebuild.eapi})`),
  ];
}

function heading(image: ImageSet): string {
  return `${image.package} under ${image.profile} (board ${image.board.board}): ${image.packages.length} packages`;
}

/** `image` for people: the count and every package with version, slot, repository and USE; with --vs stock the delta. */
export function formatImageReport(report: ImageReport): string {
  const lines = [...unreadableLines(report.image), heading(report.image), ...report.image.packages.map(packageLine)];
  if (report.stock && report.delta) {
    const delta = report.delta;
    lines.push('', `stock: ${heading(report.stock)}`, '');
    lines.push(`only in stock (${delta.onlyLeft.length}):`, ...delta.onlyLeft.map(packageLine));
    lines.push(`only in ${report.image.package} (${delta.onlyRight.length}):`, ...delta.onlyRight.map(packageLine));
    lines.push(`different version or USE (${delta.changed.length}):`);
    for (const { left, right } of delta.changed) {
      lines.push(`  ${left.cp}: stock ${left.version} USE="${left.use.join(' ')}", ${report.image.package} ${right.version} USE="${right.use.join(' ')}"`);
    }
  }
  return lines.join('\n');
}

/** How an edge admitted its package: `(RDEPEND, luks?)`. */
export function edgeLabel(edge: ImageEdge): string {
  const parts = [...(edge.classes.length > 0 ? edge.classes : ['?']), ...edge.conditions.map((flag) => `${flag}?`)];
  if (edge.anyOf) parts.push('|| choice');
  return `(${parts.join(', ')})`;
}

/** One chain as `base → pkg (RDEPEND, flag?) → …`. */
export function formatChain(chain: readonly ChainStep[]): string {
  return chain.map((step) => (step.via ? `${step.cpv} ${edgeLabel(step.via)}` : step.cpv)).join(' → ');
}

/** `why` for people: one chain a line. */
export function formatWhyReport(report: WhyReport): string {
  if (report.chains.length === 0) return `${report.atom} is not in the image of ${report.image.package} under ${report.image.profile}`;
  return [`${report.atom} is in the image of ${report.image.package} under ${report.image.profile}:`, ...report.chains.map((chain) => `  ${formatChain(chain)}`)].join('\n');
}
