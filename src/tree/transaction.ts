import {
  closeSync,
  constants,
  existsSync,
  fchmodSync,
  fstatSync,
  ftruncateSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { DiskTree } from './disk.js';
import { fsPath } from './paths.js';
import type { ChangeSet, FileEntry } from './types.js';
import { assertWritable } from './write-check.js';

/*
 * Writing a change set into a directory as one transaction. Nothing of it is kept in the user's
 * directories: the transaction lives under the repository's git directory (`.git/nano-overlay-write`;
 * for a directory outside any repository, or on another file system, `.nano-overlay-write` at its
 * root). A journal naming every operation is written before the first file of the tree is touched.
 * A file that is rewritten keeps its inode: its old bytes and mode go to the transaction's undo log
 * first, then the new bytes are written over it (allocating and freeing blocks, as a new file and a
 * removed one would, costs ten to forty times as much on ext4). Every other old entry is moved aside
 * into the transaction rather than deleted, and new files are written into the transaction first and
 * then linked in place under names that did not exist. A failure
 * rolls the operations back; a run killed half-way is rolled back by the next run that writes (or
 * recovers) the same directory, so the tree is always exactly as before or exactly as after.
 *
 * Layout of the transaction directory: `owner` (the writing process), `journal.json` (the
 * operations), `undo` (the old bytes of the files rewritten in place, at the offsets the journal
 * gives), `backup/<n>` (what stood at the path of operation n before), `staged/<n>` (what
 * operation n writes).
 */

const HOME = 'nano-overlay-write';
const JOURNAL = 'journal.json';
const UNDO = 'undo';

/**
 * One step of a transaction: write an entry at `path` or delete it; `existed` when something stood
 * there; `inPlace` when the write rewrites a file in place, with where its old bytes are in the undo
 * log and its old permission bits.
 */
interface Operation {
  readonly path: string;
  readonly write: boolean;
  readonly existed: boolean;
  readonly inPlace?: { readonly offset: number; readonly length: number; readonly mode: number };
}

interface Journal {
  readonly root: string;
  readonly operations: readonly Operation[];
}

/**
 * Writes `changes` into the directory `root`: checked first (see assertWritable: nothing leads
 * through a symlink or a file, no file/directory clash, nothing inside `.git`), then written under a
 * journal. Directories emptied by deletions are removed, as git does. Refuses with an InputError,
 * leaving the tree as it was, when the check fails, another process is writing the same place, or
 * the file system refuses a write (permissions, a full disk, …).
 */
export async function writeChanges(root: string, changes: ChangeSet): Promise<void> {
  const home = transactionHome(root);
  recoverAt(home);
  if (changes.size === 0) return;
  const tree = new DiskTree(root);
  await assertWritable(tree, changes, root);
  // Deletions first, so that a link or file a set deletes can become the directory of a later write.
  const ordered = [...changes].sort(([, a], [, b]) => (a === null ? 0 : 1) - (b === null ? 0 : 1));
  const deleted = ordered.filter(([, entry]) => entry === null).map(([path]) => path);
  const undo: Buffer[] = [];
  let undoLength = 0;
  const operations: Operation[] = ordered.map(([path, entry]) => {
    const existed = standsThere(tree, path, deleted);
    const old = entry && entry.mode !== '120000' && existed ? rewritable(join(root, path)) : undefined;
    if (!old) return { path, write: entry !== null, existed };
    undo.push(old.data);
    undoLength += old.data.length;
    return { path, write: true, existed, inPlace: { offset: undoLength - old.data.length, length: old.data.length, mode: old.mode } };
  });
  const journal: Journal = { root: resolve(root), operations };
  claim(home, root, workDirs(operations));
  let preparing = '';
  try {
    // New files are written where the transaction lives and linked into place later: creating a file
    // costs far more in a directory of its own than among its fellows, and nothing is in the tree yet.
    for (const [index, [path, entry]] of ordered.entries()) {
      preparing = path;
      if (entry && !operations[index]!.inPlace) create(join(home, 'staged', String(index)), entry);
    }
    preparing = join(home, UNDO);
    writeFileSync(join(home, UNDO), Buffer.concat(undo, undoLength));
    preparing = join(home, JOURNAL);
    writeFileSync(join(home, `${JOURNAL}.tmp`), JSON.stringify(journal));
    renameSync(join(home, `${JOURNAL}.tmp`), join(home, JOURNAL));
  } catch (error) {
    rmSync(home, { recursive: true, force: true });
    throw writeError(error, root, preparing);
  }
  let current = '';
  try {
    const made = new Set<string>();
    const deletes = ordered.some(([, entry]) => entry === null);
    for (const [index, [path, entry]] of ordered.entries()) {
      current = path;
      const target = fsPath(join(root, path));
      if (entry && operations[index]!.inPlace) {
        rewrite(target, entry.data, modeFor(operations[index]!.inPlace!.mode, entry.mode === '100755'));
        continue;
      }
      if (operations[index]!.existed) renameSync(target, join(home, 'backup', String(index)));
      if (!entry) {
        removeEmptyParents(root, path);
        continue;
      }
      const dir = dirname(path);
      if (dir !== '.' && !made.has(dir) && (deletes || tree.kindOf(dir) !== 'directory')) {
        mkdirSync(fsPath(join(root, dir)), { recursive: true });
        made.add(dir);
      }
      moveIn(join(home, 'staged', String(index)), target);
    }
  } catch (error) {
    try {
      rollBack(home, journal);
    } catch {
      throw writeError(error, root, current, `the next nano-overlay run in ${root} rolls the partial write back`);
    }
    rmSync(home, { recursive: true, force: true });
    throw writeError(error, root, current);
  }
  unlinkSync(join(home, JOURNAL));
  removeFinished(home, operations);
}

/** Whether something will stand at `path` when its operation comes: not a directory the set's deletions empty and remove. */
function standsThere(tree: DiskTree, path: string, deleted: readonly string[]): boolean {
  const kind = tree.kindOf(path);
  return kind === 'directory' ? !deleted.some((file) => file.startsWith(`${path}/`)) : kind !== 'missing';
}

/** Removes a finished transaction: the backups it made (known by number, so nothing is searched), then the rest. */
function removeFinished(home: string, operations: readonly Operation[]): void {
  try {
    operations.forEach(({ existed, write, inPlace }, index) => {
      if (inPlace) return;
      if (existed) unlinkSync(join(home, 'backup', String(index)));
      if (write) unlinkSync(join(home, 'staged', String(index)));
    });
    unlinkSync(join(home, UNDO));
    for (const dir of workDirs(operations)) rmdirSync(join(home, dir));
    unlinkSync(join(home, 'owner'));
    rmdirSync(home);
  } catch {
    // A directory moved aside, or anything unexpected: the slow way.
    rmSync(home, { recursive: true, force: true });
  }
}

/**
 * Rolls back a write into `dir` (or the repository holding it) that a killed run left half-done.
 * Returns a one-line note of what was done, or undefined when nothing was pending. Every command
 * that writes calls this first, through writeChanges or directly.
 */
export function recoverWrites(dir: string): string | undefined {
  return recoverAt(transactionHome(dir));
}

/** Where transactions for `root` live: under its repository's git directory when that is on the same file system. */
function transactionHome(root: string): string {
  const start = realpathOrSelf(resolve(root));
  const gitDir = findGitDir(start);
  if (gitDir && sameDevice(gitDir, start)) return join(gitDir, HOME);
  return join(start, `.${HOME}`);
}

function findGitDir(start: string): string | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    const dotGit = join(dir, '.git');
    const stats = lstatOrUndefined(dotGit);
    if (stats?.isDirectory()) return dotGit;
    if (stats?.isFile()) {
      const named = /^gitdir: (.+)$/m.exec(readFileSync(dotGit, 'utf8'))?.[1];
      if (named) return resolve(dir, named.trim());
    }
    if (dirname(dir) === dir) return undefined;
  }
}

