/**
 * Costs of the signer's security building blocks, per operation on one core:
 * sealing and opening a peer envelope (point-to-point: X25519 + HKDF + AES-256-GCM + Ed25519; broadcast:
 * Ed25519 only), checking a sign grant (1 engine + 2 approval Ed25519 verifications), and sealing and
 * opening a key share (two AES-256-GCM operations).
 *
 *   npm run build && node dist/bench/signer-security.bench.js
 *
 * Prints the median and p99 of individual timings (process.hrtime) after a warm-up. TEST-ONLY keys.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { identityFromSeed, openEnvelope, PeerDirectory, sealEnvelope, sessionIdHex, type LocalPeer } from '../libs/peer-auth/src';
import { KeyEncryptionKey, openShare, sealShare } from '../libs/key-vault/src';
import { approveRequest, checkGrant, signGrant, signingInput, type SignRequest } from '../libs/sign-grant/src';
import { ed25519 } from '@noble/curves/ed25519.js';

const seed = (label: string) => sha256(utf8ToBytes(`TEST-ONLY bench ${label}`));

function measure(name: string, iterations: number, op: () => unknown): void {
  for (let i = 0; i < Math.min(50, iterations); i++) op();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    op();
    samples.push(Number(process.hrtime.bigint() - t0) / 1e3);
  }
  samples.sort((a, b) => a - b);
  const p = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
  console.log(`${name.padEnd(44)} p50 ${p(0.5).toFixed(0).padStart(6)} µs   p99 ${p(0.99).toFixed(0).padStart(6)} µs   (${iterations} runs)`);
}

const peers: LocalPeer[] = [1, 2, 3].map((id) => ({ id, identity: identityFromSeed(seed(`signer ${id}`)) }));
const directory = PeerDirectory.fromConfig(
  JSON.stringify(peers.map((p) => ({ id: p.id, publicKey: Buffer.from(p.identity.publicKey).toString('hex'), address: `127.0.0.1:${50060 + p.id}` }))),
);
const sessionId = seed('session');
const expectedSessionIds = new Set([sessionIdHex(sessionId)]);
const small = new Uint8Array(1024).fill(1);
const large = new Uint8Array(256 * 1024).fill(2);

for (const [label, payload] of [['1 KiB', small], ['256 KiB', large]] as const) {
  const runs = payload === small ? 500 : 50;
  const p2p = sealEnvelope({ from: peers[0]!, to: directory.require(2), sessionId, round: 'bench/round-1', payload });
  const bc = sealEnvelope({ from: peers[0]!, to: 'broadcast', sessionId, round: 'bench/round-1', payload });
  measure(`seal point-to-point envelope, ${label}`, runs, () =>
    sealEnvelope({ from: peers[0]!, to: directory.require(2), sessionId, round: 'bench/round-1', payload }),
  );
  measure(`open point-to-point envelope, ${label}`, runs, () => openEnvelope(p2p, { self: peers[1]!, directory, expectedSessionIds }));
  measure(`seal broadcast envelope, ${label}`, runs, () => sealEnvelope({ from: peers[0]!, to: 'broadcast', sessionId, round: 'bench/round-1', payload }));
  measure(`open broadcast envelope, ${label}`, runs, () => openEnvelope(bc, { self: peers[1]!, directory, expectedSessionIds }));
}

const request: SignRequest = {
  requestId: 'bench-1',
  keyId: 'key-1',
  scheme: 'ecdsa',
  derivationPath: [0, 1],
  payload: { kind: 'message', hash: 'keccak256', message: utf8ToBytes('TEST-ONLY bench transfer') },
};
const approvers = new Map([
  ['a', ed25519.getPublicKey(seed('approver a'))],
  ['b', ed25519.getPublicKey(seed('approver b'))],
]);
const grant = signGrant(
  {
    version: 1,
    request,
    policyVersion: 'p1',
    approvals: [
      { approverId: 'a', signature: approveRequest(request, seed('approver a')) },
      { approverId: 'b', signature: approveRequest(request, seed('approver b')) },
    ],
    requiredApprovals: 2,
    issuedAt: 1_000_000,
    expiresAt: 1_060_000,
  },
  seed('engine'),
);
const enginePublicKey = ed25519.getPublicKey(seed('engine'));
const requestedSigningInput = signingInput(request.payload, 'ecdsa');
measure('checkGrant (engine + 2 approvals)', 300, () =>
  checkGrant(grant, { enginePublicKey, approverKeys: approvers, now: 1_000_500, requestedSigningInput }),
);

const kek = KeyEncryptionKey.fromBytes(seed('kek'));
const share = new Uint8Array(8 * 1024).fill(3);
const ctx = { keyId: 'key-1', signerId: 1, scheme: 'ecdsa' } as const;
const sealed = sealShare(kek, share, ctx);
measure('sealShare, 8 KiB', 1000, () => sealShare(kek, share, ctx));
measure('openShare, 8 KiB', 1000, () => openShare(kek, sealed, ctx));
