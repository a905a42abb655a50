import type { Finding } from '../checks/finding.js';
import type { Anchor } from './anchors.js';

const COMMAND: Record<Finding['level'], string> = { error: 'error', warning: 'warning', info: 'notice', style: 'notice' };

/**
 * Formats findings as GitHub Actions workflow commands (`::error file=…,line=…,title=CODE::message`)
 * for a pull request on the layer set. A finding of a layer is anchored on the patch line, placed
 * file or manifest it comes from (`anchorOf`, carrying `line=` where one is known), else on the
 * layer's manifest (`manifests` maps layer names to it), with the overlay path and line it concerns
 * leading the message; a finding about the layer set itself (series, manifest, template) is anchored
 * where it is.
 */
export function formatGithub(findings: readonly Finding[], manifests: ReadonlyMap<string, string>, anchorOf: (finding: Finding) => Anchor | undefined = () => undefined): string {
  return findings
    .map((finding) => {
      const manifest = finding.layer === null ? undefined : manifests.get(finding.layer);
      const where = finding.path === null ? '' : `${finding.path}${finding.line === null ? '' : `:${finding.line}`}: `;
      const anchor = manifest ? anchorOf(finding) : undefined;
      const anchored = manifest
        ? { file: anchor?.file ?? manifest, line: anchor?.line ?? null, message: `${where}${finding.message}` }
        : { file: finding.path, line: finding.line, message: finding.message };
      const properties: string[] = [];
      if (anchored.file !== null) properties.push(`file=${escapeProperty(anchored.file)}`);
      if (anchored.line !== null) properties.push(`line=${anchored.line}`);
      properties.push(`title=${escapeProperty(finding.layer ? `${finding.code} (${finding.layer})` : finding.code)}`);
      return `::${COMMAND[finding.level]} ${properties.join(',')}::${escapeData(anchored.message)}`;
    })
    .join('\n');
}

/** Escapes a workflow command's message, as the GitHub Actions toolkit does. */
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escapes a workflow command's property value, as the GitHub Actions toolkit does. */
function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
