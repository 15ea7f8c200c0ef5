import type { KeyPair } from './key-pair';

/**
 * The identity this browser profile uses: the API client id an admin registered and the key pair.
 * Kept in IndexedDB, which stores the CryptoKey object itself (structured clone) without ever
 * exposing its bytes. Clearing the site's data or losing the profile loses the key: the user then
 * makes a new one and an admin registers it again.
 */
export interface Identity extends KeyPair {
  readonly clientId: string;
  readonly createdAt: string;
  readonly origin: 'created' | 'imported';
}

const DB_NAME = 'custody-console';
const STORE = 'identity';
const ACTIVE = 'active';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB is not available'));
  });
}

async function run<T>(mode: IDBTransactionMode, body: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = body(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    });
  } finally {
    db.close();
  }
}

export async function loadIdentity(): Promise<Identity | undefined> {
  const value = (await run('readonly', (s) => s.get(ACTIVE))) as Identity | undefined;
  return value ?? undefined;
}

export async function saveIdentity(identity: Identity): Promise<void> {
  await run('readwrite', (s) => s.put(identity, ACTIVE));
}

export async function forgetIdentity(): Promise<void> {
  await run('readwrite', (s) => s.delete(ACTIVE));
}

/**
 * An approver's approval key, apart from the API key (the policy engine and the signers pin approval
 * keys; API keys only authenticate requests). Same storage, another slot.
 */
export interface ApprovalKey {
  readonly approverId: string;
  readonly privateKey: CryptoKey;
  readonly publicKey: Uint8Array;
  readonly origin: 'created' | 'imported';
}

const APPROVAL = 'approval';

export async function loadApprovalKey(): Promise<ApprovalKey | undefined> {
  return ((await run('readonly', (s) => s.get(APPROVAL))) as ApprovalKey | undefined) ?? undefined;
}

export async function saveApprovalKey(key: ApprovalKey): Promise<void> {
  await run('readwrite', (s) => s.put(key, APPROVAL));
}

export async function forgetApprovalKey(): Promise<void> {
  await run('readwrite', (s) => s.delete(APPROVAL));
}
