import { existsSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { conditionalizeLayer } from '../../src/conditionalize/conditionalize.js';
import { importBranch } from '../../src/maintain/import.js';
import { startRebase } from '../../src/maintain/rebase.js';
import { applyToUpstream } from '../../src/workflow/apply.js';
import { validateLayers } from '../../src/workflow/validate.js';
import { createPatch } from '../../src/patch/index.js';
import { git, makeTempDir, removeTempDirs, writeFiles } from '../helpers/git.js';

/**
 * The Flatcar Nano layer set against a real flatcar/scripts repository named by FLATCAR_SCRIPTS (a
 * checkout or a bare clone with `main` and `t-lo/flatcar-nano`); skipped without it. Nothing is
 * written to that repository: branches go to a bare clone in a temporary directory.
 */
const scripts = process.env['FLATCAR_SCRIPTS'];
const NANO_LAYERS = resolve('.');

afterAll(removeTempDirs);

describe.skipIf(!scripts || !existsSync(scripts))('the Nano layers on flatcar/scripts', () => {
  it('validate at main: every layer applies and no check finds an error', async () => {
    const report = await validateLayers({ upstream: scripts!, ref: 'main', layersDir: NANO_LAYERS });
    expect(report.layers.map((layer) => layer.status).filter((status) => status === 'failed' || status === 'conflict')).toEqual([]);
    expect(report.findings.filter((finding) => finding.level === 'error')).toEqual([]);
    // Every changed file has a verdict, and none is unproven.
    const changed = new Set(report.layers.flatMap((layer) => layer.files.map((file) => file.resolvedPath)));
    for (const path of changed) expect(report.verdicts.map((verdict) => verdict.path)).toContain(path);
    expect(report.verdicts.filter((verdict) => verdict.verdict === 'unproven' || verdict.verdict === 'stock-changing')).toEqual([]);
  });

  it('validate at main: a root login in a FILESDIR file and an unconditional board profile are errors at their lines', async () => {
    const overlay = 'sdk_container/src/third_party/coreos-overlay';
    const conf = 'coreos-base/misc-files/files/openssh/50-flatcar-sshd.conf';
    const text = git(scripts!, 'show', `main:${overlay}/${conf}`);
    const lines = text.split('\n').length;
    const layersDir = await makeTempDir('nano-overlay-layers-');
    await writeFiles(layersDir, {
      'patches/series': 'sshd-root\nboard-profile\n',
      'values.yaml': 'profiles:\n  stock: [coreos/amd64/generic/prod, coreos/arm64/generic/prod]\n  nano: []\n',
      'patches/sshd-root/layer.yaml': 'summary: root login\ndescription: x\n',
      'patches/sshd-root/0001.patch': createPatch(conf, conf, { mode: '100644', data: Buffer.from(`${text}\n`) }, { mode: '100644', data: Buffer.from(`${text}\nPermitRootLogin yes\n`) }),
      'patches/board-profile/layer.yaml': [
        'summary: board profile',
        'description: x',
        'root: scripts',
        'edits:',
        '  - file: setup_board',
        '    type: line-add',
        `    after: 'PORTAGE_PROFILE=$(get_board_profile "$BOARD")'`,
        `    line: 'PORTAGE_PROFILE="coreos-overlay:coreos/\${BOARD_ARCH}/nano"'`,
        '',
      ].join('\n'),
    });
    const report = await validateLayers({ upstream: scripts!, ref: 'main', layersDir });
    const errors = report.findings.filter((finding) => finding.level === 'error').map((finding) => [finding.code, finding.layer, finding.path]);
    expect(errors).toEqual([
      ['FilesdirChangesStock', 'sshd-root', conf],
      ['ScriptsChangeStock', 'board-profile', 'setup_board'],
    ]);
    expect(report.findings.find((finding) => finding.code === 'FilesdirChangesStock')?.line).toBe(lines + 1);
    const setupBoard = git(scripts!, 'show', 'main:setup_board').split('\n');
    expect(report.findings.find((finding) => finding.code === 'ScriptsChangeStock')?.line).toBe(setupBoard.indexOf('PORTAGE_PROFILE=$(get_board_profile "$BOARD")') + 2);
  });

  it('apply --branch writes one commit per layer at main and at the Nano branch fork point', async () => {
    const clone = join(await makeTempDir('nano-overlay-scripts-'), 'scripts.git');
    git(scripts!, 'clone', '-q', '--bare', scripts!, clone);
    const forkPoint = git(clone, 'merge-base', 'main', 't-lo/flatcar-nano');
    for (const [ref, branch] of [['main', 'nano/main'], [forkPoint, 'nano/fork-point']] as const) {
      const report = await applyToUpstream({ upstream: clone, ref, layersDir: NANO_LAYERS, destination: { branch } });
      expect(report.ok).toBe(true);
      expect(git(clone, 'rev-list', '--count', `${ref}..${branch}`)).toBe(String(report.layers.length));
    }
  });

  it('rebase --onto the fork point and back to main: every layer moves, and the patches come back byte for byte', async () => {
    const layers = join(await makeTempDir('nano-overlay-layers-'), 'layers');
    for (const part of ['patches', 'templates', 'overlay', 'values.yaml']) await cp(join(NANO_LAYERS, part), join(layers, part), { recursive: true });
    git(layers, 'init', '-q');
    git(layers, 'add', '-A');
    git(layers, 'commit', '-qm', 'layers');
    const forkPoint = git(scripts!, 'merge-base', 'main', 't-lo/flatcar-nano');
    const older = await startRebase({ upstream: scripts!, onto: forkPoint, layersDir: layers });
    expect(older.layers.filter((layer) => layer.status === 'conflict')).toEqual([]);
    expect(git(layers, 'diff', '--name-only', '--', 'patches/')).toContain('layer.yaml');
    const back = await startRebase({ upstream: scripts!, onto: 'main', layersDir: layers });
    expect(back.done).toBe(true);
    expect(git(layers, 'status', '--porcelain')).toBe('');
  });

  it('the imported Nano branch: conditionalize of every overlay layer with its flag leaves no stock-safety error at the base', async () => {
    const into = join(await makeTempDir('nano-overlay-import-'), 'layers');
    const imported = await importBranch({ upstream: scripts!, from: 't-lo/flatcar-nano', into });
    const flags: Record<string, string> = {
      'coreos-base-coreos-init': 'openssh',
      'coreos-base-coreos-cloudinit': 'openssh',
      'app-emulation-wa-linux-agent': 'openssh',
      'coreos-base-misc-files': 'bash',
      'sys-apps-baselayout': 'bash',
      'app-crypt-clevis': 'jq',
      'profiles-coreos-base': 'openssh',
      'profiles-coreos-targets-generic': 'openssh',
    };
    for (const [layer, flag] of Object.entries(flags)) {
      const report = await conditionalizeLayer({ upstream: scripts!, ref: imported.base, layersDir: into, layer, flag });
      expect(report.unconverted, layer).toEqual([]);
    }
    const report = await validateLayers({ upstream: scripts!, ref: imported.base, layersDir: into });
    const stockSafety = new Set(['UnguardedChange', 'FlagDefaultChangesStock', 'UnguardedProfileChange']);
    expect(report.findings.filter((finding) => stockSafety.has(finding.code))).toEqual([]);
  });
});
