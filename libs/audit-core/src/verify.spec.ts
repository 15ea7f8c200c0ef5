import { randomBytes } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import {
  cosignatureVerifier,
  cosigner,
  ed25519NoteSigner,
  ed25519NoteVerifier,
  formatCheckpoint,
  hashLeaf,
  memoryAccessor,
  rootHash,
  signNote,
} from '@custody/transparency-log';
import { approveRequest, signGrant, signingInput, type SignGrant, type SignRequest } from '@custody/sign-grant';
import { encodeRecord, formatExport, grantRecord, verifyExport, type AuditRecord, type ChainKeys, type VerifyExportOptions } from './index';

const ORIGIN = 'custody.test/audit';
const logSeed = randomBytes(32);
const logVerifier = ed25519NoteVerifier(ORIGIN, ed25519.getPublicKey(logSeed));
const w = cosigner('signer-1.custody.test', randomBytes(32));
const witnessVerifier = cosignatureVerifier('signer-1.custody.test', w.publicKey);
const engineSeed = randomBytes(32);
const approvers = ['alice', 'bob', 'carol'].map((id) => ({ id, seed: randomBytes(32) }));
const approverKeys = new Map(approvers.map((a) => [a.id, ed25519.getPublicKey(a.seed)]));
const walletSeed = randomBytes(32); // stands in for the threshold key: its signatures are plain Ed25519

const chain: ChainKeys = {
  enginePublicKey: ed25519.getPublicKey(engineSeed),
  approverKeys,
  verifyEd25519: (s, m, p) => ed25519.verify(s, m, p),
  verifySignature: (scheme, s, m, p) => scheme === 'eddsa' && ed25519.verify(s, m, p),
};

function record(type: AuditRecord['type'], requestId: string | null, body: AuditRecord['body'], at = 1_767_225_600_000): AuditRecord {
  return { version: 1, type, occurredAt: at, actor: 'client-1', requestId, wallet: null, body };
}

function signedRequest(requestId: string, approvals = ['alice', 'bob'], required = 2): { grant: SignGrant; session: AuditRecord } {
  const request: SignRequest = { requestId, keyId: 'key-ed-1', scheme: 'eddsa', derivationPath: [], payload: { kind: 'message', message: new TextEncoder().encode(`withdraw ${requestId}`), hash: 'none' } };
  const grant = signGrant(
    {
      version: 1,
      request,
      policyVersion: 'policy-1',
      approvals: approvals.map((id) => ({ approverId: id, signature: approveRequest(request, approvers.find((a) => a.id === id)?.seed ?? randomBytes(32)) })),
      requiredApprovals: required,
      issuedAt: 1_767_225_600_000,
      expiresAt: 1_767_225_660_000,
    },
    engineSeed,
  );
  const sig = ed25519.sign(signingInput(request.payload, 'eddsa'), walletSeed);
  const session = record('signing-session', requestId, {
    outcome: 'signed',
    scheme: 'eddsa',
    keyId: 'key-ed-1',
    participants: [1, 2],
    signature: bytesToHex(sig),
    publicKey: bytesToHex(ed25519.getPublicKey(walletSeed)),
  });
  return { grant, session };
}

function build(records: readonly AuditRecord[], size = records.length): { text: string; note: string; bytes: Uint8Array[] } {
  const bytes = records.map(encodeRecord);
  const leaves = bytes.slice(0, size).map(hashLeaf);
  const cpText = formatCheckpoint({ origin: ORIGIN, size, rootHash: rootHash(memoryAccessor(leaves), size) });
  const note = signNote(cpText, [ed25519NoteSigner(ORIGIN, logSeed)]) + w.cosign(cpText, 1_767_225_700n);
  return { text: formatExport({ origin: ORIGIN, size, checkpoint: note, records: bytes }), note, bytes };
}

const opts = (extra: Partial<VerifyExportOptions> = {}): VerifyExportOptions => ({ logVerifier, witnessVerifiers: [witnessVerifier], chain, ...extra });

const a = signedRequest('wd-1');
const b = signedRequest('wd-2');
const base: AuditRecord[] = [
  record('api-request', 'wd-1', { method: 'POST', signatureBase: 'x', signature: 'sig1' }),
  grantRecord(a.grant),
  a.session,
  record('api-request', 'wd-2', { method: 'POST', signatureBase: 'y', signature: 'sig2' }),
  grantRecord(b.grant),
  b.session,
];

