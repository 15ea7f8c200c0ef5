/**
 * The console's page-at-once audit check (apps/console/src/audit/verify.ts, bundled into the page) in Node:
 * the same library code the browser runs; the browser itself is test/e2e/console/console-audit.e2e-spec.ts.
 */
import { randomBytes } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { cosigner, ed25519NoteSigner, encodeBase64, formatCheckpoint, formatVerifierKey, hashLeaf, inclusionProof, memoryAccessor, rootFromLeafHashes, signNote } from '@custody/transparency-log';
import { verifyListedRecords, verifyRecordInclusion, verifyRecordsInclusion, type ProvedPageView, type RecordProofView, type TrustedKeys } from '../../apps/console/src/audit/verify';

const ORIGIN = 'custody.test/console-verify';
const logSeed = randomBytes(32);
const witness = cosigner('witness-1.custody.test', randomBytes(32));
const keys: TrustedKeys = { log: formatVerifierKey(ORIGIN, 0x01, ed25519.getPublicKey(logSeed)), witnesses: [formatVerifierKey(witness.name, 0x04, witness.publicKey)] };

/** A log of `count` records and, for the first `size` of them, the views the gateway answers GetAuditRecord with. */
function log(count: number, size = count): RecordProofView[] {
  const records = Array.from({ length: count }, (_, i) => new TextEncoder().encode(JSON.stringify({ record: i })));
  const leaves = records.map(hashLeaf).slice(0, size);
  const text = formatCheckpoint({ origin: ORIGIN, size, rootHash: rootFromLeafHashes(leaves) });
  const note = signNote(text, [ed25519NoteSigner(ORIGIN, logSeed)]) + witness.cosign(text, 1_764_000_000n);
  const nodes = memoryAccessor(leaves);
  return records.slice(0, size).map((bytes, i) => ({
    record: { index: String(i), canonical: encodeBase64(bytes), leafHash: Buffer.from(leaves[i]!).toString('hex') },
    inclusionProof: inclusionProof(nodes, i, size).map(encodeBase64),
    checkpoint: { size: String(size), rootHash: encodeBase64(rootFromLeafHashes(leaves)), note },
  }));
}

describe('a page of audit records verified at once (the console)', () => {
  it('verifies every record as the one-record check does, with the cosigning witness', () => {
    const views = log(37);
    const checks = verifyRecordsInclusion(views, keys);
    expect(checks).toHaveLength(37);
    checks.forEach((c, i) => {
      expect('result' in c && c.result).toEqual(verifyRecordInclusion(views[i]!, keys));
      expect('result' in c && c.result.witnesses).toEqual(['witness-1.custody.test']);
    });
  });

  it('reports a record whose bytes were changed, and still verifies the others', () => {
    const views = log(10);
    const altered = { ...views[4]!, record: { ...views[4]!.record, canonical: encodeBase64(new TextEncoder().encode('{"record":44}')) } };
    const checks = verifyRecordsInclusion([...views.slice(0, 4), altered, ...views.slice(5)], keys);
    expect(checks.filter((c) => 'error' in c)).toEqual([{ index: '4', error: 'the record bytes do not hash to the leaf hash the server gave' }]);
  });

  it('fails every record under a checkpoint the pinned log key did not sign, or one whose size the server misstates', () => {
    const other = { ...keys, log: formatVerifierKey(ORIGIN, 0x01, ed25519.getPublicKey(randomBytes(32))) };
    const refused = verifyRecordsInclusion(log(3), other);
    expect(refused).toHaveLength(3);
    for (const c of refused) expect('error' in c && c.error).toMatch(/no verifiable signatures|not signed by the pinned log key/);
    const views = log(3).map((v) => ({ ...v, checkpoint: { ...v.checkpoint, size: '4' } }));
    expect(verifyRecordsInclusion(views, keys).every((c) => 'error' in c && c.error.includes('the server says size 4'))).toBe(true);
  });

  it('checks records under different checkpoints each against its own', () => {
    const checks = verifyRecordsInclusion([...log(8, 5), ...log(8)], keys);
    expect(checks.map((c) => 'result' in c && c.result.checkpoint.size)).toEqual([5, 5, 5, 5, 5, 8, 8, 8, 8, 8, 8, 8, 8]);
  });

  /** The answer of ListAuditRecords view=full for those views: the records with their proofs, the checkpoint once. */
  const page = (views: readonly RecordProofView[]): ProvedPageView => ({ records: views.map((v) => ({ ...v.record, inclusionProof: v.inclusionProof })), checkpoint: views[0]!.checkpoint });

  it('checks the records listed against one answer with their proofs, as the one-record check does', () => {
    const views = log(100);
    const listed = views.map((v) => v.record);
    const checks = verifyListedRecords(listed, page(views), keys);
    expect(checks).toHaveLength(100);
    checks.forEach((c, i) => expect('result' in c && c.result).toEqual(verifyRecordInclusion(views[i]!, keys)));
  });

  it('fails a listed record the answer leaves out, one whose bytes differ from those listed, and one changed on the server; the others still verify', () => {
    const views = log(12);
    const listed = views.map((v) => v.record);
    const answer = page(views);
    const tamperedBytes = encodeBase64(new TextEncoder().encode('{"record":77}'));
    const records = answer.records.filter((r) => r.index !== '3').map((r) => (r.index === '5' ? { ...r, canonical: tamperedBytes } : r));
    // Record 8 changed in the database after the page listed it, and listed again: same bytes in both, no longer its leaf hash.
    const relisted = listed.map((l) => (l.index === '8' ? { ...l, canonical: tamperedBytes } : l));
    const answered = records.map((r) => (r.index === '8' ? { ...r, canonical: tamperedBytes } : r));
    const checks = verifyListedRecords(relisted, { ...answer, records: answered }, keys);
    expect(checks.filter((c) => 'error' in c)).toEqual([
      { index: '3', error: 'the server did not return this record with its proof' },
      { index: '5', error: 'the record listed is not the record the proof is for' },
      { index: '8', error: 'the record bytes do not hash to the leaf hash the server gave' },
    ]);
    expect(checks.map((c) => c.index)).toEqual(listed.map((l) => l.index));
  });

  it('fails a proof for another index, a proof of a checkpoint not signed by the pinned key, and a record beyond the checkpoint', () => {
    const views = log(9, 8);
    const answer = page(views);
    const swapped = answer.records.map((r) => (r.index === '2' ? { ...r, inclusionProof: answer.records[3]!.inclusionProof } : r));
    const checks = verifyListedRecords(views.map((v) => v.record), { ...answer, records: swapped }, keys);
    expect(checks.filter((c) => 'error' in c).map((c) => c.index)).toEqual(['2']);
    const other = { ...keys, log: formatVerifierKey(ORIGIN, 0x01, ed25519.getPublicKey(randomBytes(32))) };
    expect(verifyListedRecords(views.map((v) => v.record), answer, other).every((c) => 'error' in c)).toBe(true);
    const beyond = { index: '8', canonical: encodeBase64(new TextEncoder().encode(JSON.stringify({ record: 8 }))), leafHash: Buffer.from(hashLeaf(new TextEncoder().encode(JSON.stringify({ record: 8 })))).toString('hex') };
    expect(verifyListedRecords([beyond], { ...answer, records: [{ ...beyond, inclusionProof: [] }] }, keys)).toEqual([{ index: '8', error: 'record 8 is not in the checkpoint (size 8) yet' }]);
  });
});
