import type { Finding } from '../checks/index.js';
import type { FileReview, HunkReview, LayerReview, SummaryRow } from './review.js';
import { STOCK_SAFETY_CODES } from './review.js';

/** A hunk's badge: its tag, how it looks (`ok`, `info`, `warn`, `bad`) and the reason behind it. */
export interface Badge {
  readonly label: string;
  readonly tone: 'ok' | 'info' | 'warn' | 'bad';
  readonly reason: string;
}

/** The stock-safety error findings among `findings`. */
export function stockSafetyErrors(findings: readonly Finding[]): Finding[] {
  return findings.filter((entry) => entry.level === 'error' && STOCK_SAFETY_CODES.has(entry.code));
}

/**
 * The badge of a hunk, saying why: the flags that guard it and their stock defaults, that the file
 * is new, whether stock profiles read the profile file, or the finding that makes it unsafe. An
 * unguarded hunk with no stock-safety finding says that stock builds stay unchanged, as the
 * summary's stock-safe column does.
 */
export function hunkBadge(hunk: HunkReview, file: FileReview, layer: LayerReview, row: SummaryRow | undefined): Badge {
  const unsafe = stockSafetyErrors([...hunk.findings, ...file.findings]);
  const why = unsafe.map((entry) => `${entry.code}: ${entry.message}`).join('; ');
  const tag = hunk.tag;
  if (tag.kind === 'new file') {
    const link = symlinkTarget(hunk.patch);
    return { label: link === undefined ? 'new file' : 'new symlink', tone: 'info', reason: link === undefined ? `not in upstream, ${hunk.added} lines` : `not in upstream, → ${link}` };
  }
  if (tag.kind === 'guarded') {
    const flags = tag.flags.map((flag) => {
      const name = flag.replace(/^!/, '');
      const spec = layer.flags.find((entry) => entry.name === name);
      return `${flag}${spec ? ` (stock default ${spec.default})` : ''}`;
    });
    return unsafe.length > 0
      ? { label: `guarded: ${tag.flags.join(', ')}`, tone: 'bad', reason: why }
      : { label: `guarded: ${tag.flags.join(', ')}`, tone: 'ok', reason: `runs only under USE ${flags.join(', ')}` };
  }
  if (tag.kind === 'profile') {
    if (!tag.stockReads) return { label: 'profile: Nano only', tone: 'ok', reason: 'no stock profile reads this file' };
    return unsafe.length > 0
      ? { label: 'profile: read by stock', tone: 'bad', reason: why }
      : { label: 'profile: read by stock', tone: 'ok', reason: 'stock USE, forces and masks stay as they were' };
  }
  if (unsafe.length > 0) return { label: 'unguarded', tone: 'bad', reason: why };
  return row?.stockSafe === false
    ? { label: 'unguarded', tone: 'warn', reason: 'no USE guard; the layer changes stock builds elsewhere (see its findings)' }
    : { label: 'unguarded', tone: 'warn', reason: 'no USE guard, but a stock build does the same as before (no UnguardedChange)' };
}

/** The stock-safe column with its reason: `yes`, or `no` and the codes that say so. */
export function stockSafeText(row: Pick<SummaryRow, 'stockSafe'>, findings: readonly Finding[]): string {
  if (row.stockSafe) return 'yes';
  const counts = new Map<string, number>();
  for (const entry of stockSafetyErrors(findings)) counts.set(entry.code, (counts.get(entry.code) ?? 0) + 1);
  return `no: ${[...counts].map(([code, count]) => (count > 1 ? `${code} ×${count}` : code)).join(', ')}`;
}

/** Every finding of a layer: its own and those on its files and hunks. */
export function layerFindings(layer: LayerReview): Finding[] {
  return [...layer.findings, ...layer.files.flatMap((file) => [...file.findings, ...file.hunks.flatMap((hunk) => hunk.findings)])];
}

/** The target of a symlink a patch creates (`new file mode 120000`), if it creates one. */
export function symlinkTarget(patch: string): string | undefined {
  if (!/^new file mode 120000$/m.test(patch)) return undefined;
  return /^\+(?!\+\+ )(.*)$/m.exec(patch)?.[1];
}
