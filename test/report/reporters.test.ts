import { describe, expect, it } from 'vitest';
import { finding } from '../../src/checks/finding.js';
import { colorsFor, NO_COLORS } from '../../src/report/colors.js';
import { formatGithub } from '../../src/report/github.js';
import { layerSetAnchors } from '../../src/report/anchors.js';
import { formatHuman, summaryLine } from '../../src/report/human.js';

const findings = [
  finding('UnguardedChange', 'error', 'changes what a stock build does: adds "rm -f x"', { layer: 'ssh', path: 'coreos-base/x/x-9999.ebuild', line: 42 }),
  finding('PatchFuzzApplied', 'warning', 'hunk applied with fuzz 1, 50% done', { layer: 'ssh', path: 'a,b:c.ebuild', line: 3 }),
  finding('TargetFollowed', 'info', 'followed a → b\nnext line', { layer: 'bash' }),
  finding('IndentStyle', 'style', 'added line indented with spaces', { layer: 'bash', path: 'p', line: 1 }),
  finding('BadSeries', 'error', 'listed twice', { path: 'patches/series', line: 3 }),
];

describe('formatGithub', () => {
  it('anchors layer findings on the manifest and layer-set findings where they are, with escaped values', () => {
    const manifests = new Map([
      ['ssh', 'patches/ssh/layer.yaml'],
      ['bash', 'patches/bash/layer.yaml'],
    ]);
    expect(formatGithub(findings, manifests).split('\n')).toEqual([
      '::error file=patches/ssh/layer.yaml,title=UnguardedChange (ssh)::coreos-base/x/x-9999.ebuild:42: changes what a stock build does: adds "rm -f x"',
      '::warning file=patches/ssh/layer.yaml,title=PatchFuzzApplied (ssh)::a,b:c.ebuild:3: hunk applied with fuzz 1, 50%25 done',
      '::notice file=patches/bash/layer.yaml,title=TargetFollowed (bash)::followed a → b%0Anext line',
      '::notice file=patches/bash/layer.yaml,title=IndentStyle (bash)::p:1: added line indented with spaces',
      '::error file=patches/series,line=3,title=BadSeries::listed twice',
    ]);
    expect(formatGithub([finding('X', 'warning', 'm', { path: 'a:b,c', line: 2 })], new Map())).toBe('::warning file=a%3Ab%2Cc,line=2,title=X::m');
  });
});

describe('formatHuman', () => {
  const layers = [
    { name: 'ssh', status: 'fuzz', files: [{ path: 'x-0.0.1-r3.ebuild', resolvedPath: 'x-9999.ebuild', status: 'fuzz' }] },
    { name: 'bash', status: 'applied', files: [] },
  ];

  it('groups findings under their layer and ends with a summary line', () => {
    const text = formatHuman(layers, findings, NO_COLORS, 'validate');
    expect(text.split('\n')).toEqual([
      'ssh: fuzz',
      '  x-0.0.1-r3.ebuild → x-9999.ebuild: fuzz',
      '  error UnguardedChange: coreos-base/x/x-9999.ebuild:42: changes what a stock build does: adds "rm -f x"',
      '  warning PatchFuzzApplied: a,b:c.ebuild:3: hunk applied with fuzz 1, 50% done',
      'bash: applied',
      '  info TargetFollowed: followed a → b\nnext line',
      '  style IndentStyle: p:1: added line indented with spaces',
      '(layer set)',
      '  error BadSeries: patches/series:3: listed twice',
      'validate: 2 layers (1 fuzz, 1 applied); 2 errors, 1 warning, 1 info, 1 style',
    ].join('\n').split('\n'));
  });

  it('counts plurals right', () => {
    expect(summaryLine([], [], 'validate')).toBe('validate: 0 layers; 0 errors, 0 warnings, 0 info, 0 style');
  });

  it('colours only a terminal, and never with NO_COLOR', () => {
    const saved = process.env.NO_COLOR;
    try {
      delete process.env.NO_COLOR;
      expect(colorsFor({ isTTY: true }).red('x')).not.toBe('x');
      expect(colorsFor({ isTTY: false }).red('x')).toBe('x');
      process.env.NO_COLOR = '1';
      expect(colorsFor({ isTTY: true }).red('x')).toBe('x');
    } finally {
      if (saved === undefined) delete process.env.NO_COLOR;
      else process.env.NO_COLOR = saved;
    }
  });
});

describe('GitHub annotations on the layer set', () => {
  it('carry the patch line that adds a finding\'s line, and the manifest for a structured edit', async () => {
    const anchorOf = await layerSetAnchors('examples/layers');
    const at = (layer: string, path: string, line: number | null) => anchorOf(finding('X', 'error', 'm', { layer, path, line }));
    const patch = 'patches/demo-files-motd-optional/0001-motd-optional.patch';
    expect(at('demo-files-motd-optional', 'app-misc/demo-files/demo-files-0-r3.ebuild', 13)).toEqual({ file: patch, line: 10 });
    expect(at('demo-files-motd-optional', 'app-misc/demo-files/demo-files-0-r3.ebuild', 16)).toEqual({ file: patch, line: 15 });
    expect(at('demo-init-agent-optional', 'coreos-base/demo-init/demo-init-9999.ebuild', 20)).toEqual({ file: 'patches/demo-init-agent-optional/layer.yaml', line: null });
    expect(at('demo-lean-package', 'coreos-base/demo-lean/metadata.xml', 3)).toEqual({ file: 'overlay/demo-lean-package/coreos-base/demo-lean/metadata.xml', line: 3 });
    expect(at('demo-lean-package', 'elsewhere/x/y', 3)).toBeUndefined();
    const found = finding('X', 'error', 'm', { layer: 'demo-files-motd-optional', path: 'app-misc/demo-files/demo-files-0-r3.ebuild', line: 16 });
    expect(formatGithub([found], new Map([['demo-files-motd-optional', 'patches/demo-files-motd-optional/layer.yaml']]), anchorOf)).toBe(
      `::error file=${patch},line=15,title=X (demo-files-motd-optional)::app-misc/demo-files/demo-files-0-r3.ebuild:16: m`,
    );
  });
});
