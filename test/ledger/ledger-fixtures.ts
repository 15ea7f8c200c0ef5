import { randomBytes } from 'node:crypto';
import { parseAmount } from '@custody/ledger-core';
import type { LedgerCall, LedgerUnderTest } from '@custody/testing';

import type { BalanceWire } from '../../apps/ledger/src/api/views';

/** Helpers shared by the ledger scenario specs (each spec file runs one real ledger process). */

/** The ledger's balance as the wire carries it: the service's own view type, not a copy of it. */
export type { BalanceWire };

export function uniqueKey(prefix = 'k'): string {
  return `${prefix}-${randomBytes(8).toString('hex')}`;
}

export function customer(wallet: string, chain: string, code: string): string {
  return `customer/${wallet}/${chain}/${code}`;
}

export function system(kind: 'onchain' | 'pending-deposits' | 'fees' | 'suspense', chain: string, code: string): string {
  return `system/${kind}/${chain}/${code}`;
}

/** Creates an asset (idempotent by its own key). */
export async function createAsset(call: LedgerCall, chain: string, code: string, decimals: number, confirmations: number): Promise<void> {
  await call('CreateAsset', { idempotencyKey: `asset-${chain}-${code}`, asset: { chain, code, decimals, contract: '', confirmations } });
}

/** A fresh transaction hash (0x and 64 hex digits). */
export function txHash(): string {
  return `0x${randomBytes(32).toString('hex')}`;
}

/** Credits `amount` to the wallet by a deposit that has the depth already. */
export async function fund(call: LedgerCall, wallet: string, chain: string, code: string, amount: string, confirmations: number, address = 'addr1'): Promise<string> {
  const hash = txHash();
  await call('RecordDeposit', { idempotencyKey: uniqueKey('dep'), chain, txHash: hash, logIndex: 0, asset: code, wallet, address, amount, confirmations });
  return hash;
}

export async function balance(call: LedgerCall, account: string, asOfSequence = '0'): Promise<BalanceWire> {
  return call<BalanceWire>('GetBalance', { account, asOfSequence });
}

/**
 * The balances of the given accounts as their owners read them (posted, held, incoming,
 * available), comparable across scenarios. The running debit and credit totals are left out: a
 * reversal adds to both sides, so they grow while every balance returns to what it was.
 */
export async function balances(call: LedgerCall, accounts: readonly string[]): Promise<Record<string, Pick<BalanceWire, 'posted' | 'held' | 'incoming' | 'available'>>> {
  const out: Record<string, Pick<BalanceWire, 'posted' | 'held' | 'incoming' | 'available'>> = {};
  for (const a of accounts) {
    const { posted, held, incoming, available } = await balance(call, a);
    out[a] = { posted, held, incoming, available };
  }
  return out;
}

/** The gRPC error of a call that must fail. */
export async function failure(promise: Promise<unknown>): Promise<{ code: number; details: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { code?: number; details?: string };
    return { code: e.code ?? -1, details: e.details ?? String(error) };
  }
  throw new Error('the call succeeded but was expected to fail');
}

/** Asserts `custody ledger check` passes on the ledger's database. */
export async function expectCheckPasses(ledger: LedgerUnderTest): Promise<void> {
  const result = await ledger.check();
  if (result.code !== 0) throw new Error(`custody ledger check failed (exit ${result.code}):\n${result.stdout}${result.stderr}`);
  expect(result.stdout).toMatch(/^ledger check: ok/m);
}

/** A signed decimal balance string in asset units as base units. */
export function units(text: string, decimals: number): bigint {
  return text.startsWith('-') ? -parseAmount(text.slice(1), decimals) : parseAmount(text, decimals);
}
