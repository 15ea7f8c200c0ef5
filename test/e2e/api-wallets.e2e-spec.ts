import * as crypto from 'node:crypto';
import { randomBytes, randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak256, recoverAddress, serializeSignature, toHex, type Hex } from 'viem';
import { HDKey, publicKeyToAddress } from 'viem/accounts';
import { CustodyApiError, CustodyClient, CustodyGrpcClient, signatureHeaders, type ClientCredentials, type MessageResource, type WalletResource } from '@custody/client';
import { ed25519 } from '@noble/curves/ed25519.js';
import { hexToBytes } from '@noble/hashes/utils.js';
import { approvalMessage, BOOTSTRAP_FORMAT, POLICY_FORMAT } from '@custody/policy-core';
import { requestDigest, type SignRequest } from '@custody/sign-grant';
import { appEntry, freePorts } from '@custody/local-cluster';
import { custody } from '@custody/proto';
import {
  CustodyProcess,
  LedgerUnderTest,
  startAnvil,
  startGateway,
  startPolicyEngine,
  startSignerCluster,
  testKey,
  testPrincipal,
  testServerUrls,
  type Anvil,
  type PolicyEngineProcess,
  type RunningGateway,
  type SignerCluster,
} from '@custody/testing';

/**
 * Issue 13's acceptance, against the real processes: 3 signers (TEST-ONLY primes), the policy engine
 * with an auto-approving policy for message signing, the ledger, a chain indexer following a real
 * anvil, the gateway, Postgres and Redis.
 * A wallet is created (a real keygen), addresses derived, balances and deposits read, and a raw
 * message signed under policy, once over REST and once over gRPC; every signature is checked with
 * an independent library (viem for ECDSA, node:crypto for Ed25519), every derived address with
 * viem's BIP32 (HDKey) from the wallet's public key and chain code.
 */
jest.setTimeout(60_000);

const admin = testPrincipal('adm-1');
const approver = testPrincipal('ap-1');
/** Operators whose messages the policy treats otherwise: one needs an approval, one is denied. */
const careful = testKey(`careful-${randomUUID().slice(0, 6)}`);
const refused = testKey(`refused-${randomUUID().slice(0, 6)}`);
const bootstrap = {
  format: BOOTSTRAP_FORMAT,
  admins: { members: ['adm-1'], quorum: 1 },
  keys: { 'adm-1': admin.publicKeyHex, 'ap-1': approver.publicKeyHex },
  policy: {
    format: POLICY_FORMAT,
    metadata: { name: 'api-wallets e2e: messages signed automatically' },
    approverGroups: { treasury: { members: ['ap-1'] } },
    rules: [
      {
        id: 'careful-needs-approval',
        match: { operation: ['message-signing'], initiator: { clients: [careful.clientId] } },
        action: { type: 'require-approvals', combinator: 'all-of', groups: [{ group: 'treasury', quorum: 1 }], expiry: '1h', allowSelfApproval: false },
      },
      { id: 'refused-denied', match: { operation: ['message-signing'], initiator: { clients: [refused.clientId] } }, action: { type: 'deny', reason: 'not this client' } },
      { id: 'auto-messages', match: { operation: ['message-signing'] }, action: { type: 'allow' } },
    ],
  },
};

const CHAIN = 'anvil';
const WALLET = '/custody.v1.WalletService/';
const ADDRESS = '/custody.v1.AddressService/';
const BALANCE = '/custody.v1.BalanceService/';
const DEPOSIT = '/custody.v1.DepositService/';
const MESSAGE = '/custody.v1.MessageService/';

const plain = <T>(type: { toObject(m: never, o: object): unknown }, message: unknown): T => type.toObject(message as never, { defaults: true, longs: Number, arrays: true }) as T;

/** The address viem derives at m/index from the wallet's public key and chain code. */
function viemAddress(wallet: WalletResource, index: number): string {
  const root = new HDKey({ publicKey: Buffer.from(wallet.publicKey, 'hex'), chainCode: Buffer.from(wallet.chainCode, 'hex') });
  const child = root.deriveChild(index);
  return publicKeyToAddress(`0x${secp256k1.Point.fromHex(Buffer.from(child.publicKey!).toString('hex')).toHex(false)}` as Hex);
}

