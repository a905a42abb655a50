import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { InputError } from '../errors.js';
import { applyPatchSet, gitBlobSource, parsePatch, type FilePatch, type FileResult, type PatchSetResult } from '../patch/index.js';
import { DiskTree, writeChanges } from '../tree/disk.js';

export interface PatchCommandOptions {
  /** Patch file; `-` or undefined reads standard input (or `input`). */
  patchFile?: string;
  /** Patch bytes to use instead of reading `patchFile` or standard input. */
  input?: Buffer;
  /** Directory the patch applies to. Default: the current directory. */
  directory?: string;
  /** Leading path components to strip. Default 1. */
  strip?: number;
  /** Only report; write nothing. */
  check?: boolean;
  fuzz?: number;
  threeWay?: boolean;
  reverse?: boolean;
  json?: boolean;
}

export interface PatchCommandResult {
  /** 0: everything applied; 1: a hunk was rejected or left in conflict; 2: the input was unusable. */
  exitCode: 0 | 1 | 2;
  output: string;
}

/**
 * `nano-overlay patch`: applies a patch to a directory like `git apply`, all or nothing. Nothing is
 * written with `check`, nor when anything fails, except that `threeWay` writes merged files with
 * their conflict markers when nothing was rejected outright.
 */
export async function runPatch(options: PatchCommandOptions): Promise<PatchCommandResult> {
  const name = options.patchFile && options.patchFile !== '-' ? options.patchFile : '<stdin>';
  const directory = resolve(options.directory ?? '.');
  try {
    const input = options.input ?? (await readPatch(options.patchFile));
    const patches = parsePatch(input, name, { strip: options.strip ?? 1 });
    if (!patches.length) throw new InputError('no patch found in the input', name);
    const blobs = options.threeWay ? await gitBlobSource(directory) : undefined;
    let result: PatchSetResult;
    try {
      result = await applyPatchSet(new DiskTree(directory), patches, {
        fuzz: options.fuzz ?? 2,
        reverse: options.reverse ?? false,
        ...(blobs ? { threeWay: blobs } : {}),
      });
    } finally {
      await blobs?.close();
    }
    const rejected = result.files.some((file) => file.hunks.some((hunk) => hunk.status === 'rejected'));
    const write = !options.check && (result.ok || (Boolean(options.threeWay) && !rejected));
    if (write) await writeChanges(directory, result.changes);
    const ordered = options.reverse ? [...patches].reverse() : patches;
    const output = options.json ? JSON.stringify(jsonReport(result), null, 2) : textReport(result, ordered, write, Boolean(options.check));
    return { exitCode: result.ok ? 0 : 1, output };
  } catch (error) {
    if (error instanceof InputError) return { exitCode: 2, output: error.message };
    throw error;
  }
}

