/**
 * @custody/chain-core: EVM chains, addresses, EIP-1559 transactions (native and ERC-20 `transfer`),
 * their signing hash and signed encoding, ERC-20 `Transfer` logs, and deposit addresses. Pure: no
 * I/O, no clock. All RLP and ABI encoding is viem's (pinned); secp256k1 is @noble/curves.
 * Every function validates its arguments and throws {@link ChainInputError} naming the one that is wrong.
 */
export { ChainInputError } from './errors';
export { UINT256_LIMIT } from './validate';
export { CHAINS, MAX_CHAIN_ID, assertChainId, defineChain, type Chain, type NativeAsset } from './chains';
export {
  addressFromBytes,
  addressFromPublicKey,
  addressToBytes,
  assertChecksummedAddress,
  isChecksummedAddress,
  parseAddress,
  type Address,
} from './address';
export {
  MAX_DATA_BYTES,
  MAX_GAS,
  MIN_GAS,
  assertEip1559Transaction,
  nativeTransferTransaction,
  recoverTransactionSender,
  signedTransactionBytes,
  transactionHash,
  transactionSigningHash,
  unsignedTransactionBytes,
  type Eip1559Transaction,
  type RecoverableSignature,
  type TransferFees,
} from './transaction';
export {
  ERC20_TRANSFER_SELECTOR,
  ERC20_TRANSFER_TOPIC,
  decodeErc20TransferData,
  decodeErc20TransferLog,
  erc20TransferData,
  erc20TransferTransaction,
  type Erc20Transfer,
  type Erc20TransferLog,
  type RpcLog,
} from './erc20';
export { MAX_DEPOSIT_PATH_DEPTH, depositAddress, type DepositAddress, type WalletPublicKey } from './deposit-address';
export {
  MAX_BLOCK_TRANSACTIONS,
  MAX_LOGS,
  parseHash,
  parseQuantity,
  parseRpcBlock,
  parseRpcLog,
  parseRpcLogs,
  parseRpcReceipt,
  parseSafeQuantity,
  type Block,
  type BlockHeader,
  type BlockTransaction,
  type ChainLog,
  type Hash,
  type TransactionReceipt,
} from './rpc-data';
export { confirmationsOf, extendsStoredChain, findForkPoint, isCreditable, type ForkSearchInput, type ForkSearchStep } from './reorg';
export {
  NATIVE_TRANSFER_LOG_INDEX,
  depositsOfBlock,
  linkSegment,
  reportedConfirmations,
  type ObservedDeposit,
  type SegmentLink,
  type WatchSet,
} from './deposits';
export { reconcileHoldings, type Holding, type HoldingDifference } from './reconcile';
export {
  MAX_WITHDRAWAL_HASHES,
  withdrawalFee,
  withdrawalLedgerEvent,
  withdrawalReorgEvent,
  withdrawalsInBlocks,
  type SettledWithdrawal,
  type TrackedWithdrawal,
  type WithdrawalLedgerOutcome,
  type WithdrawalSighting,
} from './withdrawals';
export { INTERNAL_TRANSFER_LOG_INDEX_BASE, MAX_TRACE_FRAMES, depositsOfTraces, parseBlockTraces, type InternalTransfer } from './traces';
export { REPLACEMENT_BUMP_PERCENT, feesFromHistory, parseFeeHistory, replacementFees, type Eip1559Fees, type FeeHistory, type FeePolicy } from './fees';
export { sweepAmount, type SweepInput } from './sweep';
