import { secp256k1 } from '@noble/curves/secp256k1.js';
import {
  addressFromPublicKey,
  ChainInputError,
  decodeErc20TransferData,
  decodeErc20TransferLog,
  ERC20_TRANSFER_TOPIC,
  findForkPoint,
  erc20TransferData,
  erc20TransferTransaction,
  nativeTransferTransaction,
  parseAddress,
  signedTransactionBytes,
  transactionSigningHash,
  type Eip1559Transaction,
} from './index';

/** Hostile-caller attacks on chain-core's public functions. */

const ZERO = parseAddress('0x0000000000000000000000000000000000000000');
const RECIPIENT = parseAddress('0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359');
const TOKEN = parseAddress('0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed');
const FEES = { chainId: 1, nonce: 0, maxFeePerGas: 10n, maxPriorityFeePerGas: 1n, gas: 21_000n };
const TX: Eip1559Transaction = { ...FEES, to: RECIPIENT, value: 1n, data: new Uint8Array(0) };

function refusal(fn: () => unknown): ChainInputError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ChainInputError) return e;
    throw new Error('expected ChainInputError', { cause: e });
  }
  throw new Error('expected ChainInputError, the call was accepted');
}

describe('the zero address is never a recipient (what is sent there is burnt)', () => {
  it('a native transfer, or any transaction, to 0x0…0', () => {
    expect(refusal(() => nativeTransferTransaction({ ...FEES, to: ZERO, value: 1n })).argument).toBe('transaction.to');
    expect(refusal(() => transactionSigningHash({ ...TX, to: ZERO })).argument).toBe('transaction.to');
  });
  it('an ERC-20 transfer to 0x0…0, built or decoded, and a token contract at 0x0…0', () => {
    expect(refusal(() => erc20TransferData(ZERO, 1n)).argument).toBe('recipient');
    const toZero = Uint8Array.from(erc20TransferData(RECIPIENT, 1n));
    toZero.fill(0, 4, 36); // the recipient word
    expect(refusal(() => decodeErc20TransferData(toZero)).argument).toBe('data');
    expect(refusal(() => erc20TransferTransaction({ ...FEES, gas: 65_000n, token: TOKEN, recipient: ZERO, amount: 1n })).argument).toBe('recipient');
    expect(refusal(() => erc20TransferTransaction({ ...FEES, gas: 65_000n, token: ZERO, recipient: RECIPIENT, amount: 1n })).argument).toBe('transaction.to');
  });
  it('a non-zero address is still fine (control)', () => {
    expect(transactionSigningHash(TX)).toHaveLength(32);
    expect(decodeErc20TransferData(erc20TransferData(RECIPIENT, 1n)).recipient).toBe(RECIPIENT);
  });
});

describe('untrusted node data in either hex case', () => {
  const word = (hex: string) => `0x${hex.padStart(64, '0')}`;
  const log = {
    address: TOKEN.toLowerCase(),
    topics: [ERC20_TRANSFER_TOPIC, word(RECIPIENT.slice(2).toLowerCase()), word(TOKEN.slice(2).toLowerCase())],
    data: word('2a'),
  };
  const upper = (hex: string) => `0x${hex.slice(2).toUpperCase()}`;
  it('an ERC-20 Transfer log with upper-case topics decodes to the same transfer as the lower-case one', () => {
    const expected = decodeErc20TransferLog(log);
    expect(expected).toEqual({ token: TOKEN, from: RECIPIENT, to: TOKEN, amount: 42n });
    expect(decodeErc20TransferLog({ address: upper(log.address), topics: log.topics.map(upper), data: upper(log.data) })).toEqual(expected);
  });
});

describe('the fork-point search over a long stored window', () => {
  it('answers (never a stack overflow) for 200,000 stored heights', () => {
    const hash = (h: number) => `0x${h.toString(16).padStart(64, '0')}` as const;
    const stored = new Map(Array.from({ length: 200_000 }, (_, i) => [i, hash(i)] as const));
    const step = findForkPoint({ stored, node: new Map() });
    expect(step).toEqual({ kind: 'fetch', heights: Array.from({ length: 32 }, (_, i) => 199_999 - i) });
    const all = findForkPoint({ stored, node: new Map([[199_999, hash(0)], [199_998, hash(199_998)]]) });
    expect(all).toEqual({ kind: 'common-ancestor', number: 199_998, hash: hash(199_998), orphaned: [199_999] });
  });
});

describe('each field is read once: what is encoded is what was checked', () => {
  /** `tx` with a getter on `field` that answers `first` `reads` times, then `then`. */
  function shifty<K extends keyof Eip1559Transaction>(field: K, first: Eip1559Transaction[K], then: unknown, reads: number): Eip1559Transaction {
    let n = 0;
    const tx = { ...TX };
    Object.defineProperty(tx, field, { enumerable: true, get: () => (n++ < reads ? first : then) });
    return tx;
  }
  it('a value or recipient getter that changes after its first read: the first read is checked and encoded, nothing else', () => {
    for (let reads = 1; reads <= 6; reads++) {
      for (const tx of [shifty('value', 1n, 10n ** 30n, reads), shifty('value', 1n, -1n, reads), shifty('to', RECIPIENT, TOKEN, reads), shifty('to', RECIPIENT, 'not an address', reads)]) {
        expect(Buffer.from(transactionSigningHash(tx)).equals(Buffer.from(transactionSigningHash(TX)))).toBe(true);
      }
    }
  });
  it('a signature getter cannot show one signature to the sender check and encode another', () => {
    const key = Uint8Array.from(Buffer.from('11'.repeat(32), 'hex'));
    const from = addressFromPublicKey(secp256k1.getPublicKey(key, true));
    const good = secp256k1.sign(transactionSigningHash(TX), key, { prehash: false, format: 'recovered' });
    const honest = { signature: good.subarray(1), recoveryId: good[0]! };
    const other = Uint8Array.from(honest.signature);
    other[40] ^= 1; // another s: another (or no) signer
    const expected = Buffer.from(signedTransactionBytes(TX, honest, from));
    let accepted = 0;
    for (let first = 0; first < 8; first++) {
      for (let count = 1; count <= 8; count++) {
        let n = 0;
        // The other signature on reads first..first+count-1, the honest one otherwise.
        const sig = { recoveryId: honest.recoveryId, get signature() { const i = n++; return i >= first && i < first + count ? other : honest.signature; } };
        let raw: Uint8Array | undefined;
        try {
          raw = signedTransactionBytes(TX, sig, from);
        } catch (e) {
          if (!(e instanceof ChainInputError)) throw e;
        }
        if (raw !== undefined) {
          accepted++;
          expect(Buffer.from(raw).equals(expected)).toBe(true);
        }
      }
    }
    expect(accepted).toBeGreaterThan(0); // non-vacuous: windows past the reads encode the honest signature
  });
});
