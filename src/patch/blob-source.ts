import { ObjectReader } from '../git/objects.js';
import { runGit } from '../git/run.js';
import type { BlobSource } from './apply-tree.js';

/** The blobs an object reader can read, for three-way merges (abbreviated ids allowed). */
export function readerBlobSource(reader: ObjectReader): BlobSource {
  return {
    async readBlob(oid) {
      if (!/^[0-9a-f]{4,64}$/i.test(oid)) return undefined;
      const object = await reader.readObject(oid);
      return object?.type === 'blob' ? object.data : undefined;
    },
  };
}

/**
 * The blobs of the repository containing `dir` (found with `git rev-parse`), for three-way merges. Out
 * of a repository every blob is unknown. Call `close()` when done.
 */
export async function gitBlobSource(dir: string): Promise<BlobSource & { close(): Promise<void> }> {
  const probe = await runGit(dir, ['rev-parse', '--absolute-git-dir'], { okCodes: [128] }).catch(() => undefined);
  if (!probe || probe.code !== 0) return { readBlob: async () => undefined, close: async () => undefined };
  const reader = new ObjectReader(probe.stdout.toString('utf8').trim());
  return { ...readerBlobSource(reader), close: () => reader.close() };
}
