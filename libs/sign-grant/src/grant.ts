import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { grantSigningBytes, requestDigest, signingInput } from './encoding';
import { GrantRefused, SignGrantInputError, type GrantRefusalReason } from './errors';
import { GRANT_VERSIONS, type GrantVersion, type SignGrant, type SignPayload, type SignRequest, type UnsignedSignGrant } from './types';
import { validateEd25519PublicKey, validateEd25519SecretKey, validateSignedGrant, validateSignRequest, validateUnsignedGrant } from './validate';

/** Default longest grant lifetime a signer accepts (expiresAt − issuedAt): 15 minutes. */
export const DEFAULT_MAX_LIFETIME_MS = 15 * 60 * 1000;
/** Default tolerance for a grant issued slightly "in the future" by the engine's clock: 30 s. */
export const DEFAULT_MAX_CLOCK_SKEW_MS = 30 * 1000;
/** Default floor on approvals, whatever the grant states: 1. */
export const DEFAULT_MIN_APPROVALS = 1;

function copyPayload(p: SignPayload): SignPayload {
  if (p.kind === 'message') return { kind: p.kind, hash: p.hash, message: Uint8Array.from(p.message) };
  return {
    kind: p.kind,
    chainId: p.chainId,
    nonce: p.nonce,
    maxFeePerGas: p.maxFeePerGas,
    maxPriorityFeePerGas: p.maxPriorityFeePerGas,
    gas: p.gas,
    to: p.to,
    value: p.value,
    data: Uint8Array.from(p.data),
    erc20: p.erc20 === null ? null : { recipient: p.erc20.recipient, amount: p.erc20.amount },
  };
}

function copyGrant(g: UnsignedSignGrant): UnsignedSignGrant {
  const common = {
    request: {
      requestId: g.request.requestId,
      keyId: g.request.keyId,
      scheme: g.request.scheme,
      derivationPath: [...g.request.derivationPath],
      payload: copyPayload(g.request.payload),
    },
    policyVersion: g.policyVersion,
    approvals: g.approvals.map((a) => ({ approverId: a.approverId, signature: Uint8Array.from(a.signature) })),
    requiredApprovals: g.requiredApprovals,
    issuedAt: g.issuedAt,
    expiresAt: g.expiresAt,
  };
  return g.version === 1 ? { version: 1, ...common } : { version: 2, ...common, policyHash: Uint8Array.from(g.policyHash) };
}

/**
 * Signs a grant with the policy engine's Ed25519 key (for the policy engine, and for tests until it
 * exists). Validates every field first ({@link SignGrantInputError} naming the field).
 */
export function signGrant(unsigned: UnsignedSignGrant, engineSecretKey: Uint8Array): SignGrant {
  validateUnsignedGrant(unsigned, 'unsigned');
  validateEd25519SecretKey(engineSecretKey, 'engineSecretKey');
  const grant = copyGrant(unsigned);
  return { ...grant, engineSignature: ed25519.sign(grantSigningBytes(grant), engineSecretKey) };
}

/** An approver's Ed25519 signature over {@link requestDigest}(request). */
export function approveRequest(request: SignRequest, approverSecretKey: Uint8Array): Uint8Array {
  validateSignRequest(request);
  validateEd25519SecretKey(approverSecretKey, 'approverSecretKey');
  return ed25519.sign(requestDigest(request), approverSecretKey);
}

