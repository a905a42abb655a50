import { execFileSync } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeBase85Lines } from '../../src/patch/base85.js';
import { applyPatchSet, formatPatchBytes, parsePatch } from '../../src/patch/index.js';
import { pathBytes } from '../../src/patch/text.js';
import { EMPTY_TREE } from '../../src/tree/memory.js';
import { runPatch } from '../../src/workflow/patch.js';
import { GIT_ENV, snapshotDir, tempDir, tempRepo, writeFiles } from './helpers.js';

const FILES = { 'f.txt': 'one\ntwo\nthree\n' };
const modifyF = '@@ -1,3 +1,3 @@\n one\n-two\n+zwei\n three\n';

/** Runs the patch on a fresh copy of FILES; returns the outcome and whether the directory changed. */
async function attempt(patch: string | Buffer, files: Record<string, string> = FILES) {
  const dir = await tempDir();
  await writeFiles(dir, files);
  const before = await snapshotDir(dir);
  const outcome = await runPatch({ input: Buffer.from(patch), patchFile: 'hostile.patch', directory: dir });
  return { ...outcome, dir, changed: JSON.stringify(await snapshotDir(dir)) !== JSON.stringify(before) };
}

/** What `git apply` makes of the patch in a repository holding FILES: the files afterwards, or undefined if it refuses. */
async function gitApply(patch: string): Promise<Record<string, string> | undefined> {
  const repo = await tempRepo();
  await writeFiles(repo, FILES);
  await writeFile(join(repo, '.git', 'p.patch'), patch);
  try {
    execFileSync('git', ['apply', '.git/p.patch'], { cwd: repo, env: GIT_ENV, stdio: 'ignore' });
  } catch {
    return undefined;
  }
  const files: Record<string, string> = {};
  for (const name of (await readdir(repo)).filter((name) => name !== '.git')) files[name] = await readFile(join(repo, name), 'utf8');
  return files;
}

describe('no hunk is ever ignored', () => {
  it("applies a new file whose git diff has a '+++' line but no '---' line, as git does", async () => {
    const patch = 'diff --git a/new.txt b/new.txt\nnew file mode 100644\n+++ b/new.txt\n@@ -0,0 +1 @@\n+hello\n';
    const outcome = await attempt(patch);
    expect(outcome.exitCode).toBe(0);
    expect(await readFile(join(outcome.dir, 'new.txt'), 'utf8')).toBe('hello\n');
    expect((await gitApply(patch))?.['new.txt']).toBe('hello\n');
  });

  /** Patches whose hunks a parser could skip as prose, each with the line the refusal must name. */
  const refused: Record<string, [string, number]> = {
    "a modification with '+++' but no '---'": [`diff --git a/f.txt b/f.txt\n+++ b/f.txt\n${modifyF}`, 2],
    "a modification with '---' but no '+++'": [`diff --git a/f.txt b/f.txt\n--- a/f.txt\n${modifyF}`, 2],
    'a hunk after a blank line that ends the previous one': [`diff --git a/f.txt b/f.txt\n--- a/f.txt\n+++ b/f.txt\n${modifyF}\n@@ -1 +1 @@\n-x\n+y\n`, 10],
    'an unknown header line before the hunk': [`diff --git a/f.txt b/f.txt\nfrobnicate\n${modifyF}`, 2],
    'a git diff header cut short': ['diff --git a/f.txt b/f.txt\ndel', 2],
    "'---' and '+++' with garbage before the hunk": [`diff --git a/f.txt b/f.txt\n--- a/f.txt\n+++ b/f.txt\n+two\n${modifyF}`, 4],
    'a hunk with no file header at all': [`Subject: fix\n\n${modifyF}`, 3],
    'a hunk after a binary patch': [
      `diff --git a/b.bin b/b.bin\nindex 0000000..1111111\nGIT binary patch\nliteral 5\n${literal('hello')}\n${modifyF}`,
      7,
    ],
    'a combined diff of a merge': ['diff --cc f.txt\nindex 1..2\n--- a/f.txt\n+++ b/f.txt\n@@@ -1,1 -1,1 +1,1 @@@\n- one\n +uno\n', 1],
    "git header lines whose 'diff --git' line is missing": [` iff --git a/f.txt b/g.txt\nsimilarity index 90%\nrename from f.txt\nrename to g.txt\n--- a/f.txt\n+++ b/g.txt\n${modifyF}`, 2],
    "a hunk whose last line lacks its line feed (cut off)": [`diff --git a/f.txt b/f.txt\n--- a/f.txt\n+++ b/f.txt\n${modifyF.slice(0, -1)}`, 8],
    'a context diff': ['*** f.txt\n--- f.txt\n***************\n*** 1,3 ****\n--- 1,3 ----\n', 3],
  };
  for (const [name, [patch, line]] of Object.entries(refused)) {
    it(`refuses ${name}, naming line ${line}, and changes nothing`, async () => {
      const outcome = await attempt(patch);
      expect(outcome.exitCode).toBe(2);
      expect(outcome.output).toMatch(new RegExp(`^[^\\n]+ \\(hostile\\.patch:${line}\\)$`));
      expect(outcome.changed).toBe(false);
    });
  }
});

