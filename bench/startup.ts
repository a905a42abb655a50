/**
 * Whole-process benchmark: the built CLI's `--help`, `patch` on a one-file patch and, with
 * FLATCAR_SCRIPTS set, `validate` of the bundled layers against its main (first with an empty cache,
 * then again with the cache the first run left, then with one layer file edited), each taking turns with its floor in the same run:
 * `node -e 0` for the first two, `git rev-parse HEAD` for validate. Prints median wall-clock times
 * and the ratios.
 *
 *   node dist/bench/startup.js [--runs 9]
 */
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'dist', 'src', 'cli.js');

/** One measured ratio: what, its wall-clock and CPU time, its floor's, in milliseconds. */
export interface StartupRatio {
  readonly name: string;
  readonly floor: string;
  readonly ms: number;
  readonly floorMs: number;
  readonly cpuMs: number;
  readonly floorCpuMs: number;
}

/** Wall-clock and CPU (user and system) milliseconds of one run. */
interface Timing {
  readonly wall: number;
  readonly cpu: number;
}

/**
 * Runs a command to completion through bash and returns its wall-clock milliseconds and the CPU
 * milliseconds it used (bash's `times`); fails when it exits with another status than 0.
 */
function runMs(command: string, args: string[], options: { env?: NodeJS.ProcessEnv } = {}): Timing {
  const start = performance.now();
  const run = spawnSync('bash', ['-c', '"$@" >/dev/null || exit 99; times', 'bench', command, ...args], { cwd: ROOT, env: options.env ?? process.env, encoding: 'utf8' });
  const wall = performance.now() - start;
  if (run.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${run.stderr}`);
  const ms = (text: string) => {
    const match = /^(\d+)m([\d.]+)s$/.exec(text)!;
    return (Number(match[1]) * 60 + Number(match[2])) * 1000;
  };
  const [user, system] = run.stdout.trim().split('\n').pop()!.split(' ');
  return { wall, cpu: ms(user!) + ms(system!) };
}

/** Medians of each job over `runs` rounds after a warm-up round; the jobs take turns within each round. */
function inTurns(runs: number, jobs: (() => Timing)[]): Timing[] {
  const samples = jobs.map(() => ({ wall: [] as number[], cpu: [] as number[] }));
  for (let round = 0; round <= runs; round++) {
    jobs.forEach((job, index) => {
      const timing = job();
      if (round === 0) return;
      samples[index]!.wall.push(timing.wall);
      samples[index]!.cpu.push(timing.cpu);
    });
  }
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  return samples.map(({ wall, cpu }) => ({ wall: median(wall), cpu: median(cpu) }));
}

function ratio(name: string, floor: string, ours: Timing, floorTiming: Timing): StartupRatio {
  return { name, floor, ms: ours.wall, floorMs: floorTiming.wall, cpuMs: ours.cpu, floorCpuMs: floorTiming.cpu };
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
    const [nodeRun, helpRun, patchRun] = inTurns(runs, [node, help, patch]) as [Timing, Timing, Timing];
    const ratios: StartupRatio[] = [ratio('nano-overlay --help', 'node -e 0', helpRun, nodeRun), ratio('nano-overlay patch (one-file patch)', 'node -e 0', patchRun, nodeRun)];
    if (scripts) {
      const cache = join(dir, 'cache');
      const env = { ...process.env, XDG_CACHE_HOME: cache, NANO_OVERLAY_CACHE: join(cache, 'nano-overlay') };
      const validate = ['validate', '--upstream', scripts, '--ref', 'main', '--layers', ROOT];
      const revParse = () => runMs('git', ['--git-dir', scripts.endsWith('.git') ? scripts : join(scripts, '.git'), 'rev-parse', 'HEAD']);
      const first = () => {
        rmSync(cache, { recursive: true, force: true });
        return runMs(process.execPath, [CLI, ...validate], { env });
      };
      const second = () => runMs(process.execPath, [CLI, ...validate], { env });
      // A copy of the layer set whose values.yaml changes before every run: the report memo misses,
      // the caches of what is derived from upstream blobs stay warm (a contributor's edit-validate loop).
      const layers = join(dir, 'layers');
      for (const part of ['patches', 'templates', 'overlay', 'values.yaml']) cpSync(join(ROOT, part), join(layers, part), { recursive: true, verbatimSymlinks: true });
      const values = readFileSync(join(layers, 'values.yaml'), 'utf8');
      let edits = 0;
      const edited = () => {
        writeFileSync(join(layers, 'values.yaml'), `${values}# edit ${++edits}\n`);
        return runMs(process.execPath, [CLI, 'validate', '--upstream', scripts, '--ref', 'main', '--layers', layers], { env });
      };
      const [gitRun, firstRun, secondRun, editedRun] = inTurns(Math.max(3, Math.ceil(runs / 2)), [revParse, first, second, edited]) as [Timing, Timing, Timing, Timing];
      ratios.push(
        ratio('validate bundled layers, main, empty cache', 'git rev-parse HEAD', firstRun, gitRun),
        ratio('validate bundled layers, main, warm cache', 'git rev-parse HEAD', secondRun, gitRun),
        ratio('validate bundled layers, main, warm cache, one layer file edited', 'git rev-parse HEAD', editedRun, gitRun),
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
    '| run | ms | CPU ms | floor | floor ms | floor CPU ms | ratio |',
    '| --- | ---: | ---: | --- | ---: | ---: | ---: |',
    ...ratios.map(
      (row) => `| ${row.name} | ${row.ms.toFixed(0)} | ${row.cpuMs.toFixed(0)} | ${row.floor} | ${row.floorMs.toFixed(0)} | ${row.floorCpuMs.toFixed(0)} | ${(row.ms / row.floorMs).toFixed(2)}× |`,
    ),
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { runs: { type: 'string' } } });
  console.log(startupTable(await benchStartup(values.runs ? Number(values.runs) : 9)));
}
