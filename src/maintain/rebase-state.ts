import { createHash } from 'node:crypto';
import { chmod, copyFile, cp, lstat, mkdir, readFile, readlink, realpath, rename, rm, rmdir, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { InputError } from '../errors.js';
import { printable } from '../patch/text.js';
import { isWithin, treePath } from '../tree/paths.js';
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
  /** When the layer stopped on templated patch files only a human can rewrite: those files. */
  templates?: string[] | undefined;
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
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new InputError('the rebase state is not valid JSON; remove the directory to start over', file);
  }
  return checkState(data, file);
}

/**
 * The state file's content when every field has the type a rebase writes; an InputError naming the
 * first field that does not. Paths to restore must stay inside the layer set, outside the state.
 */
function checkState(data: unknown, file: string): RebaseState {
  const bad = (field: string): never => {
    throw new InputError(`the rebase state has a bad '${field}'; remove ${STATE_DIR} to start over`, file);
  };
  const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
  if (!isRecord(data)) return bad('state');
  if (data.version !== 1) bad('version');
  if (typeof data.upstream !== 'string' || !isAbsolute(data.upstream)) bad('upstream');
  const onto = data.onto;
  if (!isRecord(onto) || typeof onto.ref !== 'string' || typeof onto.commit !== 'string' || !/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(onto.commit)) bad('onto');
  if (typeof data.dropUpstreamed !== 'boolean') bad('dropUpstreamed');
  if (!Number.isSafeInteger(data.next) || (data.next as number) < 0) bad('next');
  const isResult = (value: unknown): boolean =>
    isRecord(value) && typeof value.name === 'string' && typeof value.status === 'string' && Array.isArray(value.files) && value.files.every(isRecord);
  if (!Array.isArray(data.results) || !data.results.every(isResult)) bad('results');
  if (!Array.isArray(data.written)) bad('written');
  for (const path of data.written as unknown[]) {
    if (typeof path !== 'string') bad('written');
    let normal: string;
    try {
      normal = treePath(path as string);
    } catch {
      return bad(`written' path '${printable(path as string)}`);
    }
    if (isWithin(normal, STATE_DIR) || normal.split('/').some((part) => part.toLowerCase() === '.git')) bad(`written' path '${printable(normal)}`);
  }
  const worktree = data.worktree;
  if (worktree !== undefined && !(isRecord(worktree) && typeof worktree.path === 'string' && typeof worktree.parent === 'string')) bad('worktree');
  if (data.conflict !== undefined && !isResult(data.conflict)) bad('conflict');
  return data as unknown as RebaseState;
}

/** Writes the state atomically: a killed run leaves the old state or the new one, never half a file. */
export async function saveState(layersDir: string, state: RebaseState): Promise<void> {
  const file = join(stateDir(layersDir), STATE_FILE);
  await writeFile(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
}

/**
 * Runs `action` holding the layer set's rebase lock, so that two rebase commands never run on one
 * layer set at once. The lock lives in the temporary directory, named after the layer set's real
 * path, so that a killed run leaves nothing in the layer set; a lock whose process no longer runs
 * is taken over.
 */
export async function withRebaseLock<T>(layersDir: string, action: () => Promise<T>): Promise<T> {
  const real = await realpath(layersDir).catch(() => {
    throw new InputError('the layer set directory does not exist', layersDir);
  });
  const lock = join(tmpdir(), `nano-overlay-rebase-${createHash('sha256').update(real).digest('hex').slice(0, 16)}.lock`);
  for (let attempt = 0; ; attempt++) {
    const taken = await writeFile(lock, `${process.pid}\n`, { flag: 'wx' }).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw new InputError(`cannot take the rebase lock: ${error.code ?? error.message}`, lock);
        return false;
      },
    );
    if (taken) break;
    const holder = Number((await readFile(lock, 'utf8').catch(() => '')).trim());
    if (attempt > 0 || isRunning(holder)) {
      throw new InputError(`another rebase${holder ? ` (process ${holder})` : ''} is running on this layer set; if none is, remove the lock`, lock);
    }
    await rm(lock, { force: true });
  }
  try {
    return await action();
  } finally {
    await rm(lock, { force: true });
  }
}

function isRunning(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
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
    await refuseLinkedParents(layersDir, relative);
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

/**
 * Removes the state directory, backup included. The state file goes first: once it is gone the rebase
 * is over, and what a killed run leaves of the directory still ignores itself.
 */
export async function clearState(layersDir: string): Promise<void> {
  await rm(join(stateDir(layersDir), STATE_FILE), { force: true });
  await rm(backupDir(layersDir), { recursive: true, force: true });
  await rm(stateDir(layersDir), { recursive: true, force: true });
}

/**
 * Removes a state directory without a state file, which a run killed while starting or clearing a
 * rebase leaves (neither has written to the layer set then); true when there was one.
 */
export async function clearInterruptedState(layersDir: string): Promise<boolean> {
  if (!(await lstat(stateDir(layersDir)).catch(() => undefined))) return false;
  await clearState(layersDir);
  return true;
}

/** Refuses to restore a path below a symlink or a file of the layer set, which would write outside it. */
async function refuseLinkedParents(layersDir: string, relative: string): Promise<void> {
  const parts = relative.split('/');
  for (let depth = 1; depth < parts.length; depth++) {
    const dir = parts.slice(0, depth).join('/');
    const stats = await lstat(join(layersDir, dir)).catch(() => undefined);
    if (!stats) return;
    if (!stats.isDirectory()) throw new InputError(`refusing to restore '${printable(relative)}': '${printable(dir)}' is not a directory`, layersDir);
  }
}

async function removeEmptyParents(root: string, dir: string): Promise<void> {
  for (let current = dir; current.startsWith(`${root}/`); current = dirname(current)) {
    if (!(await rmdir(current).then(() => true, () => false))) return;
  }
}
