/**
 * Paillier / ring-Pedersen / CGGMP21 proof benchmark. Prints its figures; asserts nothing.
 *
 *   npm run build && node dist/bench/paillier.bench.js
 *
 * Uses the TEST-ONLY primes of libs/mpc-core/test/fixtures (never for real keys) and the system RNG.
 * Each figure is the mean over a few runs: wall-clock ms and CPU ms of this process.
 */
import { createDiffieHellman } from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { randomCoprime } from '../libs/mpc-core/src/math/modarith';
import { modPowBigInt, modPowDiffieHellmanKeys, modPowOpenSsl, modPowRsa } from '../libs/mpc-core/src/math/modpow';
import {
  addCiphertexts,
  decrypt,
  encrypt,
  encryptCrt,
  encryptWithNonce,
  mulCiphertext,
  paillierSecretKeyFromPrimes,
  type PaillierSecretKey,
} from '../libs/mpc-core/src/math/paillier';
import { ringPedersenFromPrimes, type RingPedersenParams, type RingPedersenSecret } from '../libs/mpc-core/src/math/ring-pedersen';
import { systemRng } from '../libs/mpc-core/src/rng';
import type { ProofContext } from '../libs/mpc-core/src/transcript';
import { ELL, ELL_PRIME, M } from '../libs/mpc-core/src/zk/params';
import { proveAffG, verifyAffG } from '../libs/mpc-core/src/zk/pi-aff-g';
import { proveEncRange, verifyEncRange } from '../libs/mpc-core/src/zk/pi-enc';
import { proveNoSmallFactor, verifyNoSmallFactor } from '../libs/mpc-core/src/zk/pi-fac';
import { proveLogStar, verifyLogStar } from '../libs/mpc-core/src/zk/pi-log-star';
import { proveModulus, verifyModulus } from '../libs/mpc-core/src/zk/pi-mod';
import { proveRingPedersenParams, verifyRingPedersenParams } from '../libs/mpc-core/src/zk/pi-prm';
import { TEST_ONLY_SAFE_PRIMES_1024, TEST_ONLY_SAFE_PRIMES_1536 } from '../libs/mpc-core/test/fixtures/test-only-safe-primes';

interface Timing {
  wall: number;
  cpu: number;
}

function measure(runs: number, f: () => unknown): Timing {
  f(); // warm-up
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) f();
  const wall = Number(process.hrtime.bigint() - t0) / 1e6 / runs;
  const d = process.cpuUsage(cpu0);
  return { wall, cpu: (d.user + d.system) / 1000 / runs };
}

function line(label: string, t: Timing): void {
  process.stdout.write(`${label.padEnd(58)} ${t.wall.toFixed(2).padStart(9)} ms wall ${t.cpu.toFixed(2).padStart(9)} ms cpu\n`);
}

/** Approximate wire size of a plain-data proof: bigints as magnitude bytes + 1 sign byte, hex strings as bytes. */
function proofBytes(value: unknown): number {
  if (typeof value === 'bigint') return 1 + Math.ceil((value < 0n ? -value : value).toString(16).length / 2);
  if (typeof value === 'string') return value.length / 2;
  if (typeof value === 'boolean') return 1;
  if (Array.isArray(value)) return value.reduce((acc: number, v: unknown) => acc + proofBytes(v), 0);
  if (typeof value === 'object' && value !== null) return Object.values(value).reduce((acc: number, v: unknown) => acc + proofBytes(v), 0);
  return 0;
}

function sizeLine(label: string, proof: unknown): void {
  process.stdout.write(`${label.padEnd(58)} ${String(proofBytes(proof)).padStart(9)} bytes\n`);
}

function toBytes(x: bigint): Buffer {
  let hex = x.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  return Buffer.from(hex, 'hex');
}

/** The createDiffieHellman route first suggested, kept here only to compare (not used by mpc-core). */
function modPowDiffieHellman(base: bigint, exp: bigint, m: bigint): bigint {
  const dh = createDiffieHellman(toBytes(m), toBytes(base));
  dh.setPrivateKey(toBytes(exp));
  return BigInt('0x' + dh.generateKeys('hex'));
}

interface Party {
  sk: PaillierSecretKey;
  rp: RingPedersenParams;
  rpSecret: RingPedersenSecret;
}

function party(p: bigint, q: bigint): Party {
  const { params, secret } = ringPedersenFromPrimes(p, q, systemRng);
  return { sk: paillierSecretKeyFromPrimes(p, q), rp: params, rpSecret: secret };
}

const ctx: ProofContext = { sessionId: new Uint8Array(32).fill(1), partyIds: [1, 2, 3], prover: 1 };
const G = secp256k1.Point.BASE;
const Fn = secp256k1.Point.Fn;

