import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../errors.js';

/**
 * The one way nano-overlay reaches Portage: the Python module `python/nano_overlay_portage.py`, run
 * by an interpreter that can import Portage, with one JSON request on its standard input and one
 * JSON answer on its standard output. Nothing else in the code base knows how Portage is reached.
 */

/** An interpreter that runs Portage, and how it was found. */
export interface PortageRuntime {
  readonly python: string;
  readonly env: Readonly<Record<string, string>>;
  /** Portage's version, as the module reports it. */
  readonly version: string;
  /** The bash major.minor version ebuilds are sourced with. */
  readonly bash: string;
  /** `--bash PATH`, when given. */
  readonly bashPath?: string;
}

/** Where to look for Portage: `--portage DIR` (a source tree) and `--bash PATH`. */
export interface PortageOptions {
  readonly portageDir?: string;
  readonly bash?: string;
}

const MODULE_NAME = 'nano_overlay_portage.py';

/** The directory of the package (the checkout, or the installed package) holding python/. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'python', MODULE_NAME))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`python/${MODULE_NAME} is missing from the package`);
    dir = parent;
  }
  return dir;
}

/** The bridge module's source: part of every cache key, so a changed bridge never reads old answers. */
export function bridgeModuleText(): string {
  return readFileSync(join(packageRoot(), 'python', MODULE_NAME), 'utf8');
}

/** The interpreters to try: `--portage DIR`; else NANO_OVERLAY_PYTHON alone when set; else .venv of the package, then python3. */
function candidates(options: PortageOptions): { python: string; env: Record<string, string> }[] {
  if (options.portageDir) {
    const lib = join(resolve(options.portageDir), 'lib');
    if (!existsSync(join(lib, 'portage', '__init__.py'))) throw new InputError(`--portage ${options.portageDir}: no Portage source tree (lib/portage/ is missing)`);
    return [{ python: process.env.NANO_OVERLAY_PYTHON ?? 'python3', env: { PYTHONPATH: lib } }];
  }
  if (process.env.NANO_OVERLAY_PYTHON) return [{ python: process.env.NANO_OVERLAY_PYTHON, env: {} }];
  const found: { python: string; env: Record<string, string> }[] = [];
  const venv = join(packageRoot(), '.venv', 'bin', 'python');
  if (existsSync(venv)) found.push({ python: venv, env: {} });
  found.push({ python: 'python3', env: {} });
  return found;
}

const cache = new Map<string, Promise<PortageRuntime>>();

/**
 * Finds an interpreter that runs Portage: inside the Flatcar SDK the system python3, a
 * `pip install portage` (NANO_OVERLAY_PYTHON, or `.venv` in the package), or a source tree given
 * with `--portage DIR`. Without one, an InputError says in one line what is needed.
 */
export function findPortage(options: PortageOptions = {}): Promise<PortageRuntime> {
  const key = JSON.stringify(options);
  let found = cache.get(key);
  if (!found) {
    found = probeAll(options);
    cache.set(key, found);
    found.catch(() => cache.delete(key));
  }
  return found;
}

async function probeAll(options: PortageOptions): Promise<PortageRuntime> {
  for (const candidate of candidates(options)) {
    const answer = await runModule(candidate.python, candidate.env, { op: 'probe', ...(options.bash ? { bash: options.bash } : {}) }).catch(() => undefined);
    if (answer?.ok) {
      const result = answer.result as { portage: string; bash: string };
      return { ...candidate, version: result.portage, bash: result.bash, ...(options.bash ? { bashPath: resolve(options.bash) } : {}) };
    }
  }
  throw new InputError(
    'Portage is needed for this command and was not found: run it inside the Flatcar SDK container, `pip install portage` ' +
      '(into .venv, or name the interpreter with NANO_OVERLAY_PYTHON), or pass --portage DIR (a Portage source tree)',
  );
}

interface Answer {
  readonly ok: boolean;
  readonly result?: unknown;
  readonly error?: string;
}

function runModule(python: string, env: Readonly<Record<string, string>>, request: object): Promise<Answer> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(python, [join(packageRoot(), 'python', MODULE_NAME)], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const text = Buffer.concat(out).toString('utf8').trim();
      try {
        resolvePromise(JSON.parse(text) as Answer);
      } catch {
        const stderr = Buffer.concat(err).toString('utf8').trim().split('\n').filter(Boolean);
        reject(new Error(`the Portage bridge exited with ${code}: ${stderr.at(-1) ?? 'no output'}`));
      }
    });
    child.stdin.end(JSON.stringify(request));
  });
}

/** Sends one request to Portage and returns its result; Portage's one-line refusals become InputErrors. */
export async function callPortage<T>(runtime: PortageRuntime, request: object): Promise<T> {
  const answer = await runModule(runtime.python, runtime.env, { ...request, ...(runtime.bashPath ? { bash: runtime.bashPath } : {}) });
  if (!answer.ok) throw new InputError(`Portage: ${answer.error ?? 'failed'}`);
  return answer.result as T;
}
