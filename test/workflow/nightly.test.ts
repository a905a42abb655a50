import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nightlyRun } from '../../src/workflow/nightly.js';
import { createOverlayFixture } from '../helpers/fixture-overlay.js';
import { removeTempDirs } from '../helpers/git.js';
import { exampleLayersAt, snapshot } from '../maintain/helpers.js';

afterAll(removeTempDirs);

const MOTD_EBUILD = 'app-misc/demo-files/demo-files-0-r4.ebuild';

describe('the nightly maintainer run on the bundled example', () => {
  it('moves the layers onto the newer upstream and writes a pull-request body with the rebase table and the review', async () => {
    const fixture = await createOverlayFixture({ layout: 'scripts' });
    const layers = await exampleLayersAt(fixture.head);
    const newer = await fixture.commitNewer();
    const report = await nightlyRun({ upstream: fixture.dir, onto: 'main', layersDir: layers });
    expect(report.outcome).toBe('ready');
    expect(report.body).toContain(`# Move the Nano layers onto main (${newer.slice(0, 12)})`);
    expect(report.body).toContain('| demo-files-motd-optional | followed | app-misc/demo-files/demo-files-0-r4.ebuild (followed) |');
    expect(report.body).toContain('| demo-init-agent-optional | followed | coreos-base/demo-init/demo-init-9999.ebuild (followed) |');
    expect(report.body).toContain('validate: no errors.');
    expect(report.body).toContain('demo-init-agent-optional');
    expect(await readFile(join(layers, 'patches/demo-files-motd-optional/layer.yaml'), 'utf8')).toContain(`base: ${newer}`);
  });

  it('on a conflict leaves the layer set as it was and names the layer, the files and the first upstream commit that broke it', async () => {
    const fixture = await createOverlayFixture({ layout: 'scripts' });
    const layers = await exampleLayersAt(fixture.head);
    const before = await snapshot(layers);
    await fixture.commitNewer();
    const breaking = await fixture.commit('app-misc/demo-files: install the motd elsewhere', [
      { modify: MOTD_EBUILD, data: 'EAPI=8\nSLOT="0"\nIUSE="containers"\n\nsrc_install() {\n\tinsinto /etc\n\tdoins "${FILESDIR}"/motd\n}\n' },
    ]);
    const report = await nightlyRun({ upstream: fixture.dir, onto: 'main', layersDir: layers });
    expect(report.outcome).toBe('conflict');
    expect(report.body).toContain('needs a human');
    expect(report.body).toContain('The rebase stopped at layer **demo-files-motd-optional**');
    expect(report.body).toContain(`/${MOTD_EBUILD}\``);
    expect(report.body).toContain(`- **demo-files-motd-optional**: ${breaking.slice(0, 12)} app-misc/demo-files: install the motd elsewhere`);
    expect(await snapshot(layers)).toEqual(before);
  });
});
