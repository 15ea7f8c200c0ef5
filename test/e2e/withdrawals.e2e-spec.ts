import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { ed25519 } from '@noble/curves/ed25519.js';
import { hexToBytes } from '@noble/hashes/utils.js';
import { Client as PgClient } from 'pg';
import { parseEther, type Hex, type PublicClient } from 'viem';
import { CustodyClient, CustodyGrpcClient } from '@custody/client';
import { custody } from '@custody/proto';
import { approvalMessage, BOOTSTRAP_FORMAT, POLICY_FORMAT } from '@custody/policy-core';
import { requestDigest, signRequestFromJson } from '@custody/sign-grant';
import {
  launchChromium,
  registerKeyInPage,
  saveScreenshot,
  startWithdrawalWorld,
  testPrincipal,
  type Anvil,
  type GatewayUnderTest,
  type LedgerUnderTest,
  type PolicyEngineProcess,
  type PrivateRedis,
  type SignerCluster,
  type TestKey,
  type WithdrawalView,
  type WithdrawalWorld,
  CUSTODY_BIN,
  runNodeToExit,
} from '@custody/testing';

/**
 * The withdrawal pipeline end to end, against the real processes: three signers (TEST-ONLY Paillier
 * fixtures), the policy engine, the ledger, the chain indexer, the gateway (whose BullMQ workers run
 * the pipeline on Redis), Postgres and anvil, all started by libs/testing's `startWithdrawalWorld`
 * (bench/e2e.bench.ts starts the same). The recipient's balance is read from anvil with viem (an
 * independent client); the ledger's own `custody ledger check` runs after the scenarios.
 */
jest.setTimeout(240_000);

const ETHER = 10n ** 18n;
const CHAIN = 'anvil';
/** Deposit addresses holding at least this after the sweep's most fee are swept (PIPELINE_CHAINS sweepMinWei). */
const SWEEP_MIN = ETHER / 2n;
/** The most a sweep's fee can be: 21 000 gas × the chain's cap (100 gwei). */
const SWEEP_FEE_CAP = 21_000n * 100_000_000_000n;
const approver = testPrincipal('treasurer-1');
const admin = testPrincipal('policy-admin');
const bootstrap = {
  format: BOOTSTRAP_FORMAT,
  admins: { members: [admin.id], quorum: 1 },
  keys: { [admin.id]: admin.publicKeyHex, [approver.id]: approver.publicKeyHex },
  policy: {
    format: POLICY_FORMAT,
    metadata: { name: 'pipeline e2e' },
    approverGroups: { treasury: { members: [approver.id] } },
    rules: [
      { id: 'sweeps', match: { operation: ['withdrawal'], initiator: { clients: ['system:sweeper'] } }, action: { type: 'allow' } },
      { id: 'deny-big', match: { operation: ['withdrawal'], amount: { min: '5000000000000000000' } }, action: { type: 'deny', reason: 'over 5 ETH' } },
      { id: 'small-auto', match: { operation: ['withdrawal'], amount: { max: '100000000000000000' } }, action: { type: 'allow' } },
      {
        id: 'large-approve',
        match: { operation: ['withdrawal'] },
        action: { type: 'require-approvals', combinator: 'all-of', groups: [{ group: 'treasury', quorum: 1 }], expiry: '1h', allowSelfApproval: false },
      },
    ],
  },
};

