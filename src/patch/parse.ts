import { inflateSync } from 'node:zlib';
import { InputError, locate } from '../errors.js';
import type { FileMode } from '../tree/types.js';
import { decodeBase85Line } from './base85.js';
import { decodePath, pathBytes, printable, toByteString, unquoteCString } from './text.js';
import type { BinaryHunk, BinaryPatch, FilePatch, Hunk, HunkLine } from './types.js';

export interface ParseOptions {
  /** Leading path components to strip from names, like `patch -p`; git's `a/` and `b/` are one. Default 1. */
  strip?: number;
}

const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)$/s;
/** Lines that only a git diff header has: met elsewhere, they mean its `diff --git` line is missing. */
const GIT_ONLY_HEADER = /^(rename|copy) (from|to) |^(new|deleted) file mode |^(old|new) mode |^(dis)?similarity index |^GIT binary patch\r?$/;
/** The longest file name component and path Linux takes (NAME_MAX, PATH_MAX less its NUL). */
const NAME_MAX = 255;
const PATH_MAX = 4095;
const MODES = new Set(['100644', '100755', '120000']);

/**
 * Parses a patch: `git diff` output with every extended header (modes, renames, copies, similarity,
 * `index`, binary patches) or plain unified diffs, several files and several patches per file in
 * order. Prose between patches (mail headers, commit messages) is skipped. A Buffer is read byte for
 * byte; hunk text stays a byte string (see types.ts). Malformed input throws an InputError naming
 * `source:line`.
 */
export function parsePatch(input: string | Buffer, source = '<patch>', options: ParseOptions = {}): FilePatch[] {
  return new PatchParser(toByteString(input), source, options.strip ?? 1).parse();
}

class PatchParser {
  private readonly lines: string[];
  /** The input's last line has no line feed: a header line there may be cut off. */
  private readonly unterminated: boolean;
  private pos = 0;

  constructor(
    text: string,
    private readonly source: string,
    private readonly strip: number,
  ) {
    this.lines = text.split('\n');
    this.unterminated = this.lines[this.lines.length - 1] !== '';
    if (!this.unterminated) this.lines.pop();
  }

  parse(): FilePatch[] {
    const patches: FilePatch[] = [];
    while (this.pos < this.lines.length) {
      const line = this.lines[this.pos]!;
      if (line.startsWith('diff --git ')) patches.push(this.gitPatch());
      else if (line.startsWith('--- ') && this.peek(1).startsWith('+++ ') && this.peek(2).startsWith('@@ ')) patches.push(this.unifiedPatch());
      else this.refuseUnreadChange(line);
    }
    return patches;
  }

  /**
   * Skips prose, but nothing that changes a file: a hunk outside any file's patch (as git refuses a
   * "patch fragment without header"), a combined diff of a merge or a context diff would otherwise be
   * ignored.
   */
  private refuseUnreadChange(line: string): void {
    if (line.startsWith('@@ -')) this.fail(`patch fragment without header: '${this.shown(this.header())}'`);
    if (line.startsWith('@@@ ') || /^diff --(cc|combined) /.test(line)) this.fail('combined diffs of merges cannot be applied');
    if (line.startsWith('***************') && this.peek(1).startsWith('*** ')) this.fail('context diffs are not supported; use a unified diff');
    if (GIT_ONLY_HEADER.test(line)) this.fail(`git header line '${this.shown(this.header().slice(0, 40))}' outside a 'diff --git' header`);
    this.pos++;
  }

  /** Input text (a byte string) as a message may quote it, control characters escaped. */
  private shown(bytes: string): string {
    return printable(decodePath(bytes));
  }

  private emptyPatch(sourceLine: number): FilePatch {
    return { oldPath: null, newPath: null, isNew: false, isDeleted: false, isRename: false, isCopy: false, hunks: [], sourceLine, source: this.source };
  }

  private peek(ahead: number): string {
    return this.lines[this.pos + ahead] ?? '';
  }

  /** The current line without a trailing CR, for header matching. */
  private header(): string {
    return this.lines[this.pos]!.replace(/\r$/, '');
  }

  private fail(message: string, line = this.pos + 1): never {
    throw new InputError(message, locate(this.source, line));
  }