describe('verifyExport', () => {
  it('accepts an honest export and reports what it checked', () => {
    const { text } = build(base);
    const r = verifyExport(text, opts());
    expect(r.failure).toBeNull();
    expect(r.size).toBe(6);
    expect(r.witnessesCosigned).toEqual(['signer-1.custody.test']);
    expect(r.chains.map((c) => c.checked)).toEqual([
      ['grant', 'engine-signature', 'approvals', 'signature'],
      ['grant', 'engine-signature', 'approvals', 'signature'],
    ]);
  });

  it('detects a changed, removed, reordered or inserted record', () => {
    const { note, bytes } = build(base);
    const redo = (recs: Uint8Array[], size = recs.length) => formatExport({ origin: ORIGIN, size, checkpoint: note, records: recs });
    const changed = [...bytes];
    changed[3] = encodeRecord(record('api-request', 'wd-2', { method: 'POST', signatureBase: 'y', signature: 'sig3' }));
    expect(verifyExport(redo(changed), opts()).failure).toMatch(/tree: the root recomputed/);
    const removed = bytes.filter((_, i) => i !== 3);
    expect(verifyExport(redo(removed, 6), opts()).failure).toMatch(/records: the export holds 5/);
    expect(verifyExport(redo(removed), opts()).failure).toMatch(/size 6 differs/);
    const reordered = [bytes[0]!, bytes[1]!, bytes[2]!, bytes[4]!, bytes[3]!, bytes[5]!];
    expect(verifyExport(redo(reordered), opts()).failure).toMatch(/tree: the root recomputed/);
    const inserted = [...bytes.slice(0, 2), encodeRecord(record('api-request', null, {})), ...bytes.slice(2, 5)];
    expect(verifyExport(redo(inserted), opts()).failure).toMatch(/tree: the root recomputed/);
  });

  it('checks the previous checkpoint for consistency and refuses a fork', () => {
    const prev = build(base.slice(0, 4));
    expect(verifyExport(build(base).text, opts({ previous: prev.note })).previousSize).toBe(4);
    const forked = build([...base.slice(0, 3), record('api-request', 'x', {})]);
    expect(verifyExport(build(base).text, opts({ previous: forked.note })).failure).toMatch(/consistency with the previous checkpoint/);
    const bigger = build([...base, record('api-request', 'x', {})]);
    expect(verifyExport(build(base).text, opts({ previous: bigger.note })).failure).toMatch(/the log shrank/);
  });

  it('checks the log signature and the witness quorum', () => {
    const { text } = build(base);
    const otherLog = ed25519NoteVerifier(ORIGIN, ed25519.getPublicKey(randomBytes(32)));
    expect(verifyExport(text, opts({ logVerifier: otherLog })).failure).toMatch(/checkpoint/);
    const otherWitness = cosignatureVerifier('signer-2.custody.test', ed25519.getPublicKey(randomBytes(32)));
    expect(verifyExport(text, opts({ witnessVerifiers: [witnessVerifier, otherWitness] })).failure).toMatch(/witnesses: 1 of the required 2/);
  });

  it('reports gaps in a signed request chain', () => {
    const noGrant = build([base[0]!, a.session]);
    expect(verifyExport(noGrant.text, opts()).failure).toMatch(/has no sign-grant record before it/);
    const short = signedRequest('wd-3', ['alice'], 2);
    expect(verifyExport(build([grantRecord(short.grant), short.session]).text, opts()).failure).toMatch(/insufficient-approvals/);
    const unknown = signedRequest('wd-4', ['alice', 'mallory'], 2);
    expect(verifyExport(build([grantRecord(unknown.grant), unknown.session]).text, opts()).failure).toMatch(/unknown-approver/);
    const forgedSig = { ...a.session, body: { ...a.session.body, signature: bytesToHex(ed25519.sign(new Uint8Array(1), walletSeed)) } };
    expect(verifyExport(build([grantRecord(a.grant), forgedSig]).text, opts()).failure).toMatch(/does not verify over the granted payload/);
    const otherEngine = { ...chain, enginePublicKey: ed25519.getPublicKey(randomBytes(32)) };
    expect(verifyExport(build(base).text, opts({ chain: otherEngine })).failure).toMatch(/bad-engine-signature/);
  });

  it('refuses malformed exports and records with a clear message', () => {
    expect(verifyExport('', opts()).failure).toMatch(/^export/);
    expect(verifyExport('{"format":"other"}\n', opts()).failure).toMatch(/export.header.format/);
    const { text } = build(base);
    expect(verifyExport(text.replace('"index":2', '"index":7'), opts()).failure).toMatch(/index/);
    expect(() => encodeRecord({ ...base[0]!, body: { privateKey: 'x' } })).toThrow(/secret/);
    expect(() => encodeRecord({ ...base[0]!, body: { amount: 1.5 } })).toThrow(/safe integers/);
  });
});
