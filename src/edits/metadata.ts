import { missingAnchor } from './edit-error.js';
import { lineStart, splice } from './source-text.js';
import type { EditContext, EditResult, MetadataFlag } from './types.js';

/**
 * Describes `edit.flag` in a package's metadata.xml: a `<flag name="…">` line at the end of the
 * `<use>` block, or a new `<use>` block before `</pkgmetadata>` when the file has none. Indentation
 * follows the file (its first indented line, a tab when none is). Already applied when the file
 * describes the flag, whatever the words; comments are not read as descriptions.
 */
export function applyMetadataFlag(text: string, edit: MetadataFlag, ctx: EditContext): EditResult {
  if (describedFlags(text).has(edit.flag)) return { text, status: 'already-applied' };
  const code = withoutComments(text);
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const unit = /^([ \t]+)</m.exec(code)?.[1] ?? '\t';
  const flagLine = (indent: string) => `${indent}<flag name="${edit.flag}">${escapeXml(edit.description.trim())}</flag>${eol}`;

  const useEnd = /^([ \t]*)<\/use>/m.exec(code);
  if (useEnd) {
    const useIndent = /^([ \t]*)<use[\s>]/m.exec(code)?.[1] ?? useEnd[1]!;
    const at = lineStart(text, useEnd.index + useEnd[1]!.length);
    return { text: splice(text, at, at, flagLine(useIndent + unit)), status: 'applied' };
  }
  const end = /^[ \t]*<\/pkgmetadata>/m.exec(code);
  if (!end) throw missingAnchor(ctx, '</pkgmetadata> to add a <use> block before');
  const block = `${unit}<use>${eol}${flagLine(unit + unit)}${unit}</use>${eol}`;
  return { text: splice(text, end.index, end.index, block), status: 'applied' };
}

/** The flags a metadata.xml describes (`<flag name="…">`), commented-out entries left out. */
export function describedFlags(xml: string): Set<string> {
  return new Set([...withoutComments(xml).matchAll(/<flag\s+name\s*=\s*["']([^"']+)["']/g)].map((match) => match[1]!));
}

/** `xml` with its comments blanked out, every other character where it was. */
function withoutComments(xml: string): string {
  return xml.replace(/<!--[\s\S]*?-->/g, (comment) => comment.replace(/[^\n]/g, ' '));
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
