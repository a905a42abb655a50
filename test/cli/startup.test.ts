import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** What a command module may load when the program starts: the CLI frame, never a job's code. */
const STARTUP_IMPORTS = /^(node:.*|commander|\.\/[\w-]+\.js|\.\.\/errors\.js|\.\.\/patch\/text\.js)$/;

describe('start-up', () => {
  it('registers every command without loading its job: jobs are imported when the command runs', async () => {
    const dir = join('src', 'commands');
    const eager: string[] = [];
    for (const name of await readdir(dir)) {
      const text = await readFile(join(dir, name), 'utf8');
      for (const match of text.matchAll(/^import (?!type )[^;]*? from '([^']+)';/gms)) {
        if (!STARTUP_IMPORTS.test(match[1]!)) eager.push(`${name}: ${match[1]}`);
      }
    }
    expect(eager).toEqual([]);
  });
});
