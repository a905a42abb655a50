import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { FileEntry, FileMode, ReadableTree } from '../tree/types.js';
import type { BlobSource } from './apply-tree.js';

/** One object read from a repository. */
export interface GitObject {
  type: string;
  data: Buffer;
}

/**
 * Reads objects from a repository through one long-lived `git cat-file --batch`. Requests are answered
 * in order; `close()` ends the process.
 */
export class GitObjectReader {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: { resolve: (object: GitObject | undefined) => void; reject: (error: Error) => void }[] = [];
  private buffered: Buffer = Buffer.alloc(0);
  private failure: Error | undefined;

  /** `repo` is a work tree or a git directory (bare or not). */
  constructor(repo: string) {
    this.child = spawn('git', ['cat-file', '--batch'], { cwd: repo, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.on('data', (chunk: Buffer) => {
      this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
      this.answer();
    });
    let stderr = '';
    this.child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const fail = (error: Error): void => {
      this.failure = error;
      for (const request of this.waiting.splice(0)) request.reject(error);
    };
    this.child.on('error', fail);
    this.child.on('exit', (code) => fail(new Error(`git cat-file exited (${code}): ${stderr.trim()}`)));
    this.child.stdin.on('error', () => undefined);
  }

  /** The object named `name` (an id, possibly abbreviated, or `rev:path`, `rev^{tree}`), or undefined when there is none. */
  read(name: string): Promise<GitObject | undefined> {
    if (this.failure) return Promise.reject(this.failure);
    if (name.includes('\n')) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.child.stdin.write(`${name}\n`);
    });
  }

  close(): void {
    this.child.stdin.end();
  }

  private answer(): void {
    while (this.waiting.length) {
      const end = this.buffered.indexOf(10);
      if (end < 0) return;
      const header = this.buffered.subarray(0, end).toString();
      const match = /^\S+ (\S+) (\d+)$/.exec(header);
      if (!match) {
        this.buffered = this.buffered.subarray(end + 1);
        this.waiting.shift()!.resolve(undefined);
        continue;
      }
      const size = Number(match[2]);
      if (this.buffered.length < end + 1 + size + 1) return;
      const data = Buffer.from(this.buffered.subarray(end + 1, end + 1 + size));
      this.buffered = this.buffered.subarray(end + 1 + size + 1);
      this.waiting.shift()!.resolve({ type: match[1]!, data });
    }
  }
}

/**
 * The blobs of the repository containing `dir` (found with `git rev-parse`), for three-way merges. Out
 * of a repository every blob is unknown. Call `close()` when done.
 */
export async function gitBlobSource(dir: string): Promise<BlobSource & { close(): void }> {
  const gitDir = await new Promise<string | undefined>((resolve) => {
    execFile('git', ['rev-parse', '--absolute-git-dir'], { cwd: dir }, (error, stdout) => resolve(error ? undefined : stdout.trim()));
  });
  if (!gitDir) return { readBlob: async () => undefined, close: () => undefined };
  const reader = new GitObjectReader(gitDir);
  return {
    async readBlob(oid) {
      if (!/^[0-9a-f]{4,40}$/i.test(oid)) return undefined;
      const object = await reader.read(oid);
      return object?.type === 'blob' ? object.data : undefined;
    },
    close: () => reader.close(),
  };
}

interface TreeEntry {
  mode: string;
  oid: string;
}

const FILE_MODES: ReadonlyMap<string, FileMode> = new Map([
  ['100644', '100644'],
  ['100664', '100644'],
  ['100755', '100755'],
  ['120000', '120000'],
]);

/** A revision's tree, read object by object through a GitObjectReader. Submodules are not files and are left out. */
export class GitRevisionTree implements ReadableTree {
  private readonly dirs = new Map<string, Promise<Map<string, TreeEntry> | undefined>>();

  constructor(
    private readonly reader: GitObjectReader,
    private readonly revision: string,
  ) {}

  async read(path: string): Promise<FileEntry | undefined> {
    const slash = path.lastIndexOf('/');
    const entry = (await this.entries(slash < 0 ? '' : path.slice(0, slash)))?.get(path.slice(slash + 1));
    const mode = entry && FILE_MODES.get(entry.mode);
    if (!entry || !mode) return undefined;
    const object = await this.reader.read(entry.oid);
    return object && { mode, data: object.data };
  }

  async list(dir = ''): Promise<string[]> {
    const entries = await this.entries(dir);
    if (!entries) return [];
    const paths: string[] = [];
    for (const [name, entry] of entries) {
      const path = dir ? `${dir}/${name}` : name;
      if (entry.mode === '40000') paths.push(...(await this.list(path)));
      else if (FILE_MODES.has(entry.mode)) paths.push(path);
    }
    return paths.sort();
  }

  private entries(dir: string): Promise<Map<string, TreeEntry> | undefined> {
    let entries = this.dirs.get(dir);
    if (!entries) {
      entries = this.loadEntries(dir);
      this.dirs.set(dir, entries);
    }
    return entries;
  }

  private async loadEntries(dir: string): Promise<Map<string, TreeEntry> | undefined> {
    let oid = `${this.revision}^{tree}`;
    if (dir) {
      const slash = dir.lastIndexOf('/');
      const entry = (await this.entries(slash < 0 ? '' : dir.slice(0, slash)))?.get(dir.slice(slash + 1));
      if (entry?.mode !== '40000') return undefined;
      oid = entry.oid;
    }
    const object = await this.reader.read(oid);
    return object?.type === 'tree' ? parseTree(object.data) : undefined;
  }
}

/** Parses a raw tree object: `<mode> <name>\0<20-byte id>` entries. */
function parseTree(data: Buffer): Map<string, TreeEntry> {
  const entries = new Map<string, TreeEntry>();
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(32, pos);
    const nul = data.indexOf(0, space);
    entries.set(data.subarray(space + 1, nul).toString('utf8'), {
      mode: data.subarray(pos, space).toString(),
      oid: data.subarray(nul + 1, nul + 21).toString('hex'),
    });
    pos = nul + 21;
  }
  return entries;
}
