import { InputError, locate } from '../errors.js';
import { resolveLinkTarget, treePath } from '../tree/paths.js';
import { PendingTree } from '../tree/pending.js';
import type { ChangeSet, FileEntry, FileMode, ReadableTree } from '../tree/types.js';
import { applyHunksToBytes } from './apply.js';
import { applyDelta } from './delta.js';
import { merge3 } from './merge3.js';
import { isNullOid, oidMatches } from './oid.js';
import { reversePatch } from './reverse.js';
import type { FilePatch, HunkResult } from './types.js';

/** Where a three-way merge finds the base blob that a patch's `index` line names (ids may be abbreviated). */
export interface BlobSource {
  readBlob(oid: string): Promise<Buffer | undefined>;
}

export interface ApplyPatchSetOptions {
  /** See ApplyHunksOptions.fuzz. Default 2. */
  fuzz?: number;
  /** Merge files whose hunks do not all apply cleanly three-way, with base blobs from here. */
  threeWay?: BlobSource;
  /** Apply the patches backwards (undo them), last first. */
  reverse?: boolean;
}

/**
 * How one file fared. `hunks` holds one result per hunk; a change without hunks (binary, mode change,
 * pure rename, empty file) or one refused as a whole has its outcome in one result per hunk or, with
 * no hunks, a single result.
 */
export interface FileResult {
  path: string;
  oldPath?: string;
  status: 'modified' | 'created' | 'deleted' | 'renamed' | 'copied' | 'mode';
  hunks: HunkResult[];
  message?: string;
}

export interface PatchSetResult {
  /** Every file applied (or was already applied), none rejected or in conflict. */
  ok: boolean;
  /** The changes to the tree: every applied file, merged files with their conflict markers included. */
  changes: ChangeSet;
  files: FileResult[];
}

/** Hunk statuses that leave a file unusable or unfinished. */
const FAILED: ReadonlySet<HunkResult['status']> = new Set(['rejected', 'conflict']);

/**
 * Applies a patch set to a tree without touching it: the result is a ChangeSet to write out. Every path
 * is checked first (no absolute paths, no `..` escapes, nothing in `.git`, nothing beyond a symlink)
 * and a bad one throws an InputError naming the patch line. Patches apply in order, so several
 * patches to one file chain; renames and copies read their source as it was before the set, as git
 * does. Creating an existing file (unless identical), or changing or deleting a missing one, rejects
 * that file. With `threeWay`, a file whose hunks need fuzz or fail is merged from the base blob
 * instead (`merged` or `conflict`); without a base blob it keeps its plain outcome.
 */
export async function applyPatchSet(tree: ReadableTree, patches: readonly FilePatch[], options: ApplyPatchSetOptions = {}): Promise<PatchSetResult> {
  const ordered = options.reverse ? [...patches].reverse().map(reversePatch) : [...patches];
  const checked = ordered.map(checkPaths);
  const original = new PrefetchedTree(tree, checked.flatMap((patch) => (patch.oldPath === null ? [] : [patch.oldPath])));
  await refuseBeyondSymlinks(original, checked);
  const application = new PatchSetApplication(original, checked, options);
  const files: FileResult[] = [];
  for (const patch of checked) files.push(await application.apply(patch));
  const ok = files.every((file) => file.hunks.every((hunk) => !FAILED.has(hunk.status)));
  return { ok, changes: application.pending.changes, files };
}

/** A patch whose paths were checked and normalised, with the place it came from. */
interface CheckedPatch extends FilePatch {
  where: string;
}

function checkPaths(patch: FilePatch): CheckedPatch {
  const where = locate(patch.source ?? '<patch>', patch.sourceLine);
  const check = (path: string | null): string | null => {
    if (path === null) return null;
    const normal = treePath(path, where);
    if (normal.split('/').some((part) => part.toLowerCase() === '.git')) throw new InputError(`path '${path}' lies inside .git`, where);
    return normal;
  };
  return { ...patch, oldPath: check(patch.oldPath), newPath: check(patch.newPath), where };
}

/** Paths a patch set moves away or deletes, which others in the set may therefore take. */
function vacatedPaths(patches: readonly CheckedPatch[]): Set<string> {
  return new Set(patches.filter((patch) => patch.isRename || patch.isDeleted).map((patch) => patch.oldPath!));
}

/**
 * A tree read once per path, the given paths all at once, so that reads from disk overlap. The tree
 * must not change while this is in use.
 */
class PrefetchedTree implements ReadableTree {
  private readonly reads = new Map<string, Promise<FileEntry | undefined>>();

  constructor(
    private readonly base: ReadableTree,
    paths: readonly string[],
  ) {
    for (const path of paths) void this.read(path).catch(() => undefined);
  }

  read(path: string): Promise<FileEntry | undefined> {
    let entry = this.reads.get(path);
    if (!entry) {
      entry = this.base.read(path);
      this.reads.set(path, entry);
    }
    return entry;
  }

  list(dir?: string): Promise<string[]> {
    return this.base.list(dir);
  }
}

