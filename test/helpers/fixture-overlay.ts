import { lstat, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { commitToCheckout, commitNewerExample, materializeExample, type ExampleLayout, type ExampleUpstream } from '../../src/upstream/example.js';
import type { ChangeSet, FileEntry } from '../../src/tree/types.js';
import { git, makeTempDir } from './git.js';

/** One change to commit; paths are relative to the overlay. */
export type FixtureChange =
  | { add: string; data: string | Buffer; exec?: boolean }
  | { modify: string; data: string | Buffer }
  | { rename: string; to: string }
  | { delete: string }
  | { symlink: string; target: string };

/** What to build: the example upstream in one of its layouts, optionally with further changes committed on top. */
export interface FixtureDescription {
  layout: ExampleLayout;
  changes?: FixtureChange[];
}

/** A temporary example upstream repository with helpers to commit more changes to it. */
export interface OverlayFixture extends Omit<ExampleUpstream, 'commit'> {
  /** The commit the fixture's description ends at. */
  readonly head: string;
  /** Commits `changes` and returns the commit's oid. */
  commit(message: string, changes: FixtureChange[]): Promise<string>;
  /** Commits the newer example upstream (demo-files -r3 → -r4, demo-init symlink -r12 → -r13). */
  commitNewer(): Promise<string>;
  /** A bare clone of the repository as it is now. */
  bareClone(): Promise<string>;
}

let fixtureCommits = 0;

/** A distinct, increasing date for each fixture commit, so commit order is stable. */
function nextDate(): string {
  fixtureCommits += 1;
  return new Date(Date.UTC(2024, 5, 1) + fixtureCommits * 60_000).toISOString();
}

const toBuffer = (data: string | Buffer) => (typeof data === 'string' ? Buffer.from(data) : data);

/** The file currently checked out at `path` in `dir`, as a FileEntry. */
async function checkedOut(dir: string, path: string): Promise<FileEntry> {
  const full = join(dir, path);
  const info = await lstat(full).catch(() => {
    throw new Error(`fixture has no file '${path}'`);
  });
  if (info.isSymbolicLink()) return { mode: '120000', data: Buffer.from(await readlink(full)) };
  return { mode: info.mode & 0o100 ? '100755' : '100644', data: await readFile(full) };
}

/** Turns fixture changes into a change set against the checkout in `dir`, with paths below `prefix`. */
async function toChangeSet(dir: string, prefix: string, changes: FixtureChange[]): Promise<ChangeSet> {
  const at = (path: string) => (prefix ? `${prefix}/${path}` : path);
  const set: ChangeSet = new Map();
  for (const change of changes) {
    if ('add' in change) {
      set.set(at(change.add), { mode: change.exec ? '100755' : '100644', data: toBuffer(change.data) });
    } else if ('modify' in change) {
      const { mode } = await checkedOut(dir, at(change.modify));
      set.set(at(change.modify), { mode, data: toBuffer(change.data) });
    } else if ('rename' in change) {
      set.set(at(change.to), await checkedOut(dir, at(change.rename)));
      set.set(at(change.rename), null);
    } else if ('delete' in change) {
      await checkedOut(dir, at(change.delete));
      set.set(at(change.delete), null);
    } else {
      set.set(at(change.symlink), { mode: '120000', data: Buffer.from(change.target) });
    }
  }
  return set;
}

/** Builds the example upstream described by `description` in a temporary directory. */
export async function createOverlayFixture(description: FixtureDescription): Promise<OverlayFixture> {
  const example = await materializeExample(join(await makeTempDir('nano-overlay-fixture-'), 'upstream'), description.layout);
  const commit = async (message: string, changes: FixtureChange[]) =>
    commitToCheckout(example.dir, await toChangeSet(example.dir, example.overlayPrefix, changes), message, nextDate());
  const head = description.changes ? await commit('Fixture changes', description.changes) : example.commit;
  return {
    ...example,
    head,
    commit,
    commitNewer: () => commitNewerExample(example),
    async bareClone() {
      const bare = join(await makeTempDir('nano-overlay-bare-'), 'upstream.git');
      git(example.dir, 'clone', '-q', '--bare', example.dir, bare);
      return bare;
    },
  };
}
