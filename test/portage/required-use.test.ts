import { describe, expect, it } from 'vitest';
import { unsatisfiedRequiredUse } from '../../src/portage/required-use.js';

describe('unsatisfiedRequiredUse', () => {
  const on = (...flags: string[]) => (flag: string) => flags.includes(flag);
  it('checks items, conditions and groups', () => {
    const value = 'pam? ( !static ) || ( ssl gnutls ) ^^ ( a b ) ?? ( x y ) test? ( ( c d ) )';
    expect(unsatisfiedRequiredUse(value, on('ssl', 'a'))).toEqual([]);
    expect(unsatisfiedRequiredUse(value, on('pam', 'static', 'a', 'b', 'x', 'y', 'test', 'c'))).toEqual([
      '!static',
      '|| ( ssl gnutls )',
      '^^ ( a b )',
      '?? ( x y )',
      'd',
    ]);
    expect(unsatisfiedRequiredUse('', on())).toEqual([]);
  });
});
