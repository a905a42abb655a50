import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { locateUpstream, SCRIPTS_OVERLAY_PREFIX, SCRIPTS_PORTAGE_STABLE_PREFIX } from '../../src/upstream/locate.js';
import { git, makeTempDir, removeTempDirs, repoWithFiles } from '../helpers/git.js';

const overlayFiles = {
  'metadata/layout.conf': 'masters = portage-stable\n',
  'profiles/repo_name': 'coreos-overlay\n',
  'app-misc/foo/foo-1.ebuild': 'EAPI=8\n',
};

function under(prefix: string, files: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(files).map(([path, data]) => [`${prefix}/${path}`, data]));
}

describe('locateUpstream', () => {
  afterAll(removeTempDirs);

  it('finds the overlay and portage-stable in a scripts checkout, from any subdirectory', async () => {
    const repo = await repoWithFiles({
      'build_packages': '#!/bin/bash\n',
      ...under(SCRIPTS_OVERLAY_PREFIX, overlayFiles),
      [`${SCRIPTS_PORTAGE_STABLE_PREFIX}/profiles/repo_name`]: 'portage-stable\n',
    });
    const upstream = await locateUpstream(join(repo, SCRIPTS_OVERLAY_PREFIX), 'main');
    try {
      expect(upstream).toMatchObject({
        repoDir: repo,
        gitDir: join(repo, '.git'),
        bare: false,
        ref: 'main',
        commit: git(repo, 'rev-parse', 'HEAD'),
        overlayPrefix: SCRIPTS_OVERLAY_PREFIX,
        portageStablePrefix: SCRIPTS_PORTAGE_STABLE_PREFIX,
        scriptsRoot: true,
      });
      expect((await (await upstream.openTree('overlay')).read('app-misc/foo/foo-1.ebuild'))?.data.toString()).toBe('EAPI=8\n');
      expect(await (await upstream.openTree('portage-stable')).list()).toEqual(['profiles/repo_name']);
      expect(await (await upstream.openTree('root')).read('build_packages')).toBeDefined();
    } finally {
      await upstream.close();
    }
  });

  it('finds a standalone overlay at the root, without portage-stable', async () => {
    const repo = await repoWithFiles(overlayFiles);
    const upstream = await locateUpstream(repo);
    try {
      expect(upstream).toMatchObject({ repoDir: repo, bare: false, ref: 'HEAD', overlayPrefix: '', scriptsRoot: false });
      expect(upstream.portageStablePrefix).toBeUndefined();
      await expect(upstream.openTree('portage-stable')).rejects.toThrow(InputError);
      expect(await (await upstream.openTree('overlay')).list('profiles')).toEqual(['profiles/repo_name']);
    } finally {
      await upstream.close();
    }
  });

  it('reads a bare clone', async () => {
    const repo = await repoWithFiles(under(SCRIPTS_OVERLAY_PREFIX, overlayFiles));
    const bare = join(await makeTempDir(), 'scripts.git');
    git(repo, 'clone', '-q', '--bare', repo, bare);
    const upstream = await locateUpstream(bare, 'main');
    try {
      expect(upstream).toMatchObject({ repoDir: bare, gitDir: bare, bare: true, overlayPrefix: SCRIPTS_OVERLAY_PREFIX, scriptsRoot: true });
      expect(upstream.portageStablePrefix).toBeUndefined();
      expect(await (await upstream.openTree('overlay')).list()).toEqual(Object.keys(overlayFiles).sort());
    } finally {
      await upstream.close();
    }
  });

  it('opens trees at other commits', async () => {
    const repo = await repoWithFiles(overlayFiles);
    const first = git(repo, 'rev-parse', 'HEAD');
    git(repo, 'rm', '-q', 'app-misc/foo/foo-1.ebuild');
    git(repo, 'commit', '-q', '-m', 'drop foo');
    const upstream = await locateUpstream(repo);
    try {
      expect(await (await upstream.openTree('overlay')).list('app-misc')).toEqual([]);
      expect(await (await upstream.openTree('overlay', first)).list('app-misc')).toEqual(['app-misc/foo/foo-1.ebuild']);
    } finally {
      await upstream.close();
    }
  });

  it('reports what is wrong with the input', async () => {
    const notOverlay = await repoWithFiles({ 'README.md': 'hello\n' });
    await expect(locateUpstream(notOverlay)).rejects.toThrow(/no coreos-overlay at ref 'HEAD'/);
    await expect(locateUpstream(notOverlay, 'v1.2.3')).rejects.toThrow(`unknown ref 'v1.2.3' in ${notOverlay}`);
    const plain = await makeTempDir();
    await expect(locateUpstream(plain)).rejects.toThrow(/is not a git repository/);
    await expect(locateUpstream(join(plain, 'absent'))).rejects.toThrow(/is not a directory/);
  });
});
