import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkTable, rowsOf, withCheckTable } from '../../scripts/check-table.js';
import { makeTempDir, removeTempDirs } from '../helpers/git.js';

afterAll(removeTempDirs);

describe('the README check table', () => {
  it('is the table the checks\' doc comments give (run npm run docs after changing a check)', async () => {
    const readme = await readFile('README.md', 'utf8');
    expect(withCheckTable(readme, await checkTable('.'))).toBe(readme);
  });

  it('lists every code the registered checks declare', async () => {
    const { CHECKS } = await import('../../src/checks/index.js');
    const table = await checkTable('.');
    for (const code of CHECKS.flatMap((check) => check.codes)) expect(table, code).toContain(`\`${code}\``);
  });

  it('reads whatever check modules exist, registered ones in CHECKS order first', async () => {
    const root = await makeTempDir();
    await mkdir(join(root, 'src', 'checks'), { recursive: true });
    const check = (code: string, level: string, what: string) => `/**\n * \`${code}\` (${level}): ${what}. More detail.\n */\nexport const ${code.toLowerCase()}Check: Check = {};\n`;
    await writeFile(join(root, 'src', 'checks', 'a-late.ts'), check('LateCode', 'warning', 'a check not registered yet'));
    await writeFile(join(root, 'src', 'checks', 'b-first.ts'), check('FirstCode', 'error', 'a registered check'));
    await writeFile(join(root, 'src', 'checks', 'helper.ts'), '/** Not a check. */\nexport const helper = 1;\n');
    await writeFile(join(root, 'src', 'checks', 'index.ts'), 'export const CHECKS = [firstcodeCheck];\n');
    await writeFile(join(root, 'src', 'errors.ts'), '');
    expect((await checkTable(root)).split('\n').slice(3, -1)).toEqual([
      '| `FirstCode` | error | a registered check |',
      '| `LateCode` | warning | a check not registered yet |',
    ]);
  });

  it('takes one row per code mention, with its clause', () => {
    expect(rowsOf('How it went: `Aa` (error) for a file that failed, `Bb` (info) for every file that was followed. Done.')).toEqual([
      { codes: ['Aa'], level: 'error', finding: 'for a file that failed' },
      { codes: ['Bb'], level: 'info', finding: 'for every file that was followed' },
    ]);
    expect(rowsOf('`Xx`, `Yy` (error): both broken')).toEqual([{ codes: ['Xx', 'Yy'], level: 'error', finding: 'both broken' }]);
  });
});
