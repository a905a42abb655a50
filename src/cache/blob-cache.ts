import { createHash } from 'node:crypto';
import { appendFileSync, closeSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * A persistent cache of what is derived from a file's content (an ebuild's scan, its reductions):
 * entries are keyed by the git blob id of the content, the kind of derivation, its parameters and
 * the code that derives it, so an entry can never be stale. Each kind keeps one log in `v2/` of the
 * cache home (see cacheHome), `<kind>.log`, a line per entry (`<key> <JSON>`); `NANO_OVERLAY_CACHE=off`
 * turns it off. Entries are appended, many with one write (see BlobCache.store), so concurrent runs
 * only ever add whole lines; a process reads a log once and then only what was appended since, and
 * never a line cut short by a killed run (only lines that end are read). Creating a file costs about
 * a millisecond on ext4, so a file per entry cost a first run more than its derivations. A log that
 * grows beyond its size bound is rewritten with its newest entries (a temporary file renamed into
 * place, which a reader sees as a new inode and reads anew). Any I/O failure just means a miss.
 */

/** The size each kind's log is trimmed to, in bytes. */
export const CACHE_SIZE_LIMIT = 16 * 1024 * 1024;

/** The git blob id of `text` (what `git hash-object` prints for it). */
export function blobId(text: string | Buffer): string {
  const data = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  return createHash('sha1').update(`blob ${data.length}\0`).update(data).digest('hex');
}

/** A fingerprint of the code at `moduleUrls` (the modules a derivation runs), read once. */
export function codeFingerprint(moduleUrls: readonly string[]): string {
  const hash = createHash('sha1');
  for (const url of moduleUrls) {
    try {
      hash.update(readFileSync(fileURLToPath(url)));
    } catch {
      hash.update(url);
    }
  }
  return hash.digest('hex');
}

/**
 * The code a derivation in module `moduleUrl` runs: that module, the bash parsing (and syntax tree),
 * dependency, reduction and shell-evaluation modules beside it, and the bash grammar, whose change
 * changes every derived fact.
 */
export function derivationCode(moduleUrl: string): string[] {
  const portage = (name: string) => new URL(`../portage/${name}`, import.meta.url).href;
  const grammar = pathToFileURL(createRequire(import.meta.url).resolve('tree-sitter-bash/package.json')).href;
  return [moduleUrl, portage('ebuild.js'), portage('syntax.js'), portage('depend.js'), portage('reduce.js'), portage('phases.js'), portage('shell-eval.js'), grammar];
}

/**
 * The directory nano-overlay keeps its caches in: `$NANO_OVERLAY_CACHE` (unless `off`), else
 * `$XDG_CACHE_HOME/nano-overlay`, else `~/.cache/nano-overlay`. Each cache owns a subdirectory.
 */
export function cacheHome(): string {
  const configured = process.env.NANO_OVERLAY_CACHE;
  if (configured && configured !== 'off') return configured;
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'nano-overlay');
}

/** The blob cache's own directory, or undefined when it is turned off. */
function blobCacheDir(): string | undefined {
  return process.env.NANO_OVERLAY_CACHE === 'off' ? undefined : join(cacheHome(), 'v2');
}

/**
 * One kind's log as this process knows it: the entries read and written, and how far into which
 * file (inode) they were read: up to the end of the last whole line.
 */
interface Log {
  readonly entries: Map<string, string>;
  inode: number;
  offset: number;
}

/** Makes the cache's directory, and removes the one entries were kept in before (a file each, in `v1/`). */
function makeCacheDir(dir: string): void {
  mkdirSync(dir, { recursive: true });
  rmSync(join(dirname(dir), 'v1'), { recursive: true, force: true });
}

/** The logs read so far, by file. */
const logs = new Map<string, Log>();

/**
 * The log at `file` with every whole line it holds now: a log this process read before is read on
 * from where it stopped (other runs, and this one, only ever append), a new or rewritten file anew.
 */
function openLog(file: string): Log {
  let log = logs.get(file);
  let stats;
  try {
    stats = statSync(file);
  } catch {
    stats = undefined;
  }
  if (log && log.inode < 0) {
    // The log this process stored entries for before there was a file: the file holds them too, or
    // will once they are written, so they are kept while it is read.
    if (stats) log.inode = stats.ino;
  } else if (!stats || !log || log.inode !== stats.ino || stats.size < log.offset) {
    log = { entries: new Map(), inode: stats?.ino ?? -1, offset: 0 };
    logs.set(file, log);
  }
  if (stats && stats.size > log.offset) readOn(file, log, stats.size);
  return log;
}

/** Reads the whole lines of the log at `file` from where `log` stopped up to `size` bytes. */
function readOn(file: string, log: Log, size: number): void {
  const fd = openSync(file, 'r');
  try {
    const tail = Buffer.alloc(size - log.offset);
    const read = readSync(fd, tail, 0, tail.length, log.offset);
    const end = tail.lastIndexOf(0x0a, read - 1) + 1;
    for (const line of entryLines(tail.toString('utf8', 0, end))) log.entries.set(line.slice(0, KEY_LENGTH), line.slice(KEY_LENGTH + 1));
    log.offset += end;
  } finally {
    closeSync(fd);
  }
}

