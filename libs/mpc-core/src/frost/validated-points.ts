import type { EdwardsPoint } from '@noble/curves/abstract/edwards.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex } from '@noble/hashes/utils.js';

/**
 * A memo of Ed25519 point validation, for speed only (the checks themselves are noble's).
 *
 * RFC 9591 §3.1 `DeserializeElement` must reject points outside the prime-order subgroup; for Ed25519
 * that is a full scalar multiplication by the group order (~1.5 ms here), and noble's FROST re-parses
 * the same commitments and verifying shares in `signShare`, `verifyShare` and `aggregate` (and the
 * stock `ed25519_FROST` runs the subgroup check twice per parse). This subclass of noble's point
 * decodes with noble's strict RFC 8032 decoder, runs noble's full checks ONCE per encoding, and
 * remembers the validated point in a bounded cache; instances of the subclass exist only for
 * encodings that passed every check, so their `isTorsionFree` / `assertValidity` are known results.
 * Anything that fails is returned as a plain noble point, which the caller's checks then reject.
 */
const CACHE_SIZE = 4096;
const cache = new Map<string, ValidatedEd25519Point>();

export class ValidatedEd25519Point extends ed25519.Point {
  /** Every noble Ed25519 point counts as one of ours for noble's internal brand checks (MSM). */
  static override [Symbol.hasInstance](item: unknown): boolean {
    return item instanceof ed25519.Point;
  }

  override isTorsionFree(): boolean {
    return true; // checked in fromBytes before the instance was made
  }

  override assertValidity(): void {
    // checked in fromBytes before the instance was made
  }

  static override fromBytes(bytes: Uint8Array, zip215 = false): EdwardsPoint {
    if (zip215) return ed25519.Point.fromBytes(bytes, true);
    const key = bytesToHex(bytes);
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const p = ed25519.Point.fromBytes(bytes); // strict: y < p, canonical sign of x
    if (p.is0()) return p;
    p.assertValidity();
    if (!p.isTorsionFree()) return p;
    const v = new ValidatedEd25519Point(p.X, p.Y, p.Z, p.T);
    remember(key, v);
    return v;
  }
}

function remember(key: string, v: ValidatedEd25519Point): void {
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(key, v);
}

/**
 * INTERNAL (called by `sign/preprocess.ts` only; not exported from the module index): records a nonce
 * commitment that noble's `commit` just computed as k·G for this node, so that the online rounds do
 * not pay for the subgroup check of its own points. Such a point is in the prime-order subgroup by
 * construction; it is still decoded strictly and checked on the curve. Never call it with a received
 * point: that would skip the subgroup check for that encoding.
 */
export function rememberOwnEd25519Commitment(bytes: Uint8Array): void {
  const key = bytesToHex(bytes);
  if (cache.has(key)) return;
  const p = ed25519.Point.fromBytes(bytes);
  p.assertValidity();
  if (p.is0()) return;
  remember(key, new ValidatedEd25519Point(p.X, p.Y, p.Z, p.T));
}

/** Empties the validation memo (for benchmarks that model separate nodes in one process). */
export function clearValidatedPointCache(): void {
  cache.clear();
}
