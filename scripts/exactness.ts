/**
 * Exactness: replays recent commits of a repository with the patch engine and checks that every file
 * comes out byte for byte as the commit has it.
 *
 *   node dist/scripts/exactness.js --repo <flatcar-scripts git dir or checkout> [--count 300]
 *     [--path sdk_container/src/third_party/coreos-overlay] [--ref HEAD] [--history first-parent|all]
 *
 * For the `count` most recent non-merge commits of the first-parent history of `ref` (or of its whole
 * history) that touch `path`, `git diff --binary --full-index -M parent commit -- path` is applied
 * with applyPatchSet to the parent's tree, read straight from the object store, and each touched
 * path's mode and bytes are compared with the commit's tree. Submodule (gitlink) entries are not files
 * and are left out of the diff; commits that change nothing else are counted apart.
 */
import { execFile } from 'node:child_process';
import { parseArgs } from 'node:util';
import { ObjectReader } from '../src/git/objects.js';
import { GitTree } from '../src/git/tree.js';
import { applyPatchSet, parsePatch, type FilePatch } from '../src/patch/index.js';
import type { FileEntry, ReadableTree } from '../src/tree/types.js';

function git(repo: string, ...args: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd: repo, encoding: 'buffer', maxBuffer: 1 << 30 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`git ${args.join(' ')}: ${stderr.toString().trim() || error.message}`));
      else resolve(stdout);
    });
  });
}

/** Why `actual` is not `expected`, or undefined when they are the same file (or both absent). */
function difference(actual: FileEntry | null | undefined, expected: FileEntry | undefined): string | undefined {
  if (!actual && !expected) return undefined;
  if (!actual) return 'missing from the result';
  if (!expected) return 'should have been deleted';
  if (actual.mode !== expected.mode) return `mode ${actual.mode}, expected ${expected.mode}`;
  if (!actual.data.equals(expected.data)) return `content differs (${actual.data.length} bytes, expected ${expected.data.length})`;
  return undefined;
}

/** Every path a patch set names, on either side. */
function touchedPaths(patches: readonly FilePatch[]): Set<string> {
  return new Set(patches.flatMap((patch) => [patch.oldPath, patch.newPath].filter((path): path is string => path !== null)));
}

/** Replays one commit; returns the reasons it was not reproduced (none when it was), or undefined when it changes no file. */
async function replay(repo: string, reader: ObjectReader, commit: string, path: string): Promise<string[] | undefined> {
  const diff = await git(repo, 'diff', '--binary', '--full-index', '-M', '--ignore-submodules=all', `${commit}^`, commit, '--', path);
  const patches = parsePatch(diff, `${commit.slice(0, 12)}.diff`);
  if (!patches.length) return undefined;
  const parent: ReadableTree = await GitTree.open(reader, `${commit}^`);
  const expected = await GitTree.open(reader, commit);
  const result = await applyPatchSet(parent, patches);
  const problems = result.files.flatMap((file) =>
    file.hunks.filter((hunk) => hunk.status !== 'exact').map((hunk) => `${file.path}: hunk ${hunk.status}${hunk.message ? ` (${hunk.message})` : ''}`),
  );
  for (const touched of touchedPaths(patches)) {
    const actual = result.changes.has(touched) ? result.changes.get(touched) : await parent.read(touched);
    const why = difference(actual, await expected.read(touched));
    if (why) problems.push(`${touched}: ${why}`);
  }
  return problems;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      repo: { type: 'string' },
      count: { type: 'string', default: '300' },
      path: { type: 'string', default: 'sdk_container/src/third_party/coreos-overlay' },
      ref: { type: 'string', default: 'HEAD' },
      history: { type: 'string', default: 'first-parent' },
    },
  });
  if (!values.repo || !['first-parent', 'all'].includes(values.history)) {
    throw new Error('usage: exactness --repo <git dir or checkout> [--count N] [--path P] [--ref R] [--history first-parent|all]');
  }
  const repo = values.repo;
  const history = values.history === 'first-parent' ? ['--first-parent'] : [];
  const commits = (await git(repo, 'rev-list', ...history, '--no-merges', '-n', values.count, values.ref, '--', values.path))
    .toString()
    .split('\n')
    .filter(Boolean);
  const reader = new ObjectReader(repo);
  let reproduced = 0;
  let submodulesOnly = 0;
  const started = Date.now();
  try {
    for (const commit of commits) {
      let problems: string[] | undefined;
      try {
        problems = await replay(repo, reader, commit, values.path);
      } catch (error) {
        problems = [(error as Error).message];
      }
      if (!problems) {
        submodulesOnly++;
        continue;
      }
      if (!problems.length) {
        reproduced++;
        continue;
      }
      const subject = (await git(repo, 'log', '-1', '--format=%s', commit)).toString().trim();
      console.log(`FAIL ${commit.slice(0, 12)} ${subject}`);
      for (const problem of problems) console.log(`  ${problem}`);
    }
  } finally {
    await reader.close();
  }
  const replayed = commits.length - submodulesOnly;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`${reproduced}/${replayed} commits reproduced byte for byte (${seconds} s; ${submodulesOnly} more change only submodules and were not replayed)`);
  process.exitCode = reproduced === replayed ? 0 : 1;
}

await main();
