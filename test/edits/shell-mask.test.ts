import { describe, expect, it } from 'vitest';
import { applyEdit } from '../../src/edits/index.js';
import { scanShell } from '../../src/edits/shell-mask.js';
import { ctx } from './fixtures.js';

describe('scanShell', () => {
  it('masks strings, comments, expansions and heredoc bodies but not here-strings', () => {
    const text = 'a="x y" # c\nb=${v:-"}"} $(echo ")")\ncat <<-EOF\n}\n\tEOF\nread -r x <<<"${y}"\n}\n';
    const { mask, unterminated } = scanShell(text);
    expect(unterminated).toBe(false);
    expect(mask).toBe('a="___" ___\nb=$________ $__________\ncat <<-EOF\n_\n\tEOF\nread -r x <<<"____"\n}\n');
  });

  it('tells when the text ends inside a construct', () => {
    for (const text of ['a="x', "b='", 'c=$(x', 'd=${x', 'cat <<EOF\nx\n', 'cat <<EOF\n']) {
      expect(scanShell(text).unterminated).toBe(true);
    }
  });

  it('makes ebuild edits refuse incomplete shell code and unclosed functions', () => {
    expect(() => applyEdit('EAPI=8\nIUSE="a\n', { type: 'iuse-add', flag: 'x', default: 'on' }, ctx)).toThrow(
      'layer ssh: app-misc/demo/demo-1.ebuild: cannot find the end of every quote, substitution and heredoc',
    );
    expect(() =>
      applyEdit('src_install() {\n\t:\n', { type: 'phase-append', phase: 'src_install', flag: 'x', body: 'y', createPhase: true }, ctx),
    ).toThrow('cannot find the closing brace of src_install()');
  });
});
