/**
 * `npm run bench`: every benchmark, each measuring nano-overlay and git in the same run and printing
 * the ratio. Set FLATCAR_SCRIPTS to a flatcar/scripts repository to add runs on real history.
 */
import { benchPatch } from './patch.js';
import { benchRebase } from './rebase.js';
import { benchValidateRange } from './validate-range.js';

process.stdout.write('## patch: a generated series applied by the engine and by git apply\n');
process.stdout.write(`${(await benchPatch()).table}\n\n`);

process.stdout.write('## validate --range against checking out each commit and running git apply --check\n');
for (const row of await benchValidateRange()) process.stdout.write(`${row}\n`);

process.stdout.write('\n## rebase --onto against git rebase of the equivalent branch\n');
const rebase = await benchRebase();
process.stdout.write(
  `${rebase.layers} layers: rebase --onto ${rebase.rebaseMs.toFixed(0)} ms, git rebase ${rebase.gitRebaseMs.toFixed(0)} ms, ratio ${rebase.ratio.toFixed(2)}×\n`,
);