function modPowSection(): void {
  const [p, q] = TEST_ONLY_SAFE_PRIMES_1024[0];
  const N = p * q;
  const N2 = N * N;
  process.stdout.write(`\n== modPow, 4096-bit modulus (N^2 of a 2048-bit N) ==\n`);
  for (const expBits of [256, 768, 2048]) {
    const base = randomCoprime(systemRng, N2);
    const exp = randomCoprime(systemRng, 1n << BigInt(expBits));
    if (modPowOpenSsl(base, exp, N2) !== modPowBigInt(base, exp, N2)) throw new Error('modPow routes disagree');
    if (modPowDiffieHellman(base, exp, N2) !== modPowBigInt(base, exp, N2)) throw new Error('DH route disagrees');
    if (modPowDiffieHellmanKeys(base, exp, N2) !== modPowBigInt(base, exp, N2)) throw new Error('DH-key route disagrees');
    line(`  ${expBits}-bit exponent: BigInt square-and-multiply`, measure(3, () => modPowBigInt(base, exp, N2)));
    line(`  ${expBits}-bit exponent: OpenSSL, createDiffieHellman (not used)`, measure(5, () => modPowDiffieHellman(base, exp, N2)));
    line(`  ${expBits}-bit exponent: OpenSSL, RSA public op, 63-bit chunks`, measure(10, () => modPowRsa(base, exp, N2)));
    line(`  ${expBits}-bit exponent: OpenSSL, DH KeyObjects`, measure(10, () => modPowDiffieHellmanKeys(base, exp, N2)));
    line(`  ${expBits}-bit exponent: modPow (the route chosen)`, measure(10, () => modPowOpenSsl(base, exp, N2)));
  }
  process.stdout.write(`== modPow, 1024-bit PRIME modulus (CRT half), 1024-bit exponent ==\n`);
  const e = p - 2n;
  line('  BigInt', measure(5, () => modPowBigInt(3n, e, p)));
  line('  OpenSSL, createDiffieHellman (DH_check tests primality)', measure(3, () => modPowDiffieHellman(3n, e, p)));
  line('  OpenSSL, RSA public op (the route chosen)', measure(20, () => modPowOpenSsl(3n, e, p)));
}

function paillierSection(bits: number, a: Party): void {
  process.stdout.write(`\n== Paillier, ${bits}-bit N ==\n`);
  const pk = a.sk.publicKey;
  const m = 123456789n;
  const c = encrypt(pk, m, systemRng).ciphertext;
  line('  encrypt (public key only)', measure(10, () => encrypt(pk, m, systemRng)));
  line('  encrypt (own key, CRT)', measure(10, () => encryptCrt(a.sk, m, systemRng)));
  line('  decrypt (CRT)', measure(10, () => decrypt(a.sk, c)));
  line('  homomorphic c^k (256-bit k) and add', measure(10, () => addCiphertexts(pk, mulCiphertext(pk, c, (1n << 255n) + 7n), c)));
}

interface ProofFigures {
  enc: number;
  affG: number;
  logStar: number;
}

