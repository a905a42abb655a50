/**
 * Porting honesty: replays real backports between branches with the patch engine (`--3way`) and with
 * `git apply --3way`, and checks every result the engine calls a success.
 *
 *   node dist/scripts/porting.js --repo <flatcar-scripts git dir or checkout> [--branches 6]
 *     [--limit 300] [--forward 0] [--path sdk_container/src/third_party/coreos-overlay] [--main main] [--fuzz 2]
 *
 * A backport is a non-merge commit on one of the newest `flatcar-NNNN` maintenance branches whose
 * subject equals that of exactly one commit on `main` since the branches diverged (automatic
 * `New version:` commits aside). The main commit's diff is applied to the backport's parent: by the
 * engine from an object-store tree, by git in a temporary index (`git apply --cached --3way`). A
 * success is right when every touched file equals the real backport commit's file, or else git's
 * successful result. With `--forward N`, the N newest main commits that the oldest of those branches
 * lacks are also applied to its tip, where git's result is the only check. Objects git writes go to a
 * temporary object directory, never into the repository.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ObjectReader } from '../src/git/objects.js';
import { GitTree } from '../src/git/tree.js';
import { applyPatchSet, parsePatch, readerBlobSource, type BlobSource, type FilePatch } from '../src/patch/index.js';
import type { FileEntry, ReadableTree } from '../src/tree/types.js';

interface Backport {
  branch: string;
  original: string;
  backport: string;
  subject: string;
}

function git(repo: string, args: string[], options: { input?: Buffer; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile('git', args, { cwd: repo, encoding: 'buffer', maxBuffer: 1 << 30, env: options.env ?? process.env }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr: stderr.toString() });
    });
    child.stdin?.end(options.input);
  });
}

async function gitOut(repo: string, ...args: string[]): Promise<string> {
  const run = await git(repo, args);
  if (run.code) throw new Error(`git ${args.join(' ')}: ${run.stderr.trim()}`);
  return run.stdout.toString();
}

/** Commits (id and subject) in `range` touching `path`, newest first. */
async function commitsIn(repo: string, range: string, path: string): Promise<{ id: string; subject: string }[]> {
  const out = await gitOut(repo, 'log', '--no-merges', '--format=%H%x00%s', range, '--', path);
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [id, subject] = line.split('\0') as [string, string];
      return { id, subject };
    });
}

