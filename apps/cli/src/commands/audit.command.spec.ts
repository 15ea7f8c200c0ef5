import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { secp256k1, schnorr } from '@noble/curves/secp256k1.js';
import { encodeRecord, formatExport } from '@custody/audit-core';
import { cosigner, ed25519NoteSigner, formatCheckpoint, formatVerifierKey, hashLeaf, memoryAccessor, rootHash, signNote } from '@custody/transparency-log';
import { CliUsageError } from '../cli-error';
import { independentVerifier, runAuditVerify } from './audit.command';

const ORIGIN = 'custody.test/audit';
const dir = mkdtempSync(join(tmpdir(), 'audit-cli-'));

describe('custody audit verify', () => {
  const logSeed = randomBytes(32);
  const w = cosigner('w1.custody.test', randomBytes(32));
  const records = [0, 1, 2].map((i) => encodeRecord({ version: 1, type: 'api-request', occurredAt: i, actor: 'c', requestId: null, wallet: null, body: { n: i } }));
  const text = formatCheckpoint({ origin: ORIGIN, size: 3, rootHash: rootHash(memoryAccessor(records.map(hashLeaf)), 3) });
  const note = signNote(text, [ed25519NoteSigner(ORIGIN, logSeed)]) + w.cosign(text, 5n);
  const file = join(dir, 'export.jsonl');
  writeFileSync(file, formatExport({ origin: ORIGIN, size: 3, checkpoint: note, records }));
  const logKey = formatVerifierKey(ORIGIN, 0x01, ed25519.getPublicKey(logSeed));
  const witnessKey = formatVerifierKey('w1.custody.test', 0x04, w.publicKey);

  it('prints a summary and passes an honest export', () => {
    const { report, lines } = runAuditVerify({ file, logKey, witnessKeys: [witnessKey], approverKeys: [] });
    expect(report.ok).toBe(true);
    expect(lines[0]).toBe(`log ${ORIGIN}: 3 records`);
    expect(lines.at(-1)).toBe('OK');
  });

  it('names the first failure', () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, formatExport({ origin: ORIGIN, size: 3, checkpoint: note, records: [records[0]!, records[2]!, records[1]!] }));
    const { report, lines } = runAuditVerify({ file: bad, logKey, witnessKeys: [witnessKey], approverKeys: [] });
    expect(report.ok).toBe(false);
    expect(lines.at(-1)).toMatch(/^FAILED: tree: /);
  });

  it('refuses bad keys and files as usage errors naming the option', () => {
    expect(() => runAuditVerify({ file, logKey: 'nonsense', witnessKeys: [], approverKeys: [] })).toThrow(/--log-key/);
    expect(() => runAuditVerify({ file, logKey: witnessKey, witnessKeys: [], approverKeys: [] })).toThrow(CliUsageError);
    expect(() => runAuditVerify({ file, logKey, witnessKeys: [logKey], approverKeys: [] })).toThrow(/--witness-key\[0\]/);
    expect(() => runAuditVerify({ file: join(dir, 'missing'), logKey, witnessKeys: [], approverKeys: [] })).toThrow(/FILE: cannot read/);
    expect(() => runAuditVerify({ file, logKey, witnessKeys: [], approverKeys: ['alice'], engineKey: '00' })).toThrow(CliUsageError);
  });

  it('verifies final signatures independently for every scheme', () => {
    const msg = randomBytes(32);
    const edSeed = randomBytes(32);
    expect(independentVerifier('eddsa', ed25519.sign(msg, edSeed), msg, ed25519.getPublicKey(edSeed))).toBe(true);
    expect(independentVerifier('eddsa', ed25519.sign(msg, edSeed), randomBytes(32), ed25519.getPublicKey(edSeed))).toBe(false);
    const k = secp256k1.utils.randomSecretKey();
    const sig = secp256k1.sign(msg, k, { prehash: false });
    expect(independentVerifier('ecdsa', sig, msg, secp256k1.getPublicKey(k))).toBe(true);
    expect(independentVerifier('ecdsa', sig, randomBytes(32), secp256k1.getPublicKey(k))).toBe(false);
    const s = schnorr.utils.randomSecretKey();
    expect(independentVerifier('schnorr', schnorr.sign(msg, s), msg, schnorr.getPublicKey(s))).toBe(true);
    expect(independentVerifier('schnorr', new Uint8Array(64), msg, schnorr.getPublicKey(s))).toBe(false);
  });
});
