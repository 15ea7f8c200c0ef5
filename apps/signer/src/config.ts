import { ConfigError, EnvReader, parseServiceConfig, type Environment, type ServiceConfig } from '@custody/config';
import { KeyEncryptionKey } from '@custody/key-vault';
import { identityFromText, parseIdentityPublicKey, parseSeed, PeerDirectory, type PeerIdentity } from '@custody/peer-auth';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { cosigner, parseVerifierKey, type Cosigner } from '@custody/transparency-log';

export type PrimeSource = 'generate' | 'test-only-fixtures';

/** The signer's configuration: one program, started once per signer with its own `SIGNER_ID`. */
export interface SignerConfig extends ServiceConfig {
  /** This node's party id in every key (1..255); also its Shamir evaluation point. */
  readonly signerId: number;
  /** Its static Ed25519 identity (SIGNER_IDENTITY_SEED or _FILE): signs every peer message. */
  readonly identity: PeerIdentity;
  /** Every signer of the cluster, this one included: id, pinned identity key, gRPC address. */
  readonly peers: PeerDirectory;
  /** Wraps the data key of every share, presignature and nonce at rest (SIGNER_KEK or _FILE). */
  readonly kek: KeyEncryptionKey;
  /** The policy engine's Ed25519 key: only grants it signed are honoured. */
  readonly policyEnginePublicKey: Uint8Array;
  /** Approver id → Ed25519 public key, pinned here so a compromised policy engine cannot invent approvers. */
  readonly approverKeys: ReadonlyMap<string, Uint8Array>;
  /** The least number of approvals a grant must carry, whatever its policy says (SIGNER_MIN_APPROVALS). */
  readonly minApprovals: number;
  /** The oldest sign grant version honoured (SIGNER_MIN_GRANT_VERSION, default 1: both; 2 demands a policy content hash). */
  readonly minGrantVersion: 1 | 2;
  /** Default and maximum session duration. */
  readonly sessionTimeoutMs: number;
  /** ECDSA signing sessions this node coordinates at once; further requests wait (within their deadline). */
  readonly maxConcurrentSigns: number;
  /** ECDSA presignatures kept ready per key and signer set. */
  readonly presignPoolSize: number;
  /** FROST nonce pairs kept ready per key. */
  readonly noncePoolSize: number;
  readonly paillierBits: number;
  /**
   * The largest Paillier / ring-Pedersen modulus accepted from a peer (SIGNER_PAILLIER_MAX_BITS,
   * default SIGNER_PAILLIER_BITS): larger ones are refused in aux-info before any proof is checked,
   * and when a stored key share is opened.
   */
  readonly paillierMaxBits: number;
  /** Where Paillier primes come from: generated (production) or the committed TEST-ONLY fixtures. */
  readonly primeSource: PrimeSource;
  /** With `test-only-fixtures`: a JSON file `{"p": hex, "q": hex}` of TEST-ONLY safe primes. */
  readonly testOnlyPrimesFile: string | undefined;
  /**
   * The audit log this node witnesses (AUDIT_LOG_KEY: the log's signed-note verifier key
   * `origin+keyid+base64`; unset: the witness API refuses). Its name is the log's origin.
   */
  readonly auditLogKey: string | undefined;
  /**
   * The audit log's database (AUDIT_DATABASE_URL, the services' database with schema `audit`): the
   * coordinator writes each signing session and key generation / refresh there before it answers.
   * Unset: this node writes no audit records.
   */
  readonly auditDatabaseUrl: string | undefined;
  /** Grants signed more than this long ago must be shown in a checkpoint before it is cosigned (WITNESS_GRANT_BOUND_MS, default 10 s). */
  readonly witnessGrantBoundMs: number;
  /**
   * The witness's cosignature/v1 signer, named `signer-<id>.witness.custody`: a dedicated Ed25519 key
   * whose seed is derived from the identity seed by HKDF-SHA256 (info `custody/signer/witness-key/v1`),
   * so the identity key never signs a second protocol. The seed lives only inside the closure.
   */
  readonly witness: Cosigner;
}

export const MAX_SIGNER_ID = 255;

function wrap<T>(variable: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(variable, error instanceof Error ? `is invalid: ${error.message}` : 'is invalid');
  }
}

function auditDatabaseUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError('AUDIT_DATABASE_URL', 'must be a postgres:// URL');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') throw new ConfigError('AUDIT_DATABASE_URL', 'must be a postgres:// URL');
  return value;
}