function sameDevice(a: string, b: string): boolean {
  try {
    return statSync(a).dev === statSync(b).dev;
  } catch {
    return false;
  }
}

/** The directories of the transaction its operations use: `backup` when one moves an entry aside, `staged` when one writes a new file. */
function workDirs(operations: readonly Operation[]): string[] {
  const moved = operations.filter((operation) => !operation.inPlace);
  return [...(moved.some((operation) => operation.existed) ? ['backup'] : []), ...(moved.some((operation) => operation.write) ? ['staged'] : [])];
}

/**
 * Takes the transaction directory for this process, with its work directories `dirs`: built under a
 * name of its own, then renamed into place, which fails when another transaction holds it.
 */
function claim(home: string, root: string, dirs: readonly string[]): void {
  const claiming = `${home}.${process.pid}.claim`;
  try {
    rmSync(claiming, { recursive: true, force: true });
    mkdirSync(claiming, { recursive: true });
    for (const dir of dirs) mkdirSync(join(claiming, dir));
    writeFileSync(join(claiming, 'owner'), `${process.pid}\n`);
  } catch (error) {
    rmSync(claiming, { recursive: true, force: true });
    throw writeError(error, root, home);
  }
  try {
    renameSync(claiming, home);
  } catch {
    rmSync(claiming, { recursive: true, force: true });
    const owner = ownerOf(home);
    throw new InputError(`another nano-overlay process${owner ? ` (pid ${owner})` : ''} is writing ${root}; nothing was written`);
  }
}