async function readPatch(file: string | undefined): Promise<Buffer> {
  if (file && file !== '-') {
    return readFile(file).catch((error: Error) => {
      throw new InputError(`cannot read the patch: ${error.message}`, file);
    });
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function jsonReport(result: PatchSetResult): object {
  return {
    ok: result.ok,
    files: result.files.map((file) => ({
      path: file.path,
      ...(file.oldPath !== undefined ? { oldPath: file.oldPath } : {}),
      status: file.status,
      hunks: file.hunks.map((hunk) => ({
        status: hunk.status,
        offset: hunk.offset,
        fuzz: hunk.fuzz,
        ...(hunk.line !== undefined ? { line: hunk.line } : {}),
        ...(hunk.message ? { message: hunk.message } : {}),
      })),
      ...(file.message ? { message: file.message } : {}),
    })),
  };
}

/** One line per file, one more per hunk that did not apply cleanly, and a closing summary. */
function textReport(result: PatchSetResult, patches: readonly FilePatch[], written: boolean, check: boolean): string {
  const lines: string[] = [];
  result.files.forEach((file, index) => {
    const patch = patches[index]!;
    const notes = file.hunks.flatMap((hunk, number) => {
      if (hunk.status === 'offset') return [`hunk #${number + 1} offset ${signed(hunk.offset)}`];
      if (hunk.status === 'fuzz') return [`hunk #${number + 1} fuzz ${hunk.fuzz}, offset ${signed(hunk.offset)}`];
      if (hunk.status === 'merged') return [`hunk #${number + 1} merged three-way`];
      if (hunk.status === 'already-applied') return [`hunk #${number + 1} already applied`];
      return [];
    });
    const from = file.oldPath !== undefined ? ` (from ${file.oldPath})` : '';
    lines.push(`${fileVerdict(file).padEnd(9)} ${file.path}${from}${notes.length ? `: ${notes.join(', ')}` : ''}`);
    file.hunks.forEach((hunk, number) => {
      if (hunk.status !== 'rejected' && hunk.status !== 'conflict') return;
      const hunkLine = patch.hunks[number]?.sourceLine ?? patch.sourceLine;
      const at = hunk.line !== undefined ? ` at line ${hunk.line}` : '';
      const why = hunk.message ?? file.message ?? '';
      const what = hunk.status === 'rejected' ? 'rejected' : 'conflicts';
      lines.push(`  hunk #${number + 1} (${patch.source ?? '<patch>'}:${hunkLine}) ${what}${at}${why ? `: ${why}` : ''}`);
    });
  });
  const failed = result.files.filter((file) => ['FAILED', 'CONFLICT'].includes(fileVerdict(file))).length;
  if (check) lines.push(result.ok ? `${result.files.length} file(s) would apply; nothing written` : `${failed} file(s) would fail; nothing written`);
  else if (written) lines.push(result.ok ? `${result.files.length} file(s) applied` : `${failed} file(s) left with conflict markers`);
  else lines.push(`${failed} file(s) failed; nothing written`);
  return lines.join('\n');
}

function fileVerdict(file: FileResult): string {
  const statuses = file.hunks.map((hunk) => hunk.status);
  if (statuses.includes('rejected')) return 'FAILED';
  if (statuses.includes('conflict')) return 'CONFLICT';
  if (statuses.length && statuses.every((status) => status === 'already-applied')) return 'already';
  return file.status;
}

function signed(value: number): string {
  return value > 0 ? `+${value}` : `${value}`;
}

function integer(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('not a non-negative integer');
  return Number(value);
}

/** Adds `nano-overlay patch [PATCHFILE|-]` to the program. */
export function registerPatchCommand(program: Command): void {
  program
    .command('patch')
    .description('apply a patch to a directory like git apply: git extended headers, offsets, fuzz, three-way merges; all or nothing')
    .argument('[patchfile]', 'the patch; - or nothing reads standard input')
    .option('-d, --directory <dir>', 'directory to apply the patch in (default: the current directory)')
    .option('-p, --strip <n>', 'leading path components to strip from file names (a/ and b/ count as one)', integer, 1)
    .option('--check', 'only report whether the patch applies; write nothing')
    .option('-F, --fuzz <n>', 'context lines a hunk may ignore at each end, like GNU patch', integer, 2)
    .option('-3, --3way', 'merge files whose hunks do not apply three-way, with base blobs from the git repository containing the directory')
    .option('-R, --reverse', 'apply the patch backwards')
    .option('--json', 'print the outcome as JSON')
    .action(async (patchFile: string | undefined, flags: Record<string, unknown>) => {
      const result = await runPatch({
        ...(patchFile !== undefined ? { patchFile } : {}),
        ...(typeof flags.directory === 'string' ? { directory: flags.directory } : {}),
        strip: flags.strip as number,
        fuzz: flags.fuzz as number,
        check: Boolean(flags.check),
        threeWay: Boolean(flags['3way']),
        reverse: Boolean(flags.reverse),
        json: Boolean(flags.json),
      });
      if (result.output) (result.exitCode === 2 ? process.stderr : process.stdout).write(`${result.output}\n`);
      process.exitCode = result.exitCode;
    });
}
