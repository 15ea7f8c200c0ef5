/**
 * Threshold Schnorr signatures with FROST (RFC 9591) for Ed25519 and BIP340 (Taproot), built on
 * `@noble/curves` 2.4.0: DKG, preprocessing, signing with identifiable abort, refresh, derivation and
 * versioned encodings. See libs/mpc-core/README.md, section "FROST".
 */
export * from './suite';
export * from './messages';
export * from './state';
export * from './key-share';
export * from './encoding';
export * from './derive';
export * from './dkg/round-1';
export * from './dkg/round-2';
export * from './dkg/round-3';
export * from './sign/preprocess';
export * from './sign/round-1';
export * from './sign/round-2';
export * from './sign/round-3';
export * from './refresh/round-1';
export * from './refresh/round-2';
export * from './simulation';
export { clearValidatedPointCache } from './validated-points';
export { hex, fromHex } from './common';
