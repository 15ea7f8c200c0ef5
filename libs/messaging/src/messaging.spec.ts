import { isWithdrawalStep, WITHDRAWAL_STEPS, withdrawalJobId } from './index';

describe('messaging: withdrawal job ids', () => {
  it('are deterministic per (step, withdrawal, version) and distinct otherwise', () => {
    expect(withdrawalJobId('hold', 'wd_1', 0)).toBe(withdrawalJobId('hold', 'wd_1', 0));
    const ids = new Set<string>();
    for (const step of WITHDRAWAL_STEPS) for (const v of [0, 1, 2]) for (const w of ['a', 'b']) ids.add(withdrawalJobId(step, w, v));
    expect(ids.size).toBe(WITHDRAWAL_STEPS.length * 3 * 2);
  });

  it('refuses ids BullMQ would misread and bad versions', () => {
    expect(() => withdrawalJobId('hold', 'a:b', 0)).toThrow(/withdrawalId/);
    expect(() => withdrawalJobId('hold', '', 0)).toThrow(/withdrawalId/);
    expect(() => withdrawalJobId('hold', 'a', -1)).toThrow(/version/);
    expect(() => withdrawalJobId('hold', 'a', 1.5)).toThrow(/version/);
    expect(isWithdrawalStep('sign')).toBe(true);
    expect(isWithdrawalStep('steal')).toBe(false);
  });
});
