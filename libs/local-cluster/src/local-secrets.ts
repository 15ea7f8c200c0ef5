import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { cosigner, formatVerifierKey, SIG_TYPE_COSIGNATURE_V1, SIG_TYPE_ED25519 } from '@custody/transparency-log';
import { identityFromSeed } from '@custody/peer-auth';
import { defaultDevelopmentBootstrap } from '@custody/policy-core';

/** Where a local signer's secrets are: files, so they reach the process as `*_FILE` and never as arguments. */
export interface LocalSignerSecrets {
  readonly identitySeedFile: string;
  readonly kekFile: string;
  readonly identityPublicKey: string;
  /** The node's audit-log witness key (cosignature/v1 vkey, derived from the identity seed as the signer derives it). */
  readonly witnessVerifierKey?: string;
}

/** The local audit log's origin. */
export const LOCAL_AUDIT_ORIGIN = 'custody.local/audit';

/** A development approver: its id, the file of its Ed25519 seed, and its public key (hex), which the signers pin. */
export interface LocalApprover {
  readonly id: string;
  readonly seedFile: string;
  readonly publicKey: string;
}

export interface LocalSecrets {
  readonly signers: ReadonlyMap<number, LocalSignerSecrets>;
  /**
   * The local policy engine's signing key (seed file) and its public key, which the signers pin, and
   * its bootstrap file (first policy, admins, keys), written once from policy-core's development default.
   */
  readonly policyEngine: { readonly seedFile: string; readonly publicKey: string; readonly bootstrapFile: string };
  /** The development approvers ({@link DEV_APPROVER_IDS}), pinned in every local signer's `APPROVER_KEYS`. */
  readonly approvers: readonly LocalApprover[];
  /** The development API clients ({@link DEV_CLIENTS}); absent in plans made without them. */
  readonly clients?: readonly LocalApiClient[];
  /** The gateway's bootstrap file naming `dev-admin` (GATEWAY_BOOTSTRAP_FILE). */
  readonly gatewayBootstrapFile?: string;
  /** The gateway's webhook signing key (Ed25519 seed; GATEWAY_WEBHOOK_SIGNING_KEY_FILE). */
  readonly gatewayWebhookKeyFile?: string;
  /** The audit log's checkpoint signing key (AUDIT_LOG_SEED_FILE of the gateway) and its vkey (AUDIT_LOG_KEY of the signers). */
  readonly auditLog?: { readonly seedFile: string; readonly verifierKey: string };
}

/** A development API client: `dev-<role name>`, its roles, its Ed25519 seed file and public key (hex). */
export interface LocalApiClient {
  /** The name `--as` takes: admin, operator, approver-1, approver-2, compliance-admin, auditor. */
  readonly as: string;
  readonly clientId: string;
  readonly roles: readonly string[];
  readonly seedFile: string;
  readonly publicKey: string;
}

/** The development API clients `custody up` makes once: `--as` name → roles. `dev-admin` is the gateway's bootstrap admin. */
export const DEV_CLIENTS: Readonly<Record<string, readonly string[]>> = {
  admin: ['admin'],
  operator: ['operator'],
  'approver-1': ['approver', 'compliance-admin'],
  'approver-2': ['approver', 'compliance-admin'],
  'compliance-admin': ['compliance-admin'],
  auditor: ['auditor'],
};

/** An API client's seed file in the secrets directory is `<as>.client-seed`. */
export const CLIENT_SEED_SUFFIX = '.client-seed';

/** Loads a development API client's seed (`custody up` made it), for `--as <name>`. */
export function loadDevClient(dir: string, as: string): { clientId: string; seed: Uint8Array } {
  if (!Object.hasOwn(DEV_CLIENTS, as)) throw new Error(`no development client "${as.slice(0, 32)}": one of ${Object.keys(DEV_CLIENTS).join(', ')}`);
  const file = path.join(dir, `${as}${CLIENT_SEED_SUFFIX}`);
  try {
    return { clientId: `dev-${as}`, seed: readSecretFile(file) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`no client seed ${file}: \`custody up\` makes the development clients there on its first run (or pass its --secrets-dir)`, { cause: error });
    throw error;
  }
}

/** The development approvers `custody up` makes once and every local signer pins. */
export const DEV_APPROVER_IDS = ['dev-approver-1', 'dev-approver-2'] as const;

/** An approver's seed file in the secrets directory is `<approver-id>.approver-seed`. */
export const APPROVER_SEED_SUFFIX = '.approver-seed';

/** The signers' approver id grammar (APPROVER_KEYS): 1..128 of [A-Za-z0-9._:@-]; no path separator can occur. */
const APPROVER_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

const SEED_TEXT = /^[0-9a-f]{64}$/;

function readSecretFile(file: string): Uint8Array {
  const text = fs.readFileSync(file, 'utf8').trim();
  if (!SEED_TEXT.test(text)) throw new Error(`${file} does not hold 32 bytes of hex; delete it to make a new one`);
  return Uint8Array.from(Buffer.from(text, 'hex'));
}

function ensureSecretFile(file: string): Uint8Array {
  if (!fs.existsSync(file)) {
    fs.writeFileSync(file, bytesToHex(randomBytes(32)) + '\n', { mode: 0o600, flag: 'wx' });
  }
  return readSecretFile(file);
}

/** The path of approver `id`'s seed file in `dir`. */
export function approverSeedFile(dir: string, id: string): string {
  if (!APPROVER_ID.test(id)) throw new Error(`invalid approver id "${id.slice(0, 32)}"${id.length > 32 ? ` (${id.length} characters)` : ''}: 1..128 of [A-Za-z0-9._:@-]`);
  return path.join(dir, `${id}${APPROVER_SEED_SUFFIX}`);
}

