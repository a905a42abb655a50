import { InputError } from '../errors.js';
import type { ChangeSet, PathKind, ReadableTree } from './types.js';

/*
 * The one check every writer runs before it writes anything (a work tree, a git tree, a layer set):
 * the change set is laid over the tree it is written onto, and every path is looked at in the tree
 * *as the change set leaves it*, so a symlink placed earlier in the same set counts as much as one
 * already in the target.
 */

/** Why a path cannot be written. */
export type WriteProblemKind = 'through-link' | 'below-file' | 'over-directory' | 'git-directory' | 'bad-name';

/** One path the change set cannot write, and the path it clashes with. */
export interface WriteProblem {
  readonly kind: WriteProblemKind;
  /** The path the change set writes or deletes. */
  readonly path: string;
  /** The other path of the clash: the link or file above `path`, or a file below the directory `path`. */
  readonly other?: string;
  /** Whether `other` is itself written by the change set (rather than already in the tree). */
  readonly otherWritten?: boolean;
  readonly message: string;
}

/** What a path is in `tree`, without following symlinks: by the tree's own `kind` when it has one. */
export async function pathKind(tree: ReadableTree, path: string): Promise<PathKind> {
  if (tree.kind) return tree.kind(path);
  const entry = await tree.read(path);
  if (entry) return entry.mode === '120000' ? 'link' : 'file';
  return (await tree.list(path)).some((file) => file !== path) ? 'directory' : 'missing';
}

/**
 * Every path of `changes` that cannot be written onto `tree`: one that leads through a symlink or
 * a file (in the tree or written by the set and not deleted by it), a file or link written where a
 * directory with files stays, a path inside `.git`, and a name with a NUL byte or that leaves the
 * root. At most one problem per path; an empty list means the set can be written.
 */
export async function findWriteProblems(tree: ReadableTree, changes: ChangeSet): Promise<WriteProblem[]> {
  const problems: WriteProblem[] = [];
  const kinds = new Map<string, Promise<PathKind>>();
  const baseKind = (path: string): Promise<PathKind> => {
    let kind = kinds.get(path);
    if (!kind) kinds.set(path, (kind = pathKind(tree, path)));
    return kind;
  };
  for (const [path, entry] of changes) {
    const problem = nameProblem(path);
    if (problem) {
      problems.push(problem);
      continue;
    }
    const parts = path.split('/');
    let blocked: WriteProblem | undefined;
    // Below a missing path, or one the set deletes, the tree has nothing more to say.
    let inTree = true;
    for (let depth = 1; depth < parts.length && !blocked; depth++) {
      const dir = parts.slice(0, depth).join('/');
      // A deletion happens in the tree as it is; a write lands in the tree as the set leaves it.
      const written = entry === null ? undefined : changes.get(dir);
      if (written) blocked = clash(written.mode === '120000' ? 'through-link' : 'below-file', path, dir, true);
      else if (written === null) inTree = false;
      else if (inTree) {
        const kind = await baseKind(dir);
        if (kind === 'link' || kind === 'file') blocked = clash(kind === 'link' ? 'through-link' : 'below-file', path, dir, false);
        else if (kind === 'missing') inTree = false;
      }
    }
    if (!blocked && inTree && (await baseKind(path)) === 'directory') {
      const kept = (await tree.list(path)).filter((file) => file !== path && changes.get(file) !== null);
      if (kept.length > 0 || entry === null) blocked = clash('over-directory', path, kept[0] ?? path, false);
    }
    if (blocked) problems.push(blocked);
  }
  return problems;
}

/** Refuses, with an InputError naming the first problem, a change set that cannot be written onto `tree`. */
export async function assertWritable(tree: ReadableTree, changes: ChangeSet, where?: string): Promise<void> {
  const [problem] = await findWriteProblems(tree, changes);
  if (problem) throw new InputError(`${problem.message}; nothing was written${where ? ` to ${where}` : ''}`);
}

/** A name no writer writes: a NUL byte, not a normal relative path (empty, `.`, `..` or doubled slashes), or inside `.git`. */
function nameProblem(path: string): WriteProblem | undefined {
  const shown = escaped(path);
  if (path.includes('\0')) return { kind: 'bad-name', path, message: `refusing to write '${shown}': a file name cannot hold a NUL byte` };
  const parts = path.split('/');
  if (parts.some((part) => part === '' || part === '.' || part === '..')) {
    return { kind: 'bad-name', path, message: `refusing to write '${shown}': not a normal path inside the tree` };
  }
  if (parts.some((part) => part.length === 4 && part.toLowerCase() === '.git')) {
    return { kind: 'git-directory', path, message: `refusing to write '${shown}': it lies inside a .git directory` };
  }
  return undefined;
}

/** A path as messages show it: control characters and quotes escaped, so the one line stays one line. */
function escaped(path: string): string {
  return JSON.stringify(path).slice(1, -1);
}

function clash(kind: WriteProblemKind, path: string, other: string, otherWritten: boolean): WriteProblem {
  const [at, by] = [escaped(path), escaped(other)];
  const origin = otherWritten ? 'placed by the same changes' : 'already in the tree';
  const message =
    kind === 'through-link'
      ? `refusing to write '${at}': '${by}' is a symbolic link (${origin}); writing through it could leave the tree`
      : kind === 'below-file'
        ? `'${at}' clashes with the file '${by}' (${origin}): a path cannot be a file and a directory`
        : path === other
          ? `refusing to delete '${at}': it is a directory`
          : `'${at}' clashes with the directory holding '${by}': a path cannot be a file and a directory`;
  return { kind, path, other, otherWritten, message };
}
