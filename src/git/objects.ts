import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { nameFromBytes } from '../tree/paths.js';
import { gitEnvironment } from './run.js';

/** The kinds of object git stores. */
export type ObjectType = 'blob' | 'tree' | 'commit' | 'tag';

/** One object read from the object database. */
export interface GitObject {
  readonly oid: string;
  readonly type: ObjectType;
  readonly data: Buffer;
}

/** One entry of a tree object. Modes are git's octal strings: 100644, 100755, 120000, 40000 (tree), 160000 (gitlink). */
export interface TreeEntry {
  readonly mode: string;
  readonly name: string;
  readonly oid: string;
}

/** A full object id (SHA-1 or SHA-256), which names the same content for ever. */
const OID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** The bytes of objects read by oid that a reader keeps to answer again. */
const RECENT_BYTES = 32 * 1024 * 1024;

interface Request {
  resolve(object: GitObject | undefined): void;
  reject(error: Error): void;
}

/**
 * Reads objects through one long-lived `git cat-file --batch` process. Requests are written as they come
 * and answered in order, so any number of concurrent reads share the process and pipeline. The process
 * does not keep Node alive while no read is outstanding; `close()` ends it.
 */
export class ObjectReader {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly queue: Request[] = [];
  private chunks: Buffer[] = [];
  private buffered = 0;
  private header: { oid: string; type: ObjectType; size: number } | undefined;
  private failure: Error | undefined;
  private readonly exited: Promise<void>;

  /** Starts the reader for the repository (work tree, git dir or bare repository) at `repoDir`. */
  constructor(readonly repoDir: string) {
    this.child = spawn('git', ['cat-file', '--batch'], { cwd: repoDir, env: gitEnvironment(), stdio: ['pipe', 'pipe', 'pipe'] });
    const stderr: Buffer[] = [];
    this.child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    this.child.stdout.on('data', (chunk: Buffer) => this.receive(chunk));
    this.child.stdin.on('error', (error) => this.fail(error));
    this.exited = new Promise((resolve) => {
      this.child.on('error', (error) => {
        this.fail(error);
        resolve();
      });
      this.child.on('close', (code) => {
        const detail = Buffer.concat(stderr).toString('utf8').trim();
        this.fail(new Error(`git cat-file --batch in ${repoDir} exited (${code ?? 'killed'})${detail ? `: ${detail}` : ''}`));
        resolve();
      });
    });
    this.setIdle(true);
  }

  /**
   * The object named by `name` (an oid or any revision expression such as `HEAD:path`), or undefined
   * when there is none. An object named by its oid is read once while it stays among the most recently
   * read (see RECENT_BYTES): a validation reads the same profile files and trees for each tree it
   * judges. Its data is shared between readers, who must not change it.
   */
  readObject(name: string): Promise<GitObject | undefined> {
    if (!OID.test(name)) return this.request(name);
    const known = this.recent.get(name);
    if (known) return known.object;
    const object = this.request(name);
    this.remember(name, object);
    return object;
  }

  private readonly recent = new Map<string, { object: Promise<GitObject | undefined>; size: number }>();
  private recentBytes = 0;

  /** Keeps `object` among the recent reads, forgetting the oldest beyond RECENT_BYTES (and a miss or failed read at once). */
  private remember(oid: string, object: Promise<GitObject | undefined>): void {
    const entry = { object, size: 0 };
    this.recent.set(oid, entry);
    object.then(
      (read) => {
        // A missing object may be written later (by this process too): only what exists is kept.
        if (!read) {
          if (this.recent.get(oid) === entry) this.recent.delete(oid);
          return;
        }
        entry.size = read.data.length;
        this.recentBytes += entry.size;
        for (const [oldest, { size }] of this.recent) {
          if (this.recentBytes <= RECENT_BYTES || oldest === oid) break;
          this.recent.delete(oldest);
          this.recentBytes -= size;
        }
      },
      () => {
        if (this.recent.get(oid) === entry) this.recent.delete(oid);
      },
    );
  }

