import type { FrostPublic, FrostSecret, Key } from '@noble/curves/abstract/frost.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { InternalError, InvalidInputError, ProtocolAbortError, type PartyId } from '../../errors';
import { Transcript } from '../../transcript';
import { intake } from '../common';
import { nobleId, type KeyShare, type PublicKeyPackage } from '../key-share';
import type { DkgRound1Message, DkgRound2Message, Incoming } from '../messages';
import { consumeState, type DkgRound2State } from '../state';
import { getSuite, taggedHash, type FrostSuite } from '../suite';
import { toNobleRound1 } from './round-2';

const ROUND = 'frost-dkg/round-3';

/**
 * The chain code of a DKG key: 32 bytes that every party derives from the whole round-1 transcript,
 * `Transcript("custody-frost/dkg/chain-code/v1").suite.sessionId.partyIds.threshold.commitments…
 * .challengeBytes("chain-code", 32)`. Parties that saw different round-1 broadcasts get different chain
 * codes (and group keys), which the node's echo check of the result catches.
 */
export function dkgChainCode(
  suite: FrostSuite,
  sessionId: Uint8Array,
  partyIds: readonly PartyId[],
  threshold: number,
  round1: readonly { readonly from: PartyId; readonly message: DkgRound1Message }[],
): Uint8Array {
  const t = new Transcript('custody-frost/dkg/chain-code/v1')
    .appendBytes('suite', utf8ToBytes(suite.contextString))
    .appendBytes('session-id', sessionId)
    .appendPartyIds('party-ids', partyIds)
    .appendNumber('threshold', threshold);
  for (const { from, message } of round1) {
    t.appendNumber('from', from);
    message.commitment.forEach((c, i) => t.appendBytes(`commitment[${i}]`, c));
  }
  return t.challengeBytes('chain-code', 32);
}

/**
 * noble's `schnorr_FROST` DKG returns keys already tweaked with the empty Taproot merkle root (for
 * frost-secp256k1-tr compatibility). We keep the INTERNAL key P (made even-y) so that derivation and an
 * explicit BIP341 tweak (with or without a script tree) can be applied on top: subtract
 * t = TapTweak(x(P)) again, and check the result is the even-y form of Σ C_{j,0}.
 */
function untweakTaproot(suite: FrostSuite, key: Key, sumC0: Uint8Array): Key {
  const x = sumC0.slice(1);
  const t = suite.Fn.fromBytes(taggedHash('TapTweak', x, new Uint8Array(0)));
  const minusT = suite.pointNegate(suite.mulBase(t));
  const commitments = key.public.commitments.map((c, i) => (i === 0 ? suite.pointAdd(c, minusT) : Uint8Array.from(c)));
  const expected = suite.hasEvenY(sumC0) ? sumC0 : suite.pointNegate(sumC0);
  if (!suite.pointEquals(commitments[0], expected)) throw new InternalError('noble Taproot DKG output is not the expected tweak of the internal key');
  const verifyingShares: Record<string, Uint8Array> = {};
  for (const [id, y] of Object.entries(key.public.verifyingShares)) verifyingShares[id] = suite.pointAdd(y, minusT);
  const signingShare = suite.Fn.toBytes(suite.Fn.sub(suite.Fn.fromBytes(key.secret.signingShare), t));
  return {
    public: { signers: key.public.signers, commitments, verifyingShares } as FrostPublic,
    secret: { identifier: key.secret.identifier, signingShare } as FrostSecret,
  };
}

/**
 * DKG round 3 (local). Checks every received share against its sender's commitment (naming each sender
 * whose share fails), then lets noble combine the key package. Returns this party's key share.
 */
export function dkgRound3(state: DkgRound2State, inbox: readonly Incoming<DkgRound2Message>[]): { keyShare: KeyShare; outgoing: [] } {
  if (typeof state !== 'object' || state === null || state.step !== 'dkg/after-round-2') throw new InvalidInputError('state', 'expected the state after DKG round 2');
  consumeState(state);
  try {
    return round3(state, inbox);
  } catch (error) {
    getSuite(state.suite).frost.DKG.clean(state.nobleSecret); // best effort, see round 2
    throw error;
  }
}

function round3(state: DkgRound2State, inbox: readonly Incoming<DkgRound2Message>[]): { keyShare: KeyShare; outgoing: [] } {
  const suite = getSuite(state.suite);
  const others = state.partyIds.filter((p) => p !== state.me);
  const got = intake<DkgRound2Message>(ROUND, suite, state.sessionId, others, 'dkg/round-2', inbox, (m) => {
    suite.parseScalar(m.signingShare, 'signingShare');
  });
  const round1 = new Map(state.round1.map((r) => [r.from, r.message]));
  const myId = nobleId(suite, state.me);
  const signers = { min: state.threshold, max: state.partyIds.length };
  // Feldman check of each share, per sender (RFC 9591 App. C.2 vss_verify, through noble).
  const badShares = others.filter((p) => {
    try {
      suite.frost.validateSecret(
        { identifier: myId, signingShare: Uint8Array.from(got.get(p)!.signingShare) },
        { signers, commitments: round1.get(p)!.commitment.map((c) => Uint8Array.from(c)), verifyingShares: {} },
      );
      return false;
    } catch {
      return true;
    }
  });
  if (badShares.length > 0) throw new ProtocolAbortError(ROUND, badShares, 'vss-share', 'share does not match the sender\'s commitment');
  const r1 = others.map((p) => toNobleRound1(suite, p, round1.get(p)!));
  const r2 = others.map((p) => ({ identifier: nobleId(suite, p), signingShare: Uint8Array.from(got.get(p)!.signingShare) }));
  let key: Key;
  try {
    key = suite.frost.DKG.round3(state.nobleSecret, r1, r2);
  } catch (error) {
    throw new InternalError(`noble DKG round 3 failed after every share was checked: ${error instanceof Error ? error.message : 'unknown'}`);
  }
  if (suite.name === 'bip340') {
    let sumC0 = round1.get(state.partyIds[0])!.commitment[0];
    for (const p of state.partyIds.slice(1)) sumC0 = suite.pointAdd(sumC0, round1.get(p)!.commitment[0]);
    key = untweakTaproot(suite, key, sumC0);
  }
  const publicPackage: PublicKeyPackage = {
    suite: suite.name,
    threshold: state.threshold,
    partyIds: state.partyIds,
    groupCommitment: key.public.commitments.map((c) => Uint8Array.from(c)),
    verifyingShares: state.partyIds.map((p) => {
      const y = key.public.verifyingShares[nobleId(suite, p)];
      if (!y) throw new InternalError('noble DKG returned no verifying share for a party');
      return Uint8Array.from(y);
    }),
    chainCode: dkgChainCode(suite, state.sessionId, state.partyIds, state.threshold, state.round1),
  };
  const keyShare: KeyShare = { publicPackage, partyId: state.me, signingShare: Uint8Array.from(key.secret.signingShare) };
  return { keyShare, outgoing: [] };
}
