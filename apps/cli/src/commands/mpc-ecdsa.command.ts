import { Command } from 'commander';
import { sha256 } from '@noble/hashes/sha2.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { systemRng, type PartyId } from '@custody/mpc-core';
import { generateSafePrime } from '@custody/mpc-core/math/safe-primes';
import { MIN_PAILLIER_BITS } from '@custody/mpc-core/math/paillier';
import { simulateKeygen, simulatePresign, simulateSign } from '@custody/mpc-core/ecdsa/simulation';
import { signatureToJson } from '@custody/mpc-core/ecdsa/signature';
import { derivePublicPath, parsePath } from '@custody/mpc-core/derive/bip32';
import { CliUsageError } from '../cli-error';
import { CountProgress, type ProgressStream } from '../progress';
// PUBLIC test-only primes, used only with --test-only-primes (a demonstration, never a real key).
import { TEST_ONLY_SAFE_PRIMES_1024, TEST_ONLY_SAFE_PRIMES_1536 } from '../../../../libs/mpc-core/test/fixtures/test-only-safe-primes';

type HashName = 'sha256' | 'keccak256' | 'none';

interface EcdsaOptions {
  parties: string;
  threshold: string;
  signers: string;
  message: string;
  hash: string;
  paillierBits: string;
  testOnlyPrimes?: boolean;
  path?: string;
}

export interface EcdsaRequest {
  readonly parties: number;
  readonly threshold: number;
  readonly signers: PartyId[];
  readonly message: Uint8Array;
  readonly hash: HashName;
  readonly paillierBits: number;
  readonly testOnlyPrimes: boolean;
  /** Optional non-hardened BIP32 path: sign for the child key (the public tweak is applied at signing). */
  readonly path?: readonly number[];
}

function integer(value: string, name: string): number {
  if (!/^\d{1,6}$/.test(value)) throw new CliUsageError(`--${name} must be a positive integer, got ${JSON.stringify(value)}`);
  return Number(value);
}

