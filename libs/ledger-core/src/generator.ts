import { ReferenceLedger, type ModelConfig, type Operation } from './model';
import { WITHDRAWAL_EVENTS, WITHDRAWAL_TRANSITIONS, type WithdrawalEvent, type WithdrawalEventType } from './withdrawal';

/**
 * A seeded generator of random operation sequences for property tests. The same seed, step count and
 * configuration always give the same sequence, so a failure is reproduced from its seed (print it).
 *
 * The pseudo-random source is sfc32 seeded through splitmix32: fast and reproducible, and for test
 * data only. It is not a source of secrets (those come from `crypto.randomBytes` / `getRandomValues`).
 */
export interface Random {
  /** A uniform 32-bit unsigned integer. */
  u32(): number;
  /** A uniform integer in min..max (inclusive). */
  int(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
}

export function seededRandom(seed: number): Random {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError('seed must be a u32');
  let s = seed >>> 0;
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const u32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) u32();
  const int = (min: number, max: number): number => {
    if (max < min) throw new RangeError('max < min');
    const span = max - min + 1;
    if (span > 0x100000000) throw new RangeError('span too large');
    const limit = Math.floor(0x100000000 / span) * span;
    let x = u32();
    while (x >= limit) x = u32();
    return min + (x % span);
  };
  return {
    u32,
    int,
    chance: (p) => u32() / 0x100000000 < p,
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new RangeError('pick from an empty list');
      return items[int(0, items.length - 1)]!;
    },
  };
}

/** ETH (18 decimals, 3 confirmations) and USDC on the same chain (6 decimals, 2 confirmations, fee paid in ETH); three wallets. */
export const DEFAULT_MODEL_CONFIG: ModelConfig = Object.freeze({
  assets: Object.freeze([
    Object.freeze({ code: 'ETH', chain: 'eth-devnet', decimals: 18, contract: null, requiredConfirmations: 3 }),
    Object.freeze({ code: 'USDC', chain: 'eth-devnet', decimals: 6, contract: '0x5FbDB2315678afecb367f032d93F642f64180aa3', requiredConfirmations: 2, feeAsset: 'ETH' }),
  ]),
  wallets: Object.freeze(['w1', 'w2', 'w3']),
});

export interface GeneratorOptions {
  readonly seed: number;
  readonly steps: number;
  readonly config?: ModelConfig;
  /** The time of the first operation (ms); default 1_800_000_000_000. */
  readonly start?: number;
}

const NEXT_EVENT: Partial<Record<string, WithdrawalEventType>> = { requested: 'approve', approved: 'sign', signed: 'broadcast', broadcast: 'confirm' };

/**
 * `steps` operations drawn with `seed`: deposits seen (some duplicates), confirmations, reorgs (of
 * seen, credited and removed deposits), holds between wallets with and without deadlines, posts
 * (full, partial, too large), voids, early expiries, the expiry sweep (`clock.tick`) whenever time
 * moves, withdrawals and their events (mostly the next legal one, sometimes any), and ids that do
 * not exist. The generator runs its own `ReferenceLedger` to pick plausible targets.
 */
