import { join } from 'node:path';
/** How a layer or one of its files moved to the new upstream, from best to worst. */
export type RebaseStatus = 'upstreamed' | 'clean' | 'followed' | 'merged' | 'conflict';

/** One file a layer touches: the path it names, the path it changes at the new upstream, and how it went. */
export interface RebaseFileResult {
  readonly path: string;
  readonly resolvedPath: string;
  readonly status: RebaseStatus;
  readonly kind: 'patch' | 'edit' | 'file';
  readonly root: 'overlay' | 'scripts';
  readonly detail?: string;
  /** A conflict resolved by hand in the rebase work tree. */
  readonly resolved?: boolean;
}

/** One layer's result. */
export interface RebaseLayerResult {
  readonly name: string;
  readonly status: RebaseStatus;
  readonly files: readonly RebaseFileResult[];
  readonly resolved?: boolean;
  readonly messages?: readonly string[];
}

/** What `rebase` did, in the shape `--json` prints. */
export interface RebaseReport {
  readonly onto: { readonly ref: string; readonly commit: string };
  readonly layers: readonly RebaseLayerResult[];
  /** Set when the rebase stopped at a conflict. */
  readonly stopped?: {
    readonly layer: string;
    readonly worktree: string;
    /** Files with conflict markers, in the work tree. */
    readonly files: readonly string[];
    /** Templated patch files (in the layer set) to edit until they render to the change in the work tree. */
    readonly templates?: readonly string[];
  };
  /** Layers removed with --drop-upstreamed. */
  readonly dropped: readonly string[];
  readonly done: boolean;
}

const ORDER: readonly RebaseStatus[] = ['upstreamed', 'clean', 'followed', 'merged', 'conflict'];

/** A layer's status from its files: the worst one, `upstreamed` only when every file is. */
export function layerRebaseStatus(files: readonly RebaseFileResult[]): RebaseStatus {
  if (files.length > 0 && files.every((file) => file.status === 'upstreamed')) return 'upstreamed';
  return files.reduce<RebaseStatus>((worst, file) => (ORDER.indexOf(file.status) > ORDER.indexOf(worst) ? file.status : worst), 'clean');
}

/** The report as a table: one row a layer, then its files that did not go clean, then what to do next. */
export function formatRebaseReport(report: RebaseReport, layersDir: string): string {
  const width = Math.max(5, ...report.layers.map((layer) => layer.name.length));
  const lines = [`rebase onto ${report.onto.ref} (${report.onto.commit.slice(0, 12)})`, '', `${'LAYER'.padEnd(width)}  STATUS      FILES`];
  for (const layer of report.layers) {
    const status = layer.resolved ? 'resolved' : layer.status;
    lines.push(`${layer.name.padEnd(width)}  ${status.padEnd(10)}  ${layer.files.length}`);
    for (const file of layer.files) {
      if (file.status === 'clean') continue;
      const moved = file.resolvedPath !== file.path ? ` → ${file.resolvedPath}` : '';
      const detail = file.detail ? ` (${file.detail})` : '';
      lines.push(`${''.padEnd(width)}    ${(file.resolved ? 'resolved' : file.status).padEnd(10)} ${file.path}${moved}${detail}`);
    }
    for (const message of layer.messages ?? []) lines.push(`${''.padEnd(width)}    note: ${message}`);
  }
  const upstreamed = report.layers.filter((layer) => layer.status === 'upstreamed' && !report.dropped.includes(layer.name));
  if (report.dropped.length > 0) lines.push('', `dropped (already upstream): ${report.dropped.join(', ')}`);
  if (upstreamed.length > 0) {
    lines.push(
      '',
      `already upstream, kept unchanged: ${upstreamed.map((layer) => layer.name).join(', ')}`,
      `remove them with: nano-overlay rebase --upstream <path> --onto ${report.onto.ref} --layers ${layersDir} --drop-upstreamed`,
    );
  }
  if (report.stopped) {
    lines.push(
      '',
      ...(report.stopped.templates?.length
        ? [
            `stopped at layer ${report.stopped.layer}: edit these templates until they render to the change in ${report.stopped.worktree}`,
            ...report.stopped.templates.map((file) => `  ${join(layersDir, file)}`),
          ]
        : [`stopped at layer ${report.stopped.layer}: resolve the conflicts in ${report.stopped.worktree}`, ...report.stopped.files.map((file) => `  ${file}`)]),
      'then run: nano-overlay rebase --continue' + (layersDir === '.' ? '' : ` --layers ${layersDir}`),
      'or give up and restore the layer set: nano-overlay rebase --abort' + (layersDir === '.' ? '' : ` --layers ${layersDir}`),
    );
  } else if (report.done) {
    lines.push('', `done: every layer's patches are against ${report.onto.commit.slice(0, 12)}`);
  }
  return lines.join('\n');
}
