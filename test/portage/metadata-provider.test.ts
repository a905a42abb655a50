import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { git, makeTempDir } from '../helpers/git.js';
import { PORTAGE_PYTHON, usePortageExample } from '../helpers/portage.js';
import { generateMetadata, portageTrees } from '../../src/portage/image.js';
import { locateUpstream } from '../../src/upstream/locate.js';
import { useReport } from '../../src/workflow/use.js';

const SHELL = 'sdk_container/src/third_party/portage-stable/app-shells/demo-shell/demo-shell-5.2_p15.ebuild';

describe.skipIf(!PORTAGE_PYTHON)("the static model with Portage's own metadata", () => {
  const example = usePortageExample();
  let upstream: string;

  beforeAll(async () => {
    upstream = join(await makeTempDir('nano-overlay-provider-'), 'scripts');
    git(example(), 'clone', '-q', example(), upstream);
    // IUSE the static reading cannot work out: only sourcing the ebuild gives "fancy".
    const file = join(upstream, SHELL);
    await writeFile(file, (await readFile(file, 'utf8')).replace('IUSE="nls readline"', 'IUSE="nls readline $(echo fancy)"'));
    git(upstream, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-am', 'IUSE from a command substitution');
  }, 120_000);

  const shell = async () => {
    const report = await useReport({ upstream, layersDir: await makeTempDir('nano-overlay-no-layers-'), profile: 'coreos/amd64/generic/prod', atoms: ['app-shells/demo-shell'], all: false });
    return report.versions.find((version) => version.cpv === 'app-shells/demo-shell-5.2_p15')!;
  };

  it('says what it could not read until the bridge has generated metadata, then answers as Portage does', async () => {
    const before = await shell();
    expect(before.notUnderstood.map((entry) => entry.variable)).toContain('IUSE');
    expect(Object.keys(before.iuse)).not.toContain('fancy');

    const located = await locateUpstream(upstream);
    try {
      await generateMetadata(await portageTrees(located, undefined));
    } finally {
      await located.close();
    }
    const after = await shell();
    expect(after.notUnderstood).toEqual([]);
    expect(after.iuse).toEqual({ nls: false, readline: false, fancy: false });
    expect(after.flags.find((flag) => flag.flag === 'readline')).toMatchObject({ enabled: true, source: expect.stringMatching(/package\.use/) });
  }, 300_000);
});
