import { checkGrant, decodeSignGrant, GrantRefused, signingInput, type SignGrant, type SignScheme } from '@custody/sign-grant';
import type { AuditRecord } from './record';

/**
 * The bodies of the records that make up a signed request's chain, as written by the policy engine
 * and the signers. Bytes are lowercase hex.
 */
export interface SignGrantBody {
  /** `encodeSignGrant(grant)` of libs/sign-grant (it carries the approvals and the engine signature). */
  readonly grant: string;
}

export interface SigningSessionBody {
  readonly outcome: 'signed' | 'failed';
  readonly scheme: SignScheme;
  readonly keyId: string;
  readonly participants: readonly number[];
  /** The final signature (hex): r||s (64 bytes) for ECDSA, R||S for EdDSA, BIP340 for Schnorr. */
  readonly signature: string;
  /** The (derived) public key the signature verifies under (hex, compressed for secp256k1). */
  readonly publicKey: string;
}

/** An independent verifier of the final signature (the CLI passes node:crypto / noble). */
export type SignatureVerifier = (scheme: SignScheme, signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean;

export interface ChainKeys {
  readonly enginePublicKey: Uint8Array | null;
  readonly approverKeys: ReadonlyMap<string, Uint8Array>;
  readonly verifyEd25519: (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean;
  readonly verifySignature: SignatureVerifier;
}

export interface ChainResult {
  readonly requestId: string;
  readonly index: number;
  /** The links that were checked, in order. */
  readonly checked: readonly string[];
  /** The first broken link, or null. */
  readonly failure: string | null;
}

const HEX = /^(?:[0-9a-f]{2})+$/;
function hex(field: string, v: unknown, max = 256): Uint8Array {
  if (typeof v !== 'string' || !HEX.test(v) || v.length > max * 2) throw new Error(`${field} must be lowercase hex`);
  return new Uint8Array(Buffer.from(v, 'hex'));
}

/**
 * Checks the chain of every signing session that produced a signature: a sign-grant record for the
 * same request earlier in the log; the grant's engine signature (when the engine key is given);
 * its approvals (distinct, known keys, the quorum the grant demands); the session's key and scheme
 * match the grant; the final signature verifies over the granted payload with an independent verifier.
 */
export function checkSignedRequestChains(records: readonly AuditRecord[], keys: ChainKeys): ChainResult[] {
  const grants = new Map<string, { index: number; body: unknown }>();
  const results: ChainResult[] = [];
  records.forEach((r, index) => {
    if (r.type === 'sign-grant' && r.requestId !== null && !grants.has(r.requestId)) grants.set(r.requestId, { index, body: r.body });
    if (r.type !== 'signing-session' || (r.body as { outcome?: unknown }).outcome !== 'signed') return;
    const requestId = r.requestId ?? '(none)';
    const checked: string[] = [];
    const done = (failure: string | null): void => void results.push({ requestId, index, checked, failure });
    const g = r.requestId === null ? undefined : grants.get(r.requestId);
    if (g === undefined) return done(`record ${index}: signature for request ${requestId} has no sign-grant record before it`);
    let grant: SignGrant;
    try {
      grant = decodeSignGrant((g.body as { grant?: unknown }).grant as string);
    } catch (e) {
      return done(`record ${g.index}: sign grant does not decode (${(e as Error).message.slice(0, 120)})`);
    }
    checked.push('grant');
    const body = r.body as unknown as SigningSessionBody;
    if (body.scheme !== grant.request.scheme || body.keyId !== grant.request.keyId) {
      return done(`record ${index}: signing session key/scheme differ from the grant of record ${g.index}`);
    }
    const input = signingInput(grant.request.payload, grant.request.scheme);
    if (keys.enginePublicKey !== null) {
      try {
        checkGrant(grant, {
          enginePublicKey: keys.enginePublicKey,
          approverKeys: keys.approverKeys,
          // Offline: the grant is judged as of its issue time (expiry was the signers' check).
          now: grant.issuedAt,
          requestedSigningInput: input,
          maxLifetimeMs: Number.MAX_SAFE_INTEGER,
          minApprovals: 0,
          verifyEd25519: keys.verifyEd25519,
        });
      } catch (e) {
        if (e instanceof GrantRefused) return done(`record ${g.index}: grant of ${requestId} refused: ${e.reason}: ${e.message.slice(0, 160)}`);
        return done(`record ${g.index}: grant of ${requestId} could not be checked: ${(e as Error).message.slice(0, 160)}`);
      }
      checked.push('engine-signature', 'approvals');
    }
    let sig: Uint8Array;
    let pk: Uint8Array;
    try {
      sig = hex('signature', body.signature);
      pk = hex('publicKey', body.publicKey);
    } catch (e) {
      return done(`record ${index}: ${(e as Error).message}`);
    }
    if (!keys.verifySignature(grant.request.scheme, sig, input, pk)) return done(`record ${index}: the signature of ${requestId} does not verify over the granted payload`);
    checked.push('signature');
    done(null);
  });
  return results;
}
