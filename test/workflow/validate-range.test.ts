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
  /** The example upstream, a bump, an unrelated commit, a commit that breaks the motd layer and one that mends it. */
  async function history() {
    const fixture = await createOverlayFixture({ layout: 'scripts' });
    const start = fixture.head;
    const bump = await fixture.commitNewer();
    const unrelated = await fixture.commit('Unrelated: a new package nobody layers', [{ add: 'dev-util/unrelated/unrelated-1.ebuild', data: 'EAPI=8\n' }]);
    const breaking = await fixture.commit('app-misc/demo-files: install the motd elsewhere', [
      {
        modify: 'app-misc/demo-files/demo-files-0-r4.ebuild',
        data: 'EAPI=8\nSLOT="0"\nIUSE="containers"\n\nsrc_install() {\n\tinsinto /etc\n\tdoins "${FILESDIR}"/motd\n}\n',
      },
    ]);
    const mend = async () =>
      fixture.commit('app-misc/demo-files: back to the usual motd path', [
        { modify: 'app-misc/demo-files/demo-files-0-r4.ebuild', data: git(fixture.dir, 'show', `${bump}:sdk_container/src/third_party/coreos-overlay/app-misc/demo-files/demo-files-0-r4.ebuild`) + '\n' },
      ]);
    return { fixture, start, bump, unrelated, breaking, mend };
  }

  it('finds the first commit that breaks a layer, every recovery, and skips commits that touch nothing it reads', async () => {
    const { fixture, start, bump, breaking, mend } = await history();
    const fixed = await mend();
    const progress: number[] = [];
    const report = await validateRange({ upstream: fixture.dir, layersDir: EXAMPLE_LAYERS, range: `${start}..HEAD`, onProgress: (done) => progress.push(done) });

    expect(report.checked.map((commit) => commit.commit)).toEqual([bump, breaking, fixed]);
    expect(progress).toEqual([1, 2, 3]);
    const motd = report.layers.find((layer) => layer.name === 'demo-files-motd-optional')!;
    expect(motd.lastGood?.commit).toBe(bump);
    expect(motd.firstBad).toMatchObject({ commit: breaking, subject: 'app-misc/demo-files: install the motd elsewhere' });
    expect(motd.firstBad?.findings.map((entry) => entry.code)).toContain('PatchDoesNotApply');
    expect(motd.transitions.map((transition) => [transition.commit, transition.ok])).toEqual([
      [bump, true],
      [breaking, false],
      [fixed, true],
    ]);
    expect(motd.okAtEnd).toBe(true);
    expect(report.layers.find((layer) => layer.name === 'demo-init-agent-optional')).toMatchObject({ lastGood: { commit: fixed }, firstBad: null, okAtEnd: true });
    expect(report.ok).toBe(true);
    const text = formatRangeReport(report, NO_COLORS);
    expect(text).toContain(`fine again from ${fixed.slice(0, 10)}\n`);
    for (const subject of ['app-misc/demo-files: back to the usual motd path', 'app-misc/demo-files: install the motd elsewhere']) {
      expect(text.split(subject).length - 1, subject).toBe(1);
    }
    expect(text).toContain('validate --range: 4 layers, 1 broken in the range, 0 broken at B');
  });

  it('takes A..B as git does: A is left out, A^..B takes it in, and B decides the outcome', async () => {
    const { fixture, bump, unrelated, breaking } = await history();
    const fromBump = await validateRange({ upstream: fixture.dir, layersDir: EXAMPLE_LAYERS, range: `${bump}..` });
    expect(fromBump.checked.map((commit) => commit.commit)).toEqual([unrelated, breaking]);
    expect(fromBump.ok).toBe(false);
    expect(fromBump.layers.find((layer) => layer.name === 'demo-files-motd-optional')).toMatchObject({ lastGood: { commit: unrelated }, firstBad: { commit: breaking }, okAtEnd: false });
    const withBump = await validateRange({ upstream: fixture.dir, layersDir: EXAMPLE_LAYERS, range: `${bump}^..${unrelated}` });
    expect(withBump.checked.map((commit) => commit.commit)).toEqual([bump, unrelated]);
    expect(withBump.ok).toBe(true);
    await expect(validateRange({ upstream: fixture.dir, layersDir: EXAMPLE_LAYERS, range: `${breaking}..${bump}` })).rejects.toThrow(/holds no commits/);
  });

  it('refuses a malformed range', async () => {
    const fixture = await createOverlayFixture({ layout: 'overlay' });
    await expect(validateRange({ upstream: fixture.dir, layersDir: EXAMPLE_LAYERS, range: 'HEAD' })).rejects.toThrow("--range takes A..B, not 'HEAD'");
  });

  it('draws a progress bar', () => {
    expect(progressLine(1, 4, 'abc subject', 8)).toBe('[##------] 1/4 abc subject');
  });
});
