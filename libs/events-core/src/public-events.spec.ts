import { contiguousAfter, toPublicEvent, type SourceEvent } from './public-events';

const ev = (sequence: number, type = 'deposit.seen'): SourceEvent => ({ sequence: BigInt(sequence), type, subject: `d${sequence}`, data: { n: sequence } });

describe('public events', () => {
  it('names the public ledger and policy events with their resources, and keeps bookkeeping internal', () => {
    expect(toPublicEvent('ledger', ev(1))).toEqual({ type: 'deposit.seen', resource: 'deposits/d1', data: { n: 1 } });
    expect(toPublicEvent('ledger', ev(2, 'withdrawal.state_changed'))?.resource).toBe('withdrawals/d2');
    expect(toPublicEvent('policy', ev(3, 'approval.required'))?.resource).toBe('approvals/d3');
    expect(toPublicEvent('policy', ev(4, 'policy.activated'))?.resource).toBe('policies/d4');
    for (const internal of ['hold.created', 'hold.posted', 'transfer.booked', 'unknown.thing']) expect(toPublicEvent('ledger', ev(5, internal))).toBeNull();
    expect(toPublicEvent('policy', ev(6, 'deposit.seen'))).toBeNull();
  });

  it('takes only the gap-free continuation of the cursor', () => {
    expect(contiguousAfter(0n, [ev(1), ev(2), ev(3)]).map((e) => Number(e.sequence))).toEqual([1, 2, 3]);
    expect(contiguousAfter(2n, [ev(1), ev(2), ev(3), ev(4)]).map((e) => Number(e.sequence))).toEqual([3, 4]);
    expect(contiguousAfter(0n, [ev(1), ev(3)]).map((e) => Number(e.sequence))).toEqual([1]);
    expect(contiguousAfter(0n, [ev(2)])).toEqual([]);
  });
});
