import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { secp256k1, schnorr } from '@noble/curves/secp256k1.js';
import { verifyExport, type SignatureVerifier, type VerifyExportReport } from '@custody/audit-core';
import { TlogInputError, verifierFromKey, SIG_TYPE_COSIGNATURE_V1, SIG_TYPE_ED25519, parseVerifierKey, type NoteVerifier } from '@custody/transparency-log';
import { CliUsageError } from '../cli-error';

const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** Ed25519 through node:crypto (OpenSSL): independent of the @noble code the services use. */
export function nodeEd25519Verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  try {
    const key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
    return nodeVerify(null, message, key, signature);
  } catch {
    return false;
  }
}

/**
 * The final signature's independent check: Ed25519 via node:crypto; ECDSA secp256k1 (a 32-byte
 * digest, r||s, low-s not required here) and BIP340 Schnorr via @noble/curves, not the signers'
 * threshold code (node:crypto cannot verify a raw secp256k1 digest without hashing it again).
 */
export const independentVerifier: SignatureVerifier = (scheme, signature, message, publicKey) => {
  try {
    if (scheme === 'eddsa') return nodeEd25519Verify(signature, message, publicKey);
    if (scheme === 'ecdsa') return secp256k1.verify(signature.subarray(0, 64), message, publicKey, { prehash: false, lowS: false, format: 'compact' });
    return schnorr.verify(signature, message, publicKey);
  } catch {
    return false;
  }
};

export interface AuditVerifyArgs {
  readonly file: string;
  readonly logKey: string;
  readonly witnessKeys: readonly string[];
  readonly witnessQuorum?: number;
  readonly previous?: string;
  readonly engineKey?: string;
  readonly approverKeys: readonly string[];
}

function hexKey(field: string, v: string): Uint8Array {
  if (!/^[0-9a-f]{64}$/.test(v)) throw new CliUsageError(`${field} must be a 32-byte Ed25519 public key in lowercase hex`);
  return new Uint8Array(Buffer.from(v, 'hex'));
}

function vkey(field: string, v: string, type: number): NoteVerifier {
  try {
    const k = parseVerifierKey(v);
    if (k.sigType !== type) throw new CliUsageError(`${field}: expected a key of type 0x0${type} (${type === SIG_TYPE_ED25519 ? 'Ed25519 log key' : 'cosignature/v1 witness key'})`);
    return verifierFromKey(v);
  } catch (e) {
    if (e instanceof TlogInputError) throw new CliUsageError(`${field}: ${e.message}`);
    throw e;
  }
}

function readText(field: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new CliUsageError(`${field}: cannot read ${JSON.stringify(path.slice(0, 200))}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

/** Runs the offline verification; returns the report and the summary lines to print. */
export function runAuditVerify(a: AuditVerifyArgs): { report: VerifyExportReport; lines: string[] } {
  const logVerifier = vkey('--log-key', a.logKey, SIG_TYPE_ED25519);
  const witnessVerifiers = a.witnessKeys.map((k, i) => vkey(`--witness-key[${i}]`, k, SIG_TYPE_COSIGNATURE_V1));
  const approverKeys = new Map<string, Uint8Array>();
  for (const s of a.approverKeys) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new CliUsageError('--approver-key must be ID=HEX');
    approverKeys.set(s.slice(0, eq), hexKey('--approver-key', s.slice(eq + 1)));
  }
  const report = verifyExport(readText('FILE', a.file), {
    logVerifier,
    witnessVerifiers,
    witnessQuorum: a.witnessQuorum,
    previous: a.previous === undefined ? undefined : readText('--previous', a.previous),
    chain: {
      enginePublicKey: a.engineKey === undefined ? null : hexKey('--engine-key', a.engineKey),
      approverKeys,
      verifyEd25519: nodeEd25519Verify,
      verifySignature: independentVerifier,
    },
  });
  const lines = [
    `log ${report.origin ?? '(unknown)'}: ${report.size} records`,
    ...Object.entries(report.countsByType).map(([t, n]) => `  ${t}: ${n}`),
    `witnesses cosigned: ${report.witnessesCosigned.length ? report.witnessesCosigned.join(', ') : 'none'}`,
    `previous checkpoint: ${report.previousSize === null ? 'not given' : `size ${report.previousSize}, consistent`}`,
    `signed requests: ${report.chains.length}, chains intact: ${report.chains.filter((c) => c.failure === null).length}${a.engineKey === undefined ? ' (grant and approval signatures not checked: no --engine-key)' : ''}`,
    report.ok ? 'OK' : `FAILED: ${report.failure}`,
  ];
  return { report, lines };
}

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('The tamper-evident audit log');
  audit
    .command('verify')
    .description('Verify an audit export offline: tree, inclusions, previous checkpoint, witness cosignatures, signed-request chains')
    .argument('<file>', 'the export (custody-audit-export/v1)')
    .requiredOption('--log-key <vkey>', "the log's verifier key (name+id+base64)")
    .option('--witness-key <vkey>', 'a witness cosignature/v1 verifier key (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--witness-quorum <n>', 'how many witnesses must have cosigned (default: all given)')
    .option('--previous <file>', 'a signed checkpoint kept from before')
    .option('--engine-key <hex>', "the policy engine's Ed25519 public key (checks grant and approvals)")
    .option('--approver-key <id=hex>', 'an approver public key (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .action((file: string, o: { logKey: string; witnessKey: string[]; witnessQuorum?: string; previous?: string; engineKey?: string; approverKey: string[] }) => {
      let quorum: number | undefined;
      if (o.witnessQuorum !== undefined) {
        if (!/^[0-9]{1,3}$/.test(o.witnessQuorum)) throw new CliUsageError('--witness-quorum must be a small non-negative integer');
        quorum = Number(o.witnessQuorum);
      }
      const { report, lines } = runAuditVerify({
        file,
        logKey: o.logKey,
        witnessKeys: o.witnessKey,
        witnessQuorum: quorum,
        previous: o.previous,
        engineKey: o.engineKey,
        approverKeys: o.approverKey,
      });
      process.stdout.write(lines.join('\n') + '\n');
      if (!report.ok) process.exitCode = 1;
    });
}
