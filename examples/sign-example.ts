/**
 * A worked example of the signer API (docs/signer-api.md), to run against `custody up`:
 *
 *   npm run build
 *   node bin/custody.js up                  # in another terminal
 *   node dist/examples/sign-example.js      # no options needed against it
 *
 * It creates a 2-of-3 Ed25519 key, writes a sign grant the way the policy engine will (signed with
 * the local development policy-engine key that `custody up` made in .custody/local-secrets), has
 * signers 1 and 2 sign a message, and verifies the signature with node:crypto. Then the same for
 * an ECDSA (secp256k1) key, once the signers have the safe primes of a Paillier key (they generate
 * them in the background after start-up; the example waits up to --ecdsa-wait-seconds for them).
 *
 * The signers pin the approvers whose approvals they accept (APPROVER_KEYS) and demand at least
 * SIGNER_MIN_APPROVALS of them (default 1). `custody up` makes two development approvers and pins
 * them in every signer; their seeds are `<approver-id>.approver-seed` in the secrets directory,
 * where the example finds them. Other approvers: --approver <id>=<seed file>.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from '@custody/config';
import { DEFAULT_PORTS, loadApproversIn, portsFromBase, SERVICE_APPS } from '@custody/local-cluster';
import { approveRequest, encodeSignGrant, signGrant, signingInput, type SignPayload, type SignRequest } from '@custody/sign-grant';
import { SignerCallError, SignerClient, type KeyInfo, type SchemeName } from '@custody/signer-client';

/**
 * `custody up`'s default address of signer 1 (gRPC), from the same port plan `custody up` uses. With
 * CUSTODY_BASE_PORT set (as for `custody up`), signer 1 of that plan; another address with --signer
 * or CUSTODY_SIGNER_ADDRESS.
 */
export const DEFAULT_SIGNER_ADDRESS = `127.0.0.1:${DEFAULT_PORTS.grpc('signer-1', SERVICE_APPS.length)}`;

function signerAddressOfBase(text: string): string {
  const base = /^\d{1,5}$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!(base >= 1024 && base <= 65535)) throw new UsageError(`CUSTODY_BASE_PORT must be a port from 1024 to 65535, got "${text.slice(0, 16)}"`);
  return `127.0.0.1:${portsFromBase(base).grpc('signer-1', SERVICE_APPS.length)}`;
}

interface Options {
  readonly address: string;
  /** The id of the signer at `address`: it coordinates, so it is one of the signers asked to sign. */
  readonly signerId: number;
  readonly participants: number[];
  readonly threshold: number;
  readonly signWith: number[];
  readonly engineSeedFile: string;
  readonly approvers: Array<{ id: string; seed: Uint8Array }>;
  readonly message: Uint8Array;
  readonly schemes: SchemeName[];
  readonly ecdsaWaitSeconds: number;
  readonly json: boolean;
}

class UsageError extends Error {}

function ids(value: string, name: string): number[] {
  const list = value.split(',').map((s) => Number(s.trim()));
  if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n < 1 || n > 255)) throw new UsageError(`${name} must be a comma-separated list of signer ids (1..255)`);
  return list;
}

function readSeedFile(file: string, name: string): Uint8Array {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8').trim();
  } catch {
    throw new UsageError(`${name}: cannot read ${file}`);
  }
  if (!/^[0-9a-fA-F]{64}$/.test(text)) throw new UsageError(`${name}: ${file} must hold a 32-byte Ed25519 seed in hex`);
  return Uint8Array.from(Buffer.from(text, 'hex'));
}

