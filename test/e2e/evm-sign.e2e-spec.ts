import { randomBytes } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { createPublicClient, encodeDeployData, erc20Abi, http, type Hex, type PublicClient } from 'viem';
import erc20Artifact from '@openzeppelin/contracts/build/contracts/ERC20PresetFixedSupply.json';
import {
  addressFromBytes,
  decodeErc20TransferLog,
  depositAddress,
  erc20TransferData,
  erc20TransferTransaction,
  nativeTransferTransaction,
  parseAddress,
  signedTransactionBytes,
  transactionHash,
  transactionSigningHash,
  type Address,
  type Eip1559Transaction,
} from '@custody/chain-core';
import type { EvmTransactionPayload } from '@custody/sign-grant';
import { SignerCallError, type KeyInfo } from '@custody/signer-client';
import { approverKeysEnv, makeTestGrant, startAnvil, startSignerCluster, testApprovers, type Anvil, type SignerCluster } from '@custody/testing';

/**
 * A transaction built by libs/chain-core, signed by three real signer processes under a sign grant
 * whose `evm-transaction` fields they re-encode themselves, accepted by a real anvil, moves the funds.
 * The ERC-20 is OpenZeppelin's ERC20PresetFixedSupply as compiled in @openzeppelin/contracts 4.9.6
 * (build/contracts/ERC20PresetFixedSupply.json, pinned in package.json).
 */
const hex = (b: Uint8Array): Hex => `0x${Buffer.from(b).toString('hex')}`;
const ETHER = 10n ** 18n;

function payloadOf(tx: Eip1559Transaction, erc20: EvmTransactionPayload['erc20']): EvmTransactionPayload {
  return { kind: 'evm-transaction', ...tx, erc20 };
}

