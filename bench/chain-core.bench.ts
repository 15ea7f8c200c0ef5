/**
 * Costs of libs/chain-core on one core, and of the signer's check of a version 2 grant with an EVM
 * transaction: the EIP-1559 signing hash (native, ERC-20), the signed envelope with the sender check
 * (public-key recovery), ERC-20 Transfer log decoding, the shape check of a node's block with 4 and
 * 200 transactions and of 1,000 logs, a deposit address, and checkGrant over an evm-transaction grant.
 *
 *   npm run bench:chain-core
 *
 * Prints the median and p99 of individual timings (process.hrtime) after a warm-up, and the rate the
 * median allows. TEST-ONLY keys and data.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import {
  addressFromPublicKey,
  decodeErc20TransferLog,
  depositAddress,
  ERC20_TRANSFER_TOPIC,
  erc20TransferTransaction,
  nativeTransferTransaction,
  parseAddress,
  parseRpcBlock,
  parseRpcLogs,
  signedTransactionBytes,
  transactionSigningHash,
} from '../libs/chain-core/src';
import { approveRequest, checkGrant, signGrant, signingInput, type SignRequest } from '../libs/sign-grant/src';

const seed = (label: string) => sha256(utf8ToBytes(`TEST-ONLY bench ${label}`));

function measure(name: string, iterations: number, op: () => unknown): void {
  for (let i = 0; i < Math.min(50, iterations); i++) op();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    op();
    samples.push(Number(process.hrtime.bigint() - t0) / 1e3);
  }
  samples.sort((a, b) => a - b);
  const p = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
  const rate = 1e6 / p(0.5);
  console.log(`${name.padEnd(52)} p50 ${p(0.5).toFixed(1).padStart(8)} µs   p99 ${p(0.99).toFixed(1).padStart(8)} µs   ${rate.toFixed(0).padStart(8)} /s   (${iterations} runs)`);
}

const key = seed('secp256k1');
const from = addressFromPublicKey(secp256k1.getPublicKey(key));
const TO = parseAddress('0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed');
const fees = { chainId: 1, nonce: 7, maxFeePerGas: 30_000_000_000n, maxPriorityFeePerGas: 1_000_000_000n };
const native = nativeTransferTransaction({ ...fees, gas: 21_000n, to: TO, value: 10n ** 18n });
const token = erc20TransferTransaction({ ...fees, gas: 65_000n, token: TO, recipient: from, amount: 2_500_000n });
const rec = secp256k1.sign(transactionSigningHash(native), key, { prehash: false, format: 'recovered' });
const sig = { signature: rec.subarray(1), recoveryId: rec[0]! };

const word = (n: bigint) => `0x${n.toString(16).padStart(64, '0')}`;
const addressWord = (a: string) => `0x${'00'.repeat(12)}${a.slice(2).toLowerCase()}`;
const log = { address: TO.toLowerCase(), topics: [ERC20_TRANSFER_TOPIC, addressWord(from), addressWord(TO)], data: word(12345n) };

const rpcBlock = (n: number, count: number) => ({
  number: `0x${n.toString(16)}`,
  hash: word(BigInt(n) + 1n),
  parentHash: word(BigInt(n)),
  timestamp: '0x6553f100',
  transactions: Array.from({ length: count }, (_, i) => ({
    hash: word(BigInt(n * 1000 + i)), blockHash: word(BigInt(n) + 1n), blockNumber: `0x${n.toString(16)}`, transactionIndex: `0x${i.toString(16)}`,
    from: from.toLowerCase(), to: TO.toLowerCase(), value: '0xde0b6b3a7640000', nonce: `0x${i.toString(16)}`, input: '0x',
  })),
});
const logs = Array.from({ length: 1000 }, (_, i) => ({
  ...log, blockNumber: `0x${(100 + Math.floor(i / 4)).toString(16)}`, blockHash: word(BigInt(100 + Math.floor(i / 4))), transactionHash: word(BigInt(i)),
  transactionIndex: '0x0', logIndex: `0x${(i % 4).toString(16)}`, removed: false,
}));
const wallet = { publicKey: secp256k1.getPublicKey(seed('wallet')), chainCode: seed('chain code') };

const engine = seed('engine');
const approver = seed('approver');
const request: SignRequest = {
  requestId: 'bench-1', keyId: 'key-1', scheme: 'ecdsa', derivationPath: [0, 7],
  payload: { kind: 'evm-transaction', ...token, erc20: { recipient: from, amount: 2_500_000n } },
};
const now = 1_767_225_600_000;
const grant = signGrant(
  { version: 2, request, policyVersion: 'p-1', policyHash: seed('policy'), approvals: [{ approverId: 'a', signature: approveRequest(request, approver) }], requiredApprovals: 1, issuedAt: now, expiresAt: now + 60_000 },
  engine,
);
const checkOptions = { enginePublicKey: ed25519.getPublicKey(engine), approverKeys: new Map([['a', ed25519.getPublicKey(approver)]]), now, requestedSigningInput: signingInput(request.payload, 'ecdsa') };

console.log(`node ${process.version}, one core`);
measure('signing hash, native transfer', 5000, () => transactionSigningHash(native));
measure('signing hash, ERC-20 transfer', 5000, () => transactionSigningHash(token));
measure('signed envelope + sender check (recovery)', 1000, () => signedTransactionBytes(native, sig, from));
measure('ERC-20 Transfer log decode', 5000, () => decodeErc20TransferLog(log));
measure('node block shape check, 4 transactions', 3000, () => parseRpcBlock(rpcBlock(100, 4), 100));
measure('node block shape check, 200 transactions', 300, () => parseRpcBlock(rpcBlock(100, 200), 100));
measure('node logs shape check, 1,000 logs over 250 blocks', 100, () => parseRpcLogs(logs, 100, 349));
measure('deposit address (CKDpub, 2 levels + keccak)', 1000, () => depositAddress(wallet, [0, 42]));
measure('checkGrant, v2 evm-transaction (3 Ed25519 + re-encode)', 500, () => checkGrant(grant, checkOptions));
