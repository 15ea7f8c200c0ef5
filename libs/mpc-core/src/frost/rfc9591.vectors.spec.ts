import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PartyId } from '../errors';
import type { Rng } from '../rng';
import { validateKeyShare, type KeyShare } from './key-share';
import type { PublishedCommitment } from './messages';
import { preprocess } from './sign/preprocess';
import { runSign } from './simulation';
import { InMemoryNonceStore } from './state';
import { ed25519Suite, secp256k1Suite, type FrostSuite } from './suite';
import { fromHexString, nodeVerifyEd25519, toHexString } from './test/helpers';

interface Vectors {
  config: { MIN_PARTICIPANTS: string; MAX_PARTICIPANTS: string };
  inputs: {
    participant_list: number[];
    verifying_key_key: string;
    message: string;
    share_polynomial_coefficients: string[];
    participant_shares: { identifier: number; participant_share: string }[];
  };
  round_one_outputs: {
    outputs: {
      identifier: number;
      hiding_nonce_randomness: string;
      binding_nonce_randomness: string;
      hiding_nonce_commitment: string;
      binding_nonce_commitment: string;
    }[];
  };
  round_two_outputs: { outputs: { identifier: number; sig_share: string }[] };
  final_output: { sig: string };
}

const load = (file: string) => JSON.parse(readFileSync(join(__dirname, '../../test/vectors', file), 'utf8')) as Vectors;

/** An RNG that returns the given byte strings in order (the vectors' nonce randomness). */
function scriptedRng(chunks: Uint8Array[]): Rng {
  const queue = [...chunks];
  return (n: number) => {
    const next = queue.shift();
    if (!next || next.length !== n) throw new Error('scripted rng exhausted or wrong length');
    return next;
  };
}

function dealerKeyShares(suite: FrostSuite, v: Vectors): KeyShare[] {
  const ids = v.inputs.participant_shares.map((s) => s.identifier);
  const groupCommitment = [fromHexString(v.inputs.verifying_key_key), ...v.inputs.share_polynomial_coefficients.map((c) => suite.mulBase(suite.parseScalar(fromHexString(c), 'coefficient')))];
  const verifyingShares = v.inputs.participant_shares.map((s) => suite.mulBase(suite.parseScalar(fromHexString(s.participant_share), 'share')));
  const publicPackage = { suite: suite.name, threshold: Number(v.config.MIN_PARTICIPANTS), partyIds: ids, groupCommitment, verifyingShares, chainCode: new Uint8Array(32) };
  return v.inputs.participant_shares.map((s) => validateKeyShare({ publicPackage, partyId: s.identifier, signingShare: fromHexString(s.participant_share) }));
}

describe.each([
  ['FROST(Ed25519, SHA-512)', 'rfc9591-frost-ed25519-sha512.json', ed25519Suite],
  ['FROST(secp256k1, SHA-256)', 'rfc9591-frost-secp256k1-sha256.json', secp256k1Suite],
])('RFC 9591 vectors through our rounds: %s', (_name, file, suite) => {
  const v = load(file);
  const shares = dealerKeyShares(suite, v);
  const signers = v.inputs.participant_list;
  const signerShares = shares.filter((s) => signers.includes(s.partyId));
  const message = fromHexString(v.inputs.message);

  it('preprocessing reproduces the round-one commitments', () => {
    for (const out of v.round_one_outputs.outputs) {
      const share = shares.find((s) => s.partyId === out.identifier)!;
      const [c] = preprocess(share, 1, new InMemoryNonceStore(), scriptedRng([fromHexString(out.hiding_nonce_randomness), fromHexString(out.binding_nonce_randomness)]));
      expect(toHexString(c!.hiding)).toBe(out.hiding_nonce_commitment);
      expect(toHexString(c!.binding)).toBe(out.binding_nonce_commitment);
    }
  });

  it('signing rounds reproduce the signature shares and the signature', () => {
    const stores = new Map<PartyId, InMemoryNonceStore>();
    const commitments = new Map<PartyId, PublishedCommitment>();
    for (const out of v.round_one_outputs.outputs) {
      const store = new InMemoryNonceStore();
      const share = shares.find((s) => s.partyId === out.identifier)!;
      const [c] = preprocess(share, 1, store, scriptedRng([fromHexString(out.hiding_nonce_randomness), fromHexString(out.binding_nonce_randomness)]));
      stores.set(out.identifier, store);
      commitments.set(out.identifier, c!);
    }
    const seenShares = new Map<PartyId, string>();
    const result = runSign({
      keyShares: signerShares,
      message,
      sessionId: new Uint8Array(32).fill(1),
      rng: scriptedRng([]),
      stores,
      commitments,
      tamper: (from, _to, m) => {
        if (m.kind === 'sign/round-2') seenShares.set(from, toHexString(m.signatureShare));
        return m;
      },
    });
    for (const out of v.round_two_outputs.outputs) expect(seenShares.get(out.identifier)).toBe(out.sig_share);
    expect(toHexString(result.signature)).toBe(v.final_output.sig);
    expect(toHexString(result.publicKey)).toBe(v.inputs.verifying_key_key);
    if (suite.name === 'ed25519') expect(nodeVerifyEd25519(result.signature, message, result.publicKey)).toBe(true);
    // every nonce was consumed
    for (const s of stores.values()) expect(s.size).toBe(0);
  });
});
