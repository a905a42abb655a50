import { afterAll, describe, expect, it } from 'vitest';
import { reviewLayers, type ReviewReport } from '../../src/review/review.js';
import { replace, writeTestSet } from '../checks/helpers.js';
import { removeTempDirs } from '../helpers/git.js';

afterAll(removeTempDirs);

const SSHD = 'app-misc/demo-conf/files/sshd/50-demo-sshd.conf';
const FILES = 'app-misc/demo-files/demo-files-0-r3.ebuild';

function row(report: ReviewReport, layer: string) {
  return report.summary.rows.find((entry) => entry.layer === layer);
}

describe('review: one verdict everywhere', () => {
  it('says "changes stock" for a root login in an installed FILESDIR file and an unconditional board profile', async () => {
    const set = await writeTestSet({
      layers: [
        { name: 'sshd-root', modify: { [SSHD]: replace('PermitRootLogin no', 'PermitRootLogin yes') } },
        {
          name: 'board-profile',
          root: 'scripts',
          modify: { setup_board: replace('PORTAGE_PROFILE=$(get_board_profile "${BOARD}")\n', 'PORTAGE_PROFILE=$(get_board_profile "${BOARD}")\nPORTAGE_PROFILE="coreos-overlay:coreos/${BOARD_ARCH}/nano"\n') },
        },
        { name: 'lower-version', add: { 'sys-apps/demo-tools/demo-tools-1.0.ebuild': 'EAPI=8\nSLOT="0"\nKEYWORDS="amd64 arm64"\n' } },
        { name: 'odd-file', add: { 'coreos/sysext/demo.conf': 'x\n' } },
        {
          name: 'motd',
          flags: [{ name: 'motd', default: 'on', packages: ['app-misc/demo-files'] }],
          modify: { [FILES]: (text) => replace('IUSE="containers"', 'IUSE="containers +motd"')(text).replace('    doins "${FILESDIR}"/motd\n', '    use motd && doins "${FILESDIR}"/motd\n') },
        },
      ],
    });
    const report = await reviewLayers({ ...set });
    expect(Object.fromEntries(report.summary.rows.map((entry) => [entry.layer, entry.stockSafety]))).toEqual({
      'sshd-root': 'changes stock',
      'board-profile': 'changes stock',
      'lower-version': 'stock-safe',
      'odd-file': 'not proven',
      motd: 'stock-safe',
    });
    expect(row(report, 'sshd-root')?.stockSafe).toBe(false);
    expect(report.summary.total.stockSafety).toBe('changes stock');

    const badges = (layer: string) => report.layers.find((entry) => entry.name === layer)!.files.flatMap((file) => file.hunks.map((hunk) => hunk.badge));
    expect(badges('sshd-root')).toEqual([expect.objectContaining({ verdict: 'stock-changing', text: expect.stringContaining('changes stock: a FILESDIR file stock code reads') })]);
    expect(badges('board-profile')).toEqual([expect.objectContaining({ verdict: 'stock-changing' })]);
    expect(badges('lower-version')).toEqual([{ verdict: 'neutral', text: 'every stock profile keeps its pick of sys-apps/demo-tools' }]);
    expect(badges('odd-file')).toEqual([expect.objectContaining({ verdict: 'unproven', text: 'not proven: no rule for coreos/sysext/demo.conf' })]);
    expect(badges('motd')).toEqual([expect.objectContaining({ verdict: 'guarded', text: expect.stringContaining('motd') })]);

    // No badge contradicts its column.
    for (const entry of report.summary.rows) {
      const kinds = new Set(badges(entry.layer).map((badge) => badge.verdict));
      if (entry.stockSafety === 'stock-safe') expect([...kinds].every((kind) => kind === 'neutral' || kind === 'guarded')).toBe(true);
      if (entry.stockSafety === 'not proven') expect(kinds.has('unproven') && !kinds.has('stock-changing')).toBe(true);
      if (entry.stockSafety === 'changes stock') expect(kinds.has('stock-changing')).toBe(true);
    }
  });

  it('blames a stock profile that clears USE on the profile layer, not on the layers whose flag defaults it clears', async () => {
    const set = await writeTestSet({
      layers: [
        {
          name: 'motd',
          flags: [{ name: 'motd', default: 'on', packages: ['app-misc/demo-files'] }],
          modify: { [FILES]: (text) => replace('IUSE="containers"', 'IUSE="containers +motd"')(text).replace('    doins "${FILESDIR}"/motd\n', '    use motd && doins "${FILESDIR}"/motd\n') },
        },
        { name: 'clear-use', modify: { 'profiles/coreos/base/make.defaults': replace('USE="${USE} -cups -X systemd udev"', 'USE="-* systemd udev"') } },
      ],
    });
    const report = await reviewLayers({ ...set });
    expect(row(report, 'motd')?.stockSafety).toBe('stock-safe');
    expect(row(report, 'clear-use')?.stockSafety).toBe('changes stock');
    const errors = report.layers.flatMap((layer) => layer.files.flatMap((file) => [...file.findings, ...file.hunks.flatMap((hunk) => hunk.findings)])).filter((entry) => entry.level === 'error');
    expect(errors.map((entry) => [entry.code, entry.layer])).toEqual([['UnguardedProfileChange', 'clear-use']]);
  });
});
