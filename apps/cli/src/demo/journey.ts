import { randomBytes } from 'node:crypto';
import { createPublicClient, createWalletClient, defineChain, formatEther, getAddress, http, parseEther, type Hex, type PublicClient } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { ed25519PrivateKey } from '@custody/http-signatures';
import { CustodyApiError, CustodyClient, type BalanceResource, type DepositResource, type WalletResource } from '@custody/client';
import { DEV_APPROVER_IDS, loadDevApprover, loadDevClient, type LocalChainInfo } from '@custody/local-cluster';
import { approvalSignatures, type ApprovalView } from './approval-signatures';

/**
 * anvil's well-known development account 0 (mnemonic `test test … junk`, m/44'/60'/0'/0/0): PUBLIC,
 * funded with 10,000 ETH on every anvil chain, worthless anywhere else.
 */
export const ANVIL_DEV_ACCOUNT_0_KEY: Hex = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';

/** What the demo deposits and then withdraws: above one whole ETH, so the local policy asks two approvals. */
export const DEMO_DEPOSIT = parseEther('5');
export const DEMO_WITHDRAWAL = parseEther('2');

/** The steps of the journey, in order (each is printed once, with its time). */
export const DEMO_STEPS = [
  'wallet created',
  'deposit address derived',
  'deposit sent',
  'deposit credited',
  'withdrawal requested',
  `approved by ${DEV_APPROVER_IDS[0]}`,
  `approved by ${DEV_APPROVER_IDS[1]}`,
  'signed',
  'broadcast',
  'confirmed',
  'settled',
] as const;

export interface DemoSettings {
  /** The gateway, e.g. http://127.0.0.1:8080. */
  readonly gatewayUrl: string;
  /** Where `custody up` keeps the development keys (the API clients' and the approvers' seeds). */
  readonly secretsDir: string;
  /** The chain `custody up` runs (anvil) or follows. */
  readonly chain: LocalChainInfo;
  /** How long any one step may take. */
  readonly stepTimeoutMs: number;
  /** How often a waiting step asks again. */
  readonly pollMs?: number;
}

export interface StepReport {
  readonly index: number;
  readonly total: number;
  readonly title: string;
  readonly detail: string;
  /** Since the previous step ended. */
  readonly ms: number;
}

/** The balances side by side at the end: the ledger's (through the gateway) and the chain's (viem). */
export interface DemoOutcome {
  readonly wallet: string;
  readonly address: Hex;
  readonly destination: Hex;
  readonly ledgerPosted: bigint;
  readonly ledgerHeld: bigint;
  readonly chainBalance: bigint;
  readonly destinationBalance: bigint;
  readonly fee: bigint;
}

/** A step that failed or ran out of time: which one, and why. */
export class DemoStepError extends Error {
  override readonly name = 'DemoStepError';
}

/** A withdrawal as the gateway shows it (the fields the demo follows). */
interface WithdrawalView {
  name: string;
  state: string;
  reason: string;
  txHash: string;
  feeActual: string;
  nonce: number;
  sourceAddress: string;
  attempts: number;
}

/** How long the demo waits before asking for its wallet again when the signers are not ready (no safe primes yet). */
const WALLET_RETRY_MS = 5000;

const PROGRESS = ['requested', 'held', 'built', 'pending-approval', 'approved', 'signing', 'signed', 'broadcast', 'confirmed'];
const FINAL_FAILURES = ['failed', 'denied', 'rejected', 'expired', 'cancelled'];

const eth = (wei: bigint): string => `${formatEther(wei)} ETH`;
const short = (hex: string): string => (hex.length > 14 ? `${hex.slice(0, 8)}…${hex.slice(-6)}` : hex);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function explain(error: unknown, gatewayUrl: string): string {
  if (error instanceof CustodyApiError) {
    return error.status === 0
      ? `the gateway at ${gatewayUrl} did not answer (${error.detail}); is \`custody up\` running there (its --base-port or CUSTODY_BASE_PORT, or --gateway)?`
      : `the gateway answered ${error.status} ${error.code}: ${error.detail}`;
  }
  return error instanceof Error ? error.message.split('\n')[0]!.slice(0, 300) : String(error);
}

