import { MAX_DECIMALS } from './amount';
import { LedgerInputError } from './errors';

/** The identifier grammar shared with sign-grant: 1..128 characters of [A-Za-z0-9._:-]. */
export const IDENTIFIER_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
export const IDENTIFIER_MAX_LENGTH = 128;
/** A contract address: 1..128 characters of [A-Za-z0-9] (EVM: 0x and 40 hex digits, checked per chain by chain-core). */
const CONTRACT_PATTERN = /^[A-Za-z0-9]{1,128}$/;

/**
 * An asset on one chain: the native coin (`contract` null) or a token. Its identity is
 * (chain, code); `decimals` says how many smallest units make one asset unit (ETH 18, USDC 6).
 */
export interface Asset {
  readonly code: string;
  readonly chain: string;
  readonly decimals: number;
  readonly contract: string | null;
}

/** `chain/code`: '/' is outside the identifier grammar, so the key is unambiguous. */
export type AssetKey = string;

/** Check an identifier (wallet id, chain id, asset code, request id). */
export function validateIdentifier(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new LedgerInputError(field, 'must be a string');
  if (!IDENTIFIER_PATTERN.test(value)) throw new LedgerInputError(field, `must be 1..${IDENTIFIER_MAX_LENGTH} characters of [A-Za-z0-9._:-]`);
  return value;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Validate an asset given as plain data (from the wire or configuration); returns a frozen copy. */
export function validateAsset(input: unknown, field = 'asset'): Asset {
  if (!isRecord(input)) throw new LedgerInputError(field, 'must be an object');
  for (const k of Object.keys(input)) {
    if (!['code', 'chain', 'decimals', 'contract'].includes(k)) throw new LedgerInputError(`${field}.${k.slice(0, 40)}`, 'unknown field');
  }
  const code = validateIdentifier(input.code, `${field}.code`);
  const chain = validateIdentifier(input.chain, `${field}.chain`);
  const decimals = input.decimals;
  if (typeof decimals !== 'number' || !Number.isInteger(decimals) || decimals < 0 || decimals > MAX_DECIMALS) {
    throw new LedgerInputError(`${field}.decimals`, `must be an integer in 0..${MAX_DECIMALS}`);
  }
  const contract = input.contract ?? null;
  if (contract !== null && (typeof contract !== 'string' || !CONTRACT_PATTERN.test(contract))) {
    throw new LedgerInputError(`${field}.contract`, 'must be null or 1..128 characters of [A-Za-z0-9]');
  }
  return Object.freeze({ code, chain, decimals, contract });
}

/** The asset's stable key, `chain/code`. */
export function assetKey(asset: Pick<Asset, 'chain' | 'code'>): AssetKey {
  return `${asset.chain}/${asset.code}`;
}

/** Split an asset key back into (chain, code), validating both parts. */
export function parseAssetKey(key: unknown, field = 'asset'): { chain: string; code: string } {
  if (typeof key !== 'string') throw new LedgerInputError(field, 'must be a string');
  const parts = key.split('/');
  if (parts.length !== 2) throw new LedgerInputError(field, "must be 'chain/code'");
  return { chain: validateIdentifier(parts[0], `${field}.chain`), code: validateIdentifier(parts[1], `${field}.code`) };
}
