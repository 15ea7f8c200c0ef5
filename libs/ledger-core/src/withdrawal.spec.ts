import {
  applyChange,
  applyEntry,
  balanceView,
  customerAccount,
  IllegalTransitionError,
  InsufficientFundsError,
  LedgerInputError,
  openAccounts,
  requestWithdrawal,
  systemAccounts,
  transitionWithdrawal,
  WITHDRAWAL_EVENTS,
  WITHDRAWAL_STATES,
  WITHDRAWAL_TRANSITIONS,
  type Balances,
  type Withdrawal,
  type WithdrawalEvent,
  type WithdrawalEventType,
  type WithdrawalInput,
  type WithdrawalState,
} from './index';

const eth = { chain: 'eth', code: 'ETH' };
const usdc = { chain: 'eth', code: 'USDC' };
const alice = customerAccount('alice', eth);
const aliceUsdc = customerAccount('alice', usdc);
const sys = systemAccounts(eth);
const sysUsdc = systemAccounts(usdc);
const T0 = 1_800_000_000_000;
const DEADLINE = T0 + 600_000;

function funded(): Balances {
  let b: Balances = openAccounts(new Map(), [alice, aliceUsdc, ...Object.values(sys), ...Object.values(sysUsdc)]);
  b = applyEntry(b, { id: 'f1', kind: 'transfer', reverses: null, postings: [{ account: sys.onchain.key, asset: 'eth/ETH', side: 'debit', amount: 1000n }, { account: alice.key, asset: 'eth/ETH', side: 'credit', amount: 1000n }] });
  b = applyEntry(b, { id: 'f2', kind: 'transfer', reverses: null, postings: [{ account: sysUsdc.onchain.key, asset: 'eth/USDC', side: 'debit', amount: 500n }, { account: aliceUsdc.key, asset: 'eth/USDC', side: 'credit', amount: 500n }] });
  return b;
}

