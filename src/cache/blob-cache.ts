import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { readdir, stat, unlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * A persistent cache of what is derived from a file's content (an ebuild's scan, its reductions):
 * entries are keyed by the git blob id of the content, the kind of derivation, its parameters and
 * the code that derives it, so an entry can never be stale. It lives in `v1/` of the cache home
 * (see cacheHome); `NANO_OVERLAY_CACHE=off` turns it off. Writes go to a temporary file renamed
 * into place, so concurrent runs only ever see whole entries (at worst one run's entry replaces
 * another's). Once a process has written, `v1/` — and nothing else of the cache home, where the
 * Portage work lives too — is trimmed to its size bound, oldest entries first. Any I/O failure
 * just means a miss. Entries are read and written with synchronous calls: each is one small file,
 * and a hop through the thread pool costs more than the read or write itself.
 */

/** The size the cache is trimmed to, in bytes. */
export const CACHE_SIZE_LIMIT = 64 * 1024 * 1024;

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
 * The code a derivation in module `moduleUrl` runs: that module, the bash parsing (and syntax tree)
 * and dependency modules beside it, and the bash grammar, whose change changes every derived fact.
 */
export function derivationCode(moduleUrl: string): string[] {
  const portage = (name: string) => new URL(`../portage/${name}`, import.meta.url).href;
  const grammar = pathToFileURL(createRequire(import.meta.url).resolve('tree-sitter-bash/package.json')).href;
  return [moduleUrl, portage('ebuild.js'), portage('syntax.js'), portage('depend.js'), portage('reduce.js'), portage('phases.js'), grammar];
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
  return process.env.NANO_OVERLAY_CACHE === 'off' ? undefined : join(cacheHome(), 'v1');
}

/** One kind of derivation: where its entries go and the code version they belong to. */
export class BlobCache<T> {
  private trimmed = false;
  private readonly madeDirs = new Set<string>();

  /** `kind` names the derivation (a directory); `fingerprint` the code that derives it (see codeFingerprint). */
  constructor(
    private readonly kind: string,
    private readonly fingerprint: string,
    private readonly limit = CACHE_SIZE_LIMIT,
  ) {}

  private file(text: string, parameters: string): string | undefined {
    const dir = blobCacheDir();
    if (!dir) return undefined;
    const key = createHash('sha1').update(`${this.fingerprint}\0${blobId(text)}\0${parameters}`).digest('hex');
    return join(dir, this.kind, key.slice(0, 2), `${key.slice(2)}.json`);
  }

  /** The entry for `text` under `parameters`, if one was stored. */
  async get(text: string, parameters = ''): Promise<T | undefined> {
    const file = this.file(text, parameters);
    if (!file) return undefined;
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as T;
    } catch {
      return undefined;
    }
  }

  /** Stores the entry for `text` under `parameters`. */
  async set(text: string, value: T, parameters = ''): Promise<void> {
    const file = this.file(text, parameters);
    if (!file) return;
    try {
      if (!this.madeDirs.has(dirname(file))) {
        mkdirSync(dirname(file), { recursive: true });
        this.madeDirs.add(dirname(file));
      }
      const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      writeFileSync(temporary, JSON.stringify(value));
      renameSync(temporary, file);
      if (!this.trimmed) {
        this.trimmed = true;
        await trimCache(join(dirname(file), '..', '..'), this.limit);
      }
    } catch {
      // a cache that cannot be written is a cache that misses
    }
  }

  /** The stored entry, or `derive()` stored for next time. */
  async through(text: string, parameters: string, derive: () => Promise<T>): Promise<T> {
    const stored = await this.get(text, parameters);
    if (stored !== undefined) return stored;
    const value = await derive();
    await this.set(text, value, parameters);
    return value;
  }
}

/** Deletes the oldest entries under `root` until what is left takes at most three quarters of `limit` bytes. */
export async function trimCache(root: string, limit: number): Promise<void> {
  const entries: { path: string; size: number; mtime: number }[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else {
        const info = await stat(path).catch(() => undefined);
        if (info) entries.push({ path, size: info.size, mtime: info.mtimeMs });
      }
    }
  };
  await walk(root);
  let total = entries.reduce((sum, entry) => sum + entry.size, 0);
  if (total <= limit) return;
  entries.sort((a, b) => a.mtime - b.mtime);
  for (const entry of entries) {
    if (total <= limit * 0.75) break;
    await unlink(entry.path).catch(() => undefined);
    total -= entry.size;
  }
}
