import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateRange } from '../../src/workflow/validate-range.js';
import { createOverlayFixture } from '../helpers/fixture-overlay.js';
import { git, removeTempDirs } from '../helpers/git.js';
import { NO_COLORS } from '../../src/report/colors.js';
import { formatRangeReport, progressLine } from '../../src/report/range.js';

const EXAMPLE_LAYERS = resolve('examples/layers');

afterAll(removeTempDirs);

describe('validate --range', () => {
  it('finds the first commit that breaks a layer and skips commits that touch nothing it reads', async () => {
    const fixture = await createOverlayFixture({ layout: 'scripts' });
    const start = fixture.head;
    const bump = await fixture.commitNewer();
    await fixture.commit('Unrelated: a new package nobody layers', [{ add: 'dev-util/unrelated/unrelated-1.ebuild', data: 'EAPI=8\n' }]);
    const breaking = await fixture.commit('app-misc/demo-files: install the motd elsewhere', [
      {
        modify: 'app-misc/demo-files/demo-files-0-r4.ebuild',
        data: 'EAPI=8\nSLOT="0"\nIUSE="containers"\n\nsrc_install() {\n\tinsinto /etc\n\tdoins "${FILESDIR}"/motd\n}\n',
      },
    ]);

    const fixed = await fixture.commit('app-misc/demo-files: back to the usual motd path', [
      { modify: 'app-misc/demo-files/demo-files-0-r4.ebuild', data: git(fixture.dir, 'show', `${bump}:sdk_container/src/third_party/coreos-overlay/app-misc/demo-files/demo-files-0-r4.ebuild`) + '\n' },
    ]);

    const progress: number[] = [];
    const report = await validateRange({
      upstream: fixture.dir,
      layersDir: EXAMPLE_LAYERS,
      range: `${start}..HEAD`,
      onProgress: (done) => progress.push(done),
    });

    expect(report.checked.map((commit) => commit.commit)).toEqual([start, bump, breaking, fixed]);
    expect(progress).toEqual([1, 2, 3, 4]);
    const motd = report.layers.find((layer) => layer.name === 'demo-files-motd-optional')!;
    expect(motd.lastGood?.commit).toBe(bump);
    expect(motd.firstBad).toMatchObject({ commit: breaking, subject: 'app-misc/demo-files: install the motd elsewhere' });
    expect(motd.firstBad?.findings.map((entry) => entry.code)).toContain('PatchDoesNotApply');
    expect(motd.transitions.map((transition) => [transition.commit, transition.ok])).toEqual([
      [start, true],
      [breaking, false],
      [fixed, true],
    ]);
    expect(report.layers.find((layer) => layer.name === 'demo-init-agent-optional')).toMatchObject({ lastGood: { commit: fixed }, firstBad: null });
    expect(report.ok).toBe(false);
    expect(formatRangeReport(report, NO_COLORS)).toContain(`fine again from ${fixed.slice(0, 10)} (app-misc/demo-files: back to the usual motd path)`);
  });

  it('refuses a malformed range', async () => {
    const fixture = await createOverlayFixture({ layout: 'overlay' });
    await expect(validateRange({ upstream: fixture.dir, layersDir: EXAMPLE_LAYERS, range: 'HEAD' })).rejects.toThrow("--range takes A..B, not 'HEAD'");
  });

  it('draws a progress bar', () => {
    expect(progressLine(1, 4, 'abc subject', 8)).toBe('[##------] 1/4 abc subject');
  });
});