/** The newest `count` `flatcar-NNNN` maintenance branches, oldest first. */
async function maintenanceBranches(repo: string, count: number): Promise<string[]> {
  return (await gitOut(repo, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/flatcar-*'))
    .split('\n')
    .filter((name) => /^flatcar-\d+$/.test(name))
    .sort((a, b) => Number(a.slice(8)) - Number(b.slice(8)))
    .slice(-count);
}

/** Backports on the given maintenance branches, matched to main commits by subject. */
async function findBackports(repo: string, main: string, branches: readonly string[], path: string): Promise<Backport[]> {
  const backports: Backport[] = [];
  for (const branch of branches) {
    const base = (await gitOut(repo, 'merge-base', main, branch)).trim();
    const bySubject = new Map<string, string[]>();
    for (const commit of await commitsIn(repo, `${base}..${main}`, path)) bySubject.set(commit.subject, [...(bySubject.get(commit.subject) ?? []), commit.id]);
    for (const commit of await commitsIn(repo, `${base}..${branch}`, path)) {
      const originals = bySubject.get(commit.subject);
      if (originals?.length === 1 && !commit.subject.startsWith('New version:')) {
        backports.push({ branch, original: originals[0]!, backport: commit.id, subject: commit.subject });
      }
    }
  }
  return backports;
}

function touchedPaths(patches: readonly FilePatch[]): string[] {
  return [...new Set(patches.flatMap((patch) => [patch.oldPath, patch.newPath].filter((path): path is string => path !== null)))];
}

function sameEntry(a: FileEntry | null | undefined, b: FileEntry | null | undefined): boolean {
  if (!a || !b) return !a && !b;
  return a.mode === b.mode && a.data.equals(b.data);
}

/** A tree's files at the given paths. */
async function filesOf(tree: ReadableTree, paths: readonly string[]): Promise<(FileEntry | undefined)[]> {
  return Promise.all(paths.map((path) => tree.read(path)));
}

const sameFiles = (a: readonly (FileEntry | null | undefined)[], b: readonly (FileEntry | null | undefined)[]): boolean =>
  a.every((entry, index) => sameEntry(entry, b[index]));

/** One port to replay: a main commit's diff applied onto a revision, with the real result when there is one. */
interface Port {
  label: string;
  original: string;
  onto: string;
  /** The commit holding the real port of `original` onto `onto`. */
  expected?: string;
}

class Tally {
  both = 0;
  oursOnly = 0;
  gitOnly = 0;
  neither = 0;
  oursWrong = 0;
  oursUnlikeExpected = 0;
  gitUnlikeExpected = 0;
  replayed = 0;

  table(title: string): string {
    return [
      `\n${title}: ${this.replayed} replayed`,
      '| both ok | ours only | git only | neither | ours wrong |',
      '| ---: | ---: | ---: | ---: | ---: |',
      `| ${this.both} | ${this.oursOnly} | ${this.gitOnly} | ${this.neither} | ${this.oursWrong} |`,
    ].join('\n');
  }
}

/** Replays ports with the engine and with git, tallying outcomes and printing every disagreement. */
class Replayer {
  private indexes = 0;

  constructor(
    private readonly repo: string,
    private readonly path: string,
    private readonly fuzz: number,
    private readonly scratch: string,
    private readonly reader: ObjectReader,
    private readonly blobs: BlobSource,
  ) {}

  async replay(port: Port, tally: Tally): Promise<void> {
    const diff = await git(this.repo, ['diff', '--binary', '--full-index', '-M', '--ignore-submodules=all', `${port.original}^`, port.original, '--', this.path]);
    const patches = parsePatch(diff.stdout, `${port.original.slice(0, 12)}.diff`);
    if (!patches.length) return;
    tally.replayed++;
    const paths = touchedPaths(patches);
    const base = await GitTree.open(this.reader, port.onto);
    const wanted = port.expected ? await filesOf(await GitTree.open(this.reader, port.expected), paths) : undefined;

    const ours = await applyPatchSet(base, patches, { threeWay: this.blobs, fuzz: this.fuzz });
    const oursFiles = await Promise.all(paths.map(async (path) => (ours.changes.has(path) ? ours.changes.get(path) : base.read(path))));

    const env = { ...process.env, GIT_INDEX_FILE: join(this.scratch, `index-${this.indexes++}`) };
    await git(this.repo, ['read-tree', port.onto], { env });
    const applied = await git(this.repo, ['apply', '--cached', '--3way', '-'], { input: diff.stdout, env });
    const written = applied.code === 0 ? await git(this.repo, ['write-tree'], { env }) : undefined;
    const gitOk = written?.code === 0;
    const gitFiles = gitOk ? await filesOf(await GitTree.open(this.reader, written!.stdout.toString().trim()), paths) : undefined;

    if (ours.ok && gitOk) tally.both++;
    else if (ours.ok) tally.oursOnly++;
    else if (gitOk) tally.gitOnly++;
    else tally.neither++;
    if (wanted && gitFiles && !sameFiles(gitFiles, wanted)) tally.gitUnlikeExpected++;
    const rightByExpected = wanted !== undefined && sameFiles(oursFiles, wanted);
    if (ours.ok && wanted && !rightByExpected) tally.oursUnlikeExpected++;
    if (ours.ok && !rightByExpected && gitFiles && !sameFiles(oursFiles, gitFiles)) {
      tally.oursWrong++;
      console.log(`WRONG    ${port.label}: our result matches neither ${wanted ? 'the real port nor ' : ''}git's`);
    } else if (ours.ok && !rightByExpected && !gitFiles && wanted) {
      tally.oursWrong++;
      console.log(`WRONG    ${port.label}: our result differs from the real port and git failed`);
    }
    if (ours.ok !== gitOk) {
      const failed = ours.files.filter((file) => file.hunks.some((hunk) => hunk.status === 'rejected' || hunk.status === 'conflict'));
      const why = ours.ok
        ? (applied.stderr.split('\n').find((line) => line.startsWith('error:')) ?? 'git failed')
        : failed.map((file) => `${file.path}: ${file.message ?? 'rejected'}`).join('; ');
      console.log(`${ours.ok ? 'OURS' : 'GIT'} ONLY ${port.label}: ${why}`);
    }
  }
}

/** The newest `count` main commits touching `path` whose subjects the branch does not have, as ports onto the branch tip. */
async function forwardPorts(repo: string, main: string, branch: string, count: number, path: string): Promise<Port[]> {
  const base = (await gitOut(repo, 'merge-base', main, branch)).trim();
  const present = new Set((await commitsIn(repo, `${base}..${branch}`, path)).map((commit) => commit.subject));
  const tip = (await gitOut(repo, 'rev-parse', branch)).trim();
  return (await commitsIn(repo, `${base}..${main}`, path))
    .filter((commit) => !present.has(commit.subject) && !commit.subject.startsWith('New version:'))
    .slice(0, count)
    .map((commit) => ({ label: `${branch} <- ${commit.id.slice(0, 12)} ${commit.subject}`, original: commit.id, onto: tip }));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      repo: { type: 'string' },
      branches: { type: 'string', default: '6' },
      limit: { type: 'string', default: '300' },
      forward: { type: 'string', default: '0' },
      path: { type: 'string', default: 'sdk_container/src/third_party/coreos-overlay' },
      main: { type: 'string', default: 'main' },
      fuzz: { type: 'string', default: '2' },
    },
  });
  if (!values.repo) {
    throw new Error('usage: porting --repo <git dir or checkout> [--branches N] [--limit N] [--forward N] [--path P] [--main REF] [--fuzz N]');
  }
  const repo = values.repo;
  const gitDir = (await gitOut(repo, 'rev-parse', '--absolute-git-dir')).trim();
  const scratch = await mkdtemp(join(tmpdir(), 'nano-overlay-porting-'));
  await mkdir(join(scratch, 'objects'));
  process.env.GIT_OBJECT_DIRECTORY = join(scratch, 'objects');
  // The object reader drops GIT_OBJECT_DIRECTORY (it reads the repository's own objects), so it finds
  // the scratch objects (trees git writes while applying) through the alternates.
  process.env.GIT_ALTERNATE_OBJECT_DIRECTORIES = [join(gitDir, 'objects'), join(scratch, 'objects')].join(':');

  const branches = await maintenanceBranches(repo, Number(values.branches));
  const backports = (await findBackports(repo, values.main, branches, values.path)).slice(0, Number(values.limit));
  const forward = Number(values.forward) && branches.length ? await forwardPorts(repo, values.main, branches[0]!, Number(values.forward), values.path) : [];
  const reader = new ObjectReader(repo);
  const blobs = readerBlobSource(reader);
  const replayer = new Replayer(repo, values.path, Number(values.fuzz), scratch, reader, blobs);
  const backported = new Tally();
  const forwarded = new Tally();
  try {
    for (const port of backports) {
      await replayer.replay({ label: `${port.branch} ${port.backport.slice(0, 12)} ${port.subject}`, original: port.original, onto: `${port.backport}^`, expected: port.backport }, backported);
    }
    for (const port of forward) await replayer.replay(port, forwarded);
  } finally {
    await reader.close();
    await rm(scratch, { recursive: true, force: true });
  }
  console.log(backported.table(`Real backports (newest ${branches.length} maintenance branches, subject-matched to ${values.main})`));
  console.log(`successes differing from the real backport commit: ours ${backported.oursUnlikeExpected}, git ${backported.gitUnlikeExpected}`);
  if (forward.length) console.log(forwarded.table(`${values.main} commits missing from ${branches[0]}, applied to its tip (checked against git)`));
}

await main();