  private unifiedPatch(): FilePatch {
    const sourceLine = this.pos + 1;
    const oldPath = this.fileName(this.header().slice(4), this.strip);
    this.pos++;
    const newPath = this.fileName(this.header().slice(4), this.strip);
    this.pos++;
    const patch = this.emptyPatch(sourceLine);
    // Names that differ (`foo.c.orig` and `foo.c`) name one file: the shorter, as patch and git apply take it.
    const same = oldPath !== null && newPath !== null && oldPath !== newPath ? [oldPath, newPath].sort((a, b) => a.length - b.length)[0]! : undefined;
    patch.oldPath = same ?? oldPath;
    patch.newPath = same ?? newPath;
    patch.isNew = oldPath === null;
    patch.isDeleted = newPath === null;
    if (oldPath === null && newPath === null) this.fail('both file names are /dev/null', sourceLine);
    this.hunks(patch);
    return patch;
  }

  private gitPatch(): FilePatch {
    const sourceLine = this.pos + 1;
    const patch = this.emptyPatch(sourceLine);
    const headerName = this.gitHeaderName(this.header().slice('diff --git '.length));
    this.pos++;
    let oldName: string | null | undefined;
    let newName: string | null | undefined;
    /** Names the `---` and `+++` lines give, which must agree with the rest of the header. */
    let minusName: string | null | undefined;
    let plusName: string | null | undefined;
    let namesLine = 0;
    let indexMode: FileMode | undefined;
    for (; this.pos < this.lines.length; this.pos++) {
      const line = this.header();
      // As git: a header line without its line feed at the end of the input may be cut short.
      if (this.unterminated && this.pos === this.lines.length - 1) this.fail('the patch ends in the middle of a header line');
      const value = (prefix: string): string | undefined => (line.startsWith(prefix) ? line.slice(prefix.length) : undefined);
      let rest: string | undefined;
      if ((rest = value('old mode ')) !== undefined) patch.oldMode = this.mode(rest);
      else if ((rest = value('new mode ')) !== undefined) patch.newMode = this.mode(rest);
      else if ((rest = value('deleted file mode ')) !== undefined) {
        patch.isDeleted = true;
        patch.oldMode = this.mode(rest);
      } else if ((rest = value('new file mode ')) !== undefined) {
        patch.isNew = true;
        patch.newMode = this.mode(rest);
      } else if ((rest = value('rename from ') ?? value('rename old ')) !== undefined) {
        patch.isRename = true;
        oldName = this.fileName(rest, this.strip - 1);
      } else if ((rest = value('rename to ') ?? value('rename new ')) !== undefined) {
        patch.isRename = true;
        newName = this.fileName(rest, this.strip - 1);
      } else if ((rest = value('copy from ')) !== undefined) {
        patch.isCopy = true;
        oldName = this.fileName(rest, this.strip - 1);
      } else if ((rest = value('copy to ')) !== undefined) {
        patch.isCopy = true;
        newName = this.fileName(rest, this.strip - 1);
      } else if ((rest = value('similarity index ')) !== undefined) patch.similarity = this.percentage(rest);
      else if ((rest = value('dissimilarity index ')) !== undefined) patch.dissimilarity = this.percentage(rest);
      else if ((rest = value('index ')) !== undefined) {
        const match = /^([0-9a-fA-F]+)\.\.([0-9a-fA-F]+)(?: (\d+))?$/.exec(rest);
        if (!match) this.fail(`malformed index line '${this.shown(line)}'`);
        patch.oldOid = match[1]!.toLowerCase();
        patch.newOid = match[2]!.toLowerCase();
        if (match[3] !== undefined) indexMode = this.mode(match[3]);
      } else if ((rest = value('--- ')) !== undefined) {
        if (minusName !== undefined || plusName !== undefined) this.fail("a second '---' line in the header");
        minusName = this.headerLineName(rest, patch.isNew, oldName, headerName, 'old');
        namesLine = this.pos + 1;
      } else if ((rest = value('+++ ')) !== undefined) {
        if (plusName !== undefined) this.fail("a second '+++' line in the header");
        plusName = this.headerLineName(rest, patch.isDeleted, newName, headerName, 'new');
        namesLine ||= this.pos + 1;
      } else if (/^Binary files .* differ$/.test(line)) {
        this.fail('binary patch without data cannot be applied; create it with `git diff --binary`');
      } else if (line === 'GIT binary patch') {
        this.pos++;
        patch.binary = this.binaryPatch();
        break;
      } else break;
    }
    if (indexMode !== undefined) {
      patch.oldMode ??= indexMode;
      patch.newMode ??= indexMode;
    }
    if ((patch.isNew || patch.isDeleted) && (patch.isRename || patch.isCopy)) {
      this.fail(`a ${patch.isNew ? 'new' : 'deleted'} file cannot also be ${patch.isRename ? 'renamed' : 'copied'}`, sourceLine);
    }
    if ((patch.isRename || patch.isCopy) && (oldName === undefined || newName === undefined)) {
      const relation = patch.isRename ? 'rename' : 'copy';
      this.fail(`'${relation} ${oldName === undefined ? 'from' : 'to'}' line missing`, sourceLine);
    }
    // As git: once `---` or `+++` names a side, the other side must be named too (or be absent).
    if ((minusName !== undefined || plusName !== undefined) && ((minusName === undefined && !patch.isNew) || (plusName === undefined && !patch.isDeleted))) {
      this.fail(`git diff header lacks file name information: '${minusName === undefined ? '---' : '+++'}' line missing`, namesLine);
    }
    oldName ??= minusName;
    newName ??= plusName;
    const oldPath = patch.isNew ? null : oldName !== undefined ? oldName : headerName;
    const newPath = patch.isDeleted ? null : newName !== undefined ? newName : headerName;
    if (oldPath === undefined || newPath === undefined) {
      this.fail(`git diff header lacks file name information when removing ${this.strip} leading path component(s)`, sourceLine);
    }
    patch.oldPath = oldPath;
    patch.newPath = newPath;
    patch.isNew ||= oldPath === null;
    patch.isDeleted ||= newPath === null;
    if (oldPath !== null && newPath !== null && oldPath !== newPath && !patch.isRename && !patch.isCopy) {
      this.fail(`file names '${printable(oldPath)}' and '${printable(newPath)}' differ without a rename or copy header`, sourceLine);
    }
    if (patch.isNew && patch.isDeleted) this.fail('file is both new and deleted', sourceLine);
    if (!patch.binary) this.hunks(patch);
    if (!patch.binary && !patch.hunks.length && (minusName !== undefined || plusName !== undefined)) {
      this.fail("'---' and '+++' lines without any hunk after them");
    }
    const modeChange = patch.oldMode !== undefined && patch.newMode !== undefined && patch.oldMode !== patch.newMode;
    if (!patch.binary && !patch.hunks.length && !modeChange && !patch.isNew && !patch.isDeleted && !patch.isRename && !patch.isCopy) {
      const ended = this.pos < this.lines.length ? `'${this.shown(this.header().slice(0, 40))}'` : 'the end of the patch';
      this.fail(`git diff header without any change (no hunk, mode change, creation, deletion, rename or copy) before ${ended}`, Math.min(this.pos + 1, this.lines.length));
    }
    return patch;
  }

