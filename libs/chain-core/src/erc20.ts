import { decodeEventLog, decodeFunctionData, encodeFunctionData, erc20Abi, hexToBytes, toEventSelector, type Address, type Hex } from 'viem';
import { addressFromBytes, assertChecksummedAddress } from './address';
import { fail } from './errors';
import { assertEip1559Transaction, TRANSFER_FEE_KEYS, type Eip1559Transaction, type TransferFees } from './transaction';
import { assertBytes, assertOnlyKeys, assertUint256, parseHexData, toHex } from './validate';

/** The 4-byte selector of `transfer(address,uint256)`. */
export const ERC20_TRANSFER_SELECTOR = '0xa9059cbb';
/** topic0 of `Transfer(address indexed from, address indexed to, uint256 value)`: keccak256 of the signature. */
export const ERC20_TRANSFER_TOPIC: Hex = toEventSelector('Transfer(address,address,uint256)');

export interface Erc20Transfer {
  readonly recipient: Address;
  readonly amount: bigint;
}

const fromHex = (hex: Hex): Uint8Array => hexToBytes(hex);

const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000';

/** The calldata of `transfer(recipient, amount)` (ABI-encoded by viem); the recipient must not be the zero address. */
export function erc20TransferData(recipient: Address, amount: bigint): Uint8Array {
  assertChecksummedAddress(recipient, 'recipient');
  if (recipient === ZERO_ADDRESS) fail('recipient', 'must not be the zero address (tokens sent there are burnt)');
  assertUint256(amount, 'amount');
  return fromHex(encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [recipient, amount] }));
}

/**
 * Decodes calldata that must be exactly one canonical `transfer(address,uint256)` call: 68 bytes,
 * the selector, an address word whose upper 12 bytes are zero. Anything else (another function,
 * trailing bytes, a dirty address word) is refused: the decoded recipient and amount then describe
 * the call completely. Proven by re-encoding and comparing the bytes.
 */
export function decodeErc20TransferData(data: Uint8Array, argument = 'data'): Erc20Transfer {
  assertBytes(data, argument);
  if (data.length !== 68) fail(argument, `must be a 68-byte transfer(address,uint256) call, got ${data.length} bytes`);
  let decoded: { functionName: string; args: readonly unknown[] };
  try {
    decoded = decodeFunctionData({ abi: erc20Abi, data: toHex(data) }) as { functionName: string; args: readonly unknown[] };
  } catch {
    fail(argument, 'is not an ERC-20 call');
  }
  if (decoded.functionName !== 'transfer') fail(argument, `must call transfer(address,uint256), not ${decoded.functionName}`);
  const [recipient, amount] = decoded.args as [Address, bigint];
  if (recipient === ZERO_ADDRESS) fail(argument, 'must not transfer to the zero address (tokens sent there are burnt)');
  const again = erc20TransferData(recipient, amount);
  if (toHex(again) !== toHex(data)) fail(argument, 'is not the canonical encoding of a transfer call');
  return { recipient, amount };
}

/** An ERC-20 `transfer` as an EIP-1559 transaction: to the token contract, value 0. Any field but the fees, `token`, `recipient` and `amount` is refused. */
export function erc20TransferTransaction(fees: TransferFees & { readonly token: Address; readonly recipient: Address; readonly amount: bigint }): Eip1559Transaction {
  assertOnlyKeys(fees, [...TRANSFER_FEE_KEYS, 'token', 'recipient', 'amount'], 'transfer');
  assertChecksummedAddress(fees.token, 'token');
  const tx: Eip1559Transaction = {
    chainId: fees.chainId,
    nonce: fees.nonce,
    maxFeePerGas: fees.maxFeePerGas,
    maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
    gas: fees.gas,
    to: fees.token,
    value: 0n,
    data: erc20TransferData(fees.recipient, fees.amount),
  };
  assertEip1559Transaction(tx);
  return tx;
}

/** A log as a node returns it (untrusted): the emitting contract, topics and data as 0x hex. */
export interface RpcLog {
  readonly address: string;
  readonly topics: readonly string[];
  readonly data: string;
}

export interface Erc20TransferLog {
  readonly token: Address;
  readonly from: Address;
  readonly to: Address;
  readonly amount: bigint;
}

function addressTopic(topic: unknown, argument: string): Address {
  const bytes = parseHexData(topic, argument, 32);
  if (bytes.length !== 32) fail(argument, 'must be a 32-byte topic');
  if (bytes.subarray(0, 12).some((b) => b !== 0)) fail(argument, 'is not an address (upper 12 bytes not zero)');
  return addressFromBytes(bytes.subarray(12), argument);
}

/**
 * Decodes an ERC-20 `Transfer` log, or returns `undefined` for a log that is not one (another
 * topic0, or the ERC-721 form with the token id indexed: four topics). A log that claims topic0 of
 * Transfer but is malformed (a dirty address topic, data not one 32-byte word) throws: a node or a
 * contract sending that is not to be trusted silently.
 */
export function decodeErc20TransferLog(log: RpcLog, argument = 'log'): Erc20TransferLog | undefined {
  if (typeof log !== 'object' || log === null) fail(argument, 'must be an object');
  const topics: unknown = log.topics;
  if (!Array.isArray(topics)) fail(`${argument}.topics`, 'must be an array');
  if (topics.length > 4) fail(`${argument}.topics`, 'must have at most 4 entries');
  const contract = parseHexData(log.address, `${argument}.address`, 20);
  if (contract.length !== 20) fail(`${argument}.address`, 'must be 20 bytes');
  const t = topics as readonly unknown[];
  if (t.length === 0) return undefined;
  const topic0 = parseHexData(t[0], `${argument}.topics[0]`, 32);
  if (toHex(topic0) !== ERC20_TRANSFER_TOPIC) return undefined;
  if (t.length !== 3) return undefined;
  const from = addressTopic(t[1], `${argument}.topics[1]`);
  const to = addressTopic(t[2], `${argument}.topics[2]`);
  const data = parseHexData(log.data, `${argument}.data`, 32);
  if (data.length !== 32) fail(`${argument}.data`, 'must be one 32-byte word (the amount)');
  // Cross-check with viem's ABI decoder (strict): the same event, the same values.
  // The topics as parsed (lower-case): a node may send hex in either case, viem matches topic0 exactly.
  const topicsHex = [ERC20_TRANSFER_TOPIC, toHex(parseHexData(t[1], `${argument}.topics[1]`, 32)), toHex(parseHexData(t[2], `${argument}.topics[2]`, 32))] as [Hex, Hex, Hex];
  const decoded = decodeEventLog({ abi: erc20Abi, eventName: 'Transfer', topics: topicsHex, data: toHex(data), strict: true });
  const amount = decoded.args.value;
  if (decoded.args.from.toLowerCase() !== from.toLowerCase() || decoded.args.to.toLowerCase() !== to.toLowerCase()) fail(argument, 'decodes inconsistently');
  return { token: addressFromBytes(contract, `${argument}.address`), from, to, amount };
}
