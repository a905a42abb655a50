import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Three-way merge of one file with `git merge-file`: the changes from `base` to `theirs` carried onto
 * `ours`. Conflicting regions are left between `<<<<<<< ours`, `=======` and `>>>>>>> theirs` markers,
 * as `git apply --3way` leaves them; `conflicts` counts them.
 */
export async function merge3(ours: Buffer, base: Buffer, theirs: Buffer): Promise<{ data: Buffer; conflicts: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'nano-overlay-merge-'));
  try {
    const files = ['ours', 'base', 'theirs'].map((name) => join(dir, name));
    await Promise.all([ours, base, theirs].map((data, index) => writeFile(files[index]!, data)));
    return await new Promise((resolve, reject) => {
      execFile(
        'git',
        ['merge-file', '-p', '-L', 'ours', '-L', 'base', '-L', 'theirs', ...files],
        { encoding: 'buffer', maxBuffer: 1 << 30 },
        (error, stdout, stderr) => {
          const code = error ? error.code : 0;
          if (typeof code === 'number' && code >= 0 && code < 128) resolve({ data: stdout, conflicts: code });
          else reject(new Error(`git merge-file failed: ${stderr.toString().trim() || error?.message}`));
        },
      );
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
