import {
  TlogInputError,
  TlogVerificationError,
  cosignatureMessage,
  cosignatureTimestamp,
  cosignatureVerifier,
  cosigner,
  ed25519NoteSigner,
  ed25519NoteVerifier,
  formatCheckpoint,
  formatTlogProof,
  hashLeaf,
  inclusionProof,
  memoryAccessor,
  openNote,
  parseCheckpoint,
  parseNote,
  parseTlogProof,
  rootHash,
  signNote,
  verifyTlogProof,
} from './index';
import { ed25519 } from '@noble/curves/ed25519.js';

// The examples of C2SP tlog-checkpoint.md, tlog-cosignature.md and tlog-proof.md (C2SP/C2SP, commits
// 2793893976c835db049c194d8f2c4f946dcb70ba, 01194db11950a0ae2b2b2401afa0a4063a822458, 0065ea5b716154a2dd48508e3f905012a16ce5e9).
const SPEC_CHECKPOINT_TEXT = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
const SPEC_COSIGNED =
  SPEC_CHECKPOINT_TEXT +
  '\n' +
  '\u2014 example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n' +
  '\u2014 witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n';
const SPEC_COSIGNED_MESSAGE = 'cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
const SPEC_PROOF_HEAD =
  'c2sp.org/tlog-proof@v1\n' +
  'extra YWdlLXYxLjIuMS1kYXJ3aW4tYXJtNjQudGFyLmd6kYXJ3aW4tYXJ\n' +
  'index 73894\n' +
  'gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=\n' +
  'B95lDa8R83lS8n0eG+o0buTxRKQTYFi//1U8anccXmA=\n' +
  'EKNzoDWG8LGC0Yp9o+sv3qllpMP9uHQ9B20KNL+Q1zs=\n' +
  'RoopEkOdqkYqMB4MJXrbt/hMjOxsVn0IrWjpz1ZMMes=\n' +
  'AHCioX9nLjsrse6YhjRRmk1WUEirVOLLRoOQ6vfO5vk=\n';