const KEY_LENGTH = 40;

/** The entry lines of whole lines of a log: those with a key and a space. */
function entryLines(text: string): string[] {
  return text.split('\n').filter((line) => line.length > KEY_LENGTH && line[KEY_LENGTH] === ' ');
}

/** Rewrites the log at `file` with its newest entries, taking at most three quarters of `limit` bytes. */
function trimLog(file: string, limit: number): void {
  const text = readFileSync(file, 'utf8');
  const lines = entryLines(text.slice(0, text.lastIndexOf('\n') + 1));
  const kept: string[] = [];
  let size = 0;
  for (let index = lines.length - 1; index >= 0; index--) {
    const bytes = Buffer.byteLength(lines[index]!) + 1;
    if (size + bytes > limit * 0.75) break;
    kept.push(lines[index]!);
    size += bytes;
  }
  kept.reverse();
  const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(temporary, kept.map((line) => `${line}\n`).join(''));
  renameSync(temporary, file);
}

/** Lines stored and not yet written, by log file, with the log's size bound. */
const pending = new Map<string, { lines: string[]; limit: number }>();

/** How long stored entries wait for others to be written with, in milliseconds. */
const WRITE_DELAY = 100;

let writeTimer: NodeJS.Timeout | undefined;
let exitHooked = false;

/** Writes the pending lines after WRITE_DELAY, or when the process exits, whichever comes first. */
function writeSoon(): void {
  if (writeTimer) return;
  if (!exitHooked) process.on('exit', writeAllPending);
  exitHooked = true;
  writeTimer = setTimeout(writeAllPending, WRITE_DELAY).unref();
}

/** Writes every stored entry now, as happens by itself after WRITE_DELAY or when the process exits. */
export function writeAllPending(): void {
  clearTimeout(writeTimer);
  writeTimer = undefined;
  for (const file of [...pending.keys()]) writePending(file);
}

/** Appends the pending lines of the log at `file` in one write, then trims the log when it outgrew its bound. */
function writePending(file: string): void {
  const queued = pending.get(file);
  pending.delete(file);
  if (!queued) return;
  try {
    const log = openLog(file);
    if (log.inode < 0) makeCacheDir(dirname(file));
    appendFileSync(file, queued.lines.join(''));
    if (statSync(file).size > queued.limit) trimLog(file, queued.limit);
  } catch {
    // a cache that cannot be written is a cache that misses
  }
}

/** One kind of derivation: where its entries go and the code version they belong to. */
export class BlobCache<T> {
  /** `kind` names the derivation (its log); `fingerprint` the code that derives it (see codeFingerprint); `limit` the log's bound in bytes. */
  constructor(
    private readonly kind: string,
    private readonly fingerprint: string,
    private readonly limit = CACHE_SIZE_LIMIT,
  ) {}

  private locate(text: string, parameters: string): { file: string; key: string } | undefined {
    const dir = blobCacheDir();
    if (!dir) return undefined;
    const key = createHash('sha1').update(`${this.fingerprint}\0${blobId(text)}\0${parameters}`).digest('hex');
    return { file: join(dir, `${this.kind}.log`), key };
  }

  /** The entry for `text` under `parameters`, if one was stored. */
  async get(text: string, parameters = ''): Promise<T | undefined> {
    const place = this.locate(text, parameters);
    const stored = place && openLog(place.file).entries.get(place.key);
    if (stored === undefined) return undefined;
    try {
      return JSON.parse(stored) as T;
    } catch {
      return undefined;
    }
  }

  /** Stores the entry for `text` under `parameters`, written to the log before this resolves. */
  async set(text: string, value: T, parameters = ''): Promise<void> {
    const file = this.queue(text, value, parameters);
    if (file) writePending(file);
  }

  /**
   * Stores the entry for `text` under `parameters` as set does, but writes it later with the entries
   * stored meanwhile (see WRITE_DELAY), and at the latest when the process exits: one append for
   * many entries. This process reads it at once; a process killed before the write loses it.
   */
  store(text: string, value: T, parameters = ''): void {
    if (this.queue(text, value, parameters)) writeSoon();
  }

  /** Records the entry as known and queues its line; the log's file, or undefined when there is nothing to write. */
  private queue(text: string, value: T, parameters: string): string | undefined {
    const place = this.locate(text, parameters);
    if (!place) return undefined;
    const log = openLog(place.file);
    const json = JSON.stringify(value);
    if (log.entries.get(place.key) === json) return undefined;
    log.entries.set(place.key, json);
    const lines = pending.get(place.file) ?? { lines: [], limit: this.limit };
    lines.lines.push(`${place.key} ${json}\n`);
    pending.set(place.file, lines);
    return place.file;
  }

  /** The stored entry, or `derive()` stored for next time. */
  async through(text: string, parameters: string, derive: () => Promise<T>): Promise<T> {
    const stored = await this.get(text, parameters);
    if (stored !== undefined) return stored;
    const value = await derive();
    this.store(text, value, parameters);
    return value;
  }
}