/**
 * Refuses any path with a symlink among its parent directories: a path read by the set, below a
 * symlink of the tree; a path written, below a symlink of the tree that the set keeps or below one
 * the set creates. A path the tree has a file at has no file or symlink above it.
 */
async function refuseBeyondSymlinks(tree: ReadableTree, patches: CheckedPatch[]): Promise<void> {
  const createdLinks = new Set(patches.filter((patch) => patch.newMode === '120000' && patch.newPath).map((patch) => patch.newPath!));
  const vacated = vacatedPaths(patches);
  const links = new Map<string, Promise<FileEntry | undefined>>();
  const linkBefore = (dir: string): Promise<FileEntry | undefined> => {
    let link = links.get(dir);
    if (!link) {
      link = tree.read(dir).then((entry) => (entry?.mode === '120000' ? entry : undefined));
      links.set(dir, link);
    }
    return link;
  };
  for (const patch of patches) {
    for (const [path, written] of [[patch.oldPath, false], [patch.newPath, true]] as const) {
      if (path === null) continue;
      const exists = (await tree.read(path)) !== undefined;
      const parts = path.split('/');
      for (let depth = 1; depth < parts.length; depth++) {
        const dir = parts.slice(0, depth).join('/');
        const link = exists ? undefined : await linkBefore(dir);
        const blocked = written ? (link !== undefined && !vacated.has(dir)) || createdLinks.has(dir) : link !== undefined;
        if (!blocked) continue;
        const outside = link !== undefined && resolveLinkTarget(dir, link.data.toString('utf8')) === undefined;
        throw new InputError(`'${path}' is beyond the symbolic link '${dir}'${outside ? ', which leads outside the tree' : ''}`, patch.where);
      }
    }
  }
}

function describe(patch: FilePatch): FileResult['status'] {
  if (patch.isNew) return 'created';
  if (patch.isDeleted) return 'deleted';
  if (patch.isRename) return 'renamed';
  if (patch.isCopy) return 'copied';
  const modeOnly = !patch.hunks.length && !patch.binary && patch.oldMode !== patch.newMode;
  return modeOnly ? 'mode' : 'modified';
}

class PatchSetApplication {
  readonly pending: PendingTree;
  /** Paths this set wrote, which a later rename must not delete. */
  private readonly written = new Set<string>();
  /** Paths that this set moves away or deletes, which a creation or rename may therefore take. */
  private readonly vacated: Set<string>;

  constructor(
    private readonly original: ReadableTree,
    patches: CheckedPatch[],
    private readonly options: ApplyPatchSetOptions,
  ) {
    this.pending = new PendingTree(original);
    this.vacated = vacatedPaths(patches);
  }

  async apply(patch: CheckedPatch): Promise<FileResult> {
    const result: FileResult = { path: (patch.newPath ?? patch.oldPath)!, status: describe(patch), hunks: [] };
    if (patch.isRename || patch.isCopy) result.oldPath = patch.oldPath!;
    const reject = (message: string): FileResult => ({
      ...result,
      hunks: patch.hunks.length ? patch.hunks.map(() => ({ status: 'rejected', offset: 0, fuzz: 0, message })) : [{ status: 'rejected', offset: 0, fuzz: 0, message }],
      message,
    });

    const current = patch.isNew ? undefined : await this.preimage(patch);
    if (!patch.isNew && !current) return reject(`'${patch.oldPath}' does not exist`);
    if (current && patch.oldMode && (patch.oldMode === '120000') !== (current.mode === '120000')) {
      return reject(`'${patch.oldPath}' is ${current.mode === '120000' ? 'a symbolic link' : 'a regular file'}, the patch expects otherwise`);
    }
    if (patch.isNew || patch.isRename || patch.isCopy) {
      const refusal = await this.refuseTarget(patch);
      if (refusal === 'identical') return { ...result, hunks: this.alreadyApplied(patch), message: 'already applied' };
      if (refusal) return reject(refusal);
    }

    const outcome = await this.content(patch, current?.data ?? Buffer.alloc(0));
    if (typeof outcome === 'string') return reject(outcome);
    if (outcome.hunks.some((hunk) => hunk.status === 'rejected')) {
      return { ...result, hunks: outcome.hunks, message: outcome.message ?? 'some hunks do not apply' };
    }
    if (patch.isDeleted) {
      if (outcome.data.length) return reject(`'${patch.oldPath}' has content the patch does not remove`);
      this.pending.remove(patch.oldPath!);
    } else {
      this.pending.write(patch.newPath!, { mode: this.resultMode(patch, current), data: outcome.data });
      this.written.add(patch.newPath!);
      if (patch.isRename && !this.written.has(patch.oldPath!)) this.pending.remove(patch.oldPath!);
    }
    return { ...result, hunks: outcome.hunks, ...(outcome.message ? { message: outcome.message } : {}) };
  }

  /** The file a patch changes: renames and copies read it from before the set (git patches do not depend on order). */
  private async preimage(patch: CheckedPatch): Promise<FileEntry | undefined> {
    if (patch.isRename || patch.isCopy) return (await this.original.read(patch.oldPath!)) ?? (await this.pending.read(patch.oldPath!));
    return this.pending.read(patch.oldPath!);
  }

