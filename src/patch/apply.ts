import { fromByteString, splitLines, toByteString } from './text.js';
import type { FilePatch, Hunk, HunkResult } from './types.js';

export interface ApplyHunksOptions {
  /** Context lines a hunk may ignore at each end when it matches nowhere as it is (GNU patch's `--fuzz`). Default 2. */
  fuzz?: number;
}

/**
 * Applies the hunks of `patch` to `oldText` the way GNU patch does: each hunk at its stated line, else
 * at the nearest offset (alternating after and before), else with fuzz (ignoring up to `fuzz` context
 * lines at its ends, never the leading ones of a hunk anchored at the file start nor the trailing
 * ones of one anchored at its end). Offsets carry over to later hunks. A hunk that does not apply
 * but whose result is already there is reported `already-applied` and left alone; one that matches
 * nowhere is `rejected` and skipped. Line feeds, missing final line feeds and CRs are kept exactly.
 */
export function applyHunks(oldText: string, patch: FilePatch, options: ApplyHunksOptions = {}): { text: string; hunks: HunkResult[] } {
  const result = applyToLines(splitLines(toByteString(oldText)), patch.hunks, options.fuzz ?? 2);
  return { text: fromByteString(result.lines.join('')), hunks: result.hunks };
}

/** applyHunks over bytes, exact for any content. */
export function applyHunksToBytes(old: Buffer, patch: FilePatch, options: ApplyHunksOptions = {}): { data: Buffer; hunks: HunkResult[] } {
  const result = applyToLines(splitLines(old.toString('latin1')), patch.hunks, options.fuzz ?? 2);
  return { data: Buffer.from(result.lines.join(''), 'latin1'), hunks: result.hunks };
}

/** A hunk as the two line sequences it matches and produces, lines with their line feeds. */
interface Pattern {
  hunk: Hunk;
  /** Line of the old file where the hunk says it applies (GNU patch's `pch_first`). */
  first: number;
  old: string[];
  new: string[];
  prefixContext: number;
  suffixContext: number;
}

function toPattern(hunk: Hunk): Pattern {
  const old: string[] = [];
  const added: string[] = [];
  for (const line of hunk.lines) {
    const full = line.noNewlineAtEnd ? line.text : `${line.text}\n`;
    if (line.kind !== '+') old.push(full);
    if (line.kind !== '-') added.push(full);
  }
  const firstChange = hunk.lines.findIndex((line) => line.kind !== ' ');
  const lastChange = hunk.lines.findLastIndex((line) => line.kind !== ' ');
  return {
    hunk,
    first: hunk.oldLines === 0 ? hunk.oldStart + 1 : hunk.oldStart,
    old,
    new: added,
    prefixContext: firstChange < 0 ? hunk.lines.length : firstChange,
    suffixContext: firstChange < 0 ? hunk.lines.length : hunk.lines.length - 1 - lastChange,
  };
}

function applyToLines(input: string[], hunks: Hunk[], maxFuzz: number): { lines: string[]; hunks: HunkResult[] } {
  const applier = new HunkApplier(input);
  const results = hunks.map((hunk) => applier.apply(toPattern(hunk), maxFuzz));
  return { lines: applier.finish(), hunks: results };
}

/** GNU patch's algorithm: the input is copied to the output up to each hunk, which replaces its old lines. */
class HunkApplier {
  private readonly output: string[] = [];
  /** Input lines (1-based, inclusive) already copied or deleted. */
  private lastFrozen = 0;
  /** Offset found for the previous hunks, where the next one is first looked for. */
  private inOffset = 0;

  constructor(private readonly input: string[]) {}

  apply(pattern: Pattern, maxFuzz: number): HunkResult {
    // A hunk may have moved, as GNU patch looks for it, but not by more lines than the file has: a start
    // further beyond the end is bogus, and rejected at once rather than searched for line by line.
    const stated = pattern.first + this.inOffset;
    if (stated - (this.input.length + 1) > this.input.length) {
      const message = `it starts at line ${stated}, beyond the end of the file (${this.input.length} line(s))`;
      return { status: 'rejected', offset: 0, fuzz: 0, line: stated, message };
    }
    const mostFuzz = Math.min(maxFuzz, Math.max(pattern.prefixContext, pattern.suffixContext));
    for (let fuzz = 0; fuzz <= mostFuzz; fuzz++) {
      const offsetBefore = this.inOffset;
      const where = this.locate(pattern.old, pattern, fuzz);
      if (where && this.fits(pattern, where)) {
        this.replace(pattern, where);
        const status = fuzz ? 'fuzz' : this.inOffset ? 'offset' : 'exact';
        return { status, offset: this.inOffset, fuzz, line: where };
      }
      this.inOffset = offsetBefore;
      const applied = fuzz === 0 && pattern.new.length ? this.locate(pattern.new, pattern, 0) : 0;
      if (applied) {
        this.copyTill(Math.min(applied - 1 + pattern.new.length - pattern.suffixContext, this.input.length));
        this.inOffset += pattern.new.length - pattern.old.length;
        return { status: 'already-applied', offset: applied - pattern.first, fuzz: 0, line: applied };
      }
    }
    const line = pattern.first + this.inOffset;
    return { status: 'rejected', offset: 0, fuzz: 0, line, message: `its ${pattern.old.length} context and removed line(s) match nowhere` };
  }