function parseOptions(argv: string[], env: NodeJS.ProcessEnv): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      signer: { type: 'string' },
      'signer-id': { type: 'string', default: '1' },
      participants: { type: 'string', default: '1,2,3' },
      threshold: { type: 'string', default: '2' },
      'sign-with': { type: 'string' },
      'secrets-dir': { type: 'string' },
      approver: { type: 'string', multiple: true, default: [] },
      message: { type: 'string', default: 'hello from the custody signer example' },
      schemes: { type: 'string', default: 'eddsa,ecdsa' },
      'ecdsa-wait-seconds': { type: 'string', default: '180' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const threshold = Number(values.threshold);
  const participants = ids(values.participants, '--participants');
  if (!Number.isInteger(threshold) || threshold < 2 || threshold > participants.length) throw new UsageError('--threshold must be an integer from 2 to the number of participants');
  const signerId = Number(values['signer-id']);
  if (!participants.includes(signerId)) throw new UsageError('--signer-id must be one of --participants');
  const signWith = values['sign-with'] ? ids(values['sign-with'], '--sign-with') : [signerId, ...participants.filter((p) => p !== signerId)].slice(0, threshold);
  if (!signWith.includes(signerId)) throw new UsageError('--sign-with must include --signer-id (the node asked coordinates)');
  const secretsDir = values['secrets-dir'] ?? env.CUSTODY_SECRETS_DIR ?? path.join(PROJECT_ROOT, '.custody', 'local-secrets');
  const approverArgs = [...values.approver, ...(env.CUSTODY_APPROVERS ? env.CUSTODY_APPROVERS.split(',') : [])];
  const approvers = approverArgs.map((arg) => {
    const at = arg.indexOf('=');
    if (at <= 0) throw new UsageError(`--approver must be <approver-id>=<seed file>, got "${arg.slice(0, 40)}"`);
    return { id: arg.slice(0, at), seed: readSeedFile(arg.slice(at + 1), `--approver ${arg.slice(0, at)}`) };
  });
  // Without --approver: every `<approver-id>.approver-seed` in the secrets directory (custody up's
  // development approvers, which its signers pin).
  if (approvers.length === 0) {
    try {
      approvers.push(...loadApproversIn(secretsDir));
    } catch (error) {
      throw new UsageError(`approvers in ${secretsDir}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const schemes = values.schemes.split(',').map((s) => s.trim());
  if (schemes.length === 0 || schemes.some((s) => s !== 'eddsa' && s !== 'ecdsa')) throw new UsageError('--schemes must list eddsa and/or ecdsa');
  const ecdsaWaitSeconds = Number(values['ecdsa-wait-seconds']);
  if (!Number.isInteger(ecdsaWaitSeconds) || ecdsaWaitSeconds < 0) throw new UsageError('--ecdsa-wait-seconds must be a whole number');
  return {
    address: values.signer ?? env.CUSTODY_SIGNER_ADDRESS ?? (env.CUSTODY_BASE_PORT !== undefined ? signerAddressOfBase(env.CUSTODY_BASE_PORT) : DEFAULT_SIGNER_ADDRESS),
    signerId,
    participants,
    threshold,
    signWith,
    engineSeedFile: path.join(secretsDir, 'policy-engine.signing-seed'),
    approvers,
    message: new TextEncoder().encode(values.message),
    schemes: schemes as SchemeName[],
    ecdsaWaitSeconds,
    json: values.json,
  };
}

/**
 * The sign grant, as the policy engine will make it: the request (key, scheme, payload), the
 * approvers' signatures over the request, the quorum, a one-minute validity, and the engine's
 * Ed25519 signature over all of it. Every signer checks each part before it takes part.
 */
function makeGrant(o: Options, key: KeyInfo, engineSeed: Uint8Array): { grant: Uint8Array; signingInput: Uint8Array; request: SignRequest } {
  const payload: SignPayload = { kind: 'message', message: o.message, hash: key.scheme === 'ecdsa' ? 'sha256' : 'none' };
  const request: SignRequest = { requestId: `example-${crypto.randomBytes(8).toString('hex')}`, keyId: key.keyId, scheme: key.scheme, derivationPath: [], payload };
  const issuedAt = Date.now();
  const grant = signGrant(
    {
      version: 1,
      request,
      policyVersion: 'example-1',
      approvals: o.approvers.map((a) => ({ approverId: a.id, signature: approveRequest(request, a.seed) })),
      requiredApprovals: o.approvers.length,
      issuedAt,
      expiresAt: issuedAt + 60_000,
    },
    engineSeed,
  );
  return { grant: new TextEncoder().encode(encodeSignGrant(grant)), signingInput: signingInput(payload, key.scheme), request };
}

/** node:crypto, independently of the signers: Ed25519 over the message; ECDSA (DER) over SHA-256 of it. */
function verify(scheme: SchemeName, publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array, der: Uint8Array): boolean {
  if (scheme === 'eddsa') {
    const key = crypto.createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), publicKey]), format: 'der', type: 'spki' });
    return crypto.verify(null, message, key, signature);
  }
  // SubjectPublicKeyInfo of a compressed secp256k1 point.
  const key = crypto.createPublicKey({ key: Buffer.concat([Buffer.from('3036301006072a8648ce3d020106052b8104000a032200', 'hex'), publicKey]), format: 'der', type: 'spki' });
  return crypto.verify('sha256', message, key, der);
}

const NO_PRIMES = /no safe primes ready/;

async function createKey(client: SignerClient, o: Options, scheme: SchemeName, say: (line: string) => void): Promise<KeyInfo | undefined> {
  const deadline = Date.now() + (scheme === 'ecdsa' ? o.ecdsaWaitSeconds * 1000 : 0);
  let told = false;
  for (;;) {
    try {
      return await client.createKey(scheme, o.threshold, o.participants);
    } catch (error) {
      if (!(scheme === 'ecdsa' && error instanceof SignerCallError && NO_PRIMES.test(error.details))) throw error;
      if (Date.now() >= deadline) return undefined;
      if (!told) say(`ecdsa: the signers are still generating safe primes for their Paillier keys; waiting up to ${o.ecdsaWaitSeconds} s`);
      told = true;
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
}

export interface SchemeResult {
  readonly scheme: SchemeName;
  readonly keyId?: string;
  readonly publicKey?: string;
  readonly signers?: number[];
  readonly signature?: string;
  readonly verified: boolean;
  readonly skipped?: string;
}

async function runScheme(client: SignerClient, o: Options, scheme: SchemeName, engineSeed: Uint8Array, say: (line: string) => void): Promise<SchemeResult> {
  const key = await createKey(client, o, scheme, say);
  if (!key) {
    say(`${scheme}: skipped: no safe primes after ${o.ecdsaWaitSeconds} s (run again later, or pass a larger --ecdsa-wait-seconds)`);
    return { scheme, verified: false, skipped: 'no safe primes yet' };
  }
  const publicKey = Buffer.from(key.publicKey).toString('hex');
  say(`${scheme}: created key ${key.keyId}, ${key.threshold}-of-${key.participants.length} over signers ${key.participants.join(',')}, public key ${publicKey}`);
  const g = makeGrant(o, key, engineSeed);
  say(`${scheme}: grant for request ${g.request.requestId}, signed by the policy-engine key, ${o.approvers.length} approval(s)`);
  const result = await client.sign(g.grant, o.signWith, g.signingInput);
  const signature = Buffer.from(result.signature).toString('hex');
  const verified = verify(scheme, result.publicKey, o.message, result.signature, result.der);
  say(`${scheme}: signers ${o.signWith.join(',')} signed; signature ${signature}; node:crypto verifies it: ${verified}`);
  return { scheme, keyId: key.keyId, publicKey, signers: o.signWith, signature, verified };
}

function hint(error: SignerCallError): string {
  if (/insufficient-approvals|unknown-approver/.test(error.details)) {
    return ' (the signers accept only approvers pinned in their APPROVER_KEYS, at least SIGNER_MIN_APPROVALS of them: `custody up` pins its development approvers and keeps their seeds in its secrets directory (--secrets-dir); or pass each one with --approver <id>=<seed file>)';
  }
  if (/bad-engine-signature/.test(error.details)) return ' (the grant must be signed with the key the signers pin as POLICY_ENGINE_PUBLIC_KEY: check --secrets-dir)';
  if (error.details.includes('No connection established') || error.message.startsWith('UNAVAILABLE: No connection')) return ' (is `custody up` running? pass the signer address with --signer host:port)';
  return '';
}

export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const say = (line: string): void => void process.stderr.write(`example: ${line}\n`);
  let client: SignerClient | undefined;
  try {
    const o = parseOptions(argv, env);
    const engineSeed = readSeedFile(o.engineSeedFile, 'policy-engine seed (--secrets-dir)');
    client = new SignerClient(o.address);
    say(`signer ${o.signerId} at ${o.address}`);
    const results: SchemeResult[] = [];
    for (const scheme of o.schemes) results.push(await runScheme(client, o, scheme, engineSeed, say));
    if (o.json) process.stdout.write(`${JSON.stringify({ address: o.address, message: Buffer.from(o.message).toString('hex'), results })}\n`);
    return results.every((r) => r.verified || r.skipped) ? 0 : 1;
  } catch (error) {
    if (error instanceof UsageError || (error instanceof TypeError && (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))) {
      say(error.message);
      return 2;
    }
    if (error instanceof SignerCallError) {
      say(`the signer refused: ${error.message}${hint(error)}`);
      return 1;
    }
    throw error;
  } finally {
    client?.close();
  }
}

if (require.main === module) {
  main(process.argv.slice(2), process.env).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`example: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