/** A `literal` section of a GIT binary patch holding `text`. */
function literal(text: string): string {
  return encodeBase85Lines(deflateSync(Buffer.from(text)));
}

describe('hunk line numbers', () => {
  it('rejects hunks that start far beyond the end of the file at once', async () => {
    for (const header of ['@@ -4294967296,3 +4294967296,3 @@', '@@ -4294967296,0 +4294967297,1 @@', '@@ -9007199254740991,1 +1,1 @@']) {
      const body = header.includes(',0 ') ? '+new\n' : header.includes(',1 ') ? '-one\n+uno\n' : ' one\n-two\n+zwei\n three\n';
      const outcome = await attempt(`diff --git a/f.txt b/f.txt\n--- a/f.txt\n+++ b/f.txt\n${header}\n${body}`);
      expect(outcome.exitCode).toBe(1);
      expect(outcome.output).toMatch(/beyond the end of the file/);
      expect(outcome.changed).toBe(false);
    }
  });

  it('refuses numbers too large to be exact', async () => {
    const outcome = await attempt(`diff --git a/f.txt b/f.txt\n--- a/f.txt\n+++ b/f.txt\n@@ -9007199254740993,3 +1,3 @@\n one\n-two\n+zwei\n three\n`);
    expect(outcome.exitCode).toBe(2);
    expect(outcome.output).toMatch(/^line number 9007199254740993 in the hunk header is too large \(hostile\.patch:4\)$/);
  });
});

describe('malformed headers give one line and exit 2', () => {
  const cases: Record<string, [string, number]> = {
    'a GIT binary patch cut off after its first line': ['diff --git a/b.bin b/b.bin\nindex 0000000..1111111\nGIT binary patch\n', 4],
    'a GIT binary patch cut off inside its data': [`diff --git a/b.bin b/b.bin\nindex 0000000..1111111\nGIT binary patch\nliteral 5\n${literal('hello')}`, 4],
    "'deleted file' with 'rename from' and no 'rename to'": ['diff --git a/f.txt b/g.txt\ndeleted file mode 100644\nrename from f.txt\n', 1],
    "'rename from' without 'rename to'": ['diff --git a/f.txt b/g.txt\nrename from f.txt\n', 1],
    'a file name component longer than the system allows': [`diff --git a/${'x'.repeat(300)} b/${'x'.repeat(300)}\nnew file mode 100644\n--- /dev/null\n+++ b/${'x'.repeat(300)}\n@@ -0,0 +1 @@\n+x\n`, 4],
    "'---' and '+++' naming another file than the diff --git line": [`diff --git a/f.txt b/f.txt\n--- a/g.txt\n+++ b/g.txt\n${modifyF}`, 2],
    "'+++' naming another file than 'rename to'": [`diff --git a/f.txt b/g.txt\nrename from f.txt\nrename to g.txt\n--- a/f.txt\n+++ b/h.txt\n${modifyF}`, 5],
    "a new file whose '---' line is not /dev/null": ['diff --git a/n.txt b/n.txt\nnew file mode 100644\n--- a/n.txt\n+++ b/n.txt\n@@ -0,0 +1 @@\n+x\n', 3],
    "a deleted file whose '+++' line is not /dev/null": ['diff --git a/f.txt b/f.txt\ndeleted file mode 100644\n--- a/f.txt\n+++ b/f.txt\n@@ -1,3 +0,0 @@\n-one\n-two\n-three\n', 4],
    "'--- /dev/null' without 'new file mode'": ['diff --git a/n.txt b/n.txt\n--- /dev/null\n+++ b/n.txt\n@@ -0,0 +1 @@\n+x\n', 2],
  };
  for (const [name, [patch, line]] of Object.entries(cases)) {
    it(`refuses ${name}`, async () => {
      const outcome = await attempt(patch);
      expect(outcome.exitCode).toBe(2);
      expect(outcome.output).toMatch(new RegExp(`^[^\\n]+ \\(hostile\\.patch:${line}\\)$`));
      expect(outcome.changed).toBe(false);
    });
  }

  it('refuses a directory that does not exist in one line', async () => {
    const outcome = await runPatch({ input: Buffer.from(`diff --git a/f.txt b/f.txt\n--- a/f.txt\n+++ b/f.txt\n${modifyF}`), directory: '/nonexistent/dir' });
    expect(outcome.exitCode).toBe(2);
    expect(outcome.output).toMatch(/^cannot apply the patch in this directory: ENOENT \(\/nonexistent\/dir\)$/);
  });
});