/** Validates the options; every problem is a one-line CliUsageError (exit 2). */
export function parseEcdsaOptions(o: EcdsaOptions): EcdsaRequest {
  const parties = integer(o.parties, 'parties');
  const threshold = integer(o.threshold, 'threshold');
  if (parties < 2) throw new CliUsageError('--parties must be at least 2');
  if (threshold < 2) throw new CliUsageError('--threshold must be at least 2');
  if (threshold > parties) throw new CliUsageError(`--threshold ${threshold} is greater than --parties ${parties}`);
  const signers = o.signers.split(',').map((s) => integer(s.trim(), 'signers'));
  for (const id of signers) if (id < 1 || id > parties) throw new CliUsageError(`unknown signer id ${id}: parties are 1..${parties}`);
  if (new Set(signers).size !== signers.length) throw new CliUsageError('--signers has a duplicate id');
  if (signers.length < threshold) throw new CliUsageError(`${signers.length} signer(s) given, the threshold is ${threshold}`);
  const hex = o.message.startsWith('0x') ? o.message.slice(2) : o.message;
  if (!/^([0-9a-fA-F]{2})*$/.test(hex)) throw new CliUsageError('--message must be hex (an even number of hex digits)');
  const message = hexToBytes(hex.toLowerCase());
  if (o.hash !== 'sha256' && o.hash !== 'keccak256' && o.hash !== 'none') throw new CliUsageError('--hash must be sha256, keccak256 or none');
  if (o.hash === 'none' && message.length !== 32) throw new CliUsageError('--hash none needs a 32-byte --message (the digest itself)');
  const paillierBits = integer(o.paillierBits, 'paillier-bits');
  if (paillierBits < MIN_PAILLIER_BITS) throw new CliUsageError(`--paillier-bits below ${MIN_PAILLIER_BITS} is refused`);
  if (paillierBits !== 2048 && paillierBits !== 3072) throw new CliUsageError('--paillier-bits must be 2048 or 3072');
  let path: number[] | undefined;
  if (o.path !== undefined) {
    try {
      path = parsePath(o.path);
    } catch (error) {
      throw new CliUsageError(`--path: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return { parties, threshold, signers: [...signers].sort((a, b) => a - b), message, hash: o.hash, paillierBits, testOnlyPrimes: o.testOnlyPrimes === true, path };
}

export function digestOf(message: Uint8Array, hash: HashName): Uint8Array {
  if (hash === 'sha256') return sha256(message);
  if (hash === 'keccak256') return keccak_256(message);
  return message;
}

/** What runEcdsa needs from outside: where progress goes, how safe primes are made, the clock. */
export interface EcdsaDependencies {
  /** Progress of the safe-prime generation (stderr in the CLI; never stdout, which carries the result). */
  readonly progress: ProgressStream;
  readonly generateSafePrime: (bits: number) => Promise<bigint>;
  readonly now: () => number;
}

const DEFAULT_DEPENDENCIES: EcdsaDependencies = { progress: process.stderr, generateSafePrime, now: Date.now };

async function primesFor(req: EcdsaRequest, deps: EcdsaDependencies): Promise<Map<PartyId, readonly [bigint, bigint]>> {
  const ids = Array.from({ length: req.parties }, (_, i) => i + 1);
  if (req.testOnlyPrimes) {
    // TEST-ONLY public primes: fine for a demonstration, never for a real key.
    const list = req.paillierBits === 2048 ? TEST_ONLY_SAFE_PRIMES_1024 : TEST_ONLY_SAFE_PRIMES_1536;
    if (list.length < req.parties) throw new CliUsageError(`only ${list.length} test-only prime pairs of this size: use fewer parties`);
    return new Map(ids.map((id) => [id, list[id - 1]!] as const));
  }
  const bits = req.paillierBits / 2;
  const progress = new CountProgress(deps.progress, 2 * req.parties, `safe primes of ${bits} bits`, deps.now);
  progress.start(`two per party's Paillier key; seconds to a minute of CPU; --test-only-primes skips it for a demonstration`);
  let primes: bigint[];
  try {
    primes = await Promise.all(
      ids.flatMap(() => [0, 1]).map(() =>
        deps.generateSafePrime(bits).then((prime) => {
          progress.step();
          return prime;
        }),
      ),
    );
  } catch (error) {
    progress.finish(false);
    throw error;
  }
  progress.finish(true);
  return new Map(ids.map((id, k) => [id, [primes[2 * k]!, primes[2 * k + 1]!] as const]));
}

/**
 * Keygen among all parties, presigning and signing among the signers; the JSON line. Progress of
 * the safe-prime generation goes to `deps.progress` (stderr), never into the result.
 */
export async function runEcdsa(req: EcdsaRequest, deps: Partial<EcdsaDependencies> = {}): Promise<string> {
  const primes = await primesFor(req, { ...DEFAULT_DEPENDENCIES, ...deps });
  const partyIds = Array.from({ length: req.parties }, (_, i) => i + 1);
  const opts = { rng: systemRng };
  const shares = simulateKeygen({ sessionId: systemRng(32), partyIds, threshold: req.threshold, paillierBits: req.paillierBits, primes }, opts);
  const presigs = simulatePresign(systemRng(32), shares, req.signers, opts);
  const digest = digestOf(req.message, req.hash);
  const root = shares.get(1)!;
  const child = req.path ? derivePublicPath({ publicKey: root.publicKey, chainCode: root.chainCode }, req.path) : undefined;
  const sig = simulateSign(shares, presigs, digest, opts, child?.tweak);
  const publicKey = bytesToHex((child ?? root).publicKey.toBytes(true));
  return JSON.stringify({ publicKey, ...signatureToJson(sig), hash: req.hash });
}

export function registerEcdsaCommand(mpc: Command): void {
  mpc
    .command('ecdsa')
    .description('threshold ECDSA (secp256k1, CGGMP21-style): keygen among N in-process parties, then presign and sign with the signers; prints one JSON line')
    .requiredOption('--parties <n>', 'number of parties N')
    .requiredOption('--threshold <t>', 'signers needed (2 <= t <= N)')
    .requiredOption('--signers <ids>', 'comma-separated signer ids, e.g. 1,3')
    .requiredOption('--message <hex>', 'the message, hex')
    .option('--hash <name>', 'sha256 | keccak256 | none (message is the 32-byte digest)', 'sha256')
    .option('--paillier-bits <bits>', 'Paillier modulus size: 2048 or 3072', '2048')
    .option('--path <path>', 'sign for the non-hardened BIP32 child m/... of the threshold key (publicKey is then the child key)')
    .option('--test-only-primes', 'use the PUBLIC test-only safe primes from the test fixtures instead of generating fresh ones (demonstration only)')
    .action(async (o: EcdsaOptions) => {
      const req = parseEcdsaOptions(o);
      process.stdout.write((await runEcdsa(req)) + '\n');
    });
}
