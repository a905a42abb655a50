import type { FilePatch, FileResult, PatchSetResult } from '../patch/index.js';

/** The JSON form of a patch outcome: `{ ok, files: [ { path, oldPath?, status, hunks: [ { status, offset, fuzz } ] } ] }`. */
export function patchJson(result: PatchSetResult): object {
  return {
    ok: result.ok,
    files: result.files.map((file) => ({
      path: file.path,
      ...(file.oldPath !== undefined ? { oldPath: file.oldPath } : {}),
      status: file.status,
      hunks: file.hunks.map((hunk) => ({
        status: hunk.status,
        offset: hunk.offset,
        fuzz: hunk.fuzz,
        ...(hunk.line !== undefined ? { line: hunk.line } : {}),
        ...(hunk.message ? { message: hunk.message } : {}),
      })),
      ...(file.message ? { message: file.message } : {}),
    })),
  };
}

/** One line per file, one more per hunk that did not apply cleanly, and a closing summary. */
export function patchText(result: PatchSetResult, patches: readonly FilePatch[], written: boolean, check: boolean): string {
  const lines: string[] = [];
  result.files.forEach((file, index) => {
    const patch = patches[index]!;
    const notes = file.hunks.flatMap((hunk, number) => {
      if (hunk.status === 'offset') return [`hunk #${number + 1} offset ${signed(hunk.offset)}`];
      if (hunk.status === 'fuzz') return [`hunk #${number + 1} fuzz ${hunk.fuzz}, offset ${signed(hunk.offset)}`];
      if (hunk.status === 'merged') return [`hunk #${number + 1} merged three-way`];
      if (hunk.status === 'already-applied') return [`hunk #${number + 1} already applied`];
      return [];
    });
    const from = file.oldPath !== undefined ? ` (from ${file.oldPath})` : '';
    lines.push(`${fileVerdict(file).padEnd(9)} ${file.path}${from}${notes.length ? `: ${notes.join(', ')}` : ''}`);
    file.hunks.forEach((hunk, number) => {
      if (hunk.status !== 'rejected' && hunk.status !== 'conflict') return;
      const hunkLine = patch.hunks[number]?.sourceLine ?? patch.sourceLine;
      const at = hunk.line !== undefined ? ` at line ${hunk.line}` : '';
      const why = hunk.message ?? file.message ?? '';
      const what = hunk.status === 'rejected' ? 'rejected' : 'conflicts';
      lines.push(`  hunk #${number + 1} (${patch.source ?? '<patch>'}:${hunkLine}) ${what}${at}${why ? `: ${why}` : ''}`);
    });
  });
  const failed = result.files.filter((file) => ['FAILED', 'CONFLICT'].includes(fileVerdict(file))).length;
  if (check) lines.push(result.ok ? `${result.files.length} file(s) would apply; nothing written` : `${failed} file(s) would fail; nothing written`);
  else if (written) lines.push(result.ok ? `${result.files.length} file(s) applied` : `${failed} file(s) left with conflict markers`);
  else lines.push(`${failed} file(s) failed; nothing written`);
  return lines.join('\n');
}

function fileVerdict(file: FileResult): string {
  const statuses = file.hunks.map((hunk) => hunk.status);
  if (statuses.includes('rejected')) return 'FAILED';
  if (statuses.includes('conflict')) return 'CONFLICT';
  if (statuses.length && statuses.every((status) => status === 'already-applied')) return 'already';
  return file.status;
}

function signed(value: number): string {
  return value > 0 ? `+${value}` : `${value}`;
}