describe('file names as git writes them', () => {
  it('keeps bytes that are not UTF-8, from quoted octal escapes and from raw names alike', async () => {
    const quoted = parsePatch('diff --git "a/caf\\351.txt" "b/caf\\351.txt"\nnew file mode 100644\n--- /dev/null\n+++ "b/caf\\351.txt"\n@@ -0,0 +1 @@\n+x\n');
    const raw = parsePatch(Buffer.concat([Buffer.from('--- /dev/null\n+++ b/caf'), Buffer.of(0xe9), Buffer.from('.txt\n@@ -0,0 +1 @@\n+x\n')]));
    for (const [patch] of [quoted, raw]) {
      expect(patch!.newPath).not.toContain('\uFFFD');
      expect(pathBytes(patch!.newPath!)).toEqual(Buffer.from('caf\xe9.txt', 'latin1'));
    }
    expect(quoted[0]!.newPath).not.toBe(parsePatch('--- /dev/null\n+++ b/caf\xe8.txt\n@@ -0,0 +1 @@\n+x\n')[0]!.newPath);
    expect(formatPatchBytes(quoted).toString('latin1')).toContain('+++ "b/caf\\351.txt"');
    const { changes } = await applyPatchSet(EMPTY_TREE, quoted);
    expect([...changes.keys()].map((path) => pathBytes(path).toString('latin1'))).toEqual(['caf\xe9.txt']);
  });

  it('keeps valid UTF-8 names as they are', () => {
    const [patch] = parsePatch('diff --git "a/caf\\303\\251 \\342\\234\\223.txt" "b/caf\\303\\251 \\342\\234\\223.txt"\nnew file mode 100644\n');
    expect(patch!.newPath).toBe('café ✓.txt');
  });

  it('escapes control characters of the input in error messages', async () => {
    for (const patch of [
      `diff --git a/f.txt b/f.txt\n--- a/f.txt\n+++ b/f.txt\n@@ -1 +1 @@\x1b[2J\x07\n-one\n+uno\n`.replace('@@\x1b', '@@ \x1b').replace('@@ -1 +1 @@ ', '@@ -x +1 @@ '),
      `diff --git a/f.txt b/f.txt\n--- a/f.txt\n+++ b/f.txt\n@@ -1,2 +1,2 @@\n one\n\x1b]0;owned\x07\n`,
      `diff --git a/f.txt b/f.txt\n--- a/f\x1b[31m.txt\n+++ b/f\x1b[31m.txt\n${modifyF}`,
    ]) {
      const outcome = await attempt(patch);
      expect(outcome.exitCode).toBe(2);
      expect(outcome.output).not.toMatch(/[\x00-\x1f\x7f]/);
      expect(outcome.output).toMatch(/\\033/);
    }
  });
});