describe('withdrawals through the pipeline (e2e: signers, policy engine, ledger, gateway, Postgres, Redis, anvil)', () => {
  let world: WithdrawalWorld | undefined;
  let signers: SignerCluster;
  let engine: PolicyEngineProcess;
  let ledger: LedgerUnderTest;
  let anvil: Anvil;
  let gateway: GatewayUnderTest;
  /** The gateway's own Redis, restarted by a scenario (the shared one serves the other test files). */
  let redis: PrivateRedis;
  let operatorKey: TestKey;
  let chain: PublicClient;
  let walletName: string;
  let walletId: string;
  let sender: Hex;

  const api = (): CustodyClient => world!.api;
  const newDestination = (): Hex => world!.newDestination();
  const create = (amount: bigint, destination: Hex): Promise<WithdrawalView> => world!.create(amount, destination);
  const get = (name: string): Promise<WithdrawalView> => world!.get(name);
  const until = (name: string, done: (w: WithdrawalView) => boolean, timeoutMs?: number): Promise<WithdrawalView> => world!.until(name, done, timeoutMs);
  const ledgerWithdrawal = (name: string): Promise<{ state: string; feeActual: string; reason: string }> => world!.ledgerWithdrawal(name);
  const available = (): Promise<string> => world!.available();

  beforeAll(async () => {
    world = await startWithdrawalWorld({
      bootstrap,
      approvers: [approver],
      signerEnv: { SIGNER_PRESIGN_POOL_SIZE: '2' },
      gatewayEnv: { PIPELINE_POLL_MS: '200', PIPELINE_REDRIVE_MS: '1000', PIPELINE_STUCK_AFTER_MS: '3000', PIPELINE_SWEEP_MS: '1000' },
      sweepMinWei: SWEEP_MIN,
    });
    ({ signers, engine, ledger, anvil, redis, operatorKey, chain, walletName, walletId, sender } = world);
    gateway = world.gateway!;
  }, 300_000);

  afterAll(async () => {
    await world?.stop();
  }, 60_000);

  it('an auto-approved native withdrawal is held, signed by the threshold, broadcast, confirmed and settled with the actual fee', async () => {
    expect(await available()).toBe('10');
    const to = newDestination();
    const amount = ETHER / 20n;
    const created = await create(amount, to);
    expect(created).toMatchObject({ state: 'requested', amount: amount.toString() });
    const w = await until(created.name, (x) => x.state === 'confirmed');
    expect(await chain.getBalance({ address: to })).toBe(amount);
    const receipt = await chain.getTransactionReceipt({ hash: w.txHash as Hex });
    expect(receipt.from.toLowerCase()).toBe(sender.toLowerCase());
    const fee = receipt.gasUsed * receipt.effectiveGasPrice;
    expect(w.feeActual).toBe(fee.toString());
    const booked = await ledgerWithdrawal(created.name);
    expect(booked.state).toBe('confirmed');
    // The customer paid amount + the actual fee; nothing is held any more.
    const expected = 10n * ETHER - amount - fee;
    expect(await available()).toBe(formatEther(expected));
  });

  it('the same journey through gRPC: CreateWithdrawal (signed metadata, idempotency key), GetWithdrawal until confirmed, ListWithdrawals; the recipient paid', async () => {
    const rpc = new CustodyGrpcClient(gateway.grpcAddress, operatorKey);
    try {
      const to = newDestination();
      const amount = ETHER / 50n;
      const body = custody.v1.CreateWithdrawalRequest.encode({ wallet: walletName, chain: CHAIN, asset: 'ETH', amount: amount.toString(), destination: to }).finish();
      const key = randomBytes(8).toString('hex');
      const decode = (b: Buffer) => custody.v1.Withdrawal.decode(b);
      const created = await rpc.call('/custody.v1.WithdrawalService/CreateWithdrawal', body, decode, { idempotencyKey: key });
      expect(created).toMatchObject({ state: 'requested', amount: amount.toString(), chain: CHAIN });
      // a retry with the key is answered with the same withdrawal, not a second one
      expect((await rpc.call('/custody.v1.WithdrawalService/CreateWithdrawal', body, decode, { idempotencyKey: key })).name).toBe(created.name);
      let w = created;
      for (let i = 0; w.state !== 'confirmed'; i++) {
        if (i > 360) throw new Error(`withdrawal ${w.name} still ${w.state} (${w.reason})`);
        await new Promise((r) => setTimeout(r, 250));
        w = await rpc.call('/custody.v1.WithdrawalService/GetWithdrawal', custody.v1.GetWithdrawalRequest.encode({ name: created.name }).finish(), decode);
      }
      expect(await chain.getBalance({ address: to })).toBe(amount);
      const receipt = await chain.getTransactionReceipt({ hash: w.txHash as Hex });
      expect(w.feeActual).toBe((receipt.gasUsed * receipt.effectiveGasPrice).toString());
      expect((await ledgerWithdrawal(created.name)).state).toBe('confirmed');
      const listed = await rpc.call('/custody.v1.WithdrawalService/ListWithdrawals', custody.v1.ListWithdrawalsRequest.encode({ wallet: walletName, pageSize: 100 }).finish(), (b) => custody.v1.ListWithdrawalsResponse.decode(b));
      expect(listed.withdrawals.find((x) => x.name === created.name)).toMatchObject({ state: 'confirmed', txHash: w.txHash });
    } finally {
      rpc.close();
    }
  });

  it('one that needs an approval waits in pending-approval, then proceeds once the approver signs', async () => {
    const to = newDestination();
    const amount = ETHER / 2n;
    const created = await create(amount, to);
    await until(created.name, (x) => x.state === 'pending-approval');
    const requestId = `${created.name.replace('withdrawals/', '')}.a1`;
    const decision = await engine.call<{ requestDigestHex: string; policyVersion: number; policyHash: string }>('GetRequest', { requestId });
    const pg = new PgClient({ connectionString: gateway.databaseUrl.toString() });
    await pg.connect();
    const { rows } = await pg.query<{ sign_request_json: string }>('SELECT sign_request_json FROM gateway.withdrawal_attempts WHERE request_id = $1', [requestId]);
    await pg.end();
    const signRequest = signRequestFromJson(JSON.parse(rows[0]!.sign_request_json));
    const signature = ed25519.sign(approvalMessage({ requestId, requestDigest: hexToBytes(decision.requestDigestHex), policyVersion: decision.policyVersion, policyHash: decision.policyHash, decision: 'approve' }), approver.seed);
    expect((await get(created.name)).state).toBe('pending-approval');
    await engine.call('SubmitApproval', { requestId, approverId: approver.id, decision: 'approve', signature, grantSignature: ed25519.sign(requestDigest(signRequest), approver.seed) });
    const w = await until(created.name, (x) => x.state === 'confirmed');
    expect(await chain.getBalance({ address: to })).toBe(amount);
    expect((await ledgerWithdrawal(created.name)).state).toBe('confirmed');
    expect(w.attempts).toBe(1);
  });

  it('an approver approves it in the console (Chromium, a key made in the page): the withdrawal then completes on chain and in the books', async () => {
    const browser = await launchChromium();
    try {
      const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
      const admin = new CustodyClient({ baseUrl: gateway.baseUrl, credentials: gateway.admin });
      await registerKeyInPage(page, `${gateway.baseUrl}/console/`, approver.id, 'approver', (publicKey) => admin.request('POST', '/v1/clients', { clientId: approver.id, publicKey, roles: ['approver'] }));

      const to = newDestination();
      const amount = ETHER / 4n;
      const created = await create(amount, to);
      await until(created.name, (x) => x.state === 'pending-approval');
      await page.getByRole('link', { name: 'Approvals' }).click();
      await page.getByLabel('Approval key seed (64 hex digits)').fill(Buffer.from(approver.seed).toString('hex'));
      await page.getByRole('button', { name: 'Import approval key' }).click();
      const card = page.getByTestId('approval').filter({ hasText: created.name.replace('withdrawals/', '') });
      await card.waitFor();
      // what the approver signs for is on the card: the operation, the initiator and the destination
      expect(await card.textContent()).toContain(`withdrawal by ${operatorKey.clientId}`);
      expect((await card.textContent())?.toLowerCase()).toContain(to.toLowerCase());
      await card.getByLabel('Reason').fill('payout run 42');
      await card.getByRole('button', { name: /^Approve/ }).click();
      const outcome = page.getByRole('status').filter({ hasText: 'Approved' }).or(page.getByRole('alert'));
      await outcome.first().waitFor();
      expect(await outcome.first().textContent()).toMatch(/^Approved/);
      expect(fs.existsSync(await saveScreenshot(page, 'withdrawal-approval'))).toBe(true);

      const w = await until(created.name, (x) => x.state === 'confirmed');
      expect(await chain.getBalance({ address: to })).toBe(amount);
      expect((await ledgerWithdrawal(created.name)).state).toBe('confirmed');
      expect(w.attempts).toBe(1);
    } finally {
      await browser.close();
    }
  });

  it('denied by policy, insufficient funds, and cancelled before signing each end in their named state with the hold released', async () => {
    const before = await available();
    const denied = await until((await create(6n * ETHER, newDestination())).name, (x) => x.state === 'denied');
    expect(denied.reason).toMatch(/deny-big/);
    const poor = await until((await create(20n * ETHER, newDestination())).name, (x) => x.state === 'failed');
    expect(poor.reason).toMatch(/insufficient/i);
    const waiting = await until((await create(ETHER / 2n, newDestination())).name, (x) => x.state === 'pending-approval');
    const cancelled = await api().request<WithdrawalView>('POST', `/v1/${waiting.name}/cancel`, {});
    expect(cancelled.state).toBe('cancelled');
    const settledIn = async (name: string, state: string): Promise<void> => {
      for (let i = 0; ; i++) {
        const l = await ledgerWithdrawal(name);
        if (l.state === state) return;
        if (i > 200) throw new Error(`ledger withdrawal ${name} still ${l.state}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    await settledIn(denied.name, 'rejected');
    await settledIn(waiting.name, 'cancelled');
    // Nothing remains held: the balance is what it was.
    for (let i = 0; (await available()) !== before && i < 100; i++) await new Promise((r) => setTimeout(r, 200));
    expect(await available()).toBe(before);
    // A confirmed withdrawal cannot be cancelled.
    const page = await api().request<{ withdrawals: WithdrawalView[]; nextPageToken: string }>('GET', `/v1/withdrawals?wallet=${encodeURIComponent(walletName)}&page_size=1`);
    expect(page.withdrawals).toHaveLength(1);
    expect(page.withdrawals[0]!.state).toBe('confirmed');
    expect(page.nextPageToken).not.toBe('');
    await expect(api().request('POST', `/v1/${page.withdrawals[0]!.name}/cancel`, {})).rejects.toMatchObject({ status: 409 });
  });

  it('a cold wallet never signs on policy alone: a withdrawal the rule allows without approvals is denied, its hold released', async () => {
    const before = await available();
    const pg = new PgClient({ connectionString: gateway.databaseUrl.toString() });
    await pg.connect();
    try {
      await pg.query("UPDATE gateway.wallets SET custody = 'cold' WHERE wallet_id = $1", [walletId]);
      const w = await until((await create(ETHER / 100n, newDestination())).name, (x) => x.state === 'denied');
      expect(w.reason).toMatch(/cold wallet/);
      for (let i = 0; (await available()) !== before && i < 100; i++) await new Promise((r) => setTimeout(r, 200));
      expect(await available()).toBe(before);
    } finally {
      await pg.query("UPDATE gateway.wallets SET custody = 'hot' WHERE wallet_id = $1", [walletId]);
      await pg.end();
    }
  });

  it('one signer stopped during the journey: the other two sign, and the withdrawal completes', async () => {
    await signers.stop(3);
    try {
      const to = newDestination();
      const amount = ETHER / 40n;
      const w = await until((await create(amount, to)).name, (x) => x.state === 'confirmed');
      expect(await chain.getBalance({ address: to })).toBe(amount);
      expect((await ledgerWithdrawal(w.name)).state).toBe('confirmed');
    } finally {
      await signers.restart(3);
    }
  });

  it('Redis restarted (every key lost) mid-pipeline: nothing is lost, the withdrawal is re-driven from Postgres and settles once', async () => {
    await anvil.rpc('evm_setAutomine', [false]);
    try {
      const to = newDestination();
      const amount = ETHER / 35n;
      const created = await create(amount, to);
      const sent = await until(created.name, (x) => x.state === 'broadcast');
      await redis.restart();
      await anvil.rpc('evm_mine');
      const w = await until(created.name, (x) => x.state === 'confirmed');
      expect(w.nonce).toBe(sent.nonce);
      expect(await chain.getBalance({ address: to })).toBe(amount);
      expect((await ledgerWithdrawal(created.name)).state).toBe('confirmed');
      // and one asked for while Redis is back but empty goes through the whole pipeline
      await anvil.rpc('evm_setAutomine', [true]);
      const next = await until((await create(amount, newDestination())).name, (x) => x.state === 'confirmed');
      expect(next.nonce).toBe(sent.nonce + 1);
    } finally {
      await anvil.rpc('evm_setAutomine', [true]);
    }
  });

  it('100 concurrent withdrawals from one wallet all complete with distinct, gap-free nonces; the books and the chain agree afterwards', async () => {
    const first = await chain.getTransactionCount({ address: sender });
    const amount = ETHER / 1000n;
    const destinations = Array.from({ length: 100 }, () => newDestination());
    const created = await Promise.all(destinations.map((to) => create(amount, to)));
    const started = Date.now();
    const done = new Map<string, WithdrawalView>();
    for (let open = created; open.length > 0; ) {
      const views = await Promise.all(open.map((c) => get(c.name)));
      for (const v of views) if (v.state === 'confirmed') done.set(v.name, v);
      open = open.filter((c) => !done.has(c.name));
      if (open.length > 0 && Date.now() - started > 360_000) {
        throw new Error(`${open.length} of 100 not confirmed after 360 s: ${JSON.stringify(views.filter((v) => v.state !== 'confirmed').map((v) => `${v.state} nonce ${v.nonce} attempt ${v.attempts} ${v.reason}`))}`);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    process.stdout.write(`100 concurrent withdrawals confirmed in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    const nonces = [...done.values()].map((w) => w.nonce).sort((a, b) => a - b);
    expect(nonces).toEqual(Array.from({ length: 100 }, (_, i) => first + i));
    expect(await chain.getTransactionCount({ address: sender })).toBe(first + 100);
    for (const to of destinations) expect(await chain.getBalance({ address: to })).toBe(amount);
    // every unit the chain moved (amounts and actual fees) is booked: the wallet's posted balance equals the sender's on-chain balance
    const posted = (await ledger.call<{ posted: string }>('GetBalance', { account: `customer/${walletId}/${CHAIN}/ETH` })).posted;
    expect(posted).toBe(formatEther(await chain.getBalance({ address: sender })));
    // and `custody chain reconcile` (the ledger's on-chain holdings per custody address against the node) finds no difference
    const reconciled = await runNodeToExit(CUSTODY_BIN, ['chain', 'reconcile', '--rpc-url', anvil.url, '--ledger', ledger.address, '--chain', CHAIN, '--database-url', ledger.databaseUrl.toString()], { PATH: process.env.PATH }, 60_000);
    expect(reconciled.stdout).toMatch(/chain reconcile: ok \(anvil/);
    expect(reconciled.code).toBe(0);
  }, 420_000);

  it('a reorg orphaning the block that confirmed it: back to broadcast (ledger and API), the same transaction mined again on the new branch, confirmed and settled once', async () => {
    const to = newDestination();
    const amount = ETHER / 45n;
    const created = await create(amount, to);
    const first = await until(created.name, (x) => x.state === 'confirmed');
    const receipt = await chain.getTransactionReceipt({ hash: first.txHash as Hex });
    const head = await chain.getBlockNumber();
    // orphan the block of the transaction and the one after it; anvil does not put its transactions back in the pool
    await anvil.rpc('evm_mine');
    await anvil.rpc('anvil_reorg', [Number(head - receipt.blockNumber) + 2, []]);
    await until(created.name, (x) => x.state === 'broadcast' && /reorg/.test(x.reason), 60_000);
    const w = await until(created.name, (x) => x.state === 'confirmed', 90_000);
    expect(w.txHash).toBe(first.txHash);
    expect(w.nonce).toBe(first.nonce);
    const again = await chain.getTransactionReceipt({ hash: w.txHash as Hex });
    expect(again.blockHash).not.toBe(receipt.blockHash);
    expect(w.feeActual).toBe((again.gasUsed * again.effectiveGasPrice).toString());
    expect(await chain.getBalance({ address: to })).toBe(amount);
    expect((await ledgerWithdrawal(created.name)).state).toBe('confirmed');
    // settled once: the books still equal the chain
    const posted = (await ledger.call<{ posted: string }>('GetBalance', { account: `customer/${walletId}/${CHAIN}/ETH` })).posted;
    expect(posted).toBe(formatEther(await chain.getBalance({ address: sender })));
  });

  it('a gateway killed (SIGKILL) while its transaction waits in the mempool, restarted, settles it exactly once with the same nonce', async () => {
    await anvil.rpc('evm_setAutomine', [false]);
    try {
      const to = newDestination();
      const amount = ETHER / 25n;
      const created = await create(amount, to);
      const sent = await until(created.name, (x) => x.state === 'broadcast');
      await gateway.kill();
      await gateway.start();
      world!.connect();
      await anvil.rpc('evm_mine');
      const w = await until(created.name, (x) => x.state === 'confirmed');
      expect(w.nonce).toBe(sent.nonce);
      expect(await chain.getBalance({ address: to })).toBe(amount);
      expect(await chain.getTransactionCount({ address: sender })).toBe(w.nonce + 1);
      expect((await ledgerWithdrawal(created.name)).state).toBe('confirmed');
    } finally {
      await anvil.rpc('evm_setAutomine', [true]);
    }
  });

  it('a stuck transaction (automine off) is replaced with higher fees and the same nonce; the ledger books the one mined, once', async () => {
    await anvil.rpc('evm_setAutomine', [false]);
    try {
      const to = newDestination();
      const amount = ETHER / 30n;
      const created = await create(amount, to);
      const first = await until(created.name, (x) => x.state === 'broadcast');
      const replaced = await until(created.name, (x) => x.attempts >= 2 && x.state === 'broadcast' && x.txHash !== first.txHash, 60_000);
      expect(replaced.nonce).toBe(first.nonce);
      const pooled = await chain.getTransaction({ hash: replaced.txHash as Hex });
      expect(pooled.nonce).toBe(first.nonce);
      await anvil.rpc('evm_mine');
      const w = await until(created.name, (x) => x.state === 'confirmed');
      expect(w.txHash).not.toBe(first.txHash);
      const mined = await chain.getTransaction({ hash: w.txHash as Hex });
      expect(mined.nonce).toBe(first.nonce);
      // The first transaction was replaced in the pool and is never mined.
      expect(await anvil.rpc('eth_getTransactionReceipt', [first.txHash])).toBeNull();
      const pg = new PgClient({ connectionString: gateway.databaseUrl.toString() });
      await pg.connect();
      const { rows } = await pg.query<{ attempt: number; max_fee_per_gas: string }>('SELECT attempt, max_fee_per_gas FROM gateway.withdrawal_attempts WHERE withdrawal_id = $1 ORDER BY attempt', [created.name.replace('withdrawals/', '')]);
      await pg.end();
      expect(rows.length).toBeGreaterThanOrEqual(2);
      expect(BigInt(rows[1]!.max_fee_per_gas)).toBeGreaterThan(BigInt(rows[0]!.max_fee_per_gas));
      expect(mined.maxFeePerGas).toBeGreaterThan(BigInt(rows[0]!.max_fee_per_gas));
      const receipt = await chain.getTransactionReceipt({ hash: w.txHash as Hex });
      expect(w.feeActual).toBe((receipt.gasUsed * receipt.effectiveGasPrice).toString());
      expect(await chain.getBalance({ address: to })).toBe(amount);
      expect((await ledgerWithdrawal(created.name)).state).toBe('confirmed');
    } finally {
      await anvil.rpc('evm_setAutomine', [true]);
    }
  });

  it('deposits are swept: one credited to a deposit address goes to the sending address under policy (the wallet pays only the fee); one below the minimum stays', async () => {
    const deposit = await api().request<{ address: Hex }>('POST', `/v1/${walletName}/addresses`, { chain: CHAIN });
    const small = await api().request<{ address: Hex }>('POST', `/v1/${walletName}/addresses`, { chain: CHAIN });
    const availableBefore = parseEther(await available());
    const senderBefore = await chain.getBalance({ address: sender });
    const [funder] = await anvil.rpc<Hex[]>('eth_accounts');
    await anvil.rpc('eth_sendTransaction', [{ from: funder, to: deposit.address, value: `0x${ETHER.toString(16)}` }]);
    await anvil.rpc('eth_sendTransaction', [{ from: funder, to: small.address, value: `0x${(SWEEP_MIN / 2n).toString(16)}` }]);
    const all = async (): Promise<WithdrawalView[]> => {
      const out: WithdrawalView[] = [];
      let token = '';
      do {
        const page = await api().request<{ withdrawals: WithdrawalView[]; nextPageToken: string }>('GET', `/v1/withdrawals?wallet=${encodeURIComponent(walletName)}&page_size=100${token ? `&page_token=${encodeURIComponent(token)}` : ''}`);
        out.push(...page.withdrawals);
        token = page.nextPageToken;
      } while (token);
      return out;
    };
    const sweepOf = async (address: Hex): Promise<WithdrawalView | undefined> => (await all()).find((w) => w.kind === 'sweep' && w.sourceAddress.toLowerCase() === address.toLowerCase());
    let created: WithdrawalView | undefined;
    for (const deadline = Date.now() + 60_000; !created && Date.now() < deadline; await new Promise((r) => setTimeout(r, 250))) created = await sweepOf(deposit.address);
    expect(created).toMatchObject({ kind: 'sweep', asset: 'ETH', chain: CHAIN });
    expect(created!.destination.toLowerCase()).toBe(sender.toLowerCase());
    // Everything but the most the fee can be: the transaction always pays for itself.
    expect(BigInt(created!.amount)).toBe(ETHER - SWEEP_FEE_CAP);
    const swept = await until(created!.name, (x) => x.state === 'confirmed');
    const receipt = await chain.getTransactionReceipt({ hash: swept.txHash as Hex });
    expect(receipt.from.toLowerCase()).toBe(deposit.address.toLowerCase());
    expect(receipt.to!.toLowerCase()).toBe(sender.toLowerCase());
    const fee = receipt.gasUsed * receipt.effectiveGasPrice;
    expect(swept.feeActual).toBe(fee.toString());
    // On chain: the sending address got the amount; the dust the fee did not use stays at the deposit address.
    expect((await chain.getBalance({ address: sender })) - senderBefore).toBe(ETHER - SWEEP_FEE_CAP);
    expect(await chain.getBalance({ address: deposit.address })).toBe(SWEEP_FEE_CAP - fee);
    // The policy decided on it as the sweeper's request, under its rule.
    const decision = await engine.call<{ matchedRule: string; status: string }>('GetRequest', { requestId: `${swept.name.replace('withdrawals/', '')}.a1` });
    expect(decision).toMatchObject({ matchedRule: 'sweeps', status: 'allowed' });
    // In the books: both deposits credited, the swept amount credited again at the sending address; the wallet paid the fee only.
    const expected = availableBefore + ETHER + SWEEP_MIN / 2n - fee;
    for (const deadline = Date.now() + 30_000; parseEther(await available()) !== expected && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 250));
    expect(parseEther(await available())).toBe(expected);
    const { rows } = await ledger.call<{ rows: Array<{ asset: string; address: string; amount: string }> }>('GetReconciliation', { chain: CHAIN });
    const booked = (address: Hex): bigint => parseEther(rows.find((r) => r.asset === 'ETH' && r.address.toLowerCase() === address.toLowerCase())?.amount ?? '0');
    for (const a of [deposit.address, small.address, sender]) expect(booked(a)).toBe(await chain.getBalance({ address: a }));
    // Nothing more to sweep: the dust and the small deposit stay, and no second sweep of the address is made.
    await new Promise((r) => setTimeout(r, 2500));
    expect(await sweepOf(small.address)).toBeUndefined();
    const sweeps = (await all()).filter((w) => w.kind === 'sweep');
    expect(sweeps.map((w) => w.name)).toEqual([swept.name]);
  });

  it('the books pass custody ledger check after every scenario', async () => {
    const result = await ledger.check(['--hold-grace-ms', '5000']);
    expect(result.stdout).toContain('ledger check: ok');
  });
});

function formatEther(wei: bigint): string {
  const whole = wei / ETHER;
  const frac = (wei % ETHER).toString().padStart(18, '0').replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : `${whole}`;
}
