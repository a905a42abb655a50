/**
 * Porting honesty: replays real backports between branches with the patch engine (`--3way`) and with
 * `git apply --3way`, and checks every result the engine calls a success.
 *
 *   node dist/scripts/porting.js --repo <flatcar-scripts git dir or checkout> [--branches 6]
 *     [--limit 300] [--path sdk_container/src/third_party/coreos-overlay] [--main main] [--fuzz 2]
 *
 * A backport is a non-merge commit on one of the newest `flatcar-NNNN` maintenance branches whose
 * subject equals that of exactly one commit on `main` since the branches diverged (automatic
 * `New version:` commits aside). The main commit's diff is applied to the backport's parent: by the
 * engine from an object-store tree, by git in a temporary index (`git apply --cached --3way`). A
 * success is right when every touched file equals the real backport commit's file, or else git's
 * successful result. Objects git writes go to a temporary object directory, never into the repository.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { applyPatchSet, gitBlobSource, GitObjectReader, GitRevisionTree, parsePatch, type FilePatch } from '../src/patch/index.js';
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

/** Backports on the newest `count` maintenance branches, matched to main commits by subject. */
async function findBackports(repo: string, main: string, count: number, path: string): Promise<Backport[]> {
  const branches = (await gitOut(repo, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/flatcar-*'))
    .split('\n')
    .filter((name) => /^flatcar-\d+$/.test(name))
    .sort((a, b) => Number(a.slice(8)) - Number(b.slice(8)))
    .slice(-count);
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

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      repo: { type: 'string' },
      branches: { type: 'string', default: '6' },
      limit: { type: 'string', default: '300' },
      path: { type: 'string', default: 'sdk_container/src/third_party/coreos-overlay' },
      main: { type: 'string', default: 'main' },
      fuzz: { type: 'string', default: '2' },
    },
  });
  if (!values.repo) throw new Error('usage: porting --repo <git dir or checkout> [--branches N] [--limit N] [--path P] [--main REF] [--fuzz N]');
  const repo = values.repo;
  const gitDir = (await gitOut(repo, 'rev-parse', '--absolute-git-dir')).trim();
  const scratch = await mkdtemp(join(tmpdir(), 'nano-overlay-porting-'));
  await mkdir(join(scratch, 'objects'));
  process.env.GIT_OBJECT_DIRECTORY = join(scratch, 'objects');
  process.env.GIT_ALTERNATE_OBJECT_DIRECTORIES = join(gitDir, 'objects');

  const backports = (await findBackports(repo, values.main, Number(values.branches), values.path)).slice(0, Number(values.limit));
  const reader = new GitObjectReader(repo);
  const blobs = await gitBlobSource(repo);
  const counts = { both: 0, oursOnly: 0, gitOnly: 0, neither: 0, oursWrong: 0, oursUnlikeBackport: 0, gitUnlikeBackport: 0 };
  try {
    for (const [index, port] of backports.entries()) {
      const label = `${port.branch} ${port.backport.slice(0, 12)} ${port.subject}`;
      const diff = await git(repo, ['diff', '--binary', '--full-index', '-M', '--ignore-submodules=all', `${port.original}^`, port.original, '--', values.path]);
      const patches = parsePatch(diff.stdout, `${port.original.slice(0, 12)}.diff`);
      if (!patches.length) continue;
      const paths = touchedPaths(patches);
      const parent = new GitRevisionTree(reader, `${port.backport}^`);
      const wanted = await filesOf(new GitRevisionTree(reader, port.backport), paths);

      const ours = await applyPatchSet(parent, patches, { threeWay: blobs, fuzz: Number(values.fuzz) });
      const oursFiles = await Promise.all(paths.map(async (path) => (ours.changes.has(path) ? ours.changes.get(path) : parent.read(path))));

      const env = { ...process.env, GIT_INDEX_FILE: join(scratch, `index-${index}`) };
      await git(repo, ['read-tree', `${port.backport}^`], { env });
      const applied = await git(repo, ['apply', '--cached', '--3way', '-'], { input: diff.stdout, env });
      const written = applied.code === 0 ? await git(repo, ['write-tree'], { env }) : undefined;
      const gitOk = written?.code === 0;
      const gitFiles = gitOk ? await filesOf(new GitRevisionTree(reader, written!.stdout.toString().trim()), paths) : undefined;

      if (ours.ok && gitOk) counts.both++;
      else if (ours.ok) counts.oursOnly++;
      else if (gitOk) counts.gitOnly++;
      else counts.neither++;
      if (gitFiles && !sameFiles(gitFiles, wanted)) counts.gitUnlikeBackport++;
      if (ours.ok && !sameFiles(oursFiles, wanted)) {
        counts.oursUnlikeBackport++;
        if (!gitFiles || !sameFiles(oursFiles, gitFiles)) {
          counts.oursWrong++;
          console.log(`WRONG    ${label}: our result matches neither the backport nor git`);
        }
      }
      if (ours.ok !== gitOk) {
        const failed = ours.files.filter((file) => file.hunks.some((hunk) => hunk.status === 'rejected' || hunk.status === 'conflict'));
        const why = ours.ok ? applied.stderr.split('\n').find((line) => line.startsWith('error:')) ?? 'git failed' : failed.map((file) => `${file.path}: ${file.message ?? 'rejected'}`).join('; ');
        console.log(`${ours.ok ? 'OURS' : 'GIT'} ONLY ${label}: ${why}`);
      }
    }
  } finally {
    reader.close();
    blobs.close();
    await rm(scratch, { recursive: true, force: true });
  }
  console.log(`\n${backports.length} backports replayed (newest ${values.branches} maintenance branches, subject-matched to ${values.main})`);
  console.log('| both ok | ours only | git only | neither | ours wrong |');
  console.log('| ---: | ---: | ---: | ---: | ---: |');
  console.log(`| ${counts.both} | ${counts.oursOnly} | ${counts.gitOnly} | ${counts.neither} | ${counts.oursWrong} |`);
  console.log(`successes differing from the real backport commit: ours ${counts.oursUnlikeBackport}, git ${counts.gitUnlikeBackport}`);
}

await main();
