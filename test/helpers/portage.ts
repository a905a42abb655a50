import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { materializeExample } from '../../src/upstream/example.js';
import { makeTempDir, removeTempDirs } from './git.js';

/**
 * The interpreter the bridge will use, when it runs Portage: NANO_OVERLAY_PYTHON, else the checkout's
 * .venv, else python3. Tests of the bridge run only when Portage is there; with
 * NANO_OVERLAY_REQUIRE_PORTAGE=1 (CI) a missing Portage fails the run instead of skipping.
 */
function portagePython(): string | undefined {
  const venv = join(process.cwd(), '.venv', 'bin', 'python');
  const python = process.env.NANO_OVERLAY_PYTHON ?? (existsSync(venv) ? venv : 'python3');
  const probe = spawnSync(python, ['-c', 'import portage'], { stdio: 'ignore' });
  if (probe.status === 0) return python;
  if (process.env.NANO_OVERLAY_REQUIRE_PORTAGE === '1') throw new Error(`Portage is required (NANO_OVERLAY_REQUIRE_PORTAGE=1) but ${python} cannot import it`);
  return undefined;
}

export const PORTAGE_PYTHON = portagePython();

/**
 * Sets up a test file of the bridge: Portage's interpreter and a cache of its own for the file, and
 * the example upstream in the flatcar/scripts layout. Returns a getter for the upstream's directory.
 */
export function usePortageExample(): () => string {
  let upstream = '';
  const saved = { ...process.env };
  beforeAll(async () => {
    process.env.NANO_OVERLAY_PYTHON = PORTAGE_PYTHON!;
    process.env.NANO_OVERLAY_CACHE = await makeTempDir('nano-overlay-portage-cache-');
    upstream = (await materializeExample(await makeTempDir(), 'scripts')).dir;
  }, 120_000);
  afterAll(async () => {
    process.env = saved;
    await removeTempDirs();
  });
  return () => upstream;
}
