import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, posix, resolve } from 'node:path';
import { Document, Scalar } from 'yaml';
import { iuseDefaults, scanEbuild } from '../checks/ebuild-scan.js';
import type { StructuredEdit } from '../edits/index.js';
import { InputError } from '../errors.js';
import { runGit } from '../git/run.js';
import { resolveRef } from '../git/tree.js';
import { SERIES_FILE, VALUES_FILE } from '../layers/load.js';
import type { FlagSpec } from '../layers/manifest.js';
import { isLayerName } from '../layers/series.js';
import { createFilePatches, formatPatch, type FilePatch } from '../patch/index.js';
import { splitLines } from '../patch/text.js';
import { isWithin } from '../tree/paths.js';
import type { FileEntry, ReadableTree } from '../tree/types.js';
import { locateUpstream, openRootTrees, type Upstream } from '../upstream/locate.js';
import { applyOps, changeChunks, explainChunk, type ChangeOp } from './change-ops.js';
import { LayerSetWriter } from './layer-writer.js';

/** How changed files are grouped into layers. */
export type ImportGrouping = 'package' | 'file' | 'commit';

export interface ImportRequest {
  readonly upstream: string;
  /** The branch (or any revision) holding the changes. */
  readonly from: string;
  /** The revision the changes are taken against; default: the merge-base of `from` with main. */
  readonly base?: string;
  readonly into?: string;
  readonly group?: ImportGrouping;
  /** Replace an existing layer set. */
  readonly force?: boolean;
  /** Limit the import to these paths (relative to the repository root), as git pathspecs. */
  readonly pathspecs?: readonly string[];
}

/** One imported layer. */
export interface ImportedLayer {
  readonly name: string;
  readonly root: 'overlay' | 'scripts';
  readonly patched: readonly string[];
  readonly edited: readonly string[];
  readonly placed: readonly string[];
}

export interface ImportReport {
  readonly base: string;
  readonly from: { readonly ref: string; readonly commit: string };
  readonly into: string;
  readonly layers: readonly ImportedLayer[];
  readonly notes: readonly string[];
}

/** A changed file: its path in the repository, the layer root and path there, and what touched it. */
interface Change {
  readonly repoPath: string;
  readonly root: 'overlay' | 'scripts';
  readonly path: string;
  readonly commits: readonly Commit[];
}

interface Commit {
  readonly oid: string;
  readonly message: string;
}

/**
 * Turns the changes of `from` against its base into a layer set: new files (symlinks included) as
 * overlay files, changed files as patches with full `index` lines (so three-way merges work later),
 * or as structured edits when they explain the file's whole change (checked by redoing them on the
 * base file); one layer per package (or per file, or per commit), changes outside the overlay in a
 * layer with `root: scripts`; packages whose whole change one commit made together (not a
 * placeholder such as "WIP …") share a layer, as that commit's concern. Every layer records the base
 * commit and the USE flags the branch added to IUSE (with the branch's defaults, for validate to
 * judge); its summary and description come from the first commit that touched its files and says
 * what it does, else from the change itself. A `values.yaml` naming the stock profiles is written
 * when there is none.
 */
export async function importBranch(request: ImportRequest): Promise<ImportReport> {
  const into = resolve(request.into ?? '.');
  const upstream = await locateUpstream(request.upstream, request.from);
  try {
    const base = request.base ? await resolveRef(upstream.repoDir, request.base) : await mergeBase(upstream);
    const replaced = await refuseExisting(into, request.force ?? false);
    const pathspecs = request.pathspecs ?? [];
    const { byFile, order } = await commitsByFile(upstream, base, pathspecs);
    const changes = (await changedPaths(upstream, base, pathspecs)).map((repoPath) => locateChange(upstream, repoPath, byFile.get(repoPath) ?? []));
    const categories = await readCategories(upstream, base);
    const groups = groupChanges(changes, request.group ?? 'package', categories, order);
    const origin = { ref: request.from, commit: upstream.commit };

    const writer = LayerSetWriter.deferred(into);
    // The old layer set goes in the same transaction as the new one: a failure or a kill keeps it whole.
    for (const path of replaced) await writer.remove(path);
    const baseTrees = await openRootTrees(upstream, base);
    const fromTrees = await openRootTrees(upstream);
    const layers: ImportedLayer[] = [];
    const notes: string[] = [];
    for (const group of groups) {
      layers.push(await writeLayer(writer, group, base, baseTrees[group.root]!, fromTrees[group.root]!, origin));
      if (group.root === 'scripts') {
        notes.push(`layer '${group.name}' holds ${group.changes.length} change(s) outside coreos-overlay (root: scripts): ${group.changes.map((change) => change.path).join(', ')}`);
      }
    }
    await writer.writeText(SERIES_FILE, `# Imported from ${request.from} against ${base}, in application order.\n${groups.map((group) => group.name).join('\n')}\n`);
    if ((await readFile(join(into, VALUES_FILE), 'utf8').catch(() => undefined)) === undefined) await writer.writeText(VALUES_FILE, IMPORTED_VALUES);
    await writer.flush();
    return { base, from: { ref: request.from, commit: upstream.commit }, into, layers, notes };
  } finally {
    await upstream.close();
  }
}