  /** Why the patch's new path cannot be taken, `identical` when a created file is already there as the patch makes it, or undefined. */
  private async refuseTarget(patch: CheckedPatch): Promise<string | undefined> {
    const path = patch.newPath!;
    const existing = await this.pending.read(path);
    if (existing) {
      if (this.vacated.has(path) && !this.written.has(path)) return undefined;
      if (patch.isNew && (await this.isCreatedAsPatched(patch, existing))) return 'identical';
      return `'${path}' already exists`;
    }
    const parts = path.split('/');
    for (let depth = 1; depth < parts.length; depth++) {
      const dir = parts.slice(0, depth).join('/');
      if ((await this.pending.read(dir)) && !this.vacated.has(dir)) return `'${dir}' is a file, so '${path}' cannot be created`;
    }
    if ((await this.pending.list(path)).some((below) => !this.vacated.has(below))) return `'${path}' is a directory`;
    return undefined;
  }

  private async isCreatedAsPatched(patch: CheckedPatch, existing: FileEntry): Promise<boolean> {
    if (existing.mode !== (patch.newMode ?? '100644')) return false;
    const created = await this.content(patch, Buffer.alloc(0));
    return typeof created !== 'string' && created.hunks.every((hunk) => hunk.status === 'exact') && created.data.equals(existing.data);
  }

  private alreadyApplied(patch: FilePatch): HunkResult[] {
    const count = Math.max(patch.hunks.length, 1);
    return Array.from({ length: count }, () => ({ status: 'already-applied', offset: 0, fuzz: 0 }));
  }

  private resultMode(patch: FilePatch, current: FileEntry | undefined): FileMode {
    if (!current) return patch.newMode ?? '100644';
    return patch.newMode && patch.oldMode !== patch.newMode ? patch.newMode : current.mode;
  }

  /** The new content, or why there is none. */
  private async content(patch: FilePatch, old: Buffer): Promise<{ data: Buffer; hunks: HunkResult[]; message?: string } | string> {
    if (patch.binary) return applyBinary(patch, old);
    if (!patch.hunks.length) return { data: old, hunks: [{ status: 'exact', offset: 0, fuzz: 0 }] };
    const applied = applyHunksToBytes(old, patch, { fuzz: this.options.fuzz ?? 2 });
    const unclean = applied.hunks.some((hunk) => hunk.status === 'rejected' || hunk.status === 'fuzz');
    if (!unclean || !this.options.threeWay || patch.isNew || patch.isDeleted) return applied;
    const merged = await this.mergeThreeWay(patch, old, applied.hunks, this.options.threeWay);
    if (typeof merged !== 'string') return merged;
    return { ...applied, message: `${merged}; no three-way merge` };
  }

  /** Merges the patch three-way from its base blob, or says why it cannot. */
  private async mergeThreeWay(
    patch: FilePatch,
    ours: Buffer,
    hunks: HunkResult[],
    blobs: BlobSource,
  ): Promise<{ data: Buffer; hunks: HunkResult[]; message?: string } | string> {
    if (isNullOid(patch.oldOid)) return 'the patch names no base blob';
    const base = await blobs.readBlob(patch.oldOid!);
    if (!base) return `base blob ${patch.oldOid} is not available`;
    const theirs = applyHunksToBytes(base, patch, { fuzz: 0 });
    if (theirs.hunks.some((hunk) => hunk.status !== 'exact')) return `the patch does not apply to its own base blob ${patch.oldOid}`;
    const merged = await merge3(ours, base, theirs.data);
    const status = merged.conflicts ? 'conflict' : 'merged';
    return {
      data: merged.data,
      hunks: hunks.map((hunk) => (hunk.status === 'rejected' || hunk.status === 'fuzz' ? { status, offset: 0, fuzz: 0 } : hunk)),
      ...(merged.conflicts ? { message: `${merged.conflicts} conflict(s) left with markers` } : {}),
    };
  }
}

/** Applies a `GIT binary patch`, checking the blob ids of the `index` line on both sides. */
function applyBinary(patch: FilePatch, old: Buffer): { data: Buffer; hunks: HunkResult[]; message?: string } | string {
  const forward = patch.binary!.forward;
  if (!isNullOid(patch.oldOid) && !oidMatches(patch.oldOid!, old)) {
    if (!isNullOid(patch.newOid) && oidMatches(patch.newOid!, old)) {
      return { data: old, hunks: [{ status: 'already-applied', offset: 0, fuzz: 0 }], message: 'already applied' };
    }
    return `content is not the blob ${patch.oldOid} the binary patch applies to`;
  }
  let data: Buffer;
  try {
    data = forward.method === 'literal' ? forward.data : applyDelta(old, forward.data);
  } catch (error) {
    return (error as Error).message;
  }
  if (!isNullOid(patch.newOid) && !oidMatches(patch.newOid!, data)) return `binary patch result is not the blob ${patch.newOid}`;
  return { data, hunks: [{ status: 'exact', offset: 0, fuzz: 0 }] };
}
