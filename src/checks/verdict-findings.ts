import { fileVerdicts } from '../verdicts/index.js';
import type { Check } from './context.js';

/** A check that reports the findings with `codes` that the per-file verdicts (src/verdicts) carry. */
export function verdictCheck(name: string, codes: readonly string[]): Check {
  return {
    name,
    codes,
    async run(context) {
      return (await fileVerdicts(context)).flatMap((verdict) => (verdict.finding && codes.includes(verdict.finding.code) ? [verdict.finding] : []));
    },
  };
}