/**
 * The institution's whole journey against a running local cluster, through the public API as
 * `custody up`'s development clients and on the chain with viem: a wallet (a keygen in the signers),
 * a deposit address, a deposit from anvil's dev account 0 credited by the chain indexer at the
 * asset's depth, a withdrawal the local policy sends to two approvers, approved by both with their
 * own keys, signed by a quorum of signers, broadcast, confirmed and settled in the ledger. Each step
 * is reported as it ends; a step that fails or outlasts `stepTimeoutMs` throws a {@link DemoStepError}.
 */
export async function runDemo(settings: DemoSettings, report: (step: StepReport) => void, notice: (line: string) => void = () => undefined): Promise<DemoOutcome> {
  const pollMs = settings.pollMs ?? 100;
  const client = (as: string): CustodyClient => {
    const dev = loadDevClient(settings.secretsDir, as);
    return new CustodyClient({ baseUrl: settings.gatewayUrl, credentials: { clientId: dev.clientId, privateKey: ed25519PrivateKey(dev.seed) }, timeoutMs: settings.stepTimeoutMs });
  };
  const operator = client('operator');
  const approvers = DEV_APPROVER_IDS.map((id, i) => ({ id, api: client(`approver-${i + 1}`), key: loadDevApprover(settings.secretsDir, id) }));
  const { chain } = settings;
  const evm = defineChain({ id: chain.chainId, name: chain.chain, nativeCurrency: { name: 'Ether', symbol: chain.nativeAsset, decimals: 18 }, rpcUrls: { default: { http: [chain.rpcUrl] } } });
  const node: PublicClient = createPublicClient({ chain: evm, transport: http(chain.rpcUrl, { retryCount: 1 }) });

  // Before the first step: both ends answer.
  try {
    await operator.whoami();
  } catch (error) {
    throw new DemoStepError(`cannot begin: ${explain(error, settings.gatewayUrl)}`);
  }
  const chainId = await node.getChainId().catch((error: unknown) => {
    throw new DemoStepError(`cannot begin: the chain node at ${chain.rpcUrl} did not answer eth_chainId (${explain(error, settings.gatewayUrl)}); is \`custody up\` running?`);
  });
  if (chainId !== chain.chainId) throw new DemoStepError(`cannot begin: the node at ${chain.rpcUrl} is chain ${chainId}, not ${chain.chainId}`);

  let index = 0;
  let last = Date.now();
  const step = async <T>(title: (typeof DEMO_STEPS)[number], run: (deadline: number) => Promise<{ value: T; detail: string }>): Promise<T> => {
    index += 1;
    const deadline = Date.now() + settings.stepTimeoutMs;
    let result: { value: T; detail: string };
    try {
      result = await run(deadline);
    } catch (error) {
      if (error instanceof DemoStepError) throw new DemoStepError(`step ${index}/${DEMO_STEPS.length} (${title}): ${error.message}`);
      throw new DemoStepError(`step ${index}/${DEMO_STEPS.length} (${title}) failed: ${explain(error, settings.gatewayUrl)}`);
    }
    const now = Date.now();
    report({ index, total: DEMO_STEPS.length, title, detail: result.detail, ms: now - last });
    last = now;
    return result.value;
  };
  /** Asks `probe` until it gives a value; at the deadline, fails saying what it saw last. */
  const until = async <T>(deadline: number, probe: () => Promise<T | undefined>, waitingFor: () => string): Promise<T> => {
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new DemoStepError(`timed out after ${settings.stepTimeoutMs / 1000} s waiting for ${waitingFor()}`);
      await sleep(pollMs);
    }
  };
  const balanceOf = async (wallet: string): Promise<BalanceResource | undefined> => (await operator.listBalances(wallet, 100)).items.find((b) => b.chain === chain.chain && b.asset === chain.nativeAsset);

  const wallet = await step('wallet created', async (deadline) => {
    let w: WalletResource;
    for (let attempt = 1; ; attempt++) {
      try {
        w = await operator.createWallet({ displayName: `demo ${new Date().toISOString()}`, scheme: 'ecdsa-secp256k1', custody: 'hot' }, undefined, settings.stepTimeoutMs);
        break;
      } catch (error) {
        // A fresh cluster's signers make their safe primes first (minutes without --test-only-primes): wait for them.
        const notReady = error instanceof CustodyApiError && (error.status === 503 || /prime/i.test(error.detail));
        if (!notReady || Date.now() + WALLET_RETRY_MS > deadline) throw error;
        if (attempt === 1) notice(`the signers are not ready for a keygen yet (${error.detail.slice(0, 200)}); trying again every ${WALLET_RETRY_MS / 1000} s`);
        await sleep(WALLET_RETRY_MS);
      }
    }
    return { value: w, detail: `${w.name}: ${w.scheme}, one key shared by signers ${w.participants.join(', ')}, any ${w.threshold} of ${w.participants.length} sign` };
  });

  const address = await step('deposit address derived', async () => {
    const a = await operator.createAddress(wallet.name, chain.chain);
    return { value: getAddress(a.address), detail: `${a.address} (${a.derivationPath} of the wallet's key, on ${a.chain}; the chain indexer watches it)` };
  });

  const deposit = await step('deposit sent', async () => {
    const account = privateKeyToAccount(ANVIL_DEV_ACCOUNT_0_KEY);
    const sender = createWalletClient({ account, chain: evm, transport: http(chain.rpcUrl, { retryCount: 1 }) });
    const hash = await sender.sendTransaction({ to: address, value: DEMO_DEPOSIT });
    const receipt = await node.waitForTransactionReceipt({ hash, timeout: settings.stepTimeoutMs });
    if (receipt.status !== 'success') throw new DemoStepError(`the deposit ${hash} reverted`);
    return { value: { hash, block: receipt.blockNumber }, detail: `${eth(DEMO_DEPOSIT)} from anvil dev account 0 (${short(account.address)}), tx ${short(hash)} mined in block ${receipt.blockNumber}` };
  });

  await step('deposit credited', async (deadline) => {
    let seen: DepositResource | undefined;
    const credited = await until(
      deadline,
      async () => {
        seen = (await operator.listDeposits(wallet.name, 100)).items.find((d) => d.txHash.toLowerCase() === deposit.hash.toLowerCase());
        if (seen?.state !== 'credited') return undefined;
        const balance = await balanceOf(wallet.name);
        return balance && BigInt(balance.available) >= DEMO_DEPOSIT ? { deposit: seen, balance } : undefined;
      },
      () => (seen ? `the deposit to be credited (the ledger has it ${seen.state}, ${seen.confirmations} confirmation(s))` : 'the chain indexer to report the deposit'),
    );
    const head = await node.getBlockNumber();
    return {
      value: credited,
      detail: `after ${credited.deposit.confirmations} confirmations (the asset's depth; block ${deposit.block}, head ${head}): ${eth(BigInt(credited.balance.available))} available in the ledger`,
    };
  });

  const destination = getAddress(`0x${randomBytes(20).toString('hex')}`);
  let withdrawal: WithdrawalView | undefined;
  const reached = (w: WithdrawalView, state: string): boolean => PROGRESS.indexOf(w.state) >= PROGRESS.indexOf(state);
  /** The withdrawal once it has reached `state`; a final failure on the way ends the demo with its reason. */
  const withdrawalAt = (deadline: number, state: string): Promise<WithdrawalView> =>
    until(
      deadline,
      async () => {
        withdrawal = await operator.request<WithdrawalView>('GET', `/v1/${withdrawal!.name}`);
        if (FINAL_FAILURES.includes(withdrawal.state)) throw new DemoStepError(`the withdrawal ended ${withdrawal.state}: ${withdrawal.reason}`);
        return reached(withdrawal, state) ? withdrawal : undefined;
      },
      () => `the withdrawal to be ${state} (it is ${withdrawal?.state ?? 'unknown'}${withdrawal?.reason ? `: ${withdrawal.reason}` : ''})`,
    );

  await step('withdrawal requested', async (deadline) => {
    withdrawal = await operator.request<WithdrawalView>('POST', '/v1/withdrawals', { wallet: wallet.name, chain: chain.chain, asset: chain.nativeAsset, amount: DEMO_WITHDRAWAL.toString(), destination });
    const w = await withdrawalAt(deadline, 'pending-approval');
    if (w.state !== 'pending-approval') throw new DemoStepError(`the withdrawal went on to ${w.state} without approvals: the active policy is not custody up's development policy (two approvals above 1 ETH)`);
    return { value: w, detail: `${w.name}: ${eth(DEMO_WITHDRAWAL)} to ${short(destination)}, held in the ledger, waiting for approvals` };
  });

  for (const [i, approver] of approvers.entries()) {
    await step(i === 0 ? `approved by ${DEV_APPROVER_IDS[0]}` : `approved by ${DEV_APPROVER_IDS[1]}`, async (deadline) => {
      const name = `approvals/${withdrawal!.name.replace(/^withdrawals\//, '')}.a${withdrawal!.attempts}`;
      const view = await until(
        deadline,
        async () => (await approver.api.request<{ approvals: ApprovalView[] }>('GET', '/v1/approvals?page_size=100')).approvals.find((a) => a.name === name),
        () => `${name} among ${approver.id}'s pending approvals`,
      );
      const decided = await approver.api.request<ApprovalView>('POST', `/v1/${name}/approve`, { ...approvalSignatures(view, approver.key.seed), reason: 'custody demo' });
      const approvals = decided.decisions.filter((d) => d.decision === 'approve').length;
      return {
        value: decided,
        detail: `${name}: approval ${approvals} (${describeRule(view.trace)}), now ${decided.state}; ${approver.id}'s own key signed the approval message and the grant digest`,
      };
    });
  }

  await step('signed', async (deadline) => {
    const w = await withdrawalAt(deadline, 'signed');
    return { value: w, detail: `under the policy engine's grant by ${wallet.threshold} of the ${wallet.participants.length} signers (each checked the grant and both approvals), from ${w.sourceAddress}` };
  });

  const broadcast = await step('broadcast', async (deadline) => {
    const w = await until(deadline, async () => ((await withdrawalAt(deadline, 'broadcast')).txHash ? withdrawal : undefined), () => 'its transaction hash');
    return { value: w, detail: `tx ${w.txHash} (nonce ${w.nonce})` };
  });

  const mined = await step('confirmed', async () => {
    const receipt = await node.waitForTransactionReceipt({ hash: broadcast.txHash as Hex, timeout: settings.stepTimeoutMs });
    if (receipt.status !== 'success') throw new DemoStepError(`the withdrawal's transaction ${broadcast.txHash} reverted`);
    if (getAddress(receipt.from) !== getAddress(broadcast.sourceAddress)) throw new DemoStepError(`the transaction is from ${receipt.from}, not the wallet's ${broadcast.sourceAddress}`);
    const fee = receipt.gasUsed * receipt.effectiveGasPrice;
    return { value: { fee }, detail: `in block ${receipt.blockNumber} (viem's receipt: status success, from the wallet's address, fee ${eth(fee)})` };
  });

  const settled = await step('settled', async (deadline) => {
    const w = await withdrawalAt(deadline, 'confirmed');
    const balance = await until(
      deadline,
      async () => {
        const b = await balanceOf(wallet.name);
        return b && BigInt(b.held) === 0n ? b : undefined;
      },
      () => 'the ledger to release the hold',
    );
    if (BigInt(w.feeActual) !== mined.fee) throw new DemoStepError(`the ledger booked a fee of ${w.feeActual} wei, the receipt says ${mined.fee}`);
    return { value: balance, detail: `the ledger booked ${eth(DEMO_WITHDRAWAL)} and the fee ${eth(mined.fee)} from the receipt; nothing held` };
  });

  const [chainBalance, destinationBalance] = await Promise.all([node.getBalance({ address }), node.getBalance({ address: destination })]);
  return {
    wallet: wallet.name,
    address,
    destination,
    ledgerPosted: BigInt(settled.posted),
    ledgerHeld: BigInt(settled.held),
    chainBalance,
    destinationBalance,
    fee: mined.fee,
  };
}

/** The rule that matched and the quorum it asks, from an approval's decision trace (the policy engine's). */
export function describeRule(trace: string): string {
  let t: { matchedRule?: { id?: unknown }; approvals?: { groups?: Array<{ group?: unknown; quorum?: unknown }> } };
  try {
    t = JSON.parse(trace) as typeof t;
  } catch {
    return 'per the active policy';
  }
  const rule = typeof t.matchedRule?.id === 'string' ? `rule ${t.matchedRule.id}` : '';
  const groups = (t.approvals?.groups ?? []).filter((g) => typeof g.group === 'string' && typeof g.quorum === 'number').map((g) => `${String(g.quorum)} of ${String(g.group)}`);
  return [rule, groups.length > 0 ? `needs ${groups.join(' and ')}` : ''].filter((x) => x !== '').join(' ') || 'per the active policy';
}
