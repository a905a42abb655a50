/**
 * The parsed form of a patch. Hunk line text is a byte string: one character per byte (latin1), so that
 * file content in any encoding, CR characters included, survives parsing, applying and formatting
 * unchanged (a patch given as a Unicode string is taken through UTF-8). Paths are decoded from UTF-8.
 */

import type { FileMode } from '../tree/types.js';

/** One line of a hunk: its kind, its text without the line feed, and whether that line feed is missing. */
export interface HunkLine {
  kind: ' ' | '-' | '+';
  text: string;
  /** The line is the last of its side and has no line feed (`\ No newline at end of file`). */
  noNewlineAtEnd?: boolean;
}

/** One `@@ -oldStart,oldLines +newStart,newLines @@header` hunk. */
export interface Hunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  /** Whatever follows the closing `@@`, usually a space and a function name; often empty. */
  header: string;
  lines: HunkLine[];
  /** Line of the patch text where the `@@` header stands. */
  sourceLine: number;
}

/** One `literal` or `delta` section of a `GIT binary patch`, already decoded and inflated. */
export interface BinaryHunk {
  method: 'literal' | 'delta';
  data: Buffer;
  sourceLine: number;
}

/** A `GIT binary patch`: the forward change and, when the patch carries it, the reverse one. */
export interface BinaryPatch {
  forward: BinaryHunk;
  reverse?: BinaryHunk;
}

/** The change to one file. */
export interface FilePatch {
  /** Path before the change, null for a created file (`/dev/null`). */
  oldPath: string | null;
  /** Path after the change, null for a deleted file (`/dev/null`). */
  newPath: string | null;
  oldMode?: FileMode;
  newMode?: FileMode;
  isNew: boolean;
  isDeleted: boolean;
  isRename: boolean;
  isCopy: boolean;
  similarity?: number;
  dissimilarity?: number;
  /** Blob ids from the `index old..new` line, possibly abbreviated. */
  oldOid?: string;
  newOid?: string;
  hunks: Hunk[];
  binary?: BinaryPatch;
  /** Line of the patch text where this file's patch starts. */
  sourceLine: number;
  /** Name of the patch text, for messages (`file:line`). */
  source?: string;
}

/**
 * How one hunk fared. `offset` is the line offset from the hunk's stated position and `fuzz` the context
 * lines it ignored, as GNU patch reports them; `line` is the line of the file it was applied at (or
 * found already applied at, or expected at when rejected).
 */
export interface HunkResult {
  status: 'exact' | 'offset' | 'fuzz' | 'merged' | 'conflict' | 'rejected' | 'already-applied';
  offset: number;
  fuzz: number;
  line?: number;
  message?: string;
}
