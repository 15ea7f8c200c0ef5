import { ed25519 } from '@noble/curves/ed25519.js';
import { NOTE_ENOCH_SIG, NOTE_ENOCH_VKEY, NOTE_PETER_SIG, NOTE_SKEY, NOTE_TEXT, NOTE_VKEY } from '../test/vectors';
import {
  TlogInputError,
  TlogVerificationError,
  ed25519NoteSigner,
  formatSignerKey,
  formatVerifierKey,
  openNote,
  parseNote,
  parseSignerKey,
  parseVerifierKey,
  signNote,
  verifierFromKey,
} from './index';

describe('signed note (golang.org/x/mod/sumdb/note vectors)', () => {
  it('derives the key id and parses the verifier key', () => {
    const k = parseVerifierKey(NOTE_VKEY);
    expect(k.name).toBe('PeterNeumann');
    expect(k.keyId).toBe(0xc74f20a3);
    expect(formatVerifierKey(k.name, k.sigType, k.publicKey)).toBe(NOTE_VKEY);
  });

  it('signs byte for byte as the reference (TestSign)', () => {
    const signer = parseSignerKey(NOTE_SKEY);
    expect(signNote(NOTE_TEXT, [signer])).toBe(`${NOTE_TEXT}\n${NOTE_PETER_SIG}`);
    const seed = new Uint8Array(Buffer.from(NOTE_SKEY.split('+').slice(4).join('+'), 'base64')).slice(1);
    expect(formatSignerKey('PeterNeumann', seed)).toBe(NOTE_SKEY);
    expect(Buffer.from(ed25519.getPublicKey(seed))).toEqual(Buffer.from(parseVerifierKey(NOTE_VKEY).publicKey));
  });

  it('opens notes as the reference (TestOpen)', () => {
    const peter = verifierFromKey(NOTE_VKEY);
    const enoch = verifierFromKey(NOTE_ENOCH_VKEY);
    const msg = `${NOTE_TEXT}\n${NOTE_PETER_SIG}${NOTE_ENOCH_SIG}`;
    const one = openNote(msg, [peter]);
    expect(one.text).toBe(NOTE_TEXT);
    expect(one.verified).toEqual([peter]);
    expect(one.unverified.map((s) => s.name)).toEqual(['EnochRoot']);
    expect(openNote(msg, [peter, enoch]).verified).toEqual([peter, enoch]);
    expect(() => openNote(msg, [])).toThrow(/no verifiable signatures/);
    expect(() => openNote(`${NOTE_TEXT}\n${NOTE_ENOCH_SIG}`, [enoch, peter, enoch])).toThrow(/ambiguous/);
    // A duplicated line counts once; a known key signing twice counts once.
    const dup = openNote(`${NOTE_TEXT}\n${NOTE_PETER_SIG}${NOTE_PETER_SIG}${NOTE_ENOCH_SIG}${NOTE_ENOCH_SIG}`, [peter]);
    expect(dup.verified).toHaveLength(1);
    expect(dup.unverified).toHaveLength(1);
    // An invalid signature from a known key rejects the note.
    const tampered = `${NOTE_TEXT}\n${NOTE_PETER_SIG.slice(0, 60)}ABCD${NOTE_PETER_SIG.slice(60)}`;
    expect(() => openNote(tampered, [peter])).toThrow(TlogVerificationError);
    // A signature of the right key over another text.
    expect(() => openNote(`${NOTE_TEXT}x\n\n${NOTE_PETER_SIG}`, [peter])).toThrow(/invalid signature/);
  });

  it('refuses malformed notes (the reference badMsgs and more)', () => {
    const bad = [
      NOTE_TEXT,
      `${NOTE_TEXT}\n`,
      `${NOTE_TEXT}\n${NOTE_PETER_SIG.slice(0, -1)}`,
      `\x01${NOTE_TEXT}\n${NOTE_PETER_SIG}`,
      `${NOTE_TEXT}\n\u2014 Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=`,
      `${NOTE_TEXT}\n${NOTE_PETER_SIG}Unexpected line.\n`,
      `${NOTE_TEXT}\n${NOTE_PETER_SIG.repeat(101)}`,
      `${NOTE_TEXT}\n- PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`,
      `${NOTE_TEXT}\n\u2014 Peter+Neumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`,
      `${NOTE_TEXT}\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM\n`,
      `${NOTE_TEXT}\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAN=\n`,
      `${NOTE_TEXT}\n\u2014 PeterNeumann AAAA\n`,
      `${NOTE_TEXT}\r\n${NOTE_PETER_SIG}`,
    ];
    for (const msg of bad) expect(() => parseNote(msg)).toThrow(TlogInputError);
    expect(() => parseNote(Uint8Array.of(0xff, 0x0a, 0x0a))).toThrow(/UTF-8/);
    expect(() => parseNote('a\n\n\u2014 \ud800 AAAAAAAA\n')).toThrow(TlogInputError);
  });

  it('refuses mangled verifier keys (TestNewVerifier)', () => {
    const b = NOTE_VKEY;
    for (let i = 0; i < b.length; i++) {
      for (let j = i + 1; j <= b.length; j++) {
        if (i === 0 && j === b.length) continue;
        expect(() => parseVerifierKey(b.slice(i, j))).toThrow(TlogInputError);
      }
      const mangled = b.slice(0, i) + String.fromCharCode(b.charCodeAt(i) + 1) + b.slice(i + 1);
      expect(() => parseVerifierKey(mangled)).toThrow(TlogInputError);
    }
    expect(() => parseVerifierKey('PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==')).toThrow(TlogInputError);
    expect(() => parseVerifierKey('PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW')).toThrow(TlogInputError);
  });

  it('round-trips fresh keys', () => {
    const seed = new Uint8Array(32).fill(9);
    const s = ed25519NoteSigner('example.com/log', seed);
    const v = verifierFromKey(formatVerifierKey('example.com/log', 0x01, ed25519.getPublicKey(seed)));
    expect(openNote(signNote('hello\n', [s]), [v]).verified).toEqual([v]);
  });
});