function proofSection(bits: number, prover: Party, verifier: Party, runs: number): ProofFigures {
  process.stdout.write(`\n== CGGMP21 proofs, ${bits}-bit moduli (M = ${M}) ==\n`);
  const pk0 = prover.sk.publicKey;

  // Πenc
  const k = (1n << BigInt(ELL)) - 3n;
  const K = encryptCrt(prover.sk, k, systemRng);
  const encSt = { N0: pk0.N, K: K.ciphertext, rp: verifier.rp };
  const encW = { k, rho: K.nonce, proverSecretKey: prover.sk };
  const encProof = proveEncRange(ctx, encSt, encW, systemRng);
  const encP = measure(runs, () => proveEncRange(ctx, encSt, encW, systemRng));
  const encV = measure(runs, () => verifyEncRange(ctx, encSt, encProof, verifier.sk));
  line('  Πenc   verify without the verifier CRT key', measure(runs, () => verifyEncRange(ctx, encSt, encProof)));
  line('  Πenc   prove', encP);
  line('  Πenc   verify', encV);

  // Πlog* with base Γ
  const B = G.multiply(987654321n);
  const C = encryptCrt(prover.sk, k, systemRng);
  const logSt = { N0: pk0.N, C: C.ciphertext, X: B.multiply(Fn.create(k)), B, rp: verifier.rp };
  const logW = { x: k, rho: C.nonce, proverSecretKey: prover.sk };
  const logProof = proveLogStar(ctx, logSt, logW, systemRng);
  const logP = measure(runs, () => proveLogStar(ctx, logSt, logW, systemRng));
  const logV = measure(runs, () => verifyLogStar(ctx, logSt, logProof, verifier.sk));
  line('  Πlog*  verify without the verifier CRT key', measure(runs, () => verifyLogStar(ctx, logSt, logProof)));
  line('  Πlog*  prove', logP);
  line('  Πlog*  verify', logV);

  // Πaff-g: the verifier's C under its key N0v, the prover's key N1 = prover's own
  const pkV = verifier.sk.publicKey;
  const Cv = encryptCrt(verifier.sk, 42n, systemRng).ciphertext;
  const x = (1n << BigInt(ELL)) - 11n;
  const y = -((1n << BigInt(ELL_PRIME)) - 13n);
  const rho = randomCoprime(systemRng, pkV.N);
  const rhoY = randomCoprime(systemRng, pk0.N);
  const D = addCiphertexts(pkV, mulCiphertext(pkV, Cv, x), encryptWithNonce(pkV, y, rho));
  const Y = encryptWithNonce(pk0, y, rhoY);
  const affSt = { N0: pkV.N, N1: pk0.N, C: Cv, D, Y, X: G.multiply(Fn.create(x)), rp: verifier.rp };
  const affW = { x, y, rho, rhoY, proverSecretKey: prover.sk };
  const affProof = proveAffG(ctx, affSt, affW, systemRng);
  const affP = measure(runs, () => proveAffG(ctx, affSt, affW, systemRng));
  const affV = measure(runs, () => verifyAffG(ctx, affSt, affProof, verifier.sk));
  line('  Πaff-g verify without the verifier CRT key', measure(runs, () => verifyAffG(ctx, affSt, affProof)));
  line('  Πaff-g prove', affP);
  line('  Πaff-g verify', affV);
  if (!verifyEncRange(ctx, encSt, encProof) || !verifyLogStar(ctx, logSt, logProof) || !verifyAffG(ctx, affSt, affProof)) {
    throw new Error('a proof failed to verify');
  }

  // key-generation proofs (once per party)
  const modSt = { N: pk0.N };
  const modW = { p: prover.sk.p, q: prover.sk.q };
  const modProof = proveModulus(ctx, modSt, modW, systemRng);
  line('  Πmod   prove', measure(1, () => proveModulus(ctx, modSt, modW, systemRng)));
  line('  Πmod   verify', measure(1, () => verifyModulus(ctx, modSt, modProof)));
  const prmProof = proveRingPedersenParams(ctx, prover.rp, prover.rpSecret, systemRng);
  line('  Πprm   prove', measure(1, () => proveRingPedersenParams(ctx, prover.rp, prover.rpSecret, systemRng)));
  line('  Πprm   verify', measure(1, () => verifyRingPedersenParams(ctx, prover.rp, prmProof)));
  const facSt = { N0: pk0.N, rp: verifier.rp };
  const facProof = proveNoSmallFactor(ctx, facSt, modW, systemRng);
  line('  Πfac   prove', measure(runs, () => proveNoSmallFactor(ctx, facSt, modW, systemRng)));
  line('  Πfac   verify', measure(runs, () => verifyNoSmallFactor(ctx, facSt, facProof, verifier.sk)));
  if (!verifyModulus(ctx, modSt, modProof) || !verifyRingPedersenParams(ctx, prover.rp, prmProof) || !verifyNoSmallFactor(ctx, facSt, facProof)) {
    throw new Error('a key-generation proof failed to verify');
  }
  for (const [label, proof] of [
    ['Πenc', encProof],
    ['Πlog*', logProof],
    ['Πaff-g', affProof],
    ['Πmod', modProof],
    ['Πprm', prmProof],
    ['Πfac', facProof],
  ] as const) {
    sizeLine(`  ${label} proof size (approximate, plain data)`, proof);
  }
  return { enc: encP.cpu + encV.cpu, affG: affP.cpu + affV.cpu, logStar: logP.cpu + logV.cpu };
}

function main(): void {
  process.stdout.write(`node ${process.version}, OpenSSL ${process.versions.openssl}\n`);
  modPowSection();
  const p2048 = [party(...TEST_ONLY_SAFE_PRIMES_1024[0]), party(...TEST_ONLY_SAFE_PRIMES_1024[1])] as const;
  const p3072 = [party(...TEST_ONLY_SAFE_PRIMES_1536[0]), party(...TEST_ONLY_SAFE_PRIMES_1536[1])] as const;
  paillierSection(2048, p2048[0]);
  paillierSection(3072, p3072[0]);
  for (const [bits, [a, b], runs] of [
    [2048, p2048, 5],
    [3072, p3072, 3],
  ] as const) {
    const f = proofSection(bits, a, b, runs);
    const brief = 2 * f.enc + 4 * f.affG + 2 * f.logStar;
    const twoSigners = f.enc + 2 * f.affG + 2 * f.logStar;
    process.stdout.write(
      `  => proofs of one presigning per party, 2 signers (1 Πenc + 2 Πaff-g + 2 Πlog*, each proved and verified): ${twoSigners.toFixed(0)} ms cpu\n` +
        `  => the brief's count (2 Πenc + 4 Πaff-g + 2 Πlog*, each proved and verified): ${brief.toFixed(0)} ms cpu\n`,
    );
  }
}

main();
