import { performance } from 'node:perf_hooks';

/** Runs `work` and returns how long it took in milliseconds, with its result. */
export async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const start = performance.now();
  const result = await work();
  return { ms: performance.now() - start, result };
}

/** The median of `runs` timings of `work`, in milliseconds (one unmeasured warm-up run first). */
export async function medianOf(runs: number, work: () => Promise<unknown>): Promise<number> {
  await work();
  const times: number[] = [];
  for (let run = 0; run < runs; run++) times.push((await timed(work)).ms);
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/** One row of a benchmark table: what was measured, ours, git's, and the ratio. */
export function benchRow(label: string, oursMs: number, gitMs: number): string {
  const ratio = oursMs / gitMs;
  return `${label.padEnd(64)} ours ${oursMs.toFixed(0).padStart(7)} ms   git ${gitMs.toFixed(0).padStart(7)} ms   ratio ${ratio.toFixed(2)}×`;
}
