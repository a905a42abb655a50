/**
 * `npm run bench`: every benchmark, each measuring nano-overlay and git in the same run and printing
 * the ratio. Set FLATCAR_SCRIPTS to a flatcar/scripts repository to add runs on real history.
 */
import { benchPatch } from './patch.js';
import { benchRebase } from './rebase.js';
import { benchStartup, startupTable } from './startup.js';
import { benchValidateRange } from './validate-range.js';

process.stdout.write('## start-up and validate as whole processes, against node -e 0 and git rev-parse HEAD\n');
const startup = await benchStartup();
process.stdout.write(`${startupTable(startup)}\n\n`);

process.stdout.write('## patch: a generated series applied by the engine and by git apply\n');
const patch = await benchPatch();
process.stdout.write(`${patch.table}\n\n`);

process.stdout.write('## validate --range against checking out each commit and running git apply --check\n');
for (const row of await benchValidateRange()) process.stdout.write(`${row}\n`);

process.stdout.write('\n## rebase --onto against git rebase of the equivalent branch\n');
const rebase = await benchRebase();
process.stdout.write(
  `${rebase.layers} layers: rebase --onto ${rebase.rebaseMs.toFixed(0)} ms, git rebase ${rebase.gitRebaseMs.toFixed(0)} ms, ratio ${rebase.ratio.toFixed(2)}×\n`,
);

const engine = patch.rows.find((row) => row.name.startsWith('engine'))!;
process.stdout.write('\n## the speed ratios (targets: --help and patch ≤ 2× node -e 0; validate ≤ 1.2 s first, ≤ 0.5 s second; engine ≤ 1.5× git apply)\n');
for (const row of startup) {
  process.stdout.write(`${`${row.name} / ${row.floor}`.padEnd(72)} ${(row.ms / row.floorMs).toFixed(2)}×  (${row.ms.toFixed(0)} ms, CPU ${row.cpuMs.toFixed(0)} ms)\n`);
}
if (startup.length < 4) process.stdout.write('validate against real main: set FLATCAR_SCRIPTS=/path/to/flatcar/scripts\n');
process.stdout.write(`${'patch engine in process / git apply'.padEnd(72)} ${engine.ratio.toFixed(2)}×  (CPU ${engine.cpuRatio.toFixed(2)}×)\n`);
