import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { CHAINS, depositAddress } from '@custody/chain-core';
import { ApiError, preview } from '../errors/api-error';
import { checkId, checkPageSize, decodePageToken, pageOf } from '../api/resource-paging';
import { ChainIndexerClients } from '../upstreams/chain-indexer.client';
import { publicError } from '../upstreams/grpc-upstream';
import { SignerPool } from '../upstreams/signer-pool';
import { addressView, walletView, WALLET_SCHEMES, type AddressView, type CustodyClass, type Wallet, type WalletScheme, type WalletView } from './wallet';
import { WalletsRepository } from './wallets.repository';

export interface CreateWalletInput {
  displayName?: string;
  scheme?: string;
  custody?: string;
}

export interface WalletPage {
  wallets: WalletView[];
  nextPageToken: string;
}

export interface AddressPage {
  addresses: AddressView[];
  nextPageToken: string;
}

const DISPLAY_NAME = /^[\p{L}\p{N}\p{P}\p{Zs}]{0,128}$/u;

function checkDisplayName(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value !== 'string' || !DISPLAY_NAME.test(value)) throw new ApiError('invalid-argument', 'displayName must be at most 128 printable characters');
  return value;
}

function checkScheme(value: unknown): WalletScheme {
  if (value === undefined || value === '') return 'ecdsa-secp256k1';
  if (typeof value !== 'string' || !(value in WALLET_SCHEMES)) throw new ApiError('invalid-argument', `scheme ${preview(value)} must be ecdsa-secp256k1 or eddsa-ed25519`);
  return value as WalletScheme;
}

function checkCustody(value: unknown): CustodyClass {
  if (value === undefined || value === '') return 'hot';
  if (value !== 'hot' && value !== 'cold') throw new ApiError('invalid-argument', `custody ${preview(value)} must be hot or cold`);
  return value;
}

/** The EVM chains an address can be made for (libs/chain-core CHAINS). */
export function checkChain(value: unknown): keyof typeof CHAINS {
  if (typeof value !== 'string' || !Object.hasOwn(CHAINS, value)) throw new ApiError('invalid-argument', `chain ${preview(value)} must be one of ${Object.keys(CHAINS).join(', ')}`);
  return value as keyof typeof CHAINS;
}

/**
 * Wallets (a keygen in the signers, stored with its public key) and their deposit addresses (the
 * next non-hardened child of the wallet's ECDSA key, derived from public data alone, watched by the
 * chain's indexer when GATEWAY_CHAIN_INDEXERS names one).
 */
@Injectable()
export class WalletsService {
  constructor(
    private readonly wallets: WalletsRepository,
    private readonly signers: SignerPool,
    private readonly indexers: ChainIndexerClients,
  ) {}

  async create(input: CreateWalletInput, createdBy: string): Promise<WalletView> {
    const displayName = checkDisplayName(input.displayName);
    const scheme = checkScheme(input.scheme);
    const custody = checkCustody(input.custody);
    const key = await this.signers.createKey(WALLET_SCHEMES[scheme]);
    const wallet = await this.wallets.insertWallet({
      walletId: `w-${randomBytes(10).toString('hex')}`,
      displayName,
      scheme,
      keyId: key.keyId,
      publicKey: key.publicKey,
      chainCode: key.chainCode,
      threshold: key.threshold,
      participants: key.participants,
      custody,
      createdBy,
    });
    return walletView(wallet);
  }

  /** The wallet, or 404 `not-found`. */
  async wallet(walletId: string, field = 'walletId'): Promise<Wallet> {
    const wallet = await this.wallets.findWallet(checkId(walletId, field));
    if (!wallet) throw new ApiError('not-found', `no wallet ${preview(walletId)}`);
    return wallet;
  }

  async get(walletId: string): Promise<WalletView> {
    return walletView(await this.wallet(walletId));
  }

  async list(pageSize: number, pageToken: string): Promise<WalletPage> {
    const size = checkPageSize(pageSize);
    const { page, nextPageToken } = pageOf(await this.wallets.listWallets(decodePageToken(pageToken), size + 1), size);
    return { wallets: page.map(walletView), nextPageToken };
  }

  async createAddress(walletId: string, chainName: unknown, createdBy: string): Promise<AddressView> {
    const chain = checkChain(chainName);
    const wallet = await this.wallet(walletId, 'parent');
    if (wallet.scheme !== 'ecdsa-secp256k1') throw new ApiError('invalid-argument', `parent: wallet ${preview(walletId)} is ${wallet.scheme}; EVM deposit addresses need an ecdsa-secp256k1 wallet`);
    const stored = await this.wallets.insertNextAddress(wallet.walletId, (index) => {
      const derived = depositAddress({ publicKey: wallet.publicKey, chainCode: wallet.chainCode }, [index]);
      return { addressId: `a-${randomBytes(10).toString('hex')}`, chain, address: derived.address, publicKey: derived.publicKey, createdBy };
    }, async (a) => {
      // The chain's indexer watches it before it is stored, so that its deposits get credited.
      try {
        await this.indexers.watchAddress(a.chain, a.address, a.walletId);
      } catch (error) {
        throw publicError(error);
      }
    });
    if (!stored) throw new ApiError('not-found', `no wallet ${preview(walletId)}`);
    return addressView(stored);
  }

  async getAddress(walletId: string, addressId: string): Promise<AddressView> {
    const wallet = await this.wallet(walletId);
    const address = await this.wallets.findAddress(wallet.walletId, checkId(addressId, 'addressId'));
    if (!address) throw new ApiError('not-found', `no address ${preview(addressId)} in wallet ${preview(walletId)}`);
    return addressView(address);
  }

  async listAddresses(walletId: string, pageSize: number, pageToken: string): Promise<AddressPage> {
    const size = checkPageSize(pageSize);
    const wallet = await this.wallet(walletId, 'parent');
    const { page, nextPageToken } = pageOf(await this.wallets.listAddresses(wallet.walletId, decodePageToken(pageToken), size + 1), size);
    return { addresses: page.map(addressView), nextPageToken };
  }
}