export function generateOperations(options: GeneratorOptions): Operation[] {
  const config = options.config ?? DEFAULT_MODEL_CONFIG;
  const r = seededRandom(options.seed);
  const model = new ReferenceLedger(config);
  const ops: Operation[] = [];
  let at = options.start ?? 1_800_000_000_000;
  let counter = 0;
  const codes = config.assets.map((a) => a.code);
  const chainOf = new Map(config.assets.map((a) => [a.code, a.chain] as const));
  const depthOf = new Map(config.assets.map((a) => [a.code, a.requiredConfirmations] as const));
  const seenKeys: { chain: string; txHash: string; logIndex: number; wallet: string; asset: string; amount: bigint }[] = [];
  const small = (max: number): bigint => BigInt(r.chance(0.03) ? r.int(max, max * 50) : r.int(1, max));
  const push = (op: Operation): void => {
    ops.push(op);
    model.apply(op);
  };
  while (ops.length < options.steps) {
    if (r.chance(0.3)) {
      at += r.int(1, 8000);
      push({ op: 'clock.tick', at });
      continue;
    }
    const roll = r.int(1, 100);
    const deposits = model.deposits();
    const allHolds = model.holds().filter((h) => h.id.startsWith('hold/'));
    const pendingHolds = allHolds.filter((h) => h.state === 'pending');
    const holds = pendingHolds.length > 0 && r.chance(0.8) ? pendingHolds : allHolds;
    const withdrawals = model.withdrawals();
    if (roll <= 20 || deposits.length === 0) {
      if (seenKeys.length > 0 && r.chance(0.15)) {
        const k = r.pick(seenKeys);
        push({ op: 'deposit.see', at, ...k, confirmations: r.int(0, depthOf.get(k.asset)! + 1) });
      } else {
        const asset = r.pick(codes);
        const k = { chain: chainOf.get(asset)!, txHash: `0x${(++counter).toString(16).padStart(64, '0')}`, logIndex: r.int(0, 3), wallet: r.pick(config.wallets), asset, amount: small(2000) };
        seenKeys.push(k);
        push({ op: 'deposit.see', at, ...k, confirmations: r.int(0, depthOf.get(asset)! + 1) });
      }
    } else if (roll <= 34) {
      const open = deposits.filter((d) => d.state === 'seen');
      const d = open.length > 0 && r.chance(0.8) ? r.pick(open) : r.pick(deposits);
      push({ op: 'deposit.observe', at, deposit: d.id, confirmations: d.confirmations + r.int(0, 3) });
    } else if (roll <= 41) {
      const d = r.pick(deposits);
      push(r.chance(0.5) ? { op: 'deposit.reorg', at, deposit: d.id, outcome: 'removed', confirmations: 0 } : { op: 'deposit.reorg', at, deposit: d.id, outcome: 'pending', confirmations: r.int(0, 2) });
    } else if (roll <= 51) {
      const from = r.pick(config.wallets);
      const to = r.pick(config.wallets.filter((w) => w !== from));
      push({ op: 'hold.create', at, id: `h${++counter}`, from, to, asset: r.pick(codes), amount: small(800), expiresAt: r.chance(0.2) ? null : at + r.int(1, 20000) });
    } else if (roll <= 58 && holds.length > 0) {
      const h = r.pick(holds);
      const amount = r.chance(0.4) ? undefined : r.chance(0.08) ? h.amount + 1n : BigInt(r.int(1, Number(h.amount > 1_000_000n ? 1_000_000n : h.amount)));
      push(amount === undefined ? { op: 'hold.post', at, hold: h.id } : { op: 'hold.post', at, hold: h.id, amount });
    } else if (roll <= 62 && holds.length > 0) {
      push({ op: 'hold.void', at, hold: r.pick(holds).id });
    } else if (roll <= 64 && holds.length > 0) {
      push({ op: 'hold.expire', at, hold: r.pick(holds).id });
    } else if (roll <= 76 || withdrawals.length === 0) {
      push({ op: 'withdrawal.request', at, id: `x${++counter}`, wallet: r.pick(config.wallets), asset: r.pick(codes), amount: small(1500), feeEstimate: BigInt(r.int(0, 30)), destination: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8', expiresAt: at + r.int(1000, 150000) });
    } else if (roll <= 98) {
      const live = withdrawals.filter((w) => NEXT_EVENT[w.state] !== undefined);
      const w = live.length > 0 && r.chance(0.85) ? r.pick(live) : r.pick(withdrawals);
      const type: WithdrawalEventType = r.chance(0.7) && NEXT_EVENT[w.state] ? NEXT_EVENT[w.state]! : r.pick(WITHDRAWAL_EVENTS);
      if (type === 'expire' && !r.chance(0.3) && at < w.expiresAt && WITHDRAWAL_TRANSITIONS[w.state].expire) {
        at = w.expiresAt;
        push({ op: 'clock.tick', at });
      }
      push({ op: 'withdrawal.event', at, withdrawal: w.id, event: withdrawalEvent(type, r, ++counter) });
    } else {
      push(r.chance(0.5) ? { op: 'deposit.observe', at, deposit: 'deposit/eth-devnet/0xnothere/0', confirmations: 5 } : { op: 'hold.void', at, hold: 'hold/nothere' });
    }
  }
  return ops.slice(0, options.steps);
}

function withdrawalEvent(type: WithdrawalEventType, r: Random, n: number): WithdrawalEvent {
  switch (type) {
    case 'broadcast':
      return { type, txHash: `0x${n.toString(16).padStart(64, 'a')}` };
    case 'confirm':
      return { type, fee: BigInt(r.int(0, 40)) };
    case 'reject':
    case 'fail':
      return { type, reason: `${type} by the generator` };
    default:
      return { type };
  }
}
