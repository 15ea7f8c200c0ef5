import { ConfigError, EnvReader, type Environment } from '@custody/config';
import { parseSeed } from '@custody/peer-auth';
import { ed25519 } from '@noble/curves/ed25519.js';
import { assertKeyName, ed25519NoteSigner, formatVerifierKey, parseVerifierKey, SIG_TYPE_ED25519, SIG_TYPE_COSIGNATURE_V1, type NoteSigner } from '@custody/transparency-log';

/** One witness: a signer's gRPC address and its pinned `cosignature/v1` verifier key. */
export interface AuditWitnessConfig {
  readonly address: string;
  readonly verifierKey: string;
}

/**
 * The audit log's checkpointer, run by the gateway (README, "The audit log"). Unset AUDIT_LOG_SEED:
 * the gateway issues no checkpoints (records still accumulate in audit.pending).
 */
export interface AuditCheckpointConfig {
  /** The log's origin line (AUDIT_LOG_ORIGIN, default `custody.local/audit`): also the signed-note key name. */
  readonly origin: string;
  /** The log's Ed25519 note signer (AUDIT_LOG_SEED or _FILE, 32 bytes hex/base64). Its seed stays inside the signer closure. */
  readonly signer: NoteSigner;
  /** The log's verifier key (`origin+keyid+base64`): what signers pin as AUDIT_LOG_KEY and auditors pass as --log-key. */
  readonly verifierKey: string;
  /** AUDIT_WITNESSES: comma-separated `host:port=vkey` (vkey as `custody witness`/GetWitness prints it). */
  readonly witnesses: readonly AuditWitnessConfig[];
  /** Cosignatures that make a checkpoint witnessed (AUDIT_WITNESS_QUORUM, default a majority of the witnesses). */
  readonly quorum: number;
  /** Time between checkpoint rounds (AUDIT_CHECKPOINT_INTERVAL_MS, 50..60000, default 250: a checkpoint cosigned well within 1 s of an append). */
  readonly intervalMs: number;
}

export function parseAuditCheckpointConfig(env: Environment): AuditCheckpointConfig | undefined {
  const read = new EnvReader(env);
  if (read.optionalString('AUDIT_LOG_SEED') === undefined && read.optionalString('AUDIT_LOG_SEED_FILE') === undefined) return undefined;
  const seedText = read.secret('AUDIT_LOG_SEED');
  let seed: Uint8Array;
  try {
    seed = parseSeed(seedText, 'AUDIT_LOG_SEED');
  } catch {
    throw new ConfigError('AUDIT_LOG_SEED', 'must be a 32-byte seed (hex or base64)');
  }
  const origin = read.string('AUDIT_LOG_ORIGIN', 'custody.local/audit');
  try {
    assertKeyName('AUDIT_LOG_ORIGIN', origin);
  } catch {
    throw new ConfigError('AUDIT_LOG_ORIGIN', 'must be a signed-note key name (no spaces or +)');
  }
  const witnesses: AuditWitnessConfig[] = [];
  const list = read.optionalString('AUDIT_WITNESSES') ?? '';
  for (const [i, item] of list.split(',').map((s) => s.trim()).filter((s) => s !== '').entries()) {
    const eq = item.indexOf('=');
    const address = eq < 0 ? '' : item.slice(0, eq);
    const verifierKey = eq < 0 ? '' : item.slice(eq + 1);
    if (!/^[A-Za-z0-9.-]+:\d{1,5}$/.test(address)) throw new ConfigError('AUDIT_WITNESSES', `entry ${i + 1} must be host:port=vkey`);
    try {
      const parsed = parseVerifierKey(verifierKey);
      if (parsed.sigType !== SIG_TYPE_COSIGNATURE_V1) throw new Error('not a cosignature/v1 key');
    } catch {
      throw new ConfigError('AUDIT_WITNESSES', `entry ${i + 1}: the vkey must be a cosignature/v1 verifier key`);
    }
    witnesses.push({ address, verifierKey });
  }
  if (new Set(witnesses.map((w) => w.verifierKey.split('+')[0])).size !== witnesses.length) throw new ConfigError('AUDIT_WITNESSES', 'names a witness twice');
  const quorum = read.integer('AUDIT_WITNESS_QUORUM', { min: 0, max: Math.max(0, witnesses.length) }, Math.floor(witnesses.length / 2) + (witnesses.length > 0 ? 1 : 0));
  return {
    origin,
    signer: ed25519NoteSigner(origin, seed),
    verifierKey: formatVerifierKey(origin, SIG_TYPE_ED25519, ed25519.getPublicKey(seed)),
    witnesses,
    quorum,
    intervalMs: read.integer('AUDIT_CHECKPOINT_INTERVAL_MS', { min: 50, max: 60_000 }, 250),
  };
}
