import type { Address } from './address';
import { fail } from './errors';
import type { Block, Hash, TransactionReceipt } from './rpc-data';

/**
 * Withdrawal tracking, pure: which tracked withdrawals the blocks read settle (one of their hashes
 * mined, or another transaction of the sender with the same nonce), the fee a receipt shows, and
 * what the ledger is to be told once the settling block is deep enough.
 */

/** The longest list of hashes one withdrawal tracks (its broadcasts of one nonce). */
export const MAX_WITHDRAWAL_HASHES = 16;

export interface TrackedWithdrawal {
  readonly id: string;
  readonly sender: Address;
  readonly nonce: number;
  readonly txHashes: readonly Hash[];
}

export type WithdrawalSighting =
  /** One of its own transactions is in the block. */
  | { readonly kind: 'mined'; readonly id: string; readonly txHash: Hash; readonly blockNumber: number; readonly blockHash: Hash }
  /** Another transaction of the sender used the nonce: ours can never be mined. */
  | { readonly kind: 'replaced'; readonly id: string; readonly by: Hash; readonly blockNumber: number; readonly blockHash: Hash };

/**
 * The sightings of `tracked` in `blocks` (canonical, in height order): a transaction whose hash is
 * one of a withdrawal's is `mined`; one from its sender with its nonce and another hash is `replaced`.
 * At most one sighting per withdrawal (the first block that has one; a nonce is used once per chain).
 */
export function withdrawalsInBlocks(blocks: readonly Block[], tracked: readonly TrackedWithdrawal[]): WithdrawalSighting[] {
  if (tracked.length === 0) return [];
  const byHash = new Map<Hash, TrackedWithdrawal>();
  const byNonce = new Map<string, TrackedWithdrawal>();
  for (const w of tracked) {
    for (const h of w.txHashes) byHash.set(h, w);
    byNonce.set(`${w.sender}/${w.nonce}`, w);
  }
  const seen = new Set<string>();
  const out: WithdrawalSighting[] = [];
  for (const b of blocks) {
    for (const tx of b.transactions) {
      const own = byHash.get(tx.hash);
      if (own) {
        if (!seen.has(own.id)) out.push({ kind: 'mined', id: own.id, txHash: tx.hash, blockNumber: b.number, blockHash: b.hash });
        seen.add(own.id);
        continue;
      }
      const other = byNonce.get(`${tx.from}/${tx.nonce}`);
      if (other && !seen.has(other.id)) {
        out.push({ kind: 'replaced', id: other.id, by: tx.hash, blockNumber: b.number, blockHash: b.hash });
        seen.add(other.id);
      }
    }
  }
  return out;
}

/** The fee a mined transaction paid, in wei: gas used × effective gas price (a reverted one pays it too). */
export function withdrawalFee(receipt: Pick<TransactionReceipt, 'gasUsed' | 'effectiveGasPrice'>): bigint {
  if (receipt.gasUsed < 0n) fail('receipt.gasUsed', 'must not be negative');
  if (receipt.effectiveGasPrice < 0n) fail('receipt.effectiveGasPrice', 'must not be negative');
  return receipt.gasUsed * receipt.effectiveGasPrice;
}

export type WithdrawalLedgerOutcome = '' | 'confirm' | 'fail' | 'unconfirm';

export interface SettledWithdrawal {
  readonly status: 'mined' | 'replaced';
  /** For `mined`: the receipt's status. */
  readonly success: boolean | null;
  /** What the ledger was told last. */
  readonly ledgerOutcome: WithdrawalLedgerOutcome;
}

/**
 * What to tell the ledger about a withdrawal whose settling block has reached the depth: `confirm`
 * (mined and executed), `fail` (mined and reverted, or its nonce used by another transaction), or
 * nothing when the ledger already has that outcome. After `unconfirm` (a reorg) it may be told again.
 */
export function withdrawalLedgerEvent(w: SettledWithdrawal): 'confirm' | 'fail' | null {
  if (w.ledgerOutcome === 'confirm' || w.ledgerOutcome === 'fail') return null;
  if (w.status === 'mined' && w.success === true) return 'confirm';
  return 'fail';
}

/**
 * What a reorg that orphans the settling block means for the ledger: `unconfirm` a confirmed
 * withdrawal (back to broadcast); nothing when the ledger was not told yet; `stuck` when it was
 * failed, which the ledger's lifecycle cannot undo (a loud error for an operator).
 */
export function withdrawalReorgEvent(ledgerOutcome: WithdrawalLedgerOutcome): 'unconfirm' | 'stuck' | null {
  if (ledgerOutcome === 'confirm') return 'unconfirm';
  if (ledgerOutcome === 'fail') return 'stuck';
  return null;
}