describe('C2SP formats', () => {
  it('parses and re-encodes the spec checkpoint byte for byte', () => {
    const cp = parseCheckpoint(SPEC_CHECKPOINT_TEXT);
    expect(cp.origin).toBe('example.com/behind-the-sofa');
    expect(cp.size).toBe(20852163);
    expect(formatCheckpoint(cp)).toBe(SPEC_CHECKPOINT_TEXT);
    const note = parseNote(SPEC_COSIGNED);
    expect(note.text).toBe(SPEC_CHECKPOINT_TEXT);
    expect(note.signatures.map((s) => s.name)).toEqual(['example.com/behind-the-sofa', 'witness.example.com/w1']);
  });

  it('reads the spec cosignature timestamp and builds the spec signed message', () => {
    const w = parseNote(SPEC_COSIGNED).signatures[1]!;
    expect(w.keyId).toBe(0x8d66cf3f);
    expect(cosignatureTimestamp(w.signature)).toBe(1679315147n);
    expect(Buffer.from(cosignatureMessage(SPEC_CHECKPOINT_TEXT, 1679315147n)).toString()).toBe(SPEC_COSIGNED_MESSAGE);
  });

  it('refuses malformed checkpoints', () => {
    const bad = [
      'origin\n01\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n',
      'origin\n-1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n',
      'origin\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n',
      'origin\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n',
      'origin\n1\nAAAA\n',
      'origin\n1\n',
      '\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n',
      'origin\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n',
      'origin\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=',
      'origin\n99999999999999999\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n',
    ];
    for (const t of bad) expect(() => parseCheckpoint(t)).toThrow(TlogInputError);
  });

  it('cosigns and verifies cosignature/v1, and refuses another checkpoint or time', () => {
    const seed = new Uint8Array(32).fill(3);
    const w = cosigner('witness.example/1', seed);
    const line = w.cosign(SPEC_CHECKPOINT_TEXT, 1700000000n);
    const logSigner = ed25519NoteSigner('example.com/behind-the-sofa', new Uint8Array(32).fill(4));
    const logVerifier = ed25519NoteVerifier('example.com/behind-the-sofa', ed25519.getPublicKey(new Uint8Array(32).fill(4)));
    const note = signNote(SPEC_CHECKPOINT_TEXT, [logSigner]) + line;
    const wv = cosignatureVerifier('witness.example/1', w.publicKey);
    expect(openNote(note, [logVerifier, wv]).verified).toEqual([logVerifier, wv]);
    // The same signature bytes on another checkpoint fail.
    const other = 'example.com/behind-the-sofa\n20852164\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
    expect(() => openNote(`${other}\n${line}`, [wv])).toThrow(TlogVerificationError);
    // A changed timestamp fails.
    const sig = parseNote(note).signatures[1]!;
    const raw = Buffer.from(sig.base64, 'base64');
    raw[11]! ^= 1;
    expect(() => openNote(`${SPEC_CHECKPOINT_TEXT}\n\u2014 witness.example/1 ${raw.toString('base64')}\n`, [wv])).toThrow(TlogVerificationError);
    // An Ed25519 note verifier with the same key does not accept the cosignature (different key id type byte).
    const plain = ed25519NoteVerifier('witness.example/1', w.publicKey);
    expect(() => openNote(`${SPEC_CHECKPOINT_TEXT}\n${line}`, [plain])).toThrow(/no verifiable/);
  });

  it('parses the spec tlog-proof head and round-trips it', () => {
    // The spec's example signatures are elided ("[...]"): we attach the tlog-checkpoint example instead.
    const bundle = SPEC_PROOF_HEAD + '\n' + SPEC_COSIGNED;
    const p = parseTlogProof(bundle);
    expect(p.index).toBe(73894);
    expect(p.proof).toHaveLength(5);
    expect(Buffer.from(p.extra!).toString('base64')).toBe('YWdlLXYxLjIuMS1kYXJ3aW4tYXJtNjQudGFyLmd6kYXJ3aW4tYXJ');
    expect(formatTlogProof(p)).toBe(bundle);
    expect(() => parseTlogProof('wrong-header\nindex 0\n\n' + SPEC_COSIGNED)).toThrow(TlogInputError);
    expect(() => parseTlogProof('c2sp.org/tlog-proof@v1\nindex -5\n\n' + SPEC_COSIGNED)).toThrow(/index/);
    expect(() => parseTlogProof('c2sp.org/tlog-proof@v1\nindex 0\n!!notbase64!!\n\n' + SPEC_COSIGNED)).toThrow(TlogInputError);
    expect(() => parseTlogProof(`c2sp.org/tlog-proof@v1\nindex 0\n${Buffer.alloc(64).toString('base64')}\n\n` + SPEC_COSIGNED)).toThrow(/32 bytes/);
    expect(() => parseTlogProof('c2sp.org/tlog-proof@v1\n\n\n' + SPEC_COSIGNED)).toThrow(/index/);
  });

  it('verifies a real bundle end to end, with a witness quorum', () => {
    const origin = 'custody.example/audit';
    const logSeed = new Uint8Array(32).fill(5);
    const leaves = Array.from({ length: 13 }, (_, i) => hashLeaf(Uint8Array.of(i)));
    const nodes = memoryAccessor(leaves);
    const text = formatCheckpoint({ origin, size: 13, rootHash: rootHash(nodes, 13) });
    const w1 = cosigner('w1.example', new Uint8Array(32).fill(6));
    const w2 = cosigner('w2.example', new Uint8Array(32).fill(7));
    const note = signNote(text, [ed25519NoteSigner(origin, logSeed)]) + w1.cosign(text, 1n) + w2.cosign(text, 2n);
    const bundle = formatTlogProof({ extra: null, index: 7, proof: inclusionProof(nodes, 7, 13), checkpoint: note });
    const logVerifier = ed25519NoteVerifier(origin, ed25519.getPublicKey(logSeed));
    const witnessVerifiers = [cosignatureVerifier('w1.example', w1.publicKey), cosignatureVerifier('w2.example', w2.publicKey)];
    const ok = verifyTlogProof(bundle, leaves[7]!, { origin, logVerifier, witnessVerifiers, witnessQuorum: 2 });
    expect(ok.witnesses).toHaveLength(2);
    expect(() => verifyTlogProof(bundle, leaves[6]!, { origin, logVerifier })).toThrow(TlogVerificationError);
    expect(() => verifyTlogProof(bundle, leaves[7]!, { origin: 'other', logVerifier })).toThrow(/origin/);
    expect(() => verifyTlogProof(bundle, leaves[7]!, { origin, logVerifier, witnessVerifiers, witnessQuorum: 3 })).toThrow(/cosignatures/);
    // Only witnesses, no log signature: refused.
    expect(() => verifyTlogProof(bundle.replace(/\u2014 custody\.example\/audit [^\n]*\n/, ''), leaves[7]!, { origin, logVerifier, witnessVerifiers })).toThrow(TlogVerificationError);
  });
});
