import { InputError } from '../errors.js';
import type { FileEntry, FileMode, PathKind, ReadableTree } from '../tree/types.js';
import type { ObjectReader, TreeEntry } from './objects.js';
import { runGit } from './run.js';

/** The file mode an overlay tree reports for a git tree entry mode, or undefined for directories and submodules. */
function fileMode(gitMode: string): FileMode | undefined {
  if (gitMode === '120000') return '120000';
  if (gitMode === '100755') return '100755';
  if (gitMode.startsWith('100')) return '100644';
  return undefined;
}

const DIRECTORY_MODE = '40000';

/**
 * A read-only view of a git tree (a commit's tree, or a subdirectory of it) as a ReadableTree. Directories
 * are read from the object database only when a path inside them is read or listed, and then cached.
 */
export class GitTree implements ReadableTree {
  private readonly directories = new Map<string, Promise<Map<string, TreeEntry> | undefined>>();

  /** Wraps the tree object `treeOid`, whose objects `reader` reads. */
  constructor(
    readonly reader: ObjectReader,
    readonly treeOid: string,
  ) {}

  /**
   * Opens the directory `subdir` (empty for the root) of the commit or tree `treeish`. Rejects with an
   * InputError when `subdir` is not a directory there.
   */
  static async open(reader: ObjectReader, treeish: string, subdir = ''): Promise<GitTree> {
    const object = await reader.readObject(subdir ? `${treeish}:${subdir}` : `${treeish}^{tree}`);
    if (object?.type !== 'tree') {
      throw new InputError(`'${subdir || '/'}' is not a directory at '${treeish}' in ${reader.repoDir}`);
    }
    return new GitTree(reader, object.oid);
  }

  async read(path: string): Promise<FileEntry | undefined> {
    const entry = await this.entry(path);
    const mode = entry && fileMode(entry.mode);
    if (!entry || !mode) return undefined;
    return { mode, data: await this.reader.readBlob(entry.oid) };
  }

  async list(dir = ''): Promise<string[]> {
    const normal = dir.replace(/^\.\/?|\/$/g, '');
    const paths: string[] = [];
    await this.collect(normal, paths);
    return paths.sort();
  }

  async kind(path: string): Promise<PathKind> {
    const entry = await this.entry(path);
    if (!entry) return 'missing';
    return entry.mode === DIRECTORY_MODE ? 'directory' : entry.mode === '120000' ? 'link' : 'file';
  }

  /** The tree entry at `path`, or undefined when nothing is there. */
  async entry(path: string): Promise<TreeEntry | undefined> {
    const slash = path.lastIndexOf('/');
    const directory = await this.directory(slash < 0 ? '' : path.slice(0, slash));
    return directory?.get(path.slice(slash + 1));
  }

  /** Appends every file path below `dir` to `paths`, loading subdirectories concurrently. */
  private async collect(dir: string, paths: string[]): Promise<void> {
    const directory = await this.directory(dir);
    if (!directory) return;
    const subdirectories: Promise<void>[] = [];
    for (const entry of directory.values()) {
      const path = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.mode === DIRECTORY_MODE) subdirectories.push(this.collect(path, paths));
      else if (fileMode(entry.mode)) paths.push(path);
    }
    await Promise.all(subdirectories);
  }

  /** The entries of directory `dir` by name, or undefined when it is not a directory in this tree. */
  private directory(dir: string): Promise<Map<string, TreeEntry> | undefined> {
    let loaded = this.directories.get(dir);
    if (!loaded) {
      loaded = this.loadDirectory(dir);
      this.directories.set(dir, loaded);
    }
    return loaded;
  }

  private async loadDirectory(dir: string): Promise<Map<string, TreeEntry> | undefined> {
    let oid = this.treeOid;
    if (dir) {
      const slash = dir.lastIndexOf('/');
      const parent = await this.directory(slash < 0 ? '' : dir.slice(0, slash));
      const entry = parent?.get(dir.slice(slash + 1));
      if (entry?.mode !== DIRECTORY_MODE) return undefined;
      oid = entry.oid;
    }
    const entries = await this.reader.readTree(oid);
    return new Map(entries.map((entry) => [entry.name, entry]));
  }
}

/**
 * Resolves `ref` to a commit oid in the repository at `repoDir` as git does, and like `git checkout`
 * takes a name only one remote has (`t-lo/flatcar-nano` for `origin/t-lo/flatcar-nano`); throws
 * InputError when there is no such commit.
 */
export async function resolveRef(repoDir: string, ref: string): Promise<string> {
  const oid = await revParse(repoDir, ref);
  if (oid) return oid;
  const tracking = ref.startsWith('-') ? [] : await remoteTrackingCandidates(repoDir, ref);
  if (tracking.length === 1) return tracking[0]!.oid;
  const hint = tracking.length > 1 ? ` (it could be any of ${tracking.map((entry) => entry.name).join(', ')})` : '';
  throw new InputError(`unknown ref '${ref}' in ${repoDir}${hint}`);
}

async function revParse(repoDir: string, ref: string): Promise<string | undefined> {
  if (ref.startsWith('-')) return undefined;
  const result = await runGit(repoDir, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], { okCodes: [1, 128] });
  return (result.code === 0 && result.stdout.toString('utf8').trim()) || undefined;
}

/** As `git checkout NAME` does for a branch only a remote has: every `<remote>/NAME` remote-tracking branch. */
async function remoteTrackingCandidates(repoDir: string, ref: string): Promise<{ name: string; oid: string }[]> {
  const remotes = (await runGit(repoDir, ['remote'], { okCodes: [1, 128] })).stdout.toString('utf8').split('\n').filter(Boolean);
  const found: { name: string; oid: string }[] = [];
  for (const remote of remotes) {
    const oid = await revParse(repoDir, `refs/remotes/${remote}/${ref}`);
    if (oid) found.push({ name: `${remote}/${ref}`, oid });
  }
  return found;
}
