import { describe, expect, it } from 'vitest';
import { badgeView, hunkCountsText } from '../../src/review/badges.js';
import type { HunkReview, LayerReview } from '../../src/review/review.js';
import type { Verdict } from '../../src/verdicts/index.js';

const layer: LayerReview = {
  name: 'l',
  summary: 's',
  description: 'd',
  root: 'overlay',
  status: 'applied',
  flags: [{ name: 'motd', default: 'on', description: 'the motd', packages: ['app-misc/demo-files'] }],
  files: [],
  findings: [],
};
const hunk = (tag: HunkReview['tag'], verdict: Verdict, text: string): HunkReview => ({
  header: '@@ -1 +1 @@',
  newStart: 1,
  newLines: 1,
  added: 1,
  removed: 1,
  tag,
  badge: { verdict, text },
  patch: '',
  findings: [],
});

describe('hunk badges', () => {
  it('name a hunk under no flag guard by its verdict, with its tone and the verdict\'s reason', () => {
    const verdicts = ['neutral', 'guarded', 'unproven', 'stock-changing'] as const;
    const views = verdicts.map((verdict) => badgeView(hunk({ kind: 'unguarded' }, verdict, `why ${verdict}`), layer));
    expect(views).toEqual([
      { label: 'neutral', tone: 'info', reason: 'why neutral' },
      { label: 'guarded', tone: 'ok', reason: 'why guarded' },
      { label: 'not proven', tone: 'warn', reason: 'why unproven' },
      { label: 'changes stock', tone: 'bad', reason: 'why stock-changing' },
    ]);
  });

  it('give a guarded hunk its flags with their stock defaults', () => {
    expect(badgeView(hunk({ kind: 'guarded', flags: ['!motd'] }, 'guarded', 'x'), layer)).toEqual({
      label: 'guarded: !motd',
      tone: 'ok',
      reason: 'runs only under USE !motd (stock default on)',
    });
  });

  it('count hunks under no flag guard as such in the summary, not as unguarded', () => {
    expect(hunkCountsText({ hunks: { 'new file': 1, guarded: 2, profile: 0, unguarded: 1 } })).toBe('1 new file, 2 guarded, 1 under no flag');
  });
});
