/**
 * Whole-process benchmark: the built CLI's `--help`, `patch` on a one-file patch and, with
 * FLATCAR_SCRIPTS set, `validate` of the bundled layers against its main (first with an empty cache,
 * then again with the cache the first run left), each taking turns with its floor in the same run:
 * `node -e 0` for the first two, `git rev-parse HEAD` for validate. Prints median wall-clock times
 * and the ratios.
 *
 *   node dist/bench/startup.js [--runs 9]
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'dist', 'src', 'cli.js');

/** One measured ratio: what, its time, its floor's, in milliseconds. */
export interface StartupRatio {
  readonly name: string;
  readonly floor: string;
  readonly ms: number;
  readonly floorMs: number;
}

/** Runs a command to completion and returns its wall-clock milliseconds; fails when it exits with an unexpected status. */
function runMs(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; status?: number } = {}): number {
  const start = performance.now();
  const run = spawnSync(command, args, { cwd: options.cwd ?? ROOT, env: options.env ?? process.env, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = performance.now() - start;
  if (run.status !== (options.status ?? 0)) throw new Error(`${command} ${args.join(' ')} exited ${run.status}: ${run.stderr.toString()}`);
  return ms;
}

/** Medians of each job over `runs` rounds after a warm-up round; the jobs take turns within each round. */
function inTurns(runs: number, jobs: (() => number)[]): number[] {
  const samples = jobs.map(() => [] as number[]);
  for (let round = 0; round <= runs; round++) {
    jobs.forEach((job, index) => {
      const ms = job();
      if (round > 0) samples[index]!.push(ms);
    });
  }
  return samples.map((values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!);
}

/** Measures every ratio (validate only when `scripts` names a flatcar/scripts repository). */
export async function benchStartup(runs = 9, scripts = process.env.FLATCAR_SCRIPTS): Promise<StartupRatio[]> {
  const dir = await mkdtemp(join(tmpdir(), 'nano-overlay-bench-startup-'));
  try {
    await writeFile(join(dir, 'file.txt'), 'one\ntwo\nthree\n');
    await writeFile(join(dir, 'one.patch'), '--- a/file.txt\n+++ b/file.txt\n@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n three\n');
    const node = () => runMs(process.execPath, ['-e', '0']);
    const help = () => runMs(process.execPath, [CLI, '--help']);
    const patch = () => runMs(process.execPath, [CLI, 'patch', '--check', join(dir, 'one.patch'), '--directory', dir]);
    const [nodeMs, helpMs, patchMs] = inTurns(runs, [node, help, patch]) as [number, number, number];
    const ratios: StartupRatio[] = [
      { name: 'nano-overlay --help', floor: 'node -e 0', ms: helpMs, floorMs: nodeMs },
      { name: 'nano-overlay patch (one-file patch)', floor: 'node -e 0', ms: patchMs, floorMs: nodeMs },
    ];
    if (scripts) {
      const cache = join(dir, 'cache');
      const env = { ...process.env, XDG_CACHE_HOME: cache, NANO_OVERLAY_CACHE: join(cache, 'nano-overlay') };
      const validate = ['validate', '--upstream', scripts, '--ref', 'main', '--layers', ROOT];
      const revParse = () => runMs('git', ['--git-dir', scripts.endsWith('.git') ? scripts : join(scripts, '.git'), 'rev-parse', 'HEAD']);
      const first = () => {
        spawnSync('rm', ['-rf', cache]);
        return runMs(process.execPath, [CLI, ...validate], { env });
      };
      const second = () => runMs(process.execPath, [CLI, ...validate], { env });
      const [gitMs, firstMs, secondMs] = inTurns(Math.max(3, Math.ceil(runs / 2)), [revParse, first, second]) as [number, number, number];
      ratios.push(
        { name: 'validate bundled layers, main, empty cache', floor: 'git rev-parse HEAD', ms: firstMs, floorMs: gitMs },
        { name: 'validate bundled layers, main, warm cache', floor: 'git rev-parse HEAD', ms: secondMs, floorMs: gitMs },
      );
    }
    return ratios;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The ratios as a Markdown table. */
export function startupTable(ratios: readonly StartupRatio[]): string {
  return [
    `median wall-clock of whole processes, load average ${loadavg()[0]!.toFixed(1)}`,
    '| run | ms | floor | floor ms | ratio |',
    '| --- | ---: | --- | ---: | ---: |',
    ...ratios.map((row) => `| ${row.name} | ${row.ms.toFixed(0)} | ${row.floor} | ${row.floorMs.toFixed(0)} | ${(row.ms / row.floorMs).toFixed(2)}× |`),
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { runs: { type: 'string' } } });
  console.log(startupTable(await benchStartup(values.runs ? Number(values.runs) : 9)));
}
