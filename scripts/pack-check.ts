/**
 * Checks that a fresh clone packs into a working package: clones the repository's HEAD, installs its
 * dependencies (`npm ci`, which builds on prepare), packs it, installs the tarball globally into a
 * scratch prefix and, from another directory, runs `nano-overlay --version`, creates the example
 * upstream and validates the installed example layer set and the installed Flatcar Nano layer set
 * (the latter against FLATCAR_SCRIPTS's main, when set). Everything happens in a temporary directory.
 *
 *   node dist/scripts/pack-check.js
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const work = await mkdtemp(join(tmpdir(), 'nano-overlay-pack-'));

function run(title: string, command: string, args: string[], cwd: string): string {
  process.stdout.write(`$ ${[command, ...args].join(' ')}\n`);
  const output = execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  process.stdout.write(`${title}: ${output.trim().split('\n').slice(-3).join('\n  ')}\n`);
  return output;
}

try {
  const clone = join(work, 'clone');
  const prefix = join(work, 'prefix');
  const elsewhere = join(work, 'elsewhere');
  execFileSync('git', ['clone', '-q', root, clone]);
  execFileSync('mkdir', ['-p', elsewhere]);
  run('npm ci', 'npm', ['ci', '--no-audit', '--no-fund'], clone);
  const packed = JSON.parse(run('npm pack', 'npm', ['pack', '--json', '--pack-destination', work], clone).replace(/^[^[]*/, '')) as { filename: string; entryCount: number }[];
  const tarball = join(work, packed[0]!.filename);
  process.stdout.write(`${packed[0]!.entryCount} files in ${tarball}\n`);
  run('install', 'npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', tarball], elsewhere);
  const bin = join(prefix, 'bin', 'nano-overlay');
  const installed = join(prefix, 'lib', 'node_modules', 'nano-overlay');
  run('version', bin, ['--version'], elsewhere);
  run('example', bin, ['example', join(elsewhere, 'upstream')], elsewhere);
  run('validate example', bin, ['validate', '--upstream', join(elsewhere, 'upstream'), '--layers', join(installed, 'examples', 'layers')], elsewhere);
  if (process.env.FLATCAR_SCRIPTS) run('validate Flatcar Nano', bin, ['validate', '--upstream', process.env.FLATCAR_SCRIPTS, '--ref', 'main', '--layers', installed], elsewhere);
  process.stdout.write('the packed package works\n');
} finally {
  await rm(work, { recursive: true, force: true });
}
