import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs } from '../helpers/git.js';
import { replace, validateTestSet, withCode } from './helpers.js';

afterAll(removeTempDirs);

const AGENT = 'net-misc/demo-agent/demo-agent-1.4.2.ebuild';
const install = (lines: string) => replace('\tkeepdir /var/lib/demo-agent\n', `\tkeepdir /var/lib/demo-agent\n${lines}`);

describe('IndentStyle', () => {
  it('reports a hunk of space-indented lines among tab-indented ones once, at its first such line, with the count', async () => {
    const report = await validateTestSet({
      layers: [{ name: 'spaces', modify: { [AGENT]: install('    dodir /etc/a\n    dodir /etc/b\n\tdodir /etc/c\n    dodir /etc/d\n') } }],
    });
    const found = withCode(report, 'IndentStyle');
    expect(found.map((entry) => [entry.path, entry.line, entry.message])).toEqual([
      [AGENT, 49, '3 added lines indented with spaces among lines indented with tabs'],
    ]);
  });

  it('stays quiet for lines indented like their surroundings', async () => {
    const report = await validateTestSet({ layers: [{ name: 'tabs', modify: { [AGENT]: install('\tdodir /etc/a\n') } }] });
    expect(withCode(report, 'IndentStyle')).toEqual([]);
  });
});