async function mergeBase(upstream: Upstream): Promise<string> {
  const main = await resolveRef(upstream.repoDir, 'main').catch(() => {
    throw new InputError(`no branch 'main' in ${upstream.repoDir} to find the merge-base with; give --base REV`);
  });
  const result = await runGit(upstream.repoDir, ['merge-base', main, upstream.commit], { okCodes: [1] });
  const oid = result.stdout.toString('utf8').trim();
  if (result.code !== 0 || !oid) throw new InputError(`'${upstream.ref}' shares no history with main; give --base REV`);
  return oid;
}

/**
 * Refuses a directory that already holds a layer set unless `force`; with `force`, returns the
 * files (links included, never followed) under its `patches/` and `overlay/` for the import to remove.
 */
async function refuseExisting(into: string, force: boolean): Promise<string[]> {
  const series = await readFile(join(into, SERIES_FILE), 'utf8').catch(() => undefined);
  const named = series?.split('\n').some((line) => line.replace(/#.*$/, '').trim() !== '') ?? false;
  const existing = named || (await lstat(join(into, 'overlay')).catch(() => undefined)) !== undefined;
  if (!existing) return [];
  if (!force) throw new InputError(`${into} already holds a layer set; use --force to replace it`);
  const files: string[] = [];
  const walk = async (path: string): Promise<void> => {
    const stats = await lstat(join(into, path)).catch(() => undefined);
    if (!stats?.isDirectory()) {
      if (stats) files.push(path);
      return;
    }
    for (const name of await readdir(join(into, path))) await walk(`${path}/${name}`);
  };
  await walk('patches');
  await walk('overlay');
  return files;
}

/** The files that differ between `base` and the imported commit, as repository paths. */
async function changedPaths(upstream: Upstream, base: string, pathspecs: readonly string[]): Promise<string[]> {
  const { stdout } = await runGit(upstream.repoDir, ['diff', '--name-only', '-z', '--no-renames', base, upstream.commit, '--', ...pathspecs]);
  return stdout.toString('utf8').split('\0').filter(Boolean).sort();
}

/** The non-merge commits from `base` to the imported commit, oldest first: in `order`, and for each file they touched. */
async function commitsByFile(upstream: Upstream, base: string, pathspecs: readonly string[]): Promise<{ byFile: Map<string, Commit[]>; order: string[] }> {
  const { stdout } = await runGit(upstream.repoDir, ['log', '--reverse', '--no-merges', '--no-renames', '--format=%x01%H%x02%B%x03', '--name-only', '-z', `${base}..${upstream.commit}`, '--', ...pathspecs]);
  const byFile = new Map<string, Commit[]>();
  const order: string[] = [];
  for (const record of stdout.toString('utf8').split('\x01').slice(1)) {
    const [oid = '', rest = ''] = record.split('\x02');
    const [message = '', names = ''] = rest.split('\x03');
    const commit = { oid, message: message.trim() };
    order.push(oid);
    for (const name of names.split(/[\0\n]/).filter(Boolean)) byFile.set(name, [...(byFile.get(name) ?? []), commit]);
  }
  return { byFile, order };
}

function locateChange(upstream: Upstream, repoPath: string, commits: readonly Commit[]): Change {
  const prefix = upstream.overlayPrefix;
  if (prefix === '' || isWithin(repoPath, prefix)) return { repoPath, root: 'overlay', path: prefix ? repoPath.slice(prefix.length + 1) : repoPath, commits };
  return { repoPath, root: 'scripts', path: repoPath, commits };
}

async function readCategories(upstream: Upstream, base: string): Promise<Set<string>> {
  const entry = await (await upstream.openTree('overlay', base)).read('profiles/categories');
  return new Set((entry?.data.toString('utf8') ?? '').split('\n').map((line) => line.trim()).filter(Boolean));
}

interface Group {
  readonly name: string;
  readonly key: string;
  /** Put in front of the first commit's subject in the summary (the package, profile or file); none for commit groups. */
  readonly topic: string | undefined;
  readonly root: 'overlay' | 'scripts';
  readonly changes: Change[];
}

/**
 * Groups changes into layers: by package (a category is listed in profiles/categories, which may
 * leave out the master's, or is Gentoo-shaped: `virtual` or a name with a dash), by profile or other
 * directory, by file or by first commit; everything outside the overlay goes to one scripts layer.
 */
function groupChanges(changes: readonly Change[], grouping: ImportGrouping, categories: ReadonlySet<string>, commitOrder: readonly string[]): Group[] {
  const byKey = new Map<string, Group>();
  const names = new Set<string>();
  for (const change of changes) {
    const key = change.root === 'scripts' ? 'scripts' : groupKey(change, grouping, categories, commitOrder);
    let group = byKey.get(`${change.root}:${key}`);
    if (!group) {
      group = { name: uniqueName(layerName(key), names), key, topic: grouping === 'commit' && change.root === 'overlay' ? undefined : key, root: change.root, changes: [] };
      byKey.set(`${change.root}:${key}`, group);
    }
    group.changes.push(change);
  }
  const groups = grouping === 'package' ? byConcern([...byKey.values()], names) : [...byKey.values()];
  return groups.sort((a, b) => (a.root === b.root ? a.key.localeCompare(b.key) : a.root === 'overlay' ? -1 : 1));
}

/**
 * Joins overlay groups whose files were all changed by the same commits, none a placeholder: such
 * a commit made one change across packages (a flag for several packages, a package with its
 * profile line), and its layer keeps them together, named after the commit.
 */
function byConcern(groups: Group[], names: Set<string>): Group[] {
  const joined = new Map<string, Group>();
  const merged = new Set<Group>();
  const out: Group[] = [];
  for (const group of groups) {
    const commits = [...new Set(group.changes.flatMap((change) => change.commits.map((commit) => commit.oid)))].sort().join(' ');
    const meaningful = group.root === 'overlay' && commits !== '' && group.changes.every((change) => change.commits.length > 0 && change.commits.every((commit) => !isPlaceholder(commit.message)));
    const same = meaningful ? joined.get(commits) : undefined;
    if (same) {
      same.changes.push(...group.changes);
      merged.add(same);
      continue;
    }
    if (meaningful) joined.set(commits, group);
    out.push(group);
  }
  return out.map((group) => {
    if (!merged.has(group)) return group;
    names.delete(group.name);
    const subject = group.changes[0]!.commits[0]!.message.split('\n')[0]!;
    return { ...group, name: uniqueName(layerName(subject), names), topic: undefined };
  });
}

const PLACEHOLDER_SUBJECT = /^(wip\b|fixup!|squash!|amend!|tmp\b|temp\b|todo\b|xxx\b)/i;

/** A commit whose subject says it is a placeholder ("WIP commit (will change / force-pushed)", "fixup! …"). */
function isPlaceholder(message: string): boolean {
  return PLACEHOLDER_SUBJECT.test(message.split('\n')[0]!.trim());
}

const IMPORTED_VALUES = `# Shared values for every template of the layer set.
# The profiles stock builds read; add the Nano profiles under nano once a layer creates them
# (nano-overlay conditionalize moves stock profile lines there).
profiles:
  stock:
    - coreos/amd64/generic/prod
    - coreos/arm64/generic/prod
  nano: []
`;

function groupKey(change: Change, grouping: ImportGrouping, categories: ReadonlySet<string>, commitOrder: readonly string[]): string {
  if (grouping === 'file') return change.path;
  if (grouping === 'commit') {
    const first = change.commits[0];
    return first ? `${String(commitOrder.indexOf(first.oid) + 1).padStart(2, '0')}-${first.message.split('\n')[0]}` : 'uncommitted';
  }
  const parts = change.path.split('/');
  const category = parts[0]!;
  const isCategory = categories.has(category) || category === 'virtual' || (category.includes('-') && category !== 'profiles');
  if (parts.length >= 3 && isCategory) return `${category}/${parts[1]}`;
  return parts.length > 1 ? posix.dirname(change.path) : change.path;
}

function layerName(key: string): string {
  const name = key.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '').replace(/-+$/, '').slice(0, 60);
  return isLayerName(name) ? name : 'layer';
}

function uniqueName(name: string, taken: Set<string>): string {
  let unique = name;
  for (let count = 2; taken.has(unique); count++) unique = `${name}-${count}`;
  taken.add(unique);
  return unique;
}

/** Writes one layer: overlay files for new files, structured edits where they explain a file's whole change, a patch for the rest, and the manifest. */
async function writeLayer(writer: LayerSetWriter, group: Group, base: string, baseTree: ReadableTree, fromTree: ReadableTree, origin: ImportReport['from']): Promise<ImportedLayer> {
  const patches: FilePatch[] = [];
  const edits: { file: string; edit: StructuredEdit }[] = [];
  const placed: string[] = [];
  const edited: string[] = [];
  const flags = new Map<string, FlagSpec>();
  for (const change of group.changes) {
    const before = await baseTree.read(change.path);
    const after = await fromTree.read(change.path);
    if (group.root === 'overlay' && before && after && change.path.endsWith('.ebuild')) {
      const pkg = change.path.split('/').slice(0, 2).join('/');
      for (const [name, on] of await addedIuse(before, after, change.path)) {
        const known = flags.get(name);
        flags.set(name, { name, default: on ? 'on' : 'off', description: '', packages: [...new Set([...(known?.packages ?? []), pkg])] });
      }
    }
    if (!before && after && !change.path.endsWith('.hbs')) {
      await writer.write(`overlay/${group.name}/${change.path}`, after);
      placed.push(change.path);
      continue;
    }
    const explained = before && after ? explainFile(change.path, before, after) : undefined;
    if (explained) {
      edits.push(...explained.map((edit) => ({ file: change.path, edit })));
      edited.push(change.path);
    } else {
      patches.push(...createFilePatches(change.path, change.path, before, after));
    }
  }
  const patchFile = `${group.name}.patch`;
  if (patches.length > 0) await writer.writeText(`patches/${group.name}/${patchFile}`, formatPatch(patches));
  const summary = { flags: [...flags.keys()], placed, changed: group.changes.filter((change) => !placed.includes(change.path)).map((change) => change.path) };
  await writer.writeText(`patches/${group.name}/layer.yaml`, manifestText(group, base, edits, flags, { ...summary, origin }));
  return { name: group.name, root: group.root, patched: patches.map((patch) => (patch.newPath ?? patch.oldPath)!), edited, placed };
}

/** The flags the branch's ebuild declares in IUSE that the base's did not, with the branch's defaults. */
async function addedIuse(before: FileEntry, after: FileEntry, path: string): Promise<Map<string, boolean>> {
  const read = async (entry: FileEntry) => iuseDefaults((await scanEbuild(entry.data.toString('utf8'), path).catch(() => ({ iuse: [] }))).iuse);
  const [old, now] = await Promise.all([read(before), read(after)]);
  return new Map([...now].filter(([flag]) => !old.has(flag)));
}

/** What a layer's change does, when no commit says it: the flags it adds, or the files it adds or changes. */
interface ChangeSummary {
  readonly flags: readonly string[];
  readonly placed: readonly string[];
  readonly changed: readonly string[];
  readonly origin: ImportReport['from'];
}

function describedChange(summary: ChangeSummary): string {
  const names = (paths: readonly string[]) => {
    const bases = [...new Set(paths.map((path) => posix.basename(path)))];
    return bases.length > 3 ? `${bases.slice(0, 3).join(', ')} and ${bases.length - 3} more` : bases.join(', ');
  };
  const parts: string[] = [];
  if (summary.flags.length > 0) parts.push(`add USE flag${summary.flags.length > 1 ? 's' : ''} ${summary.flags.join(', ')}`);
  if (summary.placed.length > 0) parts.push(`add ${names(summary.placed)}`);
  if (summary.flags.length === 0 && summary.changed.length > 0) parts.push(`change ${names(summary.changed)}`);
  return parts.join('; ') || 'imported change';
}

/**
 * The structured edits that turn `before` into `after` exactly, or undefined: every changed region
 * must be recognised as edits (not package.use flag changes, which have no edit), and redoing the
 * edits on `before` must give `after` byte for byte.
 */
function explainFile(path: string, before: FileEntry, after: FileEntry): StructuredEdit[] | undefined {
  if (before.mode !== after.mode || before.mode === '120000') return undefined;
  const oldText = before.data.toString('utf8');
  const newText = after.data.toString('utf8');
  const lines = splitLines(oldText);
  const ops: ChangeOp[] = [];
  for (const chunk of changeChunks(oldText, newText)) {
    const explained = explainChunk(path, chunk, lines);
    if (!explained || explained.some((op) => op.kind !== 'edit')) return undefined;
    ops.push(...explained);
  }
  if (ops.length === 0 || applyOps(oldText, ops, path) !== newText) return undefined;
  return ops.map((op) => (op as Extract<ChangeOp, { kind: 'edit' }>).edit);
}

/**
 * The manifest: summary and description from the group's commits that say what they do (the first
 * one's subject after the group's topic), else described from the change; base, root, the flags
 * the branch added (from IUSE and iuse-add edits) and the edits.
 */
function manifestText(group: Group, base: string, edits: readonly { file: string; edit: StructuredEdit }[], detected: ReadonlyMap<string, FlagSpec>, summary: ChangeSummary): string {
  const commits = [...new Map(group.changes.flatMap((change) => change.commits).map((commit) => [commit.oid, commit])).values()];
  const meaningful = commits.filter((commit) => !isPlaceholder(commit.message));
  const described = describedChange(summary);
  const subject = meaningful[0]?.message.split('\n')[0] ?? described;
  const title = group.topic === undefined || subject.startsWith(`${group.topic}:`) ? subject : `${group.topic}: ${subject}`;
  const placeholders = commits.filter((commit) => isPlaceholder(commit.message)).map((commit) => `${commit.oid.slice(0, 12)} ("${commit.message.split('\n')[0]}")`);
  const description = [
    ...meaningful.map((commit) => commit.message),
    ...(meaningful.length === 0 ? [`${described[0]!.toUpperCase()}${described.slice(1)}: imported from ${summary.origin.ref} (${summary.origin.commit.slice(0, 12)}).`] : []),
    ...(placeholders.length > 0 ? [`Part of ${placeholders.join(', ')}, which says no more; write here what the change does and why.`] : []),
  ].join('\n\n') || title;
  const flags = new Map(detected);
  for (const { file, edit } of edits) {
    if (edit.type !== 'iuse-add') continue;
    const pkg = file.split('/').slice(0, 2).join('/');
    const known = flags.get(edit.flag);
    flags.set(edit.flag, { name: edit.flag, default: edit.default, description: '', packages: [...new Set([...(known?.packages ?? []), pkg])] });
  }
  const doc = new Document({
    summary: title.replace(/\s+/g, ' ').trim(),
    description: new Scalar(`${description.trimEnd()}\n`),
    base,
    ...(group.root === 'scripts' ? { root: 'scripts' } : {}),
    ...(flags.size > 0 ? { flags: [...flags.values()].map(({ name, default: stock, packages }) => ({ name, default: stock, packages })) } : {}),
    ...(edits.length > 0 ? { edits: edits.map(({ file, edit }) => ({ file, ...edit })) } : {}),
  });
  const node = doc.get('description', true) as Scalar;
  node.type = Scalar.BLOCK_LITERAL;
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}