export function parseSignerConfig(env: Environment): SignerConfig {
  const read = new EnvReader(env);
  const signerId = read.integer('SIGNER_ID', { min: 1, max: MAX_SIGNER_ID });
  // The signer's DATABASE_URL points at its own database (`custody_signer_<id>` locally).
  const service = parseServiceConfig(env, `signer-${signerId}`);
  const identityText = read.secret('SIGNER_IDENTITY_SEED');
  const identity = wrap('SIGNER_IDENTITY_SEED', () => identityFromText(identityText, 'SIGNER_IDENTITY_SEED'));
  const identitySeed = parseSeed(identityText, 'SIGNER_IDENTITY_SEED');
  const witnessSeed = hkdf(sha256, identitySeed, undefined, utf8ToBytes('custody/signer/witness-key/v1'), 32);
  identitySeed.fill(0);
  const witness = cosigner(`signer-${signerId}.witness.custody`, witnessSeed);
  witnessSeed.fill(0);
  const auditLogKey = read.optionalString('AUDIT_LOG_KEY');
  if (auditLogKey !== undefined) wrap('AUDIT_LOG_KEY', () => parseVerifierKey(auditLogKey));
  const peers = wrap('SIGNER_PEERS', () => PeerDirectory.fromConfig(read.string('SIGNER_PEERS'), 'SIGNER_PEERS'));
  wrap('SIGNER_PEERS', () => peers.assertSelf(signerId, identity, 'SIGNER_PEERS'));
  const kek = wrap('SIGNER_KEK', () => KeyEncryptionKey.fromFileContents(read.secret('SIGNER_KEK')));
  const policyEnginePublicKey = wrap('POLICY_ENGINE_PUBLIC_KEY', () => parseIdentityPublicKey(read.string('POLICY_ENGINE_PUBLIC_KEY'), 'POLICY_ENGINE_PUBLIC_KEY'));
  const approverKeys = read.json(
    'APPROVER_KEYS',
    (value) => {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError('APPROVER_KEYS', 'must be a JSON object of approver id to public key');
      const keys = new Map<string, Uint8Array>();
      for (const [id, key] of Object.entries(value)) {
        if (!/^[A-Za-z0-9._:@-]{1,128}$/.test(id)) throw new ConfigError('APPROVER_KEYS', `has an invalid approver id "${id.slice(0, 32)}"`);
        if (typeof key !== 'string') throw new ConfigError('APPROVER_KEYS', `key of ${id} must be a string`);
        keys.set(id, wrap('APPROVER_KEYS', () => parseIdentityPublicKey(key, `APPROVER_KEYS.${id}`)));
      }
      return keys;
    },
    new Map<string, Uint8Array>(),
  );
  const paillierBits = read.integer('SIGNER_PAILLIER_BITS', { min: 2048, max: 4096 }, 2048);
  const paillierMaxBits = read.integer('SIGNER_PAILLIER_MAX_BITS', { min: paillierBits, max: 8192 }, paillierBits);
  const primeSource = read.oneOf<PrimeSource>('SIGNER_PRIME_SOURCE', ['generate', 'test-only-fixtures'], 'generate');
  return {
    ...service,
    signerId,
    identity,
    peers,
    kek,
    policyEnginePublicKey,
    approverKeys,
    minApprovals: read.integer('SIGNER_MIN_APPROVALS', { min: 0, max: 64 }, 1),
    minGrantVersion: read.integer('SIGNER_MIN_GRANT_VERSION', { min: 1, max: 2 }, 1) as 1 | 2,
    sessionTimeoutMs: read.integer('SIGNER_SESSION_TIMEOUT_MS', { min: 100, max: 600_000 }, 30_000),
    maxConcurrentSigns: read.integer('SIGNER_MAX_CONCURRENT_SIGNS', { min: 1, max: 256 }, 4),
    presignPoolSize: read.integer('SIGNER_PRESIGN_POOL_SIZE', { min: 0, max: 1000 }, 4),
    noncePoolSize: read.integer('SIGNER_NONCE_POOL_SIZE', { min: 0, max: 1000 }, 16),
    paillierBits,
    paillierMaxBits,
    primeSource,
    testOnlyPrimesFile: primeSource === 'test-only-fixtures' ? read.string('SIGNER_TEST_ONLY_PRIMES_FILE') : undefined,
    auditLogKey,
    auditDatabaseUrl: auditDatabaseUrl(read.optionalString('AUDIT_DATABASE_URL')),
    witnessGrantBoundMs: read.integer('WITNESS_GRANT_BOUND_MS', { min: 0, max: 86_400_000 }, 10_000),
    witness,
  };
}
