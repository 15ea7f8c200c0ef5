/** The public schemes of a wallet and the signers' names for them. */
export const WALLET_SCHEMES = { 'ecdsa-secp256k1': 'ecdsa', 'eddsa-ed25519': 'eddsa' } as const;
export type WalletScheme = keyof typeof WALLET_SCHEMES;
export type CustodyClass = 'hot' | 'cold';

/** A wallet: one key of the signers (its public half) and who made it. */
export interface Wallet {
  readonly walletId: string;
  readonly position: string;
  readonly displayName: string;
  readonly scheme: WalletScheme;
  readonly keyId: string;
  readonly publicKey: Uint8Array;
  readonly chainCode: Uint8Array;
  readonly threshold: number;
  readonly participants: readonly number[];
  readonly custody: CustodyClass;
  readonly createdBy: string;
  readonly createdAt: Date;
}

/** A deposit address: a non-hardened child of a wallet's ECDSA key. */
export interface DepositAddressRecord {
  readonly addressId: string;
  readonly position: string;
  readonly walletId: string;
  readonly chain: string;
  readonly index: number;
  readonly address: string;
  readonly publicKey: Uint8Array;
  readonly createdBy: string;
  readonly createdAt: Date;
}

/** The REST JSON and gRPC `custody.v1.Wallet` of a wallet. */
export interface WalletView {
  name: string;
  displayName: string;
  scheme: string;
  publicKey: string;
  createTime: string;
  keyId: string;
  chainCode: string;
  threshold: number;
  participants: number[];
  createdBy: string;
  custody: string;
}

export interface AddressView {
  name: string;
  chain: string;
  address: string;
  derivationPath: string;
  createTime: string;
  wallet: string;
  index: number;
  publicKey: string;
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

export function walletView(w: Wallet): WalletView {
  return {
    name: `wallets/${w.walletId}`,
    displayName: w.displayName,
    scheme: w.scheme,
    publicKey: hex(w.publicKey),
    createTime: w.createdAt.toISOString(),
    keyId: w.keyId,
    chainCode: hex(w.chainCode),
    threshold: w.threshold,
    participants: [...w.participants],
    createdBy: w.createdBy,
    custody: w.custody,
  };
}

export function addressView(a: DepositAddressRecord): AddressView {
  return {
    name: `wallets/${a.walletId}/addresses/${a.addressId}`,
    chain: a.chain,
    address: a.address,
    derivationPath: `m/${a.index}`,
    createTime: a.createdAt.toISOString(),
    wallet: `wallets/${a.walletId}`,
    index: a.index,
    publicKey: hex(a.publicKey),
  };
}
