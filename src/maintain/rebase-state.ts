import { chmod, copyFile, cp, lstat, mkdir, readFile, readlink, rm, rmdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { InputError } from '../errors.js';
import { treePath } from '../tree/paths.js';
import type { RebaseLayerResult } from './rebase-report.js';

/** The directory, inside the layer set, that holds a rebase in progress. It ignores itself for git. */
export const STATE_DIR = '.nano-overlay-rebase';
const STATE_FILE = 'state.json';
const BACKUP_DIR = 'backup';
/** What a rebase may rewrite, and what loading the original layer set needs. */
const BACKED_UP = ['patches', 'overlay', 'templates', 'values.yaml'];

/** A rebase in progress, as `--continue` and `--abort` find it. */
export interface RebaseState {
  readonly version: 1;
  /** The upstream repository, as an absolute path. */
  readonly upstream: string;
  readonly onto: { readonly ref: string; readonly commit: string };
  readonly dropUpstreamed: boolean;
  /** Index in the series of the next layer to rebase (the one in conflict, when stopped). */
  next: number;
  /** Results of the layers before `next`. */
  results: RebaseLayerResult[];
  /** Layer-set paths the rebase wrote or deleted, which `--abort` restores from the backup. */
  written: string[];
  /** The work tree holding the conflict, and the temporary directory it sits in. */
  worktree: { readonly path: string; readonly parent: string } | undefined;
  /** The layer that stopped the rebase and its conflicting files. */
  conflict: RebaseLayerResult | undefined;
}

/** Where the rebase state of the layer set in `layersDir` lives. */
export function stateDir(layersDir: string): string {
  return join(layersDir, STATE_DIR);
}

/** The copy of the layer set as it was before the rebase. */
export function backupDir(layersDir: string): string {
  return join(stateDir(layersDir), BACKUP_DIR);
}

/** The state of the rebase in progress, or undefined when there is none. */
export async function readState(layersDir: string): Promise<RebaseState | undefined> {
  const file = join(stateDir(layersDir), STATE_FILE);
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as RebaseState;
  } catch {
    throw new InputError('the rebase state is not valid JSON; remove the directory to start over', file);
  }
}

/** Writes the state (atomically enough for one writer: the whole file at once). */
export async function saveState(layersDir: string, state: RebaseState): Promise<void> {
  await writeFile(join(stateDir(layersDir), STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
}

/**
 * Starts a rebase: refuses when one is in progress, then copies every layer-set file a rebase may
 * rewrite into the backup and writes the first state.
 */
export async function beginState(layersDir: string, state: RebaseState): Promise<void> {
  if (await readState(layersDir)) {
    throw new InputError(`a rebase is in progress in ${stateDir(layersDir)}; run 'nano-overlay rebase --continue' or '--abort'`);
  }
  await rm(stateDir(layersDir), { recursive: true, force: true });
  await mkdir(backupDir(layersDir), { recursive: true });
  await writeFile(join(stateDir(layersDir), '.gitignore'), '*\n');
  for (const name of BACKED_UP) {
    const source = join(layersDir, name);
    if (await lstat(source).catch(() => undefined)) await cp(source, join(backupDir(layersDir), name), { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
  }
  await saveState(layersDir, state);
}

/** Restores every path the rebase wrote from the backup, byte for byte with its mode, and deletes the ones it created. */
export async function restoreBackup(layersDir: string, written: readonly string[]): Promise<void> {
  for (const path of new Set(written)) {
    const relative = treePath(path);
    const target = join(layersDir, relative);
    const saved = join(backupDir(layersDir), relative);
    const info = await lstat(saved).catch(() => undefined);
    await rm(target, { force: true });
    if (!info) {
      await removeEmptyParents(layersDir, dirname(target));
      continue;
    }
    await mkdir(dirname(target), { recursive: true });
    if (info.isSymbolicLink()) {
      await symlink(await readlink(saved), target);
    } else {
      await copyFile(saved, target);
      await chmod(target, info.mode & 0o7777);
    }
  }
}

/** Removes the state directory, backup included. */
export async function clearState(layersDir: string): Promise<void> {
  await rm(stateDir(layersDir), { recursive: true, force: true });
}

async function removeEmptyParents(root: string, dir: string): Promise<void> {
  for (let current = dir; current.startsWith(`${root}/`); current = dirname(current)) {
    if (!(await rmdir(current).then(() => true, () => false))) return;
  }
}
