import { access, mkdir, readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../errors.js';
import { runGit } from '../git/run.js';
import { DiskTree, writeChanges } from '../tree/disk.js';
import { commitTree, writeTree } from '../git/write.js';
import type { ChangeSet, FileEntry } from '../tree/types.js';
import { SCRIPTS_OVERLAY_PREFIX, SCRIPTS_PORTAGE_STABLE_PREFIX } from './locate.js';

/** The two shapes of upstream repository: a standalone coreos-overlay, or flatcar/scripts with the overlay inside. */
export type ExampleLayout = 'overlay' | 'scripts';

/** An example upstream repository created by `materializeExample`. */
export interface ExampleUpstream {
  readonly dir: string;
  readonly layout: ExampleLayout;
  /** Where the overlay is in the repository's tree ('' for a standalone overlay). */
  readonly overlayPrefix: string;
  /** The commit the repository was created with. */
  readonly commit: string;
}

/** The example repository's author and committer; with fixed dates, its commits are the same everywhere. */
const EXAMPLE_IDENTITY = {
  GIT_AUTHOR_NAME: 'Demo Upstream',
  GIT_AUTHOR_EMAIL: 'upstream@example.invalid',
  GIT_COMMITTER_NAME: 'Demo Upstream',
  GIT_COMMITTER_EMAIL: 'upstream@example.invalid',
};

/** The directory holding the example upstream's files: `examples/upstream` in the package root. */
async function exampleUpstreamDir(): Promise<string> {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const found = await access(join(dir, 'package.json')).then(() => true, () => false);
    if (found) return join(dir, 'examples', 'upstream');
  }
  throw new Error('cannot find the package root (no package.json above the running module)');
}

/** Reads every file below `dir` as FileEntries keyed by `prefix/<path>`, keeping symlinks and exec bits. */
async function readDirectoryFiles(dir: string, prefix: string, into: ChangeSet): Promise<void> {
  const tree = new DiskTree(dir);
  for (const path of await tree.list()) {
    const entry = await tree.read(path);
    if (entry) into.set(prefix ? `${prefix}/${path}` : path, entry);
  }
}

/** The example upstream's files, placed where `layout` puts them. */
async function exampleFiles(layout: ExampleLayout): Promise<ChangeSet> {
  const source = await exampleUpstreamDir();
  const files: ChangeSet = new Map();
  if (layout === 'overlay') {
    await readDirectoryFiles(join(source, 'coreos-overlay'), '', files);
  } else {
    await readDirectoryFiles(join(source, 'scripts'), '', files);
    await readDirectoryFiles(join(source, 'coreos-overlay'), SCRIPTS_OVERLAY_PREFIX, files);
    await readDirectoryFiles(join(source, 'portage-stable'), SCRIPTS_PORTAGE_STABLE_PREFIX, files);
  }
  return files;
}

/**
 * Commits `changes` (paths relative to the repository root) on top of the checked-out branch of the
 * repository `dir` and brings the work tree and index along; returns the new commit. `date` (ISO 8601)
 * is the author and committer date.
 */
export async function commitToCheckout(dir: string, changes: ChangeSet, message: string, date: string): Promise<string> {
  const head = await runGit(dir, ['rev-parse', '--verify', '--quiet', 'HEAD'], { okCodes: [1] });
  const parent = head.code === 0 ? head.stdout.toString('utf8').trim() : undefined;
  const tree = await writeTree(dir, parent, changes);
  const env = { ...EXAMPLE_IDENTITY, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date };
  const commit = await commitTree(dir, tree, parent ? [parent] : [], message, env);
  await runGit(dir, ['update-ref', '-m', message, 'HEAD', commit, parent ?? '']);
  await writeChanges(dir, changes);
  await runGit(dir, ['reset', '-q']);
  return commit;
}

/**
 * Creates the example upstream as a git repository (branch main, one commit) in `dir`, which must be
 * empty or absent, from the files in `examples/upstream`: a standalone overlay, or a flatcar/scripts
 * shaped repository with coreos-overlay and portage-stable under `sdk_container/src/third_party/`.
 */
export async function materializeExample(dir: string, layout: ExampleLayout): Promise<ExampleUpstream> {
  const existing = await readdir(dir).catch(() => []);
  if (existing.length > 0) throw new InputError(`'${dir}' is not empty; the example upstream needs an empty directory`);
  await mkdir(dir, { recursive: true });
  await runGit(dir, ['init', '-q', '-b', 'main']);
  const commit = await commitToCheckout(dir, await exampleFiles(layout), 'Example upstream', '2024-01-01T12:00:00Z');
  return { dir, layout, overlayPrefix: layout === 'scripts' ? SCRIPTS_OVERLAY_PREFIX : '', commit };
}

/**
 * Commits a newer upstream on top of the example: the plain revision ebuild demo-files-0-r3 becomes
 * -r4, and the revision symlink of demo-init moves from -r12 to -r13. Returns the new commit.
 */
export async function commitNewerExample(example: ExampleUpstream): Promise<string> {
  const at = (path: string) => (example.overlayPrefix ? `${example.overlayPrefix}/${path}` : path);
  const demoFiles = at('app-misc/demo-files/demo-files-0-r3.ebuild');
  const body = await readFile(join(example.dir, demoFiles));
  const link: FileEntry = { mode: '120000', data: Buffer.from('demo-init-9999.ebuild') };
  const changes: ChangeSet = new Map<string, FileEntry | null>([
    [demoFiles, null],
    [at('app-misc/demo-files/demo-files-0-r4.ebuild'), { mode: '100644', data: body }],
    [at('coreos-base/demo-init/demo-init-0.0.1-r12.ebuild'), null],
    [at('coreos-base/demo-init/demo-init-0.0.1-r13.ebuild'), link],
  ]);
  return commitToCheckout(example.dir, changes, 'Newer example upstream: demo-files -r4, demo-init -r13', '2024-02-01T12:00:00Z');
}