  private request(name: string): Promise<GitObject | undefined> {
    if (/[\n\r]/.test(name) || name === '') {
      return Promise.reject(new Error(`invalid object name ${JSON.stringify(name)}`));
    }
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      if (this.queue.length === 0) this.setIdle(false);
      this.queue.push({ resolve, reject });
      // Requests made before the event loop next checks for I/O go to git in one write: each write
      // wakes git on the other core, which costs far more than the write itself.
      this.requests.push(`${name}\n`);
      if (this.requests.length === 1) setImmediate(() => this.sendRequests());
    });
  }

  private requests: string[] = [];

  private sendRequests(): void {
    const text = this.requests.join('');
    this.requests = [];
    if (text !== '' && !this.child.stdin.writableEnded) this.child.stdin.write(text);
  }

  /** The contents of the blob `name`; rejects when it is missing or not a blob. */
  async readBlob(name: string): Promise<Buffer> {
    return (await this.readExpected(name, 'blob')).data;
  }

  /** The entries of the tree `name`, in stored order; rejects when it is missing or not a tree. */
  async readTree(name: string): Promise<TreeEntry[]> {
    const tree = await this.readExpected(name, 'tree');
    return parseTree(tree.data, tree.oid.length / 2);
  }

  /** Ends the `git cat-file` process once the outstanding reads are answered. */
  async close(): Promise<void> {
    // Waiting for the exit must keep Node alive, or a caller awaiting close() would never resume.
    this.setIdle(false);
    this.sendRequests();
    if (!this.child.stdin.writableEnded) this.child.stdin.end();
    await this.exited;
  }

  private async readExpected(name: string, type: ObjectType): Promise<GitObject> {
    const object = await this.readObject(name);
    if (!object) throw new Error(`git object '${name}' is missing in ${this.repoDir}`);
    if (object.type !== type) throw new Error(`git object '${name}' in ${this.repoDir} is a ${object.type}, not a ${type}`);
    return object;
  }

  private receive(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (this.parseOne()) {
      // keep answering while complete responses are buffered
    }
  }

  /** Answers the oldest request if its whole response has arrived; reports whether it did. */
  private parseOne(): boolean {
    if (!this.header) {
      const data = this.take(this.buffered);
      const newline = data.indexOf(0x0a);
      if (newline < 0) {
        this.putBack(data);
        return false;
      }
      const line = data.subarray(0, newline).toString('utf8');
      this.putBack(data.subarray(newline + 1));
      const fields = line.split(' ');
      if (fields.length === 3 && /^\d+$/.test(fields[2]!)) {
        this.header = { oid: fields[0]!, type: fields[1] as ObjectType, size: Number(fields[2]) };
      } else {
        // `<name> missing` or `<name> ambiguous`
        this.answer(undefined);
        return true;
      }
    }
    const { oid, type, size } = this.header;
    if (this.buffered < size + 1) return false;
    const data = this.take(size + 1);
    this.header = undefined;
    this.answer({ oid, type, data: data.subarray(0, size) });
    return true;
  }

  private answer(object: GitObject | undefined): void {
    const request = this.queue.shift();
    if (this.queue.length === 0) this.setIdle(true);
    request?.resolve(object);
  }

  /** Removes and returns the first `length` buffered bytes. */
  private take(length: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
    this.chunks = [all.subarray(length)];
    this.buffered -= length;
    return all.subarray(0, length);
  }

  private putBack(rest: Buffer): void {
    this.chunks = [rest, ...this.chunks.slice(1)].filter((chunk) => chunk.length > 0);
    this.buffered = this.chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const request of this.queue.splice(0)) request.reject(this.failure);
  }

  /** Lets Node exit while nothing is outstanding, and keeps it alive while reads are pending. */
  private setIdle(idle: boolean): void {
    for (const handle of [this.child, this.child.stdin, this.child.stdout, this.child.stderr] as { ref(): void; unref(): void }[]) {
      if (idle) handle.unref();
      else handle.ref();
    }
  }
}

/**
 * Parses the binary form of a tree object: repeated `<octal mode> <name>\0<binary oid>`, where an oid is
 * 20 bytes (SHA-1) or 32 bytes (SHA-256).
 */
export function parseTree(data: Buffer, oidBytes = 20): TreeEntry[] {
  const entries: TreeEntry[] = [];
  let position = 0;
  while (position < data.length) {
    const space = data.indexOf(0x20, position);
    const nul = data.indexOf(0x00, space);
    if (space < 0 || nul < 0 || nul + 1 + oidBytes > data.length) throw new Error('malformed git tree object');
    entries.push({
      mode: data.toString('latin1', position, space),
      name: nameFromBytes(data, space + 1, nul),
      oid: data.toString('hex', nul + 1, nul + 1 + oidBytes),
    });
    position = nul + 1 + oidBytes;
  }
  return entries;
}
