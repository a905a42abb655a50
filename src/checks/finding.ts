/** How serious a finding is, as in pkgcheck: errors fail validation, the rest inform. */
export type Level = 'error' | 'warning' | 'info' | 'style';

/** One result of a check, tied to a layer and, where it can be, to a file and line of the overlay. */
export interface Finding {
  readonly code: string;
  readonly level: Level;
  readonly layer: string | null;
  /** Relative to the overlay root (or the scripts repository root for layers that target it). */
  readonly path: string | null;
  readonly line: number | null;
  readonly message: string;
}

/** The levels in order of severity, most severe first. */
export const LEVELS: readonly Level[] = ['error', 'warning', 'info', 'style'];

/** Builds a finding, filling what is unknown with null. */
export function finding(code: string, level: Level, message: string, where: { layer?: string | null; path?: string | null; line?: number | null } = {}): Finding {
  return { code, level, layer: where.layer ?? null, path: where.path ?? null, line: where.line ?? null, message };
}

/** Sorts findings by layer order (as given), then path, then line, then severity. */
export function sortFindings(findings: readonly Finding[], layerOrder: readonly string[]): Finding[] {
  const rank = (layer: string | null) => (layer === null ? -1 : layerOrder.indexOf(layer));
  return [...findings].sort(
    (a, b) =>
      rank(a.layer) - rank(b.layer) ||
      (a.path ?? '').localeCompare(b.path ?? '') ||
      (a.line ?? 0) - (b.line ?? 0) ||
      LEVELS.indexOf(a.level) - LEVELS.indexOf(b.level) ||
      a.code.localeCompare(b.code),
  );
}
