import { describe, expect, it } from 'vitest';
import { applyEdit, type LineAdd, type LineRemove } from '../../src/edits/index.js';
import { ctx } from './fixtures.js';

const packageUse = '# Nano USE\nsys-apps/systemd -curl -http\ncoreos-base/coreos-init -openssh\n';

function apply(text: string, edit: LineAdd | LineRemove) {
  return applyEdit(text, edit, ctx);
}

describe('line-add', () => {
  it('adds at the end, keeping the final newline or its absence', () => {
    expect(apply(packageUse, { type: 'line-add', line: 'app-shells/bash -readline' }).text).toBe(
      `${packageUse}app-shells/bash -readline\n`,
    );
    expect(apply('a\nb', { type: 'line-add', line: 'c' })).toEqual({ text: 'a\nb\nc', status: 'applied' });
    expect(apply('', { type: 'line-add', line: '../generic' })).toEqual({ text: '../generic\n', status: 'applied' });
  });

  it('adds after the first line matching exactly or trimmed', () => {
    expect(apply(packageUse, { type: 'line-add', line: 'x/y z', after: '  # Nano USE ' }).text).toBe(
      '# Nano USE\nx/y z\nsys-apps/systemd -curl -http\ncoreos-base/coreos-init -openssh\n',
    );
  });

  it('keeps CRLF line endings', () => {
    expect(apply('a\r\nb\r\n', { type: 'line-add', line: 'c', after: 'a' }).text).toBe('a\r\nc\r\nb\r\n');
  });

  it('reports a line already there, wherever it is, as already applied', () => {
    expect(apply(packageUse, { type: 'line-add', line: 'sys-apps/systemd -curl -http ' })).toEqual({
      text: packageUse,
      status: 'already-applied',
    });
  });

  it('names the missing after-anchor', () => {
    expect(() => apply(packageUse, { type: 'line-add', line: 'x', after: '# Stock' })).toThrow(
      "layer ssh: app-misc/demo/demo-1.ebuild: cannot find line '# Stock'",
    );
  });
});

describe('line-remove', () => {
  it('removes every trimmed-equal line and keeps the rest byte for byte', () => {
    expect(apply('a\n  b \nc\nb\n', { type: 'line-remove', line: 'b' })).toEqual({ text: 'a\nc\n', status: 'applied' });
    expect(apply('a\r\nb\r\nc', { type: 'line-remove', line: 'c' }).text).toBe('a\r\nb');
  });

  it('reports a missing line as already applied', () => {
    expect(apply(packageUse, { type: 'line-remove', line: 'net-misc/ntp' })).toEqual({ text: packageUse, status: 'already-applied' });
  });
});
