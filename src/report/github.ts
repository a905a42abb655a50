import type { Finding } from '../checks/finding.js';

const COMMAND: Record<Finding['level'], string> = { error: 'error', warning: 'warning', info: 'notice', style: 'notice' };

/**
 * Formats findings as GitHub Actions workflow commands (`::error file=…,line=…,title=CODE::message`).
 * `pathPrefix` turns overlay-relative paths into repository-relative ones, so annotations land on
 * the right file of a flatcar/scripts pull request.
 */
export function formatGithub(findings: readonly Finding[], pathPrefix = ''): string {
  return findings
    .map((finding) => {
      const properties: string[] = [];
      if (finding.path !== null) properties.push(`file=${escapeProperty(pathPrefix + finding.path)}`);
      if (finding.line !== null) properties.push(`line=${finding.line}`);
      properties.push(`title=${escapeProperty(finding.layer ? `${finding.code} (${finding.layer})` : finding.code)}`);
      return `::${COMMAND[finding.level]} ${properties.join(',')}::${escapeData(finding.message)}`;
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
