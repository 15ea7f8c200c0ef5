import {
  checkBalancesMatchPostings,
  checkEntriesBalanced,
  checkHolds,
  checkLedger,
  checkNoFlaggedNegative,
  checkOutboxGapFree,
  checkReversals,
  DEFAULT_MODEL_CONFIG,
  deriveBalances,
  generateOperations,
  ReferenceLedger,
  reversalOf,
  type AccountBalance,
  type JournalEntry,
  type LedgerSnapshot,
} from './index';

/** A real, sound snapshot from the model, then one corruption at a time: each invariant must name it. */
function sound(): { model: ReferenceLedger; s: LedgerSnapshot } {
  const model = new ReferenceLedger(DEFAULT_MODEL_CONFIG);
  for (const op of generateOperations({ seed: 11, steps: 600 })) model.apply(op);
  return { model, s: model.snapshot() };
}

describe('invariants', () => {
  it('find nothing wrong with sound books', () => {
    const { s } = sound();
    expect(s.entries.length).toBeGreaterThan(50);
    expect(s.entries.some((e) => e.kind === 'reversal')).toBe(true);
    expect(checkLedger(s)).toEqual([]);
  });

  it('entry-balanced: an unbalanced or malformed entry, and a duplicate id', () => {
    const { s } = sound();
    const e = s.entries[0]!;
    const broken: JournalEntry = { ...e, postings: [...e.postings.slice(0, -1), { ...e.postings[e.postings.length - 1]!, amount: e.postings[e.postings.length - 1]!.amount + 1n }] };
    const v = checkEntriesBalanced([broken, ...s.entries.slice(1)]);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ invariant: 'entry-balanced', subject: e.id });
    expect(v[0]!.message).toContain('sum to zero');
    expect(checkEntriesBalanced([...s.entries, s.entries[1]!]).map((x) => x.message)).toEqual(['entry id appears more than once']);
    expect(checkEntriesBalanced([{ ...e, postings: [] }])[0]!.invariant).toBe('entry-balanced');
  });

  it('balance-matches-postings: a balance off by one unit, posted or pending, or an account without a balance', () => {
    const { s } = sound();
    const i = s.balances.findIndex((b) => b.creditsPosted > 0n);
    const off: AccountBalance[] = s.balances.map((b, j) => (j === i ? { ...b, creditsPosted: b.creditsPosted + 1n } : b));
    const v = checkBalancesMatchPostings(off, s.entries, s.holds);
    expect(v).toEqual([expect.objectContaining({ invariant: 'balance-matches-postings', subject: s.balances[i]!.account.key })]);
    expect(v[0]!.message).toContain('creditsPosted');
    const pend: AccountBalance[] = s.balances.map((b, j) => (j === 0 ? { ...b, debitsPending: b.debitsPending + 1n } : b));
    expect(checkBalancesMatchPostings(pend, s.entries, s.holds)[0]!.message).toContain('debitsPending');
    const missing = checkBalancesMatchPostings(s.balances.slice(1), s.entries, s.holds);
    expect(missing.some((x) => x.subject === s.balances[0]!.account.key)).toBe(true);
    // a pending hold the balances do not count
    const pendingHold = s.holds.find((h) => h.state === 'pending');
    expect(pendingHold).toBeDefined();
    expect(checkBalancesMatchPostings(s.balances, s.entries, s.holds.filter((h) => h !== pendingHold)).length).toBeGreaterThan(0);
  });

  it('flagged-not-negative: a customer whose debits and holds exceed its credits', () => {
    const { s } = sound();
    const c = s.balances.find((b) => b.account.flags.debitsMustNotExceedCredits)!;
    const neg: AccountBalance = { ...c, debitsPending: c.creditsPosted - c.debitsPosted + 1n };
    expect(checkNoFlaggedNegative([neg])).toEqual([expect.objectContaining({ invariant: 'flagged-not-negative', subject: c.account.key })]);
    const sysNeg = s.balances.find((b) => !b.account.flags.debitsMustNotExceedCredits)!;
    expect(checkNoFlaggedNegative([{ ...sysNeg, debitsPosted: 0n, creditsPosted: 5n }])).toEqual([]);
  });

  it('hold-resolved-or-live: a pending hold past its deadline, a post beyond the hold, a duplicate', () => {
    const { s } = sound();
    const h = s.holds.find((x) => x.state === 'pending' && x.expiresAt !== null) ?? { ...s.holds[0]!, state: 'pending' as const, postedAmount: 0n, expiresAt: s.now + 10 };
    expect(checkHolds([h], h.expiresAt! - 1)).toEqual([]);
    expect(checkHolds([h], h.expiresAt!)).toEqual([expect.objectContaining({ invariant: 'hold-resolved-or-live', subject: h.id })]);
    expect(checkHolds([h], h.expiresAt! + 999, 1000)).toEqual([]);
    expect(checkHolds([h], h.expiresAt! + 1000, 1000)).toHaveLength(1);
    expect(checkHolds([{ ...h, state: 'posted', postedAmount: h.amount + 1n }], 0)).toHaveLength(1);
    expect(checkHolds([{ ...h, state: 'voided', postedAmount: 1n }], 0)).toHaveLength(1);
    expect(checkHolds([{ ...h, expiresAt: null }, { ...h, expiresAt: null }], 0).map((x) => x.message)).toEqual(['hold id appears more than once']);
  });

  it('outbox-gap-free: gaps, duplicates, and numbers before the first', () => {
    expect(checkOutboxGapFree([3n, 1n, 2n])).toEqual([]);
    expect(checkOutboxGapFree([])).toEqual([]);
    expect(checkOutboxGapFree([1n, 2n, 5n])).toEqual([expect.objectContaining({ invariant: 'outbox-gap-free', subject: '3', message: 'gap: 3..4 missing' })]);
    expect(checkOutboxGapFree([1n, 2n, 2n, 3n]).map((v) => v.message)).toEqual(['sequence number appears more than once']);
    expect(checkOutboxGapFree([2n, 3n])).toHaveLength(1);
    expect(checkOutboxGapFree([10n, 11n], 10n)).toEqual([]);
    expect(checkOutboxGapFree([9n, 10n], 10n)).toHaveLength(1);
  });

  it('reversal-mirrors: a reversal that is not a mirror, of nothing, of a reversal, or twice', () => {
    const { s } = sound();
    const r = s.entries.find((e) => e.kind === 'reversal')!;
    const original = s.entries.find((e) => e.id === r.reverses)!;
    const skewed: JournalEntry = { ...r, postings: r.postings.map((p, i) => (i < 2 ? { ...p, amount: p.amount + 1n } : p)) };
    expect(checkReversals([original, skewed])).toEqual([expect.objectContaining({ invariant: 'reversal-mirrors', subject: r.id })]);
    expect(checkReversals([r])[0]!.message).toContain('does not exist');
    expect(checkReversals([original, r, { ...reversalOf(original, 'again') }])[0]!.message).toContain('more than once');
    expect(checkReversals([original, r, { ...r, id: 'rr', reverses: r.id }]).some((v) => v.message === 'reverses a reversal')).toBe(true);
  });

  it('deriveBalances recomputes the balances from entries and pending holds', () => {
    const { model, s } = sound();
    const derived = deriveBalances(model.balances().map((b) => b.account), s.entries, s.holds);
    expect(derived).toEqual(model.balances());
  });

  it('checkLedger reports every kind at once', () => {
    const { s } = sound();
    const broken: LedgerSnapshot = { ...s, outboxSequences: [...s.outboxSequences, BigInt(s.outboxSequences.length + 5)], balances: s.balances.map((b, i) => (i === 0 ? { ...b, debitsPosted: b.debitsPosted + 1n } : b)) };
    const kinds = new Set(checkLedger(broken).map((v) => v.invariant));
    expect(kinds).toEqual(new Set(['outbox-gap-free', 'balance-matches-postings']));
  });
});
