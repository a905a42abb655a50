import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { formatInputError, InputError } from '../errors.js';
import { applyPatchSet, type PatchSetResult } from '../patch/apply-tree.js';
import { parsePatch } from '../patch/parse.js';
import { patchJson, patchText } from '../report/patch.js';
import { DiskTree, recoverWrites, writeChanges } from '../tree/disk.js';

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
    await requireDirectory(directory);
    if (!options.check) recoverWrites(directory);
    const input = options.input ?? (await readPatch(options.patchFile));
    const patches = parsePatch(input, name, { strip: options.strip ?? 1 });
    if (!patches.length) throw new InputError('no patch found in the input', name);
    const blobs = options.threeWay ? await (await import('../patch/blob-source.js')).gitBlobSource(directory) : undefined;
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
    const output = options.json ? JSON.stringify(patchJson(result), null, 2) : patchText(result, ordered, write, Boolean(options.check));
    return { exitCode: result.ok ? 0 : 1, output };
  } catch (error) {
    if (error instanceof InputError) return { exitCode: 2, output: formatInputError(error) };
    throw error;
  }
}

async function requireDirectory(directory: string): Promise<void> {
  const stats = await stat(directory).catch((error: NodeJS.ErrnoException) => {
    throw new InputError(`cannot apply the patch in this directory: ${error.code ?? error.message}`, directory);
  });
  if (!stats.isDirectory()) throw new InputError('cannot apply the patch here: not a directory', directory);
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

