/**
 * A file tree is what patches and layers read from and write to: a directory on disk, a git tree at
 * some revision, or either of those with pending changes on top. Paths are POSIX, relative to the
 * tree's root, with no leading `./` or `/`.
 */

/** Git's file modes, which are the only ones an overlay can hold. */
export type FileMode = '100644' | '100755' | '120000';

/** One file: its bytes (for a symlink, the link target) and its mode. */
export interface FileEntry {
  readonly mode: FileMode;
  readonly data: Buffer;
}

/** What a path is in a tree: a regular file, a symlink, a directory holding files, or nothing. */
export type PathKind = 'file' | 'link' | 'directory' | 'missing';

/** Read access to a tree. */
export interface ReadableTree {
  /** The file at `path`, or undefined when there is none. Symlinks are returned as links, not followed. */
  read(path: string): Promise<FileEntry | undefined>;
  /** Every file path in the tree below `dir` (the whole tree when omitted), sorted. */
  list(dir?: string): Promise<string[]>;
  /** What `path` is, without following symlinks (trees that can tell cheaply; see pathKind). */
  kind?(path: string): Promise<PathKind>;
}

/** The trees layers apply to, by layer root: the overlay and, in a flatcar/scripts repository, the repository root. */
export interface RootTrees<T extends ReadableTree = ReadableTree> {
  readonly overlay: T;
  readonly scripts?: T;
}

/** A set of changes to a tree: a path mapped to its new entry, or to null when it is deleted. */
export type ChangeSet = Map<string, FileEntry | null>;