  /**
   * The name of a `---` or `+++` line of a git diff, checked as git checks it: /dev/null exactly when
   * the file is created (`---`) or deleted (`+++`), otherwise the name the rename/copy lines or the
   * `diff --git` line give, when they give one.
   */
  private headerLineName(raw: string, absent: boolean, named: string | null | undefined, headerName: string | undefined, side: 'old' | 'new'): string | null {
    const name = this.fileName(raw, this.strip);
    const marker = side === 'old' ? '---' : '+++';
    if (absent !== (name === null)) {
      this.fail(absent ? `expected '${marker} /dev/null' for a ${side === 'old' ? 'new' : 'deleted'} file` : `'${marker} /dev/null' without a '${side === 'old' ? 'new' : 'deleted'} file mode' line`);
    }
    const expected = named !== undefined ? named : headerName;
    if (name !== null && expected !== undefined && expected !== null && name !== expected) {
      this.fail(`inconsistent ${side} file name: '${printable(name)}' where the header names '${printable(expected)}'`);
    }
    return name;
  }

  /**
   * The name in a `diff --git` line when both sides name the same file (as git does: the only way to
   * split unquoted names with spaces is to find two halves that agree); undefined otherwise.
   */
  private gitHeaderName(names: string): string | undefined {
    if (names.startsWith('"')) {
      const first = unquoteCString(names);
      if (!first) this.fail('malformed quoted file name');
      const rest = first.rest.replace(/^ +/, '');
      const second = rest.startsWith('"') ? unquoteCString(rest)?.path : decodePath(rest);
      const a = stripComponents(first.path, this.strip);
      return second !== undefined && a !== undefined && a === stripComponents(second, this.strip) ? a : undefined;
    }
    const quoted = names.indexOf(' "');
    if (quoted >= 0) {
      const second = unquoteCString(names.slice(quoted + 1));
      const a = stripComponents(decodePath(names.slice(0, quoted)), this.strip);
      return second && a !== undefined && a === stripComponents(second.path, this.strip) ? a : undefined;
    }
    for (let space = names.indexOf(' '); space >= 0; space = names.indexOf(' ', space + 1)) {
      const a = stripComponents(decodePath(names.slice(0, space)), this.strip);
      if (a !== undefined && a === stripComponents(decodePath(names.slice(space + 1)), this.strip)) return a;
    }
    return undefined;
  }

