import type { Finding } from '../checks/index.js';
import type { Verdict } from '../verdicts/index.js';
import type { FileReview, HunkReview, LayerReview, SummaryRow } from './review.js';
import { STOCK_CHANGING_CODES } from './verdict-badges.js';

/** A hunk's badge as shown: its tag, how it looks (`ok`, `info`, `warn`, `bad`) and the reason behind it. */
export interface Badge {
  readonly label: string;
  readonly tone: 'ok' | 'info' | 'warn' | 'bad';
  readonly reason: string;
}

/** How each verdict looks, so no badge can contradict the summary column it shares a verdict with. */
const TONES: Readonly<Record<Verdict, Badge['tone']>> = { neutral: 'info', guarded: 'ok', unproven: 'warn', 'stock-changing': 'bad' };

/**
 * The badge of a hunk as the page shows it: the tag (flags, new file or symlink, profile) as the label,
 * or for a hunk under no flag guard its verdict; the tone of the hunk's verdict (`hunk.badge`, decided
 * by the stock-safety rules); and as the reason the verdict's own words, or for a guarded hunk the
 * flags with their stock defaults.
 */
export function badgeView(hunk: HunkReview, layer: LayerReview): Badge {
  const { verdict, text } = hunk.badge;
  const tone = TONES[verdict];
  const tag = hunk.tag;
  if (tag.kind === 'new file') {
    const link = symlinkTarget(hunk.patch);
    return { label: link === undefined ? 'new file' : 'new symlink', tone, reason: link === undefined ? `${text} (${hunk.added} lines)` : `${text} (→ ${link})` };
  }
  if (tag.kind === 'guarded') {
    const label = `guarded: ${tag.flags.join(', ')}`;
    if (verdict !== 'guarded') return { label, tone, reason: text };
    const flags = tag.flags.map((flag) => {
      const spec = layer.flags.find((entry) => entry.name === flag.replace(/^!/, ''));
      return `${flag}${spec ? ` (stock default ${spec.default})` : ''}`;
    });
    return { label, tone, reason: `runs only under USE ${flags.join(', ')}` };
  }
  if (tag.kind === 'profile') {
    if (!tag.stockReads && verdict !== 'stock-changing') return { label: 'profile: Nano only', tone, reason: 'no stock profile reads this file' };
    return { label: tag.stockReads ? 'profile: read by stock' : 'profile: Nano only', tone, reason: text };
  }
  return { label: UNGUARDED_LABELS[verdict], tone, reason: text };
}

/** The label of a hunk under no flag guard, by its verdict: a hunk stock reads nothing of is not "unguarded". */
const UNGUARDED_LABELS: Readonly<Record<Verdict, string>> = { neutral: 'neutral', guarded: 'guarded', unproven: 'not proven', 'stock-changing': 'changes stock' };

/**
 * The hunks column: how many hunks of each kind, where a hunk under no flag guard is counted as such,
 * its badge saying what its verdict is.
 */
export function hunkCountsText(row: Pick<SummaryRow, 'hunks'>): string {
  return Object.entries(row.hunks)
    .filter(([, count]) => count > 0)
    .map(([kind, count]) => `${count} ${kind === 'unguarded' ? 'under no flag' : kind}`)
    .join(', ');
}

/** The stock-safe column: the layer's verdict, and when it changes stock the codes that say so. */
export function stockSafeText(row: Pick<SummaryRow, 'stockSafety'>, findings: readonly Finding[]): string {
  if (row.stockSafety !== 'changes stock') return row.stockSafety;
  const counts = new Map<string, number>();
  for (const entry of findings) {
    if (entry.level === 'error' && STOCK_CHANGING_CODES.has(entry.code)) counts.set(entry.code, (counts.get(entry.code) ?? 0) + 1);
  }
  return counts.size === 0 ? row.stockSafety : `${row.stockSafety}: ${[...counts].map(([code, count]) => (count > 1 ? `${code} ×${count}` : code)).join(', ')}`;
}

/** Every finding of a layer: its own and those on its files and hunks. */
export function layerFindings(layer: LayerReview): Finding[] {
  return [...layer.findings, ...layer.files.flatMap((file: FileReview) => [...file.findings, ...file.hunks.flatMap((hunk) => hunk.findings)])];
}

/** The target of a symlink a patch creates (`new file mode 120000`), if it creates one. */
export function symlinkTarget(patch: string): string | undefined {
  if (!/^new file mode 120000$/m.test(patch)) return undefined;
  return /^\+(?!\+\+ )(.*)$/m.exec(patch)?.[1];
}
