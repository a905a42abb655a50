import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyEdit, EditError, type StructuredEdit } from '../../src/edits/index.js';
import { scanShell } from '../../src/edits/shell-mask.js';
import { ctx, fourSpacesEbuild, noIuseEbuild, tabsEbuild, twoSpacesEbuild } from './fixtures.js';

const profileLine = fc.stringMatching(/^[a-z#/ +-]{1,12}$/).filter((line) => line.trim() !== '');
const profileFile = fc
  .tuple(fc.array(profileLine, { maxLength: 8 }), fc.boolean(), fc.constantFrom('\n', '\r\n'))
  .map(([lines, finalNewline, eol]) => (lines.length === 0 ? '' : lines.join(eol) + (finalNewline ? eol : '')));

/** Fragments bash and ebuilds are made of, to build texts the edits must survive. */
const shellPiece = fc.constantFrom(
  'EAPI=8\n', 'IUSE="a"\n', "IUSE='b +c'\n", 'IUSE+=" d"\n', 'SLOT="0"\n', 'inherit x\n', 'RDEPEND="a/b"\n',
  'DEPEND="\n\t>=a/b-1:=\n"\n', 'src_install() {\n', 'src_install() { :; }\n', '}\n', '{', '}', '"', "'", '$(', ')', '${',
  '<<EOF\n', 'EOF\n', '# c\n', '\tif use x; then\n', '\tfi\n', ' ', '\n', 'x? ( ', ' )', '\\',
);
const shellText = fc.array(shellPiece, { maxLength: 25 }).map((pieces) => pieces.join(''));

const edits: StructuredEdit[] = [
  { type: 'iuse-add', flag: 'openssh', default: 'on' },
  { type: 'dep-conditional', atom: 'a/b', flag: 'openssh' },
  { type: 'phase-append', phase: 'src_install', flag: '!openssh', body: 'rm x\n', createPhase: true },
  { type: 'patches-add', flag: 'openssh', patch: 'x.patch' },
  { type: 'line-add', line: 'a/b -openssh' },
];

describe('properties', () => {
  it('line-add then line-remove restores the file', () => {
    fc.assert(
      fc.property(profileFile, profileLine, fc.option(fc.nat(), { nil: undefined }), (text, line, afterIndex) => {
        const lines = text.split(/\r?\n/).filter((l) => l !== '');
        fc.pre(!lines.some((l) => l.trim() === line.trim()));
        const after = afterIndex === undefined || lines.length === 0 ? undefined : lines[afterIndex % lines.length];
        const added = applyEdit(text, { type: 'line-add', line, ...(after === undefined ? {} : { after }) }, ctx);
        expect(added.status).toBe('applied');
        const removed = applyEdit(added.text, { type: 'line-remove', line }, ctx);
        expect(removed.text).toBe(text === '' ? '' : text);
      }),
    );
  });

  it('the mask keeps length and newlines', () => {
    fc.assert(
      fc.property(fc.oneof(shellText, fc.string()), (text) => {
        const { mask } = scanShell(text);
        expect(mask.length).toBe(text.length);
        for (let i = 0; i < text.length; i++) expect(mask[i] === '\n').toBe(text[i] === '\n');
      }),
    );
  });

  it('every edit is idempotent on ebuild-like text, or fails with an EditError', () => {
    fc.assert(
      fc.property(fc.oneof(shellText, fc.constantFrom(tabsEbuild, fourSpacesEbuild, twoSpacesEbuild, noIuseEbuild)), fc.constantFrom(...edits), (text, edit) => {
        let first;
        try {
          first = applyEdit(text, edit, ctx);
        } catch (error) {
          expect(error).toBeInstanceOf(EditError);
          return;
        }
        expect(applyEdit(first.text, edit, ctx)).toEqual({ text: first.text, status: 'already-applied' });
      }),
      { numRuns: 500 },
    );
  });
});