  /** The output: every hunk applied and the rest of the input copied. */
  finish(): string[] {
    this.copyTill(this.input.length);
    return this.output;
  }

  /**
   * Where `lines` (the hunk's old or new side) matches with `fuzz` (a 1-based input line), or 0; moves
   * inOffset on success. This is GNU patch's locate_hunk, search order and bounds included.
   */
  private locate(lines: string[], pattern: Pattern, fuzz: number): number {
    const firstGuess = pattern.first + this.inOffset;
    const context = Math.max(pattern.prefixContext, pattern.suffixContext);
    let prefixFuzz = fuzz + pattern.prefixContext - context;
    const suffixFuzz = fuzz + pattern.suffixContext - context;
    const maxWhere = this.input.length - (lines.length - suffixFuzz) + 1;
    const minWhere = this.lastFrozen + 1 - (pattern.prefixContext - prefixFuzz);
    const maxPositive = maxWhere - firstGuess;
    let maxNegative = firstGuess - minWhere;
    const maxOffset = Math.max(maxPositive, maxNegative);
    if (!lines.length) return firstGuess;
    if (firstGuess <= maxNegative) maxNegative = firstGuess - 1;
    const found = (offset: number): number => {
      this.inOffset += offset;
      return firstGuess + offset;
    };
    if (prefixFuzz < 0 && pattern.first <= 1) {
      // Anchored at the start of the file.
      const offset = 1 - firstGuess;
      const matches = this.lastFrozen <= pattern.prefixContext && offset <= maxPositive && this.matches(lines, 1, 0, suffixFuzz);
      return matches ? found(offset) : 0;
    }
    prefixFuzz = Math.max(prefixFuzz, 0);
    if (suffixFuzz < 0) {
      // Anchored at the end of the file.
      const offset = firstGuess - (this.input.length - lines.length + 1);
      return offset <= maxNegative && this.matches(lines, firstGuess - offset, prefixFuzz, 0) ? found(-offset) : 0;
    }
    for (let offset = 0; offset <= maxOffset; offset++) {
      if (offset <= maxPositive && this.matches(lines, firstGuess + offset, prefixFuzz, suffixFuzz)) return found(offset);
      if (offset > 0 && offset <= maxNegative && this.matches(lines, firstGuess - offset, prefixFuzz, suffixFuzz)) return found(-offset);
    }
    return 0;
  }

  /** Whether `lines` minus `prefixFuzz` leading and `suffixFuzz` trailing ones equal the input at 1-based line `where`. */
  private matches(lines: string[], where: number, prefixFuzz: number, suffixFuzz: number): boolean {
    const end = lines.length - suffixFuzz;
    for (let index = prefixFuzz; index < end; index++) {
      const inputIndex = where - 1 + index;
      if (inputIndex < 0 || inputIndex >= this.input.length || this.input[inputIndex] !== lines[index]) return false;
    }
    return true;
  }

  /** A found place is usable when the hunk's first change comes after what earlier hunks consumed and lies within the input. */
  private fits(pattern: Pattern, where: number): boolean {
    return where - 1 + pattern.prefixContext >= this.lastFrozen && where - 1 <= this.input.length;
  }

  /** GNU patch's apply_hunk: copy up to each change, skip removed lines, write added ones; context stays the input's. */
  private replace(pattern: Pattern, where: number): void {
    let position = where;
    for (const line of pattern.hunk.lines) {
      if (line.kind === ' ') {
        position++;
      } else if (line.kind === '-') {
        this.copyTill(position - 1);
        this.lastFrozen++;
        position++;
      } else {
        this.copyTill(position - 1);
        this.emit(line.noNewlineAtEnd ? line.text : `${line.text}\n`);
      }
    }
  }

  private copyTill(line: number): void {
    while (this.lastFrozen < line) this.emit(this.input[this.lastFrozen++]!);
  }

  /** Appends a line, giving the previous one the line feed it lacked (as GNU patch does). */
  private emit(line: string): void {
    const last = this.output.length - 1;
    if (last >= 0 && !this.output[last]!.endsWith('\n')) this.output[last] += '\n';
    this.output.push(line);
  }
}
