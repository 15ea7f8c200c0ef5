import { TlogInputError, TlogVerificationError } from './errors';
import { decodeBase64Strict, encodeBase64, parseDecimal } from './encoding';
import { HASH_SIZE, assertHash, assertSize, verifyInclusion } from './merkle';
import { parseCheckpoint, type Checkpoint } from './checkpoint';
import { openNote, parseNote, type NoteVerifier } from './note';

/**
 * C2SP tlog-proof (https://c2sp.org/tlog-proof): `c2sp.org/tlog-proof@v1`, optional `extra <base64>`,
 * `index <n>`, inclusion proof hashes one per line, a blank line, the signed checkpoint verbatim.
 */
export const TLOG_PROOF_HEADER = 'c2sp.org/tlog-proof@v1';
/** Inclusion proofs are at most 63 hashes for any tree our 2^53 sizes allow; we cap at 64. */
export const MAX_PROOF_HASHES = 64;

export interface TlogProof {
  readonly extra: Uint8Array | null;
  readonly index: number;
  readonly proof: readonly Uint8Array[];
  /** The signed checkpoint note, verbatim. */
  readonly checkpoint: string;
}

export function formatTlogProof(p: TlogProof): string {
  assertSize('index', p.index);
  if (p.proof.length > MAX_PROOF_HASHES) throw new TlogInputError('proof', `has more than ${MAX_PROOF_HASHES} hashes`);
  p.proof.forEach((h, i) => assertHash(`proof[${i}]`, h));
  parseNote(p.checkpoint);
  const lines = [TLOG_PROOF_HEADER];
  if (p.extra !== null) lines.push(`extra ${encodeBase64(p.extra)}`);
  lines.push(`index ${p.index}`);
  for (const h of p.proof) lines.push(encodeBase64(h));
  return `${lines.join('\n')}\n\n${p.checkpoint}`;
}

export function parseTlogProof(input: string): TlogProof {
  if (typeof input !== 'string') throw new TlogInputError('tlogProof', 'must be a string');
  if (input.length > 1 << 20) throw new TlogInputError('tlogProof', 'is larger than 1 MiB');
  const lines = input.split('\n');
  let i = 0;
  if (lines[i++] !== TLOG_PROOF_HEADER) throw new TlogInputError('tlogProof', `must start with ${TLOG_PROOF_HEADER}`);
  let extra: Uint8Array | null = null;
  if (lines[i]?.startsWith('extra ')) extra = decodeBase64Strict('tlogProof.extra', lines[i++]!.slice(6));
  const indexLine = lines[i++];
  if (indexLine === undefined || !indexLine.startsWith('index ')) throw new TlogInputError('tlogProof.index', 'missing');
  const index = parseDecimal('tlogProof.index', indexLine.slice(6));
  const proof: Uint8Array[] = [];
  while (i < lines.length && lines[i] !== '') {
    if (proof.length >= MAX_PROOF_HASHES) throw new TlogInputError('tlogProof.proof', `has more than ${MAX_PROOF_HASHES} hashes`);
    const h = decodeBase64Strict(`tlogProof.proof[${proof.length}]`, lines[i++]!, 64);
    if (h.length !== HASH_SIZE) throw new TlogInputError(`tlogProof.proof[${proof.length}]`, `must be ${HASH_SIZE} bytes`);
    proof.push(h);
  }
  if (i >= lines.length) throw new TlogInputError('tlogProof', 'missing the blank line before the checkpoint');
  const checkpoint = lines.slice(i + 1).join('\n');
  parseNote(checkpoint);
  return { extra, index, proof, checkpoint };
}

export interface VerifiedTlogProof {
  readonly checkpoint: Checkpoint;
  readonly index: number;
  /** Witness verifiers whose cosignature verified. */
  readonly witnesses: readonly NoteVerifier[];
}

/**
 * Verifies a proof bundle offline: the checkpoint is signed by `logVerifier` and its origin is
 * `origin`, at least `witnessQuorum` of `witnessVerifiers` cosigned it, and `leafHash` is at
 * `index` under its root.
 */
export function verifyTlogProof(
  bundle: string,
  leafHash: Uint8Array,
  opts: { origin: string; logVerifier: NoteVerifier; witnessVerifiers?: readonly NoteVerifier[]; witnessQuorum?: number },
): VerifiedTlogProof {
  const p = parseTlogProof(bundle);
  const witnesses = opts.witnessVerifiers ?? [];
  const opened = openNote(p.checkpoint, [opts.logVerifier, ...witnesses]);
  if (!opened.verified.includes(opts.logVerifier)) throw new TlogVerificationError('checkpoint', 'is not signed by the log key');
  const cp = parseCheckpoint(opened.text);
  if (cp.origin !== opts.origin) throw new TlogVerificationError('checkpoint', 'origin is not the expected log');
  const cosigned = opened.verified.filter((v) => v !== opts.logVerifier);
  const quorum = opts.witnessQuorum ?? 0;
  if (cosigned.length < quorum) throw new TlogVerificationError('witnesses', `${cosigned.length} of the required ${quorum} cosignatures`);
  verifyInclusion(p.index, cp.size, leafHash, p.proof, cp.rootHash);
  return { checkpoint: cp, index: p.index, witnesses: cosigned };
}
