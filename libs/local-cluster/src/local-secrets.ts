import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bytesToHex } from '@noble/hashes/utils.js';
import { identityFromSeed } from '@custody/peer-auth';

/** Where a local signer's secrets are: files, so they reach the process as `*_FILE` and never as arguments. */
export interface LocalSignerSecrets {
  readonly identitySeedFile: string;
  readonly kekFile: string;
  readonly identityPublicKey: string;
}

export interface LocalSecrets {
  readonly signers: ReadonlyMap<number, LocalSignerSecrets>;
  /** The local policy engine's signing key (seed file) and its public key, which the signers pin. */
  readonly policyEngine: { readonly seedFile: string; readonly publicKey: string };
}

function ensureSecretFile(file: string): Uint8Array {
  if (!fs.existsSync(file)) {
    fs.writeFileSync(file, bytesToHex(randomBytes(32)) + '\n', { mode: 0o600, flag: 'wx' });
  }
  const text = fs.readFileSync(file, 'utf8').trim();
  if (!/^[0-9a-f]{64}$/.test(text)) throw new Error(`${file} does not hold 32 bytes of hex; delete it to make a new one`);
  return Uint8Array.from(Buffer.from(text, 'hex'));
}

/**
 * The development cluster's keys, made once in `dir` (mode 0700, files 0600) and reused by later
 * runs, so that shares sealed under a signer's key-encryption key open again after a restart.
 * For local use only: production keys come from the deployment's secret store.
 */
export function loadOrCreateLocalSecrets(dir: string, signerCount: number): LocalSecrets {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const signers = new Map<number, LocalSignerSecrets>();
  for (let id = 1; id <= signerCount; id++) {
    const identitySeedFile = path.join(dir, `signer-${id}.identity-seed`);
    const kekFile = path.join(dir, `signer-${id}.kek`);
    const seed = ensureSecretFile(identitySeedFile);
    ensureSecretFile(kekFile);
    signers.set(id, { identitySeedFile, kekFile, identityPublicKey: bytesToHex(identityFromSeed(seed).publicKey) });
  }
  const seedFile = path.join(dir, 'policy-engine.signing-seed');
  const publicKey = bytesToHex(identityFromSeed(ensureSecretFile(seedFile)).publicKey);
  return { signers, policyEngine: { seedFile, publicKey } };
}