  /** A name from `---`/`+++`/rename/copy lines: null for /dev/null; quoted or cut at a tab (timestamps). */
  private fileName(raw: string, strip: number): string | null {
    let name: string;
    if (raw.startsWith('"')) {
      const unquoted = unquoteCString(raw);
      if (!unquoted) this.fail('malformed quoted file name');
      name = unquoted.path;
    } else {
      const tab = raw.indexOf('\t');
      name = decodePath(tab >= 0 ? raw.slice(0, tab) : raw.replace(/ +$/, ''));
    }
    if (name === '/dev/null') return null;
    const stripped = stripComponents(name, strip);
    if (stripped === undefined || stripped === '') this.fail(`cannot strip ${strip} leading component(s) from '${printable(name)}'`);
    if (name.includes('\0')) this.fail(`file name '${printable(name)}' contains a NUL byte`);
    const bytes = pathBytes(stripped);
    const longest = Math.max(...stripped.split('/').map((part) => pathBytes(part).length));
    if (longest > NAME_MAX || bytes.length > PATH_MAX) {
      this.fail(`file name '${printable(stripped.slice(0, 60))}...' is too long (${longest > NAME_MAX ? `a component of ${longest} bytes, at most ${NAME_MAX}` : `${bytes.length} bytes, at most ${PATH_MAX}`})`);
    }
    return stripped;
  }

  private mode(text: string): FileMode {
    const mode = text.trim().replace(/^100664$/, '100644');
    if (!MODES.has(mode)) this.fail(`unsupported file mode '${this.shown(text)}' (only 100644, 100755 and 120000)`);
    return mode as FileMode;
  }

  private percentage(text: string): number {
    const match = /^(\d+)%$/.exec(text);
    if (!match) this.fail(`malformed percentage '${this.shown(text)}'`);
    return Number(match[1]);
  }

  private hunks(patch: FilePatch): void {
    while (this.pos < this.lines.length && this.lines[this.pos]!.startsWith('@@ ')) patch.hunks.push(this.hunk());
    const after = this.lines[this.pos];
    if (patch.hunks.length && after !== undefined && /^[ +-]/.test(after) && !after.startsWith('--- ') && !/^--\s*$/.test(after)) {
      const last = patch.hunks[patch.hunks.length - 1]!;
      this.fail(`line outside any hunk: the hunk at line ${last.sourceLine} has more lines than its header counts`);
    }
  }