export interface CheckGrantOptions {
  /** The policy engine's Ed25519 public key, pinned in the signer's configuration. */
  readonly enginePublicKey: Uint8Array;
  /** Approver id → Ed25519 public key, pinned in the signer's configuration. */
  readonly approverKeys: ReadonlyMap<string, Uint8Array>;
  /** The signer's clock (ms since the epoch), injected. */
  readonly now: number;
  /** What this signing session is about to sign (the ECDSA digest, or the EdDSA/Schnorr message). */
  readonly requestedSigningInput: Uint8Array;
  /** Longest accepted lifetime, default {@link DEFAULT_MAX_LIFETIME_MS}. */
  readonly maxLifetimeMs?: number;
  /** Tolerance for `issuedAt` ahead of `now`, default {@link DEFAULT_MAX_CLOCK_SKEW_MS}. */
  readonly maxClockSkewMs?: number;
  /**
   * The signer's own floor on approvals, default {@link DEFAULT_MIN_APPROVALS}: a grant stating a
   * lower quorum is refused, so that the policy engine's key alone cannot authorize a signature.
   * Set 0 only knowingly.
   */
  readonly minApprovals?: number;
  /**
   * The oldest grant version this signer accepts, default 1 (both). Version 1 grants carry only
   * message payloads and no policy content hash; a signer whose operators want every signature tied
   * to a hashed policy version sets 2. A lower version is refused (`version-not-accepted`).
   */
  readonly minGrantVersion?: GrantVersion;
  /**
   * Ed25519 verification (RFC 8032, strict), default @noble/curves. A service may pass a faster
   * implementation of the same function (the signer passes OpenSSL's, cross-checked against noble).
   */
  readonly verifyEd25519?: (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean;
}

function refuse(reason: GrantRefusalReason, detail: string): never {
  throw new GrantRefused(reason, detail);
}

function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

function verifyEd25519(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

function validateOptions(o: CheckGrantOptions): { maxLifetimeMs: number; maxClockSkewMs: number; minApprovals: number; minGrantVersion: GrantVersion } {
  if (typeof o !== 'object' || o === null) throw new SignGrantInputError('options', 'must be an object');
  validateEd25519PublicKey(o.enginePublicKey, 'options.enginePublicKey');
  if (!(o.approverKeys instanceof Map)) throw new SignGrantInputError('options.approverKeys', 'must be a Map of approver id to public key');
  for (const [id, key] of o.approverKeys) {
    if (typeof id !== 'string' || id.length === 0) throw new SignGrantInputError('options.approverKeys', 'ids must be non-empty strings');
    validateEd25519PublicKey(key, `options.approverKeys[${JSON.stringify(id.slice(0, 64))}]`);
  }
  if (!Number.isSafeInteger(o.now) || o.now < 0) throw new SignGrantInputError('options.now', 'must be a non-negative integer (ms)');
  if (!(o.requestedSigningInput instanceof Uint8Array)) throw new SignGrantInputError('options.requestedSigningInput', 'must be a Uint8Array');
  const positive = (v: number | undefined, d: number, name: string, min: number) => {
    const x = v ?? d;
    if (!Number.isSafeInteger(x) || x < min) throw new SignGrantInputError(`options.${name}`, `must be an integer ≥ ${min}`);
    return x;
  };
  const minGrantVersion = o.minGrantVersion ?? 1;
  if (!GRANT_VERSIONS.includes(minGrantVersion)) throw new SignGrantInputError('options.minGrantVersion', `must be one of ${GRANT_VERSIONS.join(', ')}`);
  return {
    minGrantVersion,
    maxLifetimeMs: positive(o.maxLifetimeMs, DEFAULT_MAX_LIFETIME_MS, 'maxLifetimeMs', 1),
    maxClockSkewMs: positive(o.maxClockSkewMs, DEFAULT_MAX_CLOCK_SKEW_MS, 'maxClockSkewMs', 0),
    minApprovals: positive(o.minApprovals, DEFAULT_MIN_APPROVALS, 'minApprovals', 0),
  };
}

/**
 * The signer's check of a sign grant, before any round. In order:
 * 1. shape (types, lengths, ranges) → `malformed`; a version below `minGrantVersion` → `version-not-accepted`;
 * 2. the policy engine's signature over everything else → `bad-engine-signature`;
 * 3. `expiresAt − issuedAt` within `maxLifetimeMs` → `lifetime-too-long`; `issuedAt` not ahead of
 *    `now` by more than `maxClockSkewMs` → `not-yet-valid`; `now < expiresAt` → `expired`;
 * 4. the signing input of the granted payload equals `requestedSigningInput` (constant time) →
 *    `digest-mismatch`; for an `evm-transaction` payload that input is recomputed here from the
 *    transaction's fields (libs/chain-core), so no other digest can be signed under the grant;
 * 5. every approval: a distinct approver id (`duplicate-approver`), pinned (`unknown-approver`), with a
 *    valid signature over the request digest (`bad-approval-signature`). A grant with any bad approval
 *    is refused outright rather than counted around: the engine signed it, so it is lying or broken;
 * 6. the approvals, counted once per distinct pinned key (two ids pinned to one key count once), reach
 *    max(requiredApprovals, minApprovals) → `insufficient-approvals`.
 *
 * Throws {@link GrantRefused}; a bad `options` (the signer's own configuration) throws
 * {@link SignGrantInputError}. Replay (a request id signed before) is NOT checked here: the signer
 * checks it in its own database, atomically with recording the request id.
 */
export function checkGrant(given: SignGrant, options: CheckGrantOptions): void {
  const { maxLifetimeMs, maxClockSkewMs, minApprovals, minGrantVersion } = validateOptions(options);
  let grant: SignGrant;
  try {
    validateSignedGrant(given);
    // Every check below reads this snapshot, taken once: a getter, a proxy or a shared buffer in the
    // given object cannot show the engine signature one payload and the digest check another.
    grant = { ...copyGrant(given), engineSignature: Uint8Array.from(given.engineSignature) } as SignGrant;
    validateSignedGrant(grant);
  } catch (e) {
    if (e instanceof SignGrantInputError) refuse('malformed', e.message.replace(/^invalid /, ''));
    throw e;
  }
  if (grant.version < minGrantVersion) refuse('version-not-accepted', `grant version ${grant.version}; this signer accepts ${minGrantVersion} and later`);

  const verify = options.verifyEd25519 ?? verifyEd25519;
  if (!verify(grant.engineSignature, grantSigningBytes(grant), options.enginePublicKey)) {
    refuse('bad-engine-signature', `request ${grant.request.requestId}: not signed by the pinned policy engine key`);
  }

  const lifetime = grant.expiresAt - grant.issuedAt;
  if (lifetime > maxLifetimeMs) refuse('lifetime-too-long', `lifetime ${lifetime} ms exceeds ${maxLifetimeMs} ms`);
  if (options.now + maxClockSkewMs < grant.issuedAt) refuse('not-yet-valid', `issued at ${grant.issuedAt}, now ${options.now}`);
  if (options.now >= grant.expiresAt) refuse('expired', `expired at ${grant.expiresAt}, now ${options.now}`);

  if (!constantTimeEqual(signingInput(grant.request.payload, grant.request.scheme), options.requestedSigningInput)) {
    refuse('digest-mismatch', `request ${grant.request.requestId}: the input to sign is not the granted payload's`);
  }

  const digest = requestDigest(grant.request);
  const seenIds = new Set<string>();
  const countedKeys = new Set<string>();
  for (const approval of grant.approvals) {
    if (seenIds.has(approval.approverId)) refuse('duplicate-approver', `approver ${approval.approverId} appears twice`);
    seenIds.add(approval.approverId);
    const key = options.approverKeys.get(approval.approverId);
    if (key === undefined) refuse('unknown-approver', `approver ${approval.approverId} is not pinned by this signer`);
    if (!verify(approval.signature, digest, key)) {
      refuse('bad-approval-signature', `approval of ${approval.approverId} does not verify`);
    }
    countedKeys.add(bytesToHex(key));
  }
  const needed = Math.max(grant.requiredApprovals, minApprovals);
  if (countedKeys.size < needed) {
    refuse('insufficient-approvals', `${countedKeys.size} distinct approval(s), ${needed} required`);
  }
}