const input = (over: Partial<WithdrawalInput> = {}): WithdrawalInput => ({ id: 'w1', wallet: 'alice', asset: eth, amount: 300n, feeEstimate: 20n, destination: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8', expiresAt: DEADLINE, ...over });

function event(type: WithdrawalEventType, fee = 12n): WithdrawalEvent {
  switch (type) {
    case 'broadcast':
      return { type, txHash: '0xabc' };
    case 'confirm':
      return { type, fee };
    default:
      return { type };
  }
}

const PATHS: Record<WithdrawalState, WithdrawalEventType[]> = {
  requested: [],
  approved: ['approve'],
  signed: ['approve', 'sign'],
  broadcast: ['approve', 'sign', 'broadcast'],
  confirmed: ['approve', 'sign', 'broadcast', 'confirm'],
  failed: ['approve', 'sign', 'broadcast', 'fail'],
  rejected: ['reject'],
  expired: ['expire'],
  cancelled: ['cancel'],
};

/** Drive a withdrawal through `path`, applying every effect to the books. */
function drive(path: WithdrawalEventType[], over: Partial<WithdrawalInput> = {}, fee = 12n): { w: Withdrawal; b: Balances } {
  const first = requestWithdrawal(input(over), T0);
  let b = applyChange(funded(), first.effects);
  let w = first.withdrawal;
  for (const type of path) {
    const now = type === 'expire' ? DEADLINE : T0 + 1000;
    const t = transitionWithdrawal(w, event(type, fee), now);
    b = applyChange(b, t.effects);
    expect(t.effects.events).toHaveLength(1);
    expect(t.effects.events[0]).toMatchObject({ type: 'withdrawal.state_changed', subject: 'withdrawal/w1', data: { from: w.state, to: t.withdrawal.state } });
    w = t.withdrawal;
  }
  return { w, b };
}

describe('requestWithdrawal', () => {
  it('holds amount + fee estimate on the customer account', () => {
    const { w, b } = drive([]);
    expect(w.state).toBe('requested');
    expect(w.holds).toHaveLength(1);
    expect(w.holds[0]).toMatchObject({ id: 'withdrawal/w1/hold', amount: 320n, debitAccount: alice.key, creditAccount: sys.onchain.key, expiresAt: null });
    expect(balanceView(b.get(alice.key)!)).toEqual({ posted: 1000n, held: 320n, incoming: 0n, available: 680n });
  });

  it('holds the fee estimate in the fee asset when it differs (an ERC-20 withdrawal pays gas in ETH)', () => {
    const { w, b } = drive([], { asset: usdc, feeAsset: eth, amount: 200n, feeEstimate: 20n });
    expect(w.holds.map((h) => [h.id, h.asset, h.amount])).toEqual([
      ['withdrawal/w1/hold', 'eth/USDC', 200n],
      ['withdrawal/w1/fee-hold', 'eth/ETH', 20n],
    ]);
    expect(balanceView(b.get(aliceUsdc.key)!).held).toBe(200n);
    expect(balanceView(b.get(alice.key)!).held).toBe(20n);
  });

  it('is refused when amount + fee exceed the available balance, to the unit', () => {
    expect(() => drive([], { amount: 980n, feeEstimate: 20n })).not.toThrow();
    expect(() => drive([], { amount: 981n, feeEstimate: 20n })).toThrow(InsufficientFundsError);
  });

  it.each<[string, Partial<WithdrawalInput>, string]>([
    ['zero amount', { amount: 0n }, 'amount'],
    ['negative fee', { feeEstimate: -1n }, 'feeEstimate'],
    ['bad id', { id: 'a/b' }, 'id'],
    ['bad wallet', { wallet: '' }, 'wallet'],
    ['a fee asset on another chain', { feeAsset: { chain: 'btc', code: 'BTC' } }, 'feeAsset.chain'],
    ['bad destination', { destination: 'x'.repeat(300) }, 'destination'],
    ['a deadline already passed', { expiresAt: T0 }, 'expiresAt'],
  ])('refuses %s', (_n, over, field) => {
    try {
      requestWithdrawal(input(over), T0);
      throw new Error('not refused');
    } catch (e) {
      expect(e).toBeInstanceOf(LedgerInputError);
      expect((e as LedgerInputError).field).toBe(field);
    }
  });
});

describe('withdrawal transitions: the whole table', () => {
  const cases = WITHDRAWAL_STATES.flatMap((s) => WITHDRAWAL_EVENTS.map((e) => [s, e, WITHDRAWAL_TRANSITIONS[s][e] ?? null] as const));
  it.each(cases)('%s --%s--> %s', (state, type, to) => {
    const { w } = drive(PATHS[state]);
    expect(w.state).toBe(state);
    const now = type === 'expire' ? DEADLINE : T0 + 2000;
    if (to === null) {
      const before = JSON.stringify(w, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
      expect(() => transitionWithdrawal(w, event(type), now)).toThrow(IllegalTransitionError);
      try {
        transitionWithdrawal(w, event(type), now);
      } catch (e) {
        expect(e).toMatchObject({ machine: 'withdrawal', from: state, event: type });
      }
      expect(JSON.stringify(w, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))).toBe(before);
    } else {
      expect(transitionWithdrawal(w, event(type), now).withdrawal.state).toBe(to);
    }
  });

  it('has exactly the documented legal moves', () => {
    const legal = cases.filter(([, , to]) => to !== null).map(([s, e, to]) => `${s}-${e}->${to}`);
    expect(legal.sort()).toEqual(
      [
        'requested-approve->approved',
        'requested-reject->rejected',
        'requested-cancel->cancelled',
        'requested-expire->expired',
        'approved-sign->signed',
        'approved-cancel->cancelled',
        'approved-expire->expired',
        'approved-fail->failed',
        'signed-broadcast->broadcast',
        'signed-expire->expired',
        'signed-fail->failed',
        'broadcast-confirm->confirmed',
        'broadcast-fail->failed',
        'confirmed-unconfirm->broadcast',
      ].sort(),
    );
  });

  it('refuses approve, sign and broadcast once the deadline has passed, and an expiry before it', () => {
    const requested = drive([]).w;
    expect(() => transitionWithdrawal(requested, { type: 'approve' }, DEADLINE)).toThrow(IllegalTransitionError);
    expect(() => transitionWithdrawal(drive(['approve']).w, { type: 'sign' }, DEADLINE)).toThrow(IllegalTransitionError);
    expect(() => transitionWithdrawal(drive(['approve', 'sign']).w, { type: 'broadcast', txHash: '0x1' }, DEADLINE + 1)).toThrow(IllegalTransitionError);
    expect(() => transitionWithdrawal(requested, { type: 'expire' }, DEADLINE - 1)).toThrow(IllegalTransitionError);
    // once broadcast the transaction may land: confirm still works after the deadline
    expect(transitionWithdrawal(drive(['approve', 'sign', 'broadcast']).w, { type: 'confirm', fee: 1n }, DEADLINE + 10).withdrawal.state).toBe('confirmed');
  });

  it('checks event fields', () => {
    const signed = drive(['approve', 'sign']).w;
    expect(() => transitionWithdrawal(signed, { type: 'broadcast', txHash: 'not hex!' }, T0 + 1)).toThrow(LedgerInputError);
    const broadcast = drive(['approve', 'sign', 'broadcast']).w;
    expect(() => transitionWithdrawal(broadcast, { type: 'confirm', fee: -1n }, T0 + 1)).toThrow(LedgerInputError);
    expect(() => transitionWithdrawal(broadcast, { type: 'fail', reason: 'x'.repeat(300) }, T0 + 1)).toThrow(LedgerInputError);
    expect(() => transitionWithdrawal(broadcast, { type: 'explode' } as unknown as WithdrawalEvent, T0 + 1)).toThrow(LedgerInputError);
  });
});

describe('withdrawal bookings', () => {
  it('confirmed with a fee below the estimate: amount + actual fee leave, the difference is released', () => {
    const { w, b } = drive(PATHS.confirmed, {}, 12n);
    expect(w).toMatchObject({ state: 'confirmed', actualFee: 12n, txHash: '0xabc' });
    expect(w.holds[0]).toMatchObject({ state: 'posted', postedAmount: 312n });
    expect(balanceView(b.get(alice.key)!)).toEqual({ posted: 688n, held: 0n, incoming: 0n, available: 688n });
    expect(balanceView(b.get(sys.onchain.key)!)).toEqual({ posted: 688n, held: 0n, incoming: 0n, available: 688n });
    expect(balanceView(b.get(sys.fees.key)!).posted).toBe(0n);
  });

  it('confirmed with a fee above the estimate: the customer pays the estimate, custody the excess', () => {
    const { b } = drive(PATHS.confirmed, {}, 35n);
    expect(balanceView(b.get(alice.key)!).posted).toBe(1000n - 300n - 20n);
    expect(balanceView(b.get(sys.fees.key)!).posted).toBe(15n);
    expect(balanceView(b.get(sys.onchain.key)!).posted).toBe(1000n - 335n);
  });

  it('confirmed with a token: amount in the token, fee in ETH, one entry, per asset balanced', () => {
    const { w, b } = drive(PATHS.confirmed, { asset: usdc, feeAsset: eth, amount: 200n, feeEstimate: 20n }, 8n);
    expect(w.holds.map((h) => [h.state, h.postedAmount])).toEqual([
      ['posted', 200n],
      ['posted', 8n],
    ]);
    expect(balanceView(b.get(aliceUsdc.key)!)).toEqual({ posted: 300n, held: 0n, incoming: 0n, available: 300n });
    expect(balanceView(b.get(alice.key)!)).toEqual({ posted: 992n, held: 0n, incoming: 0n, available: 992n });
  });

  it.each(['failed', 'rejected', 'expired', 'cancelled'] as const)('%s: every hold is released, nothing is booked', (state) => {
    const { w, b } = drive(PATHS[state], { asset: usdc, feeAsset: eth, amount: 200n, feeEstimate: 20n });
    expect(w.state).toBe(state);
    expect(w.holds.every((h) => h.state === (state === 'expired' ? 'expired' : 'voided'))).toBe(true);
    expect(balanceView(b.get(aliceUsdc.key)!)).toEqual({ posted: 500n, held: 0n, incoming: 0n, available: 500n });
    expect(balanceView(b.get(alice.key)!)).toEqual({ posted: 1000n, held: 0n, incoming: 0n, available: 1000n });
  });
});

describe('unconfirm: a reorg orphaned the block that confirmed the withdrawal', () => {
  it('reverses the confirm entry and holds again exactly what it booked; a confirm on the new branch books once more', () => {
    const { w: confirmed, b: afterConfirm } = drive(PATHS.confirmed, {}, 12n);
    const u = transitionWithdrawal(confirmed, { type: 'unconfirm' }, T0 + 3000);
    expect(u.withdrawal).toMatchObject({ state: 'broadcast', actualFee: null, feeEstimate: 12n, reorgs: 1, txHash: '0xabc' });
    expect(u.effects.entries).toEqual([expect.objectContaining({ id: 'withdrawal/w1:unconfirm:1', kind: 'reversal', reverses: 'withdrawal/w1:confirm' })]);
    expect(u.effects.holdOps.map((o) => [o.op, o.hold.id, o.hold.amount])).toEqual([['open', 'withdrawal/w1/hold:r1', 312n]]);
    const b = applyChange(afterConfirm, u.effects);
    // back where it was before the confirm, with the held amount the confirm had booked
    expect(balanceView(b.get(alice.key)!)).toEqual({ posted: 1000n, held: 312n, incoming: 0n, available: 688n });
    expect(balanceView(b.get(sys.onchain.key)!).posted).toBe(1000n);
    // mined again on the new branch, at a higher fee: the customer pays no more than the first time
    const again = transitionWithdrawal(u.withdrawal, { type: 'confirm', fee: 15n }, T0 + 4000);
    expect(again.effects.entries.map((e) => e.id)).toEqual(['withdrawal/w1:confirm:1']);
    const b2 = applyChange(b, again.effects);
    expect(balanceView(b2.get(alice.key)!)).toEqual({ posted: 688n, held: 0n, incoming: 0n, available: 688n });
    expect(balanceView(b2.get(sys.fees.key)!).posted).toBe(3n);
    // and a second reorg names its own entry and holds
    const u2 = transitionWithdrawal(again.withdrawal, { type: 'unconfirm' }, T0 + 5000);
    expect(u2.effects.entries[0]).toMatchObject({ id: 'withdrawal/w1:unconfirm:2', reverses: 'withdrawal/w1:confirm:1' });
    expect(u2.effects.holdOps.map((o) => o.hold.id)).toEqual(['withdrawal/w1/hold:r2']);
    expect(balanceView(applyChange(b2, u2.effects).get(sys.fees.key)!).posted).toBe(0n);
  });

  it('with a token: the amount and the fee are held again, each in its asset', () => {
    const { w, b } = drive(PATHS.confirmed, { asset: usdc, feeAsset: eth, amount: 200n, feeEstimate: 20n }, 8n);
    const u = transitionWithdrawal(w, { type: 'unconfirm' }, T0 + 3000);
    expect(u.effects.holdOps.map((o) => [o.hold.id, o.hold.asset, o.hold.amount])).toEqual([
      ['withdrawal/w1/hold:r1', 'eth/USDC', 200n],
      ['withdrawal/w1/fee-hold:r1', 'eth/ETH', 8n],
    ]);
    const after = applyChange(b, u.effects);
    expect(balanceView(after.get(aliceUsdc.key)!)).toEqual({ posted: 500n, held: 200n, incoming: 0n, available: 300n });
    expect(balanceView(after.get(alice.key)!)).toEqual({ posted: 1000n, held: 8n, incoming: 0n, available: 992n });
  });

  it('is refused in every other state', () => {
    for (const state of WITHDRAWAL_STATES.filter((s) => s !== 'confirmed')) {
      expect(() => transitionWithdrawal(drive(PATHS[state]).w, { type: 'unconfirm' }, T0 + 3000)).toThrow(IllegalTransitionError);
    }
  });
});