  private hunk(): Hunk {
    const sourceLine = this.pos + 1;
    const match = HUNK_HEADER.exec(this.lines[this.pos]!);
    if (!match) this.fail(`malformed hunk header '${this.shown(this.header())}'`);
    const number = (digits: string | undefined): number => {
      if (digits === undefined) return 1;
      const value = Number(digits);
      if (!Number.isSafeInteger(value)) this.fail(`line number ${digits.slice(0, 30)} in the hunk header is too large`);
      return value;
    };
    const hunk: Hunk = {
      oldStart: number(match[1]),
      oldLines: number(match[2]),
      newStart: number(match[3]),
      newLines: number(match[4]),
      header: match[5]!,
      lines: [],
      sourceLine,
    };
    this.pos++;
    let oldLeft = hunk.oldLines;
    let newLeft = hunk.newLines;
    const lines = hunk.lines;
    while (oldLeft > 0 || newLeft > 0) {
      const line = this.lines[this.pos];
      if (line === undefined || line.startsWith('@@ ') || line.startsWith('diff --git ')) {
        const missing = `${oldLeft} old and ${newLeft} new line(s) missing`;
        if (line === undefined) this.fail(`truncated hunk: the patch ends with ${missing}`, sourceLine);
        this.fail(`truncated hunk: ${missing} for the header at line ${sourceLine}`);
      }
      if (this.unterminated && this.pos === this.lines.length - 1) this.fail('the patch ends in the middle of a hunk line (no line feed after it)');
      const kind = line === '' ? ' ' : line[0];
      if (kind === '\\') {
        if (!lines.length) this.fail("'\\ No newline at end of file' before any line");
        lines[lines.length - 1]!.noNewlineAtEnd = true;
      } else if (kind === ' ' || kind === '-' || kind === '+') {
        if (kind !== '+' && oldLeft-- <= 0) this.fail(`hunk has more old lines than its header at line ${sourceLine} counts`);
        if (kind !== '-' && newLeft-- <= 0) this.fail(`hunk has more new lines than its header at line ${sourceLine} counts`);
        lines.push({ kind, text: line.slice(1) });
      } else {
        this.fail(`unexpected line in hunk (expected ' ', '-', '+' or '\\'): '${this.shown(line.slice(0, 40))}'`);
      }
      this.pos++;
    }
    if (this.lines[this.pos]?.startsWith('\\') && lines.length) {
      if (this.unterminated && this.pos === this.lines.length - 1) this.fail('the patch ends in the middle of a line (no line feed after it)');
      lines[lines.length - 1]!.noNewlineAtEnd = true;
      this.pos++;
    }
    this.checkMissingNewlines(lines, sourceLine);
    return hunk;
  }

  /** Only the last line of each side may lack its line feed. */
  private checkMissingNewlines(lines: HunkLine[], sourceLine: number): void {
    const lastOld = lines.findLastIndex((line) => line.kind !== '+');
    const lastNew = lines.findLastIndex((line) => line.kind !== '-');
    lines.forEach((line, index) => {
      const last = (line.kind === '+' || index === lastOld) && (line.kind === '-' || index === lastNew);
      if (line.noNewlineAtEnd && !last) {
        this.fail(`'\\ No newline at end of file' follows a line that is not the last of its side`, sourceLine + index + 1);
      }
    });
  }

  private binaryPatch(): BinaryPatch {
    const forward = this.binaryHunk();
    const reverse = /^(literal|delta) /.test(this.lines[this.pos] ?? '') ? this.binaryHunk() : undefined;
    return reverse ? { forward, reverse } : { forward };
  }

  private binaryHunk(): BinaryHunk {
    const sourceLine = this.pos + 1;
    if (this.pos >= this.lines.length) this.fail("truncated binary patch: the patch ends where 'literal <size>' or 'delta <size>' is expected");
    const match = /^(literal|delta) (\d+)$/.exec(this.header());
    if (!match) this.fail("expected 'literal <size>' or 'delta <size>' in binary patch");
    this.pos++;
    const chunks: Buffer[] = [];
    for (; this.pos < this.lines.length && this.header() !== ''; this.pos++) {
      const chunk = decodeBase85Line(this.header());
      if (!chunk) this.fail('corrupt binary patch: malformed base85 line');
      chunks.push(chunk);
    }
    if (this.pos >= this.lines.length) this.fail('truncated binary patch: the patch ends before the empty line that closes its data', sourceLine);
    this.pos++;
    let data: Buffer;
    try {
      data = inflateSync(Buffer.concat(chunks));
    } catch {
      this.fail('corrupt binary patch: data does not inflate', sourceLine);
    }
    if (data.length !== Number(match[2])) this.fail(`corrupt binary patch: ${data.length} bytes where ${match[2]} were announced`, sourceLine);
    return { method: match[1] as 'literal' | 'delta', data, sourceLine };
  }
}


/** Removes `count` leading components; undefined when the name has too few. */
function stripComponents(name: string, count: number): string | undefined {
  let rest = name;
  for (let i = 0; i < count; i++) {
    const slash = rest.indexOf('/');
    if (slash < 0) return undefined;
    rest = rest.slice(slash + 1).replace(/^\/+/, '');
  }
  return rest;
}
