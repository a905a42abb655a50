/**
 * Patch benchmark: a generated series over hundreds of files applied by `git apply` (one process on
 * the whole series) and by the engine (parse, applyPatchSet over a DiskTree, writeChanges; in-process,
 * without process start), and by the built CLI when it has the `patch` command.
 *
 *   node dist/bench/patch.js [--files 400] [--hunks 5] [--runs 7]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { applyPatchSet, parsePatch } from '../src/patch/index.js';
import { DiskTree, writeChanges } from '../src/tree/disk.js';

export interface BenchOptions {
  files?: number;
  hunks?: number;
  runs?: number;
}

export interface BenchRow {
  name: string;
  /** Median wall-clock milliseconds. */
  ms: number;
  /** ms divided by git apply's. */
  ratio: number;
  /** Median CPU milliseconds (user and system), which depend less on the machine's load. */
  cpuMs: number;
  /** cpuMs divided by git apply's. */
  cpuRatio: number;
}

const GIT_ENV = { ...process.env, GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'bench@example.com', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'bench@example.com' };

function git(cwd: string, ...args: string[]): Buffer {
  return execFileSync('git', args, { cwd, env: GIT_ENV, maxBuffer: 1 << 30 });
}

/** A repository with `files` ebuild-like files, and one diff changing each in `hunks` places. */
async function generate(dir: string, files: number, hunks: number): Promise<Buffer> {
  git(dir, 'init', '-q', '-b', 'main');
  const lineCount = hunks * 30;
  const content = (file: number, changed: boolean): string =>
    Array.from({ length: lineCount }, (_, line) => {
      const edited = changed && line % 30 === 15;
      return `${edited ? 'CHANGED ' : ''}pkg${file} line ${line}: src_install() { emake DESTDIR="\${D}" install; }\n`;
    }).join('');
  for (let file = 0; file < files; file++) {
    const path = join(dir, `cat-${file % 20}`, `pkg${file}`, `pkg${file}-1.0.ebuild`);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content(file, false));
  }
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'base');
  git(dir, 'tag', 'base');
  for (let file = 0; file < files; file++) {
    await writeFile(join(dir, `cat-${file % 20}`, `pkg${file}`, `pkg${file}-1.0.ebuild`), content(file, true));
  }
  git(dir, 'commit', '-qam', 'change');
  git(dir, 'tag', 'changed');
  const patch = git(dir, 'diff', 'base', 'changed');
  git(dir, 'reset', '-q', '--hard', 'base');
  return patch;
}

/** A tool run: does its work and returns the CPU milliseconds it used (user and system, every thread). */
type Tool = () => Promise<number> | number;

/** Runs a command through bash and returns the CPU milliseconds its child processes used, from bash's `times`. */
function childCpu(dir: string, command: string[]): number {
  const script = `${command.map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(' ')} >/dev/null || exit 1; times`;
  const out = execFileSync('bash', ['-c', script], { cwd: dir, env: GIT_ENV, encoding: 'utf8' });
  const children = out.trim().split('\n').pop()!.split(' ');
  const ms = (text: string): number => {
    const match = /^(\d+)m([\d.]+)s$/.exec(text)!;
    return (Number(match[1]) * 60 + Number(match[2])) * 1000;
  };
  return ms(children[0]!) + ms(children[1]!);
}

/**
 * Median wall-clock and CPU milliseconds of each tool over `runs` rounds after a warm-up round; the
 * tools take turns within each round so that they share whatever load the machine has.
 */
async function timeInTurns(runs: number, reset: () => void, tools: Tool[]): Promise<{ wall: number; cpu: number }[]> {
  const samples = tools.map(() => ({ wall: [] as number[], cpu: [] as number[] }));
  for (let round = 0; round <= runs; round++) {
    for (const [index, tool] of tools.entries()) {
      reset();
      const start = performance.now();
      const cpu = await tool();
      if (round === 0) continue;
      samples[index]!.wall.push(performance.now() - start);
      samples[index]!.cpu.push(cpu);
    }
  }
  const median = (values: number[]): number => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  return samples.map(({ wall, cpu }) => ({ wall: median(wall), cpu: median(cpu) }));
}

/** Runs the benchmark and returns its rows and a Markdown table of them. */
export async function benchPatch(options: BenchOptions = {}): Promise<{ rows: BenchRow[]; table: string }> {
  const files = options.files ?? 400;
  const hunks = options.hunks ?? 5;
  const runs = options.runs ?? 7;
  const dir = await mkdtemp(join(tmpdir(), 'nano-overlay-bench-'));
  try {
    const patch = await generate(dir, files, hunks);
    const patchFile = join(dir, '..', `${dir.split('/').pop()}.patch`);
    await writeFile(patchFile, patch);
    const reset = (): void => void git(dir, 'reset', '-q', '--hard', 'base');
    const check = (name: string): void => {
      try {
        git(dir, 'diff', '--quiet', 'changed');
      } catch {
        throw new Error(`${name} did not produce the changed tree`);
      }
    };

    const engine = async (): Promise<number> => {
      const before = process.cpuUsage();
      const result = await applyPatchSet(new DiskTree(dir), parsePatch(await readFile(patchFile), patchFile));
      if (!result.ok) throw new Error('the engine rejected the generated patch');
      await writeChanges(dir, result.changes);
      const used = process.cpuUsage(before);
      return (used.user + used.system) / 1000;
    };
    const tools: { name: string; run: Tool }[] = [
      { name: 'git apply (one process)', run: () => childCpu(dir, ['git', 'apply', patchFile]) },
      { name: 'engine in-process (parse + apply + write)', run: engine },
    ];
    const cli = resolve(dirname(fileURLToPath(import.meta.url)), '../src/cli.js');
    if (existsSync(cli) && spawnSync('node', [cli, 'patch', '--help'], { encoding: 'utf8' }).stdout.includes('--3way')) {
      tools.push({ name: 'nano-overlay patch (CLI process)', run: () => childCpu(dir, ['node', cli, 'patch', patchFile, '--directory', dir]) });
    }
    for (const tool of tools) {
      reset();
      await tool.run();
      check(tool.name);
    }
    const times = await timeInTurns(runs, reset, tools.map((tool) => tool.run));
    const measured = tools.map((tool, index) => ({ name: tool.name, ...times[index]! }));
    await rm(patchFile);
    const git0 = measured[0]!;
    const rows = measured.map(({ name, wall, cpu }) => ({ name, ms: wall, ratio: wall / git0.wall, cpuMs: cpu, cpuRatio: cpu / git0.cpu }));
    const table = [
      `${files} files, ${hunks} hunks each (${files * hunks} hunks, ${(patch.length / 1024).toFixed(0)} KiB of patch), median of ${runs} runs, load average ${loadavg()[0]!.toFixed(1)}`,
      '| tool | wall ms | × git apply | CPU ms | × git apply |',
      '| --- | ---: | ---: | ---: | ---: |',
      ...rows.map((row) => `| ${row.name} | ${row.ms.toFixed(1)} | ${row.ratio.toFixed(2)} | ${row.cpuMs.toFixed(1)} | ${row.cpuRatio.toFixed(2)} |`),
    ].join('\n');
    return { rows, table };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { files: { type: 'string' }, hunks: { type: 'string' }, runs: { type: 'string' } } });
  const { table } = await benchPatch({
    ...(values.files ? { files: Number(values.files) } : {}),
    ...(values.hunks ? { hunks: Number(values.hunks) } : {}),
    ...(values.runs ? { runs: Number(values.runs) } : {}),
  });
  console.log(table);
}
