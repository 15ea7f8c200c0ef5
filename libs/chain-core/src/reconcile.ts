import { fail } from './errors';

/**
 * Reconciliation of custody holdings, pure: what the ledger says each custody address holds of each
 * asset, against the balance the node reports at the block the ledger's view is as of.
 */

export interface Holding {
  readonly asset: string;
  /** EIP-55 address. */
  readonly address: string;
  /** Smallest units. */
  readonly amount: bigint;
}

export interface HoldingDifference {
  readonly asset: string;
  readonly address: string;
  readonly ledger: bigint;
  readonly node: bigint;
  /** node − ledger. */
  readonly difference: bigint;
}

function keyOf(h: Holding, argument: string): string {
  if (typeof h !== 'object' || h === null || typeof h.asset !== 'string' || typeof h.address !== 'string' || typeof h.amount !== 'bigint') fail(argument, 'must be { asset, address, amount: bigint }');
  return `${h.asset}\u0000${h.address.toLowerCase()}`;
}

/**
 * Every (asset, address) in either list whose amounts differ, a missing side counting as zero;
 * sorted by asset then address. A pair listed twice on one side is refused (it would hide a difference).
 */
export function reconcileHoldings(ledger: readonly Holding[], node: readonly Holding[]): HoldingDifference[] {
  const rows = new Map<string, { asset: string; address: string; ledger: bigint; node: bigint }>();
  const add = (list: readonly Holding[], side: 'ledger' | 'node') => {
    const seen = new Set<string>();
    list.forEach((h, i) => {
      const key = keyOf(h, `${side}[${i}]`);
      if (seen.has(key)) fail(`${side}[${i}]`, `lists ${h.asset} ${h.address} twice`);
      seen.add(key);
      const row = rows.get(key) ?? { asset: h.asset, address: h.address, ledger: 0n, node: 0n };
      row[side] = h.amount;
      rows.set(key, row);
    });
  };
  add(ledger, 'ledger');
  add(node, 'node');
  return [...rows.values()]
    .filter((r) => r.ledger !== r.node)
    .map((r) => ({ ...r, difference: r.node - r.ledger }))
    .sort((a, b) => (a.asset < b.asset ? -1 : a.asset > b.asset ? 1 : a.address.toLowerCase() < b.address.toLowerCase() ? -1 : a.address.toLowerCase() > b.address.toLowerCase() ? 1 : 0));
}