/** r ‖ s and the recovery id as the 65-byte signature viem recovers from. */
function ecdsaSignature(m: MessageResource): Hex {
  const sig = Buffer.from(m.signature, 'hex');
  expect(sig).toHaveLength(64);
  return serializeSignature({ r: `0x${sig.subarray(0, 32).toString('hex')}`, s: `0x${sig.subarray(32).toString('hex')}`, yParity: m.recoveryId });
}

/** The Ethereum address of a wallet's root key, by viem. */
const rootAddress = (w: WalletResource): string => publicKeyToAddress(`0x${secp256k1.Point.fromHex(w.publicKey).toHex(false)}` as Hex);

function ed25519Verify(publicKeyHex: string, message: Uint8Array, signatureHex: string): boolean {
  const key = crypto.createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(publicKeyHex, 'hex')]), format: 'der', type: 'spki' });
  return crypto.verify(null, message, key, Buffer.from(signatureHex, 'hex'));
}

async function grpcFailure(promise: Promise<unknown>): Promise<{ code: number; details: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as grpc.ServiceError;
    return { code: e.code, details: e.details };
  }
  throw new Error('the call succeeded');
}

async function restFailure(promise: Promise<unknown>): Promise<{ status: number; code: string; detail: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CustodyApiError) return { status: error.status, code: error.code, detail: error.detail };
    throw error;
  }
  throw new Error('the request succeeded');
}

