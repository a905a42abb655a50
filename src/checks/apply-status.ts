import { describeFollow } from '../layers/targets.js';
import type { Check } from './context.js';
import { finding, type Finding } from './finding.js';

/**
 * How each layer applied: `PatchDoesNotApply` (error) for a file that failed or was left in conflict,
 * `PatchFuzzApplied` (warning) for hunks that needed fuzz, `TargetFollowed` (info) for every target
 * followed through a symlink or a bumped ebuild, and `LayerSkipped` (warning) for a layer that
 * could not be tried against this upstream.
 */
export const applyStatusCheck: Check = {
  name: 'apply-status',
  codes: ['PatchDoesNotApply', 'PatchFuzzApplied', 'TargetFollowed', 'LayerSkipped'],
  async run(context) {
    const findings: Finding[] = [];
    for (const layer of context.input.result.layers) {
      const followsSeen = new Set<string>();
      if (layer.status === 'skipped') {
        findings.push(finding('LayerSkipped', 'warning', layer.message ?? 'layer skipped', { layer: layer.name }));
      }
      for (const file of layer.files) {
        const where = { layer: layer.name, path: file.resolvedPath };
        if (file.status === 'failed' || file.status === 'conflict') {
          const rejected = file.hunks?.filter((hunk) => hunk.status === 'rejected' || hunk.status === 'conflict') ?? [];
          const detail = file.message ?? rejected.map((hunk) => hunk.message).filter(Boolean).join('; ');
          const line = file.hunks?.find((hunk) => hunk.status === 'rejected' || hunk.status === 'conflict')?.line;
          findings.push(
            finding('PatchDoesNotApply', 'error', `${file.source}: ${file.status === 'conflict' ? 'conflicts' : 'does not apply'}${detail ? `: ${detail}` : ''}`, {
              ...where,
              line: line ?? null,
            }),
          );
        }
        for (const hunk of file.hunks ?? []) {
          if (hunk.status === 'fuzz') {
            findings.push(finding('PatchFuzzApplied', 'warning', `${file.source}: hunk applied with fuzz ${hunk.fuzz}`, { ...where, line: hunk.line ?? null }));
          }
        }
        for (const follow of file.follows) {
          const description = describeFollow(follow);
          if (followsSeen.has(description)) continue;
          followsSeen.add(description);
          findings.push(finding('TargetFollowed', 'info', `followed ${description}`, where));
        }
      }
    }
    return findings;
  },
};