describe('EVM transactions signed by the signer cluster, accepted by anvil (e2e)', () => {
  const approvers = testApprovers(1);
  let signers: SignerCluster;
  let key: KeyInfo;
  let anvil: Anvil;
  let chain: PublicClient;
  let dev: Address;

  beforeAll(async () => {
    [signers, anvil] = await Promise.all([
      startSignerCluster(3, { APPROVER_KEYS: approverKeysEnv(approvers), SIGNER_PRESIGN_POOL_SIZE: '0' }),
      startAnvil({ chainId: 31337 }),
    ]);
    key = await signers.client(1).createKey('ecdsa', 2, [1, 2, 3], 120_000);
    chain = createPublicClient({ transport: http(anvil.url) });
    dev = parseAddress((await anvil.rpc<string[]>('eth_accounts'))[0]);
  }, 240_000);

  afterAll(async () => {
    await Promise.all([signers?.destroy(), anvil?.stop()]);
  }, 60_000);

  /** A transaction from an anvil dev account (unlocked in the node), mined at once. */
  async function fromDev(tx: { to?: Address; value?: bigint; data?: Hex }) {
    const hash = await anvil.rpc<Hex>('eth_sendTransaction', [{ from: dev, ...(tx.to ? { to: tx.to } : {}), ...(tx.value !== undefined ? { value: `0x${tx.value.toString(16)}` } : {}), ...(tx.data ? { data: tx.data } : {}) }]);
    const receipt = await chain.waitForTransactionReceipt({ hash });
    expect(receipt.status).toBe('success');
    return receipt;
  }

  async function fees(from: Address) {
    const block = await chain.getBlock();
    const maxPriorityFeePerGas = 1_000_000_000n;
    return {
      chainId: anvil.chainId,
      nonce: await chain.getTransactionCount({ address: from }),
      maxPriorityFeePerGas,
      maxFeePerGas: 2n * (block.baseFeePerGas ?? 0n) + maxPriorityFeePerGas,
    };
  }

  /** Signs through signer `coordinator` with the given quorum under a grant for `payload`, for the key at `path`. */
  async function sign(payload: EvmTransactionPayload, path: number[], signersSet: number[], digest?: Uint8Array) {
    const g = makeTestGrant({ engineSeedFile: signers.secrets.policyEngine.seedFile, approvers, keyId: key.keyId, scheme: 'ecdsa', payload, derivationPath: path });
    return signers.client(signersSet[0]!).sign(g.grant, signersSet, digest ?? g.signingInput, 120_000);
  }

  it('a native transfer from a derived deposit address: signed, accepted, the funds moved', async () => {
    const deposit = depositAddress({ publicKey: key.publicKey, chainCode: key.chainCode }, [0, 5]);
    await fromDev({ to: deposit.address, value: 10n * ETHER });
    expect(await chain.getBalance({ address: deposit.address })).toBe(10n * ETHER);

    const recipient = addressFromBytes(randomBytes(20));
    const tx = nativeTransferTransaction({ ...(await fees(deposit.address)), gas: 21_000n, to: recipient, value: 1_250_000_000_000_000_000n });
    const result = await sign(payloadOf(tx, null), [0, 5], [1, 2]);
    // The signer signed for the child key of the path, and says so.
    expect(hex(result.publicKey)).toBe(hex(deposit.publicKey));

    // The recovery id the signer returned, checked against the deposit address before broadcasting.
    const raw = signedTransactionBytes(tx, { signature: result.signature, recoveryId: result.recoveryId }, deposit.address);
    const hash = await anvil.rpc<Hex>('eth_sendRawTransaction', [hex(raw)]);
    expect(hash).toBe(hex(transactionHash(raw)));
    const receipt = await chain.waitForTransactionReceipt({ hash });
    expect(receipt.status).toBe('success');
    expect(receipt.from.toLowerCase()).toBe(deposit.address.toLowerCase());
    expect(await chain.getBalance({ address: recipient })).toBe(tx.value);
    expect(await chain.getBalance({ address: deposit.address })).toBe(10n * ETHER - tx.value - receipt.gasUsed * receipt.effectiveGasPrice);
  }, 180_000);

  it('an ERC-20 transfer of a deployed OpenZeppelin token: signed, accepted, the tokens moved, the Transfer log decodes', async () => {
    const deposit = depositAddress({ publicKey: key.publicKey, chainCode: key.chainCode }, [0, 6]);
    const deployed = await fromDev({
      data: encodeDeployData({ abi: erc20Artifact.abi, bytecode: erc20Artifact.bytecode as Hex, args: ['TEST-ONLY Token', 'TST', 1_000_000n, dev] }),
    });
    const token = parseAddress(deployed.contractAddress);
    await fromDev({ to: token, data: hex(erc20TransferData(deposit.address, 1_000n)) });
    await fromDev({ to: deposit.address, value: ETHER });
    const balanceOf = (address: Address) => chain.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [address] });
    expect(await balanceOf(deposit.address)).toBe(1_000n);

    const recipient = addressFromBytes(randomBytes(20));
    const tx = erc20TransferTransaction({ ...(await fees(deposit.address)), gas: 100_000n, token, recipient, amount: 400n });
    const result = await sign(payloadOf(tx, { recipient, amount: 400n }), [0, 6], [2, 3]);
    const raw = signedTransactionBytes(tx, { signature: result.signature, recoveryId: result.recoveryId }, deposit.address);
    const receipt = await chain.waitForTransactionReceipt({ hash: await anvil.rpc<Hex>('eth_sendRawTransaction', [hex(raw)]) });
    expect(receipt.status).toBe('success');
    expect(await balanceOf(recipient)).toBe(400n);
    expect(await balanceOf(deposit.address)).toBe(600n);
    const transfers = receipt.logs.map((log) => decodeErc20TransferLog(log)).filter((t) => t !== undefined);
    expect(transfers).toEqual([{ token, from: deposit.address, to: recipient, amount: 400n }]);
  }, 180_000);

  it('every signer refuses a grant whose fields do not give the digest asked for; nothing is broadcastable', async () => {
    const deposit = depositAddress({ publicKey: key.publicKey, chainCode: key.chainCode }, [0, 7]);
    const recipient = addressFromBytes(randomBytes(20));
    const granted = nativeTransferTransaction({ ...(await fees(deposit.address)), gas: 21_000n, to: recipient, value: ETHER });
    // The digest of the same transfer with ten times the value, or to another address: not what was granted.
    const others = [{ ...granted, value: 10n * ETHER }, { ...granted, to: addressFromBytes(randomBytes(20)) }, { ...granted, chainId: 1 }];
    for (const [i, other] of others.entries()) {
      const set = [[1, 2], [2, 3], [3, 1]][i]!;
      const error: unknown = await sign(payloadOf(granted, null), [0, 7], set, transactionSigningHash(other)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SignerCallError);
      expect((error as SignerCallError).code).toBe(grpc.status.FAILED_PRECONDITION);
      expect((error as SignerCallError).details).toMatch(/grant refused: digest-mismatch/);
    }
  }, 120_000);
});