/**
 * The development cluster's keys, made once in `dir` (mode 0700, files 0600) and reused by later
 * runs, so that shares sealed under a signer's key-encryption key open again after a restart.
 * For local use only: production keys come from the deployment's secret store.
 */
export function loadOrCreateLocalSecrets(dir: string, signerCount: number): LocalSecrets {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const signers = new Map<number, LocalSignerSecrets>();
  for (let id = 1; id <= signerCount; id++) {
    const identitySeedFile = path.join(dir, `signer-${id}.identity-seed`);
    const kekFile = path.join(dir, `signer-${id}.kek`);
    const seed = ensureSecretFile(identitySeedFile);
    ensureSecretFile(kekFile);
    const witness = cosigner(`signer-${id}.witness.custody`, hkdf(sha256, seed, undefined, utf8ToBytes('custody/signer/witness-key/v1'), 32));
    const witnessVerifierKey = formatVerifierKey(witness.name, SIG_TYPE_COSIGNATURE_V1, witness.publicKey);
    signers.set(id, { identitySeedFile, kekFile, identityPublicKey: bytesToHex(identityFromSeed(seed).publicKey), witnessVerifierKey });
  }
  const seedFile = path.join(dir, 'policy-engine.signing-seed');
  const publicKey = bytesToHex(identityFromSeed(ensureSecretFile(seedFile)).publicKey);
  const approvers = DEV_APPROVER_IDS.map((id): LocalApprover => {
    const file = approverSeedFile(dir, id);
    return { id, seedFile: file, publicKey: bytesToHex(identityFromSeed(ensureSecretFile(file)).publicKey) };
  });
  const bootstrapFile = ensureDevelopmentBootstrap(dir, approvers);
  const clients = Object.entries(DEV_CLIENTS).map(([as, roles]): LocalApiClient => {
    const file = path.join(dir, `${as}${CLIENT_SEED_SUFFIX}`);
    return { as, clientId: `dev-${as}`, roles, seedFile: file, publicKey: bytesToHex(identityFromSeed(ensureSecretFile(file)).publicKey) };
  });
  const gatewayBootstrapFile = path.join(dir, 'gateway-bootstrap.json');
  const admin = clients.find((c) => c.as === 'admin')!;
  fs.writeFileSync(gatewayBootstrapFile, JSON.stringify({ clientId: admin.clientId, publicKey: admin.publicKey }) + '\n', { mode: 0o600 });
  const gatewayWebhookKeyFile = path.join(dir, 'gateway-webhook.signing-seed');
  ensureSecretFile(gatewayWebhookKeyFile);
  const auditSeedFile = path.join(dir, 'audit-log.signing-seed');
  const auditLog = { seedFile: auditSeedFile, verifierKey: formatVerifierKey(LOCAL_AUDIT_ORIGIN, SIG_TYPE_ED25519, ed25519.getPublicKey(ensureSecretFile(auditSeedFile))) };
  return { signers, policyEngine: { seedFile, publicKey, bootstrapFile }, approvers, clients, gatewayBootstrapFile, gatewayWebhookKeyFile, auditLog };
}

/** The bootstrap file of the local policy engine in the secrets directory. */
export const POLICY_BOOTSTRAP_FILE_NAME = 'policy-bootstrap.json';

/**
 * Writes the development bootstrap once (`<dir>/policy-bootstrap.json`, 0600): policy-core's default
 * development policy (small withdrawals to address-book entries need one approval, anything else
 * two), the development approvers as admins with quorum 2, and their keys. An existing file is kept:
 * the engine reads it only at its first start, and an admin quorum governs every change after that.
 */
export function ensureDevelopmentBootstrap(dir: string, approvers: readonly LocalApprover[]): string {
  const file = path.join(dir, POLICY_BOOTSTRAP_FILE_NAME);
  if (!fs.existsSync(file)) {
    const document = defaultDevelopmentBootstrap(approvers.map((a) => ({ id: a.id, publicKey: a.publicKey })));
    fs.writeFileSync(file, JSON.stringify(document, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  }
  return file;
}

/** An approver's key as loaded from the secrets directory (development only). */
export interface ApproverKey {
  readonly id: string;
  /** The Ed25519 seed (32 bytes): it signs approvals (`approveRequest` of libs/sign-grant). */
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
}

/**
 * Loads a development approver's Ed25519 key from the secrets directory that `custody up` made
 * (`<dir>/<id>.approver-seed`), without creating anything: a missing or malformed file is an
 * error that says to run `custody up` once. Default: `dev-approver-1`.
 */
export function loadDevApprover(dir: string, id: string = DEV_APPROVER_IDS[0]): ApproverKey {
  const file = approverSeedFile(dir, id);
  let seed: Uint8Array;
  try {
    seed = readSecretFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`no approver seed ${file}: \`custody up\` makes ${DEV_APPROVER_IDS.join(' and ')} there on its first run (or pass its --secrets-dir)`, { cause: error });
    }
    if ((error as NodeJS.ErrnoException).code !== undefined) throw new Error(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code}`, { cause: error });
    throw error;
  }
  return { id, seed, publicKey: identityFromSeed(seed).publicKey };
}

/** Every approver whose seed is in `dir` (`<id>.approver-seed`), sorted by id; none when `dir` does not exist. */
export function loadApproversIn(dir: string): ApproverKey[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(APPROVER_SEED_SUFFIX) && APPROVER_ID.test(f.slice(0, -APPROVER_SEED_SUFFIX.length)))
    .sort()
    .map((f) => loadDevApprover(dir, f.slice(0, -APPROVER_SEED_SUFFIX.length)));
}
