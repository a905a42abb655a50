import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { parseSeries } from '../../src/layers/series.js';
import { TemplateRenderer } from '../../src/layers/templates.js';

describe('parseSeries', () => {
  it('keeps order and ignores comments and blank lines', () => {
    const entries = parseSeries('# layers\nfirst\n\nsecond  # trailing comment\n  third\n');
    expect(entries).toEqual([
      { name: 'first', line: 2 },
      { name: 'second', line: 4 },
      { name: 'third', line: 5 },
    ]);
  });

  it('names the line of a duplicate or invalid entry', () => {
    expect(() => parseSeries('a\nb\na\n')).toThrow('patches/series:3: layer \'a\' is listed twice (first on line 1)');
    expect(() => parseSeries('ok\nBad Name\n')).toThrow(/patches\/series:2: 'Bad Name' is not a valid layer name/);
  });
});

describe('TemplateRenderer', () => {
  const source = (text: string, file = 'templates/t.hbs') => ({ name: 't', file, text });

  it('renders with the ebuild helpers', () => {
    const renderer = new TemplateRenderer([{ name: 'cleanup', file: 'templates/cleanup.hbs', text: 'rm -f "${ED}/usr/bin/{{tool}}"' }]);
    const text = renderer.render(
      source('RDEPEND="\n{{atomLines atoms}}\n{{useGroup "openssh" extra}}"\n{{#useGuard "!openssh"}}\n{{> cleanup}}\n{{/useGuard}}\n{{join atoms ", "}}\n{{indent text 2}}'),
      { atoms: ['sys-apps/a', 'sys-apps/b'], extra: ['net-misc/openssh'], tool: 'ssh', text: 'a\n\nb' },
    );
    expect(text).toBe(
      'RDEPEND="\n\tsys-apps/a\n\tsys-apps/b\n\topenssh? (\n\t\tnet-misc/openssh\n\t)"\n' +
        'if ! use openssh; then\n\trm -f "${ED}/usr/bin/ssh"\nfi\n' +
        'sys-apps/a, sys-apps/b\n\t\ta\n\n\t\tb',
    );
  });

  it('reports a missing variable with the template file, line and expression', () => {
    const renderer = new TemplateRenderer([]);
    const render = () => renderer.render(source('line one\n  value: {{settings.missing}}\n', 'templates/x.ebuild.hbs'), { settings: {} });
    expect(render).toThrow(InputError);
    expect(render).toThrow("templates/x.ebuild.hbs:2: template variable 'settings.missing' is not defined");
  });

  it('reports an unknown partial and a syntax error', () => {
    const renderer = new TemplateRenderer([{ name: 'known', file: 'templates/known.hbs', text: 'k' }]);
    expect(() => renderer.render(source('{{> nope}}'), {})).toThrow("templates/t.hbs: partial 'nope' not found under templates/ (known: known)");
    expect(() => renderer.render(source('a\n{{#if x}}\n'), {})).toThrow(/templates\/t\.hbs:\d+: template syntax error/);
  });
});
