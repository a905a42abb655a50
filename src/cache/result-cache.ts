import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FileEntry, PathKind, ReadableTree } from '../tree/types.js';
import { pathKind } from '../tree/write-check.js';
import { BlobCache, blobId } from './blob-cache.js';

/**
 * A memo of whole results, in the style of `eslint --cache`: an entry is found by a key naming the
 * inputs that have ids (the code, an upstream commit, the options), and holds, besides the result,
 * every read of a directory without ids (the layer set on disk) with a digest of what it gave. An
 * entry is used only when each of those reads gives the same digest again, so it can never be stale;
 * any change to a file the result was computed from means a miss. Entries live in the blob cache's
 * directory and share its size bound and its whole-entry writes.
 */

/** One read a result depended on, and the digest of what it returned. */
export interface RecordedRead {
  readonly op: 'read' | 'list' | 'kind';
  readonly path: string;
  readonly digest: string;
}

interface StoredResult<T> {
  readonly reads: readonly RecordedRead[];
  readonly value: T;
}

/** A tree that passes every call through to `inner` and records it with a digest of the answer. */
export class RecordingTree implements ReadableTree {
  readonly reads: RecordedRead[] = [];

  constructor(private readonly inner: ReadableTree) {}

  async read(path: string): Promise<FileEntry | undefined> {
    const entry = await this.inner.read(path);
    this.reads.push({ op: 'read', path, digest: entryDigest(entry) });
    return entry;
  }

  async list(dir?: string): Promise<string[]> {
    const paths = await this.inner.list(dir);
    this.reads.push({ op: 'list', path: dir ?? '', digest: listDigest(paths) });
    return paths;
  }

  async kind(path: string): Promise<PathKind> {
    const kind = await pathKind(this.inner, path);
    this.reads.push({ op: 'kind', path, digest: kind });
    return kind;
  }
}

/** True when every recorded read gives the same answer in `tree` today. */
async function readsStillHold(tree: ReadableTree, reads: readonly RecordedRead[]): Promise<boolean> {
  for (const recorded of reads) {
    const digest =
      recorded.op === 'read'
        ? entryDigest(await tree.read(recorded.path))
        : recorded.op === 'list'
          ? listDigest(await tree.list(recorded.path === '' ? undefined : recorded.path))
          : await pathKind(tree, recorded.path);
    if (digest !== recorded.digest) return false;
  }
  return true;
}

/** Whole results of one kind, keyed by a string of their id-named inputs and checked by their recorded reads. */
export class ResultCache<T> {
  private readonly entries: BlobCache<StoredResult<T>>;

  constructor(kind: string) {
    this.entries = new BlobCache<StoredResult<T>>(kind, runningCodeFingerprint());
  }

  /** The result stored under `key` whose reads still hold in `tree`, if there is one. */
  async lookup(key: string, tree: ReadableTree): Promise<T | undefined> {
    const stored = await this.entries.get(key);
    if (!stored || !Array.isArray(stored.reads)) return undefined;
    return (await readsStillHold(tree, stored.reads)) ? stored.value : undefined;
  }

  /** Stores `value` under `key` with the reads it was computed from. */
  async store(key: string, reads: readonly RecordedRead[], value: T): Promise<void> {
    await this.entries.set(key, { reads, value });
  }
}

let fingerprint: string | undefined;

/**
 * A fingerprint of the code that computes results: every module of this program (below the
 * directory above this one) and the version of each runtime dependency, so a rebuilt or upgraded tool never
 * reads an older tool's results.
 */
export function runningCodeFingerprint(): string {
  if (fingerprint) return fingerprint;
  const hash = createHash('sha1');
  const self = fileURLToPath(import.meta.url);
  const root = join(dirname(self), '..');
  // The modules that run are the ones of this module's own kind: `.js` when built, `.ts` in tests.
  const runs = (name: string) => extname(name) === extname(self) && !name.endsWith('.d.ts');
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (runs(entry.name)) hash.update(`${path}\0`).update(readFileSync(path));
    }
  };
  walk(root);
  const require = createRequire(import.meta.url);
  const dependencies = (JSON.parse(readFileSync(ownManifest(root), 'utf8')) as { dependencies?: Record<string, string> }).dependencies ?? {};
  for (const name of Object.keys(dependencies).sort()) {
    let version = 'missing';
    try {
      version = (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
    } catch {
      // a dependency that cannot be found is fingerprinted as missing
    }
    hash.update(`${name}@${version}\0`);
  }
  return (fingerprint = hash.digest('hex'));
}

/** The program's own package.json: the first one above `dir`. */
function ownManifest(dir: string): string {
  for (let current = dir; ; current = dirname(current)) {
    const candidate = join(current, 'package.json');
    if (existsSync(candidate)) return candidate;
    if (dirname(current) === current) throw new Error(`no package.json above ${dir}`);
  }
}

function entryDigest(entry: FileEntry | undefined): string {
  return entry ? `${entry.mode} ${blobId(entry.data)}` : 'missing';
}

function listDigest(paths: readonly string[]): string {
  return createHash('sha1').update(paths.join('\0')).digest('hex');
}