/** Rolls back the transaction at `home` when its owner is gone; refuses while the owner still runs. */
function recoverAt(home: string): string | undefined {
  removeStaleClaims(home);
  if (!existsSync(home)) return undefined;
  const owner = ownerOf(home);
  if (owner !== undefined && owner !== process.pid && isAlive(owner)) {
    throw new InputError(`another nano-overlay process (pid ${owner}) is writing through ${home}; try again when it has finished`);
  }
  const journal = readJournal(home);
  try {
    if (journal) rollBack(home, journal);
    rmSync(home, { recursive: true, force: true });
  } catch (error) {
    throw writeError(error, journal?.root ?? home, home, 'an interrupted write could not be rolled back');
  }
  if (!journal) return undefined;
  const note = `nano-overlay: rolled back an interrupted write of ${journal.operations.length} path(s) in ${journal.root}`;
  process.stderr.write(`${note}\n`);
  return note;
}

/**
 * Undoes a journal's operations, last first. Each step holds in every state a kill can leave it in:
 * an operation on an existing path that has no backup yet never started; otherwise whatever stands
 * at the path now (a new file, whole or partly written) is removed and the backup put back.
 */
function rollBack(home: string, journal: Journal): void {
  let undoBytes: Buffer | undefined;
  for (let index = journal.operations.length - 1; index >= 0; index--) {
    const { path, write, existed, inPlace } = journal.operations[index]!;
    const target = join(journal.root, path);
    const targetBytes = fsPath(target);
    if (inPlace) {
      // Writing the old bytes back holds whether the rewrite never started, stopped half-way or ended;
      // a file that still holds them is left alone (it may be one the rewrite could not open).
      undoBytes ??= readFileSync(join(home, UNDO));
      const old = undoBytes.subarray(inPlace.offset, inPlace.offset + inPlace.length);
      const now = rewritable(target);
      if (!now || !now.data.equals(old) || now.mode !== inPlace.mode) rewrite(targetBytes, old, inPlace.mode);
      continue;
    }
    const backup = join(home, 'backup', String(index));
    const backedUp = existed && existsNoFollow(backup);
    if (existed && !backedUp) continue;
    if (write) {
      try {
        unlinkSync(targetBytes);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    if (backedUp) {
      mkdirSync(fsPath(dirname(target)), { recursive: true });
      renameSync(backup, targetBytes);
    } else {
      removeEmptyParents(journal.root, path);
    }
  }
}

function readJournal(home: string): Journal | undefined {
  try {
    const journal = JSON.parse(readFileSync(join(home, JOURNAL), 'utf8')) as Journal;
    if (typeof journal.root !== 'string' || !Array.isArray(journal.operations)) return undefined;
    return journal;
  } catch {
    return undefined;
  }
}

function ownerOf(home: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(join(home, 'owner'), 'utf8'), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Claims left by processes killed before they took the transaction directory. */
function removeStaleClaims(home: string): void {
  const prefix = `${basename(home)}.`;
  let names: string[];
  try {
    names = readdirSync(dirname(home)).filter((name) => name.startsWith(prefix) && name.endsWith('.claim'));
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number.parseInt(name.slice(prefix.length), 10);
    if (pid !== process.pid && !isAlive(pid)) rmSync(join(dirname(home), name), { recursive: true, force: true });
  }
}

/**
 * Puts the staged file at `target`, where nothing may stand: a hard link fails rather than replace
 * what another process put there meanwhile. Where the file system has no hard links, a rename after
 * a check does.
 */
function moveIn(staged: string, target: string | Buffer): void {
  try {
    linkSync(staged, target);
  } catch (error) {
    if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
    if (lstatOrUndefined(target)) throw error;
    renameSync(staged, target);
  }
}

/**
 * The bytes and permission bits of the regular file at `path` when it can be rewritten in place: a
 * file with no other hard link (a write would change those too). Undefined otherwise.
 */
function rewritable(path: string): { data: Buffer; mode: number } | undefined {
  let fd: number;
  try {
    fd = openSync(fsPath(path), constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile() || stats.nlink !== 1) return undefined;
    return { data: readFileSync(fd), mode: stats.mode & 0o7777 };
  } finally {
    closeSync(fd);
  }
}

/** `mode` with its executable bits set where it can be read (as git sets them), or cleared. */
function modeFor(mode: number, executable: boolean): number {
  if (!executable) return mode & ~0o111;
  return mode & 0o111 ? mode : mode | ((mode & 0o444) >> 2);
}

/**
 * Writes `data` over the regular file at `target` (never through a symlink) and gives it `mode`:
 * the bytes first, then the length, so no block is freed and allocated again.
 */
function rewrite(target: string | Buffer, data: Buffer, mode: number): void {
  const fd = openSync(target, constants.O_WRONLY | constants.O_NOFOLLOW);
  try {
    if (!fstatSync(fd).isFile()) throw Object.assign(new Error(`not a regular file`), { code: 'EISDIR' });
    for (let offset = 0; offset < data.length; ) offset += writeSync(fd, data, offset, data.length - offset, offset);
    ftruncateSync(fd, data.length);
    if ((fstatSync(fd).mode & 0o7777) !== mode) fchmodSync(fd, mode);
  } finally {
    closeSync(fd);
  }
}

/** Writes one entry at a path where nothing stands: a symlink, or a file with its executable bit. */
function create(file: string | Buffer, entry: FileEntry): void {
  if (entry.mode === '120000') {
    symlinkSync(entry.data, file);
    return;
  }
  const fd = openSync(file, 'wx', entry.mode === '100755' ? 0o777 : 0o666);
  try {
    for (let offset = 0; offset < entry.data.length; ) offset += writeSync(fd, entry.data, offset);
  } finally {
    closeSync(fd);
  }
}

/** Removes every directory above `path` that became empty, up to the root. */
function removeEmptyParents(root: string, path: string): void {
  for (let dir = dirname(path); dir !== '.'; dir = dirname(dir)) {
    try {
      rmdirSync(fsPath(join(root, dir)));
    } catch {
      break;
    }
  }
}

/** A file-system failure as one line naming the path and the reason; other errors pass through. */
function writeError(error: unknown, root: string, path: string, outcome = 'the tree was left as it was'): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (error instanceof InputError || typeof code !== 'string') return error as Error;
  const reason = (error as NodeJS.ErrnoException).message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*$/s, '');
  return new InputError(`cannot write '${path}' in ${root}: ${reason} (${code}); ${outcome}`);
}

function existsNoFollow(path: string): boolean {
  return lstatOrUndefined(path) !== undefined;
}

function lstatOrUndefined(path: string | Buffer) {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

function realpathOrSelf(path: string): string {
  try {
    return realpathSync.native(path);
  } catch {
    return path;
  }
}
