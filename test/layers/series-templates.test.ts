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

  it('is strict in block helpers, helper parameters, hashes and partial parameters too', () => {
    const renderer = new TemplateRenderer([
      { name: 'item', file: 'templates/item.hbs', text: '{{name}}{{#if extra.missing}}!{{/if}}' },
      { name: 'plain', file: 'templates/plain.hbs', text: '{{name}}' },
    ]);
    const values = { package_set: { keep: ['a/b', 'c/d'], add: [], notes: { x: 'y' } }, flag: 'openssh', extra: {} };
    const fails = (text: string, where: string, path: string) =>
      expect(() => renderer.render(source(text, 'overlay/l/x.ebuild.hbs'), values), text).toThrow(`${where}: template variable '${path}' is not defined`);
    fails('one\n{{#each package_set.kep}}{{this}}{{/each}}', 'overlay/l/x.ebuild.hbs:2', 'package_set.kep');
    fails('{{#if package_set.ad}}x{{/if}}', 'overlay/l/x.ebuild.hbs:1', 'package_set.ad');
    fails('{{#unless package_set.ad.length}}x{{/unless}}', 'overlay/l/x.ebuild.hbs:1', 'package_set.ad.length');
    fails('{{#with package_set.note}}{{x}}{{/with}}', 'overlay/l/x.ebuild.hbs:1', 'package_set.note');
    fails('{{#each package_set.keep}}\n{{#if ../flg}}{{/if}}{{/each}}', 'overlay/l/x.ebuild.hbs:2', '../flg');
    fails('{{#each package_set.keep as |atom|}}{{join (lookup atom.nope 0) ","}}{{/each}}', 'overlay/l/x.ebuild.hbs:1', 'atom.nope');
    fails('{{join package_set.keeps ", "}}', 'overlay/l/x.ebuild.hbs:1', 'package_set.keeps');
    fails('{{#useGuard flags}}x{{/useGuard}}', 'overlay/l/x.ebuild.hbs:1', 'flags');
    fails('{{> plain name=package_set.nam}}', 'overlay/l/x.ebuild.hbs:1', 'package_set.nam');
    fails('{{> plain package_set.gone}}', 'overlay/l/x.ebuild.hbs:1', 'package_set.gone');
    fails('{{#if @root.package_set.kep}}{{/if}}', 'overlay/l/x.ebuild.hbs:1', '@root.package_set.kep');
    fails('{{> item name=flag}}', 'templates/item.hbs:1', 'extra.missing');

    const fine = [
      '{{#each package_set.keep}}{{#if (lookup ../package_set.notes this)}}{{/if}}{{this}} {{@index}}{{/each}}',
      '{{#each package_set.notes as |note key|}}{{note}}{{key}}{{#if ../flag}}{{/if}}{{/each}}',
      '{{#if package_set.add.length}}x{{else}}{{join package_set.keep ","}}{{/if}}',
      '{{#with package_set}}{{#each keep}}{{this}}{{/each}}{{#if @root.flag}}{{/if}}{{/with}}',
      '{{> plain name=flag}}{{> plain package_set.notes name="n"}}',
    ];
    for (const text of fine) expect(() => renderer.render(source(text), values), text).not.toThrow();
  });
});
