import { Command } from 'commander';
import { systemRng, type PartyId, type Rng } from '@custody/mpc-core';
import {
  deriveChildKeyShare,
  hex,
  runDkg,
  runSign,
  taprootTweakKeyShare,
  type KeyShare,
  type SuiteName,
} from '@custody/mpc-core/frost';
import { CliUsageError } from '../cli-error';

interface FrostOptions {
  parties: string;
  threshold: string;
  signers: string;
  message: string;
  derive?: string;
  taproot?: boolean;
  merkleRoot?: string;
}

export interface FrostRequest {
  readonly suite: SuiteName;
  readonly parties: number;
  readonly threshold: number;
  readonly signers: PartyId[];
  readonly message: Uint8Array;
  /** Sign for the child key at this index (public additive derivation). */
  readonly derive?: number;
  /** BIP340 only: sign for the Taproot output key (BIP341 key-path tweak). */
  readonly taproot?: { readonly merkleRoot?: Uint8Array };
}

function integer(value: string, name: string): number {
  if (!/^\d{1,10}$/.test(value)) throw new CliUsageError(`--${name} must be a non-negative integer, got ${JSON.stringify(value)}`);
  return Number(value);
}

function hexBytes(value: string, name: string): Uint8Array {
  const h = value.startsWith('0x') ? value.slice(2) : value;
  if (!/^([0-9a-fA-F]{2})*$/.test(h)) throw new CliUsageError(`--${name} must be hex (an even number of hex digits)`);
  return Uint8Array.from(Buffer.from(h, 'hex'));
}

/** Validates the options; every problem is a one-line CliUsageError (exit 2). */
export function parseFrostOptions(suite: SuiteName, o: FrostOptions): FrostRequest {
  const parties = integer(o.parties, 'parties');
  const threshold = integer(o.threshold, 'threshold');
  if (parties < 2) throw new CliUsageError('--parties must be at least 2');
  if (parties > 255) throw new CliUsageError('--parties must be at most 255');
  if (threshold < 2) throw new CliUsageError('--threshold must be at least 2');
  if (threshold > parties) throw new CliUsageError(`--threshold ${threshold} is greater than --parties ${parties}`);
  const signers = o.signers.split(',').map((s) => integer(s.trim(), 'signers'));
  for (const id of signers) if (id < 1 || id > parties) throw new CliUsageError(`unknown signer id ${id}: parties are 1..${parties}`);
  if (new Set(signers).size !== signers.length) throw new CliUsageError('--signers has a duplicate id');
  if (signers.length < threshold) throw new CliUsageError(`${signers.length} signer(s) given, the threshold is ${threshold}`);
  const message = hexBytes(o.message, 'message');
  let derive: number | undefined;
  if (o.derive !== undefined) {
    derive = integer(o.derive, 'derive');
    if (derive > 0x7fffffff) throw new CliUsageError('--derive must be below 2^31 (non-hardened)');
  }
  if (suite !== 'bip340' && (o.taproot === true || o.merkleRoot !== undefined)) throw new CliUsageError('--taproot and --merkle-root apply to `custody mpc schnorr` only');
  if (o.merkleRoot !== undefined && o.taproot !== true) throw new CliUsageError('--merkle-root needs --taproot');
  let taproot: FrostRequest['taproot'];
  if (o.taproot === true) {
    if (o.merkleRoot === undefined) taproot = {};
    else {
      const merkleRoot = hexBytes(o.merkleRoot, 'merkle-root');
      if (merkleRoot.length !== 32) throw new CliUsageError('--merkle-root must be 32 bytes of hex');
      taproot = { merkleRoot };
    }
  }
  return {
    suite,
    parties,
    threshold,
    signers: [...signers].sort((a, b) => a - b),
    message,
    ...(derive !== undefined ? { derive } : {}),
    ...(taproot !== undefined ? { taproot } : {}),
  };
}

/** DKG among all parties, then signing among the signers (in process); the JSON line. */
export function runFrost(req: FrostRequest, rng: Rng = systemRng): string {
  const partyIds = Array.from({ length: req.parties }, (_, i) => i + 1);
  const shares = runDkg({ suite: req.suite, partyIds, threshold: req.threshold, sessionId: rng(32), rng });
  let signing: KeyShare[] = shares.filter((s) => req.signers.includes(s.partyId));
  if (req.derive !== undefined) signing = signing.map((s) => deriveChildKeyShare(s, req.derive!));
  if (req.taproot !== undefined) signing = signing.map((s) => taprootTweakKeyShare(s, req.taproot!.merkleRoot));
  const { publicKey, signature } = runSign({ keyShares: signing, message: req.message, sessionId: rng(32), rng });
  return JSON.stringify({ publicKey: hex(publicKey), signature: hex(signature) });
}

function register(mpc: Command, name: string, suite: SuiteName, description: string): void {
  const cmd = mpc
    .command(name)
    .description(description)
    .requiredOption('--parties <n>', 'number of parties N (2..255)')
    .requiredOption('--threshold <t>', 'signers needed (2 <= t <= N)')
    .requiredOption('--signers <ids>', 'comma-separated signer ids, e.g. 2,3')
    .requiredOption('--message <hex>', 'the message, hex')
    .option('--derive <index>', 'sign for the child key at this non-hardened index');
  if (suite === 'bip340') {
    cmd
      .option('--taproot', 'sign for the Taproot output key (BIP341 key-path tweak; BIP86 without --merkle-root)')
      .option('--merkle-root <hex>', 'the 32-byte script tree merkle root committed in the Taproot output key');
  }
  cmd.action((o: FrostOptions) => {
    process.stdout.write(runFrost(parseFrostOptions(suite, o)) + '\n');
  });
}

/** `custody mpc eddsa` (FROST Ed25519) and `custody mpc schnorr` (FROST BIP340). */
export function registerFrostCommands(mpc: Command): void {
  register(mpc, 'eddsa', 'ed25519', 'threshold Ed25519 (FROST, RFC 9591): DKG among N in-process parties, then sign with the signers; prints {"publicKey","signature"} as one JSON line');
  register(mpc, 'schnorr', 'bip340', 'threshold BIP340 Schnorr (FROST, Taproot-compatible): DKG among N in-process parties, then sign; prints {"publicKey" (x-only),"signature"} as one JSON line');
}