describe('public API: wallets, addresses, balances, deposits, messages over REST and gRPC (e2e)', () => {
  let signers: SignerCluster;
  let engine: PolicyEngineProcess;
  let ledger: LedgerUnderTest;
  let gateway: RunningGateway;
  let anvil: Anvil;
  let indexer: CustodyProcess;
  const operator = testKey(`operator-${randomUUID().slice(0, 6)}`);
  const viewer = testKey(`viewer-${randomUUID().slice(0, 6)}`);
  let rest: CustodyClient;
  let grpcClient: CustodyGrpcClient;
  let viewerGrpc: CustodyGrpcClient;

  const call = <T>(who: CustodyGrpcClient, method: string, request: Uint8Array, decode: (b: Buffer) => T, idempotencyKey?: string, deadlineMs = 10_000): Promise<T> =>
    who.call(method, request, decode, { ...(idempotencyKey ? { idempotencyKey } : {}), deadlineMs });

  beforeAll(async () => {
    signers = await startSignerCluster(3, { APPROVER_KEYS: JSON.stringify({ 'ap-1': approver.publicKeyHex }), SIGNER_MIN_APPROVALS: '0', SIGNER_PRESIGN_POOL_SIZE: '0', SIGNER_NONCE_POOL_SIZE: '2' });
    // One at a time: on a loaded machine each service's start-up wait is tight enough alone.
    ledger = await LedgerUnderTest.start('apiwallets');
    engine = await startPolicyEngine({ bootstrap, engineSeedFile: signers.secrets.policyEngine.seedFile });
    anvil = await startAnvil();
    await ledger.call('CreateAsset', { idempotencyKey: 'asset-anvil-eth', asset: { chain: CHAIN, code: 'ETH', decimals: 18, contract: '', confirmations: 2 } });
    // The chain indexer of anvil, on the ledger's database (its own schema), as `custody up` runs it.
    const [httpPort, grpcPort] = await freePorts(2);
    indexer = CustodyProcess.start(
      [],
      {
        PATH: process.env.PATH,
        HOST: '127.0.0.1',
        HTTP_PORT: String(httpPort),
        GRPC_PORT: String(grpcPort),
        METRICS_PORT: '0',
        DATABASE_URL: ledger.databaseUrl.toString(),
        REDIS_URL: testServerUrls().redis.toString(),
        CHAIN_RPC_URL: anvil.url,
        LEDGER_GRPC_ADDRESS: ledger.address,
        INDEXER_POLL_MS: '50',
        LOG_LEVEL: 'info',
      },
      { command: [process.execPath, appEntry('chain-indexer')] },
    );
    await indexer.waitFor(/chain-indexer listening/, 60_000);
    gateway = await startGateway({
      GATEWAY_CHAIN_INDEXERS: `${CHAIN}=127.0.0.1:${grpcPort}`,
      GATEWAY_SIGNER_ADDRESSES: signers.specs.map((s, i) => `${i + 1}=127.0.0.1:${s.grpcPort}`).join(','),
      GATEWAY_SIGNER_THRESHOLD: '2',
      POLICY_ENGINE_GRPC_ADDRESS: engine.grpcAddress,
      LEDGER_GRPC_ADDRESS: ledger.address,
      GATEWAY_RATE_LIMIT_CLIENT: '100000',
    });
    const adminClient = new CustodyClient({ baseUrl: gateway.baseUrl, credentials: gateway.admin, attempts: 1 });
    await adminClient.createClient({ clientId: operator.clientId, publicKey: operator.publicKeyHex, roles: ['operator'] });
    await adminClient.createClient({ clientId: viewer.clientId, publicKey: viewer.publicKeyHex, roles: ['viewer'] });
    await adminClient.createClient({ clientId: careful.clientId, publicKey: careful.publicKeyHex, roles: ['operator'] });
    await adminClient.createClient({ clientId: refused.clientId, publicKey: refused.publicKeyHex, roles: ['operator'] });
    rest = new CustodyClient({ baseUrl: gateway.baseUrl, credentials: operator, attempts: 1 });
    grpcClient = new CustodyGrpcClient(gateway.grpcAddress, operator);
    viewerGrpc = new CustodyGrpcClient(gateway.grpcAddress, viewer);
  }, 240_000);

  afterAll(async () => {
    grpcClient?.close();
    viewerGrpc?.close();
    await gateway?.stop();
    if (indexer) {
      indexer.child.kill('SIGTERM');
      await indexer.exited;
    }
    await Promise.all([engine?.stop(), ledger?.stop(), anvil?.stop()]);
    await signers?.destroy();
  }, 60_000);

  /** What each transport produced, compared at the end. */
  const results: Record<'rest' | 'grpc', { ecdsa?: WalletResource; eddsa?: WalletResource; messages: MessageResource[] }> = { rest: { messages: [] }, grpc: { messages: [] } };

  it('REST: creates an ECDSA wallet with one keygen for a key sent twice at once (one 201, one 409), and an EdDSA wallet', async () => {
    const url = `${gateway.baseUrl}/v1/wallets`;
    const body = Buffer.from(JSON.stringify({ displayName: 'treasury (REST)' }));
    const send = async (): Promise<Response> => {
      const headers = { ...(await signatureHeaders('POST', url, body, operator, Math.floor(Date.now() / 1000))), 'content-type': 'application/json', 'idempotency-key': '"rest-wallet-1"' };
      return fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(120_000) });
    };
    const answers = await Promise.all([send(), send()]);
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409]);
    const created = (await answers.find((r) => r.status === 201)!.json()) as WalletResource;
    expect(created).toMatchObject({ displayName: 'treasury (REST)', scheme: 'ecdsa-secp256k1', custody: 'hot', threshold: 2, participants: [1, 2, 3], createdBy: operator.clientId });
    expect(created.publicKey).toMatch(/^0[23][0-9a-f]{64}$/);
    expect(created.chainCode).toMatch(/^[0-9a-f]{64}$/);
    // The retry after completion is answered from the stored response: the same wallet, no second keygen.
    const replay = await send();
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(((await replay.json()) as WalletResource).name).toBe(created.name);
    expect(await rest.getWallet(created.name)).toEqual(created);
    results.rest.ecdsa = created;

    const eddsa = await rest.createWallet({ displayName: 'ed (REST)', scheme: 'eddsa-ed25519', custody: 'cold' });
    expect(eddsa).toMatchObject({ scheme: 'eddsa-ed25519', custody: 'cold', threshold: 2 });
    expect(eddsa.publicKey).toMatch(/^[0-9a-f]{64}$/);
    results.rest.eddsa = eddsa;
  }, 180_000);

  it('gRPC: creates an ECDSA and an EdDSA wallet; a duplicate call at once gets ABORTED (in flight)', async () => {
    const request = custody.v1.CreateWalletRequest.encode({ displayName: 'treasury (gRPC)' }).finish();
    const decode = (b: Buffer) => plain<WalletResource>(custody.v1.Wallet, custody.v1.Wallet.decode(b));
    const both = await Promise.allSettled([call(grpcClient, `${WALLET}CreateWallet`, request, decode, 'grpc-wallet-1', 120_000), call(grpcClient, `${WALLET}CreateWallet`, request, decode, 'grpc-wallet-1', 120_000)]);
    const fulfilled = both.filter((r): r is PromiseFulfilledResult<WalletResource> => r.status === 'fulfilled');
    const rejected = both.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect((rejected[0]!.reason as grpc.ServiceError).code).toBe(grpc.status.ABORTED);
    const created = fulfilled[0]!.value;
    expect(created).toMatchObject({ displayName: 'treasury (gRPC)', scheme: 'ecdsa-secp256k1', custody: 'hot', threshold: 2, participants: [1, 2, 3], createdBy: operator.clientId });
    results.grpc.ecdsa = created;
    const got = await call(grpcClient, `${WALLET}GetWallet`, custody.v1.GetWalletRequest.encode({ name: created.name }).finish(), decode);
    expect(got).toEqual(created);
    // The same wallet over REST is the same resource.
    expect(await rest.getWallet(created.name)).toEqual(created);
    const eddsa = await call(grpcClient, `${WALLET}CreateWallet`, custody.v1.CreateWalletRequest.encode({ displayName: 'ed (gRPC)', scheme: 'eddsa-ed25519' }).finish(), decode, 'grpc-wallet-2', 120_000);
    expect(eddsa).toMatchObject({ scheme: 'eddsa-ed25519', custody: 'hot' });
    results.grpc.eddsa = eddsa;
  }, 180_000);

  it('lists wallets page by page on both transports, the same pages', async () => {
    const restNames: string[] = [];
    for await (const w of rest.allWallets(1)) restNames.push(w.name);
    expect(restNames).toEqual([results.rest.ecdsa!.name, results.rest.eddsa!.name, results.grpc.ecdsa!.name, results.grpc.eddsa!.name]);
    const grpcNames: string[] = [];
    let token = '';
    do {
      const page = await call(grpcClient, `${WALLET}ListWallets`, custody.v1.ListWalletsRequest.encode({ pageSize: 3, pageToken: token }).finish(), (b) => custody.v1.ListWalletsResponse.decode(b));
      grpcNames.push(...page.wallets.map((w) => w.name ?? ''));
      token = page.nextPageToken;
    } while (token !== '');
    expect(grpcNames).toEqual(restNames);
  });

  it('derives the next deposit addresses over REST and gRPC (viem derives the same); concurrent calls get distinct indexes', async () => {
    const w = results.rest.ecdsa!;
    const a0 = await rest.createAddress(w.name, CHAIN);
    expect(a0).toMatchObject({ chain: CHAIN, index: 0, derivationPath: 'm/0', wallet: w.name, address: viemAddress(w, 0) });
    const decode = (b: Buffer) => plain<{ name: string; index: number; address: string; derivationPath: string }>(custody.v1.Address, custody.v1.Address.decode(b));
    const a1 = await call(grpcClient, `${ADDRESS}CreateAddress`, custody.v1.CreateAddressRequest.encode({ parent: w.name, chain: CHAIN }).finish(), decode, `addr-${randomUUID()}`);
    expect(a1).toMatchObject({ index: 1, derivationPath: 'm/1', address: viemAddress(w, 1) });
    const concurrent = await Promise.all(Array.from({ length: 6 }, () => rest.createAddress(w.name, CHAIN)));
    expect(concurrent.map((a) => a.index).sort((x, y) => x - y)).toEqual([2, 3, 4, 5, 6, 7]);
    for (const a of concurrent) expect(a.address).toBe(viemAddress(w, a.index));
    // Get and list agree on both transports.
    expect(await rest.getAddress(a1.name)).toMatchObject(a1);
    const got = await call(grpcClient, `${ADDRESS}GetAddress`, custody.v1.GetAddressRequest.encode({ name: a0.name }).finish(), decode);
    expect(got).toEqual(a0);
    const listed = await rest.listAddresses(w.name, 5);
    expect(listed.items.map((a) => a.index)).toEqual([0, 1, ...concurrent.map((a) => a.index).sort((x, y) => x - y).slice(0, 3)]);
    const next = await call(grpcClient, `${ADDRESS}ListAddresses`, custody.v1.ListAddressesRequest.encode({ parent: w.name, pageSize: 5, pageToken: listed.nextPageToken }).finish(), (b) => custody.v1.ListAddressesResponse.decode(b));
    expect(next.addresses.map((a) => a.index)).toEqual([5, 6, 7]);
    expect(next.nextPageToken).toBe('');
  });

  it('reads balances and deposits from the ledger, the same on both transports', async () => {
    const w = results.grpc.ecdsa!;
    const address = await rest.createAddress(w.name, CHAIN);
    expect((await rest.listBalances(w.name)).items).toEqual([{ asset: 'ETH', chain: CHAIN, available: '0', held: '0', total: '0', posted: '0', pending: '0' }]);
    // Real deposits on anvil to the derived address, which the gateway had the indexer watch: one
    // buried under the asset's depth (credited), one just mined (seen, pending).
    const [from] = await anvil.rpc<string[]>('eth_accounts');
    const credited = await anvil.rpc<string>('eth_sendTransaction', [{ from, to: address.address, value: toHex(1_500_000_000_000_000_000n) }]);
    await anvil.rpc('anvil_mine', ['0x2']);
    const seen = await anvil.rpc<string>('eth_sendTransaction', [{ from, to: address.address, value: toHex(250_000_000_000_000_000n) }]);
    const deadline = Date.now() + 30_000;
    let balances = await rest.listBalances(w.name);
    while (balances.items[0]?.pending !== '250000000000000000' || balances.items[0]?.posted !== '1500000000000000000') {
      if (Date.now() > deadline) throw new Error(`the deposits did not arrive: ${JSON.stringify(balances.items)}\n${indexer.lines.slice(-10).join('\n')}`);
      await new Promise((r) => setTimeout(r, 100));
      balances = await rest.listBalances(w.name);
    }
    expect(balances.items).toEqual([{ asset: 'ETH', chain: CHAIN, available: '1500000000000000000', held: '0', total: '1500000000000000000', posted: '1500000000000000000', pending: '250000000000000000' }]);
    const overGrpc = await call(grpcClient, `${BALANCE}ListBalances`, custody.v1.ListBalancesRequest.encode({ parent: w.name }).finish(), (b) => plain<{ balances: unknown[] }>(custody.v1.ListBalancesResponse, custody.v1.ListBalancesResponse.decode(b)));
    expect(overGrpc.balances).toEqual(balances.items);

    const deposits = await rest.listDeposits(w.name);
    expect(deposits.items.map((d) => [d.txHash, d.state, d.amount, d.address]).sort()).toEqual(
      [
        [credited, 'credited', '1500000000000000000', address.address],
        [seen, 'seen', '250000000000000000', address.address],
      ].sort(),
    );
    const one = deposits.items.find((d) => d.txHash === credited)!;
    expect(one.name).toBe(`deposits/${CHAIN}:${credited}:${one.logIndex}`);
    expect(await rest.getDeposit(one.name)).toEqual(one);
    const decodeDeposit = (b: Buffer) => plain<Record<string, unknown>>(custody.v1.Deposit, custody.v1.Deposit.decode(b));
    expect(await call(grpcClient, `${DEPOSIT}GetDeposit`, custody.v1.GetDepositRequest.encode({ name: one.name }).finish(), decodeDeposit)).toEqual(one);
    const listedOverGrpc = await call(grpcClient, `${DEPOSIT}ListDeposits`, custody.v1.ListDepositsRequest.encode({ wallet: w.name, pageSize: 1 }).finish(), (b) => custody.v1.ListDepositsResponse.decode(b));
    expect(listedOverGrpc.deposits).toHaveLength(1);
    expect(listedOverGrpc.nextPageToken).not.toBe('');
    // Another wallet has none.
    expect((await rest.listDeposits(results.rest.ecdsa!.name)).items).toEqual([]);
  }, 30_000);

  it('REST: signs raw messages under the auto-approving policy; viem recovers the wallet address, node:crypto verifies Ed25519', async () => {
    const w = results.rest.ecdsa!;
    const message = randomBytes(48);
    const signed = await rest.createMessage({ wallet: w.name, message: message.toString('hex') });
    expect(signed).toMatchObject({ wallet: w.name, state: 'signed', hash: 'keccak256', scheme: 'ecdsa-secp256k1', publicKey: w.publicKey, reason: '' });
    const recovered = await recoverAddress({ hash: keccak256(message), signature: ecdsaSignature(signed) });
    expect(recovered).toBe(rootAddress(w));
    expect(await rest.getMessage(signed.name)).toEqual(signed);
    results.rest.messages.push(signed);

    const ed = results.rest.eddsa!;
    const edMessage = Buffer.from('custody e2e: an Ed25519 message over REST');
    const edSigned = await rest.createMessage({ wallet: ed.name, message: edMessage.toString('hex') });
    expect(edSigned).toMatchObject({ state: 'signed', hash: 'none', scheme: 'eddsa-ed25519' });
    expect(ed25519Verify(ed.publicKey, edMessage, edSigned.signature)).toBe(true);
    expect(ed25519Verify(ed.publicKey, Buffer.from('another message'), edSigned.signature)).toBe(false);
    results.rest.messages.push(edSigned);
  }, 90_000);

  it('gRPC: signs the same kinds of messages; the signatures verify the same way', async () => {
    const decode = (b: Buffer) => plain<MessageResource>(custody.v1.SignedMessage, custody.v1.SignedMessage.decode(b));
    const w = results.grpc.ecdsa!;
    const message = randomBytes(48);
    const signed = await call(grpcClient, `${MESSAGE}CreateMessage`, custody.v1.CreateMessageRequest.encode({ wallet: w.name, message: message.toString('hex') }).finish(), decode, `msg-${randomUUID()}`, 60_000);
    expect(signed).toMatchObject({ wallet: w.name, state: 'signed', hash: 'keccak256', scheme: 'ecdsa-secp256k1', publicKey: w.publicKey });
    const recovered = await recoverAddress({ hash: keccak256(message), signature: ecdsaSignature(signed) });
    expect(recovered).toBe(rootAddress(w));
    expect(await call(grpcClient, `${MESSAGE}GetMessage`, custody.v1.GetMessageRequest.encode({ name: signed.name }).finish(), decode)).toEqual(signed);
    expect(await rest.getMessage(signed.name)).toEqual(signed);
    results.grpc.messages.push(signed);

    const ed = results.grpc.eddsa!;
    const edMessage = Buffer.from('custody e2e: an Ed25519 message over gRPC');
    const edSigned = await call(grpcClient, `${MESSAGE}CreateMessage`, custody.v1.CreateMessageRequest.encode({ wallet: ed.name, message: edMessage.toString('hex') }).finish(), decode, `msg-${randomUUID()}`, 60_000);
    expect(edSigned).toMatchObject({ state: 'signed', hash: 'none', scheme: 'eddsa-ed25519' });
    expect(ed25519Verify(ed.publicKey, edMessage, edSigned.signature)).toBe(true);
    results.grpc.messages.push(edSigned);
  }, 90_000);

  it('gives the same results on both transports (the shape of every resource, the states, the verifying signatures)', () => {
    const shape = (m: MessageResource) => ({ state: m.state, hash: m.hash, scheme: m.scheme, signatureBytes: m.signature.length / 2, reason: m.reason });
    expect(results.grpc.messages.map(shape)).toEqual(results.rest.messages.map(shape));
    const walletShape = (w: WalletResource) => ({ scheme: w.scheme, threshold: w.threshold, participants: w.participants, keys: Object.keys(w).sort() });
    expect([results.grpc.ecdsa!, results.grpc.eddsa!].map(walletShape)).toEqual([results.rest.ecdsa!, results.rest.eddsa!].map(walletShape));
  });

  it('a message that needs an approval waits (pending-approval); the queued job signs it once the approver approved; a denied one is rejected', async () => {
    const w = results.rest.eddsa!;
    const message = Buffer.from('custody e2e: a message that needs an approval');
    const asCareful = new CustodyClient({ baseUrl: gateway.baseUrl, credentials: careful, attempts: 1 });
    const waiting = await asCareful.createMessage({ wallet: w.name, message: message.toString('hex') });
    expect(waiting).toMatchObject({ state: 'pending-approval', signature: '' });
    const messageId = waiting.name.slice('messages/'.length);
    // The approver approves at the policy engine (the approvals API is another issue's): over the
    // engine's approval message and the sign request's digest, as the signers check it.
    const d = await engine.call<{ requestDigestHex: string; policyVersion: number; policyHash: string }>('GetRequest', { requestId: messageId });
    const signRequest: SignRequest = { requestId: messageId, keyId: w.keyId, scheme: 'eddsa', derivationPath: [], payload: { kind: 'message', message, hash: 'none' } };
    const policySig = ed25519.sign(approvalMessage({ requestId: messageId, requestDigest: hexToBytes(d.requestDigestHex), policyVersion: d.policyVersion, policyHash: d.policyHash, decision: 'approve' }), approver.seed);
    const approved = await engine.call<{ status: string }>('SubmitApproval', { requestId: messageId, approverId: 'ap-1', decision: 'approve', signature: policySig, grantSignature: ed25519.sign(requestDigest(signRequest), approver.seed) });
    expect(approved.status).toBe('allowed');
    const deadline = Date.now() + 45_000;
    let m = await rest.getMessage(waiting.name);
    while (m.state === 'pending-approval' || m.state === 'signing') {
      if (Date.now() > deadline) throw new Error(`still ${m.state} after the approval`);
      await new Promise((r) => setTimeout(r, 200));
      m = await rest.getMessage(waiting.name);
    }
    expect(m).toMatchObject({ state: 'signed', scheme: 'eddsa-ed25519' });
    expect(ed25519Verify(w.publicKey, message, m.signature)).toBe(true);

    const asRefused = new CustodyClient({ baseUrl: gateway.baseUrl, credentials: refused, attempts: 1 });
    const denied = await asRefused.createMessage({ wallet: w.name, message: message.toString('hex') });
    expect(denied).toMatchObject({ state: 'rejected', signature: '' });
    expect(denied.reason).toMatch(/refused-denied/);
  }, 90_000);

  describe('refusals, with the documented status and code', () => {
    it('an unknown wallet is 404 not-found / NOT_FOUND', async () => {
      expect(await restFailure(rest.getWallet('wallets/w-nope'))).toMatchObject({ status: 404, code: 'not-found' });
      expect(await restFailure(rest.createAddress('wallets/w-nope', CHAIN))).toMatchObject({ status: 404, code: 'not-found' });
      expect(await restFailure(rest.listBalances('wallets/w-nope'))).toMatchObject({ status: 404, code: 'not-found' });
      expect(await restFailure(rest.createMessage({ wallet: 'wallets/w-nope', message: '00' }))).toMatchObject({ status: 404, code: 'not-found' });
      expect(await restFailure(rest.getMessage('messages/m-nope'))).toMatchObject({ status: 404, code: 'not-found' });
      expect(await restFailure(rest.getDeposit(`deposits/${CHAIN}:0x${'ab'.repeat(32)}:0`))).toMatchObject({ status: 404, code: 'not-found' });
      const decode = (b: Buffer) => custody.v1.Wallet.decode(b);
      expect(await grpcFailure(call(grpcClient, `${WALLET}GetWallet`, custody.v1.GetWalletRequest.encode({ name: 'wallets/w-nope' }).finish(), decode))).toMatchObject({ code: grpc.status.NOT_FOUND });
      expect(
        await grpcFailure(call(grpcClient, `${MESSAGE}CreateMessage`, custody.v1.CreateMessageRequest.encode({ wallet: 'wallets/w-nope', message: '00' }).finish(), decode, `m-${randomUUID()}`)),
      ).toMatchObject({ code: grpc.status.NOT_FOUND });
    });

    it('a viewer may read but not create: 403 permission-denied / PERMISSION_DENIED', async () => {
      const asViewer = new CustodyClient({ baseUrl: gateway.baseUrl, credentials: viewer as ClientCredentials, attempts: 1 });
      expect((await asViewer.getWallet(results.rest.ecdsa!.name)).name).toBe(results.rest.ecdsa!.name);
      expect(await restFailure(asViewer.createWallet({}))).toMatchObject({ status: 403, code: 'permission-denied' });
      expect(await restFailure(asViewer.createAddress(results.rest.ecdsa!.name, CHAIN))).toMatchObject({ status: 403, code: 'permission-denied' });
      expect(await restFailure(asViewer.createMessage({ wallet: results.rest.ecdsa!.name, message: '00' }))).toMatchObject({ status: 403, code: 'permission-denied' });
      const decode = (b: Buffer) => custody.v1.Wallet.decode(b);
      expect(await grpcFailure(call(viewerGrpc, `${WALLET}CreateWallet`, custody.v1.CreateWalletRequest.encode({}).finish(), decode, `w-${randomUUID()}`))).toMatchObject({ code: grpc.status.PERMISSION_DENIED });
      expect(
        await grpcFailure(call(viewerGrpc, `${MESSAGE}CreateMessage`, custody.v1.CreateMessageRequest.encode({ wallet: results.rest.ecdsa!.name, message: '00' }).finish(), decode, `m-${randomUUID()}`)),
      ).toMatchObject({ code: grpc.status.PERMISSION_DENIED });
    });

    it('bad input is 400 / INVALID_ARGUMENT naming the field, and nothing is created', async () => {
      const before = (await rest.listWallets(100)).items.length;
      expect(await restFailure(rest.createWallet({ scheme: 'rsa-2048' }))).toMatchObject({ status: 400, code: 'invalid-argument', detail: expect.stringMatching(/^scheme /) as unknown });
      expect(await restFailure(rest.request('POST', '/v1/wallets', { displayName: 7 }))).toMatchObject({ status: 400, detail: expect.stringMatching(/^displayName /) as unknown });
      expect(await restFailure(rest.request('POST', '/v1/wallets', { colour: 'red' }))).toMatchObject({ status: 400, code: 'unknown-field' });
      expect((await rest.listWallets(100)).items.length).toBe(before);
      expect(await restFailure(rest.createAddress(results.rest.ecdsa!.name, 'bitcoin'))).toMatchObject({ status: 400, detail: expect.stringMatching(/^chain /) as unknown });
      expect(await restFailure(rest.createAddress(results.rest.eddsa!.name, CHAIN))).toMatchObject({ status: 400, detail: expect.stringMatching(/^parent: .*ecdsa-secp256k1/) as unknown });
      expect(await restFailure(rest.createMessage({ wallet: results.rest.ecdsa!.name, message: 'xyz' }))).toMatchObject({ status: 400, detail: expect.stringMatching(/^message /) as unknown });
      expect(await restFailure(rest.createMessage({ wallet: results.rest.ecdsa!.name, message: '00', hash: 'md5' }))).toMatchObject({ status: 400, detail: expect.stringMatching(/^hash /) as unknown });
      expect(await restFailure(rest.listWallets(0, 'not-a-token'))).toMatchObject({ status: 400, detail: expect.stringMatching(/^page_token /) as unknown });
      expect(await restFailure(rest.getDeposit('deposits/nonsense'))).toMatchObject({ status: 400, detail: expect.stringMatching(/^depositId /) as unknown });
      const decode = (b: Buffer) => custody.v1.Wallet.decode(b);
      const badName = await grpcFailure(call(grpcClient, `${WALLET}GetWallet`, custody.v1.GetWalletRequest.encode({ name: 'clients/x' }).finish(), decode));
      expect(badName).toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
      expect(badName.details).toMatch(/^name /);
      const badScheme = await grpcFailure(call(grpcClient, `${WALLET}CreateWallet`, custody.v1.CreateWalletRequest.encode({ scheme: 'rsa' }).finish(), decode, `w-${randomUUID()}`));
      expect(badScheme).toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
      expect(badScheme.details).toMatch(/^scheme /);
      const badChain = await grpcFailure(call(grpcClient, `${ADDRESS}CreateAddress`, custody.v1.CreateAddressRequest.encode({ parent: results.rest.ecdsa!.name, chain: '' }).finish(), decode, `a-${randomUUID()}`));
      expect(badChain.details).toMatch(/^chain /);
    });
  });
});
