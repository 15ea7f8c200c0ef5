/**
 * The address book as evaluation reads it: validated once and indexed by (chain, address), so a
 * large book costs nothing per evaluation. `evaluate` also accepts a plain array (validated and
 * indexed on every call).
 */
import { PolicyInputError } from './errors';
import { checkAddress, checkChainId, checkId, checkIds, isRecord } from './request';
import type { AddressBookEntry } from './types';

export interface AddressBook {
  readonly entries: readonly AddressBookEntry[];
  /** The entry for a destination, if any (exact chain id and normalized address). */
  find(chainId: number, address: string): AddressBookEntry | undefined;
}

const prepared = new WeakSet<object>();
const MAX_ENTRIES = 1_000_000;

export function isAddressBook(v: unknown): v is AddressBook {
  return typeof v === 'object' && v !== null && prepared.has(v);
}

/**
 * Validates and indexes entries. Refuses (naming `addressBook[i]`) a malformed entry, a duplicate
 * id, and two entries for the same chain and address (which one would match would be ambiguous).
 */
export function prepareAddressBook(entries: readonly AddressBookEntry[], argument = 'addressBook'): AddressBook {
  if (!Array.isArray(entries as unknown)) throw new PolicyInputError(argument, 'must be an array');
  if (entries.length > MAX_ENTRIES) throw new PolicyInputError(argument, `more than ${MAX_ENTRIES} entries`);
  const byDestination = new Map<string, AddressBookEntry>();
  const ids = new Set<string>();
  const copy: AddressBookEntry[] = [];
  entries.forEach((e: unknown, i) => {
    const at = `${argument}[${i}]`;
    if (!isRecord(e)) throw new PolicyInputError(at, 'must be an object');
    const id = checkId(e.id, `${at}.id`);
    const chainId = checkChainId(e.chainId, `${at}.chainId`);
    const address = checkAddress(e.address, `${at}.address`);
    const tags = checkIds(e.tags, `${at}.tags`);
    if (ids.has(id)) throw new PolicyInputError(`${at}.id`, `duplicate entry id ${id}`);
    ids.add(id);
    const key = `${chainId}\u0000${address}`;
    if (byDestination.has(key)) throw new PolicyInputError(at, `a second entry for chain ${chainId} and the same address`);
    const entry: AddressBookEntry = Object.freeze({ id, chainId, address, tags: Object.freeze([...tags]) });
    byDestination.set(key, entry);
    copy.push(entry);
  });
  const book: AddressBook = Object.freeze({
    entries: Object.freeze(copy),
    find: (chainId: number, address: string) => byDestination.get(`${chainId}\u0000${address}`),
  });
  prepared.add(book);
  return book;
}

export function asAddressBook(v: readonly AddressBookEntry[] | AddressBook, argument: string): AddressBook {
  return isAddressBook(v) ? v : prepareAddressBook(v as readonly AddressBookEntry[], argument);
}
