import { describe, expect, it } from 'vitest';
import { applyEdit, type MetadataFlag } from '../../src/edits/index.js';
import { applyTwice } from './diff.js';
import { ctx } from './fixtures.js';

const HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE pkgmetadata SYSTEM "https://www.gentoo.org/dtd/metadata.dtd">\n';
const openssh: MetadataFlag = { type: 'metadata-flag', flag: 'openssh', description: 'Install the sshd units & <keys>' };

describe('metadata-flag', () => {
  it('creates the <use> block before </pkgmetadata>, escaping the description', () => {
    expect(applyTwice(`${HEAD}<pkgmetadata>\n</pkgmetadata>\n`, openssh)).toBe(
      `${HEAD}<pkgmetadata>\n\t<use>\n\t\t<flag name="openssh">Install the sshd units &amp; &lt;keys&gt;</flag>\n\t</use>\n</pkgmetadata>\n`,
    );
  });

  it('adds to the end of an existing <use> block in the file\'s indentation', () => {
    const text = `${HEAD}<pkgmetadata>\n  <upstream>\n    <remote-id type="github">flatcar/init</remote-id>\n  </upstream>\n  <use>\n    <flag name="audit">Audit</flag>\n  </use>\n</pkgmetadata>\n`;
    expect(applyTwice(text, openssh)).toBe(text.replace('  </use>', '    <flag name="openssh">Install the sshd units &amp; &lt;keys&gt;</flag>\n  </use>'));
  });

  it('reports a flag the file describes already, whatever the words, as already applied; a comment is no description', () => {
    const described = `${HEAD}<pkgmetadata>\n\t<use>\n\t\t<flag name='openssh'>Other words</flag>\n\t</use>\n</pkgmetadata>\n`;
    expect(applyEdit(described, openssh, ctx)).toEqual({ text: described, status: 'already-applied' });
    const commented = `${HEAD}<pkgmetadata>\n\t<!-- <flag name="openssh">x</flag> -->\n</pkgmetadata>\n`;
    expect(applyTwice(commented, openssh)).toContain('<use>\n\t\t<flag name="openssh">');
  });

  it('keeps CRLF line endings', () => {
    expect(applyTwice('<pkgmetadata>\r\n</pkgmetadata>\r\n', openssh)).toBe(
      '<pkgmetadata>\r\n\t<use>\r\n\t\t<flag name="openssh">Install the sshd units &amp; &lt;keys&gt;</flag>\r\n\t</use>\r\n</pkgmetadata>\r\n',
    );
  });

  it('names the missing anchor when the file is no package metadata', () => {
    expect(() => applyEdit('<catmetadata>\n</catmetadata>\n', openssh, ctx)).toThrow(
      'layer ssh: app-misc/demo/demo-1.ebuild: cannot find </pkgmetadata> to add a <use> block before',
    );
  });
});
