import { encodeAbiParameters, encodeEventTopics, erc20Abi, parseAbiItem, toEventSelector } from 'viem';
import {
  ChainInputError,
  decodeErc20TransferData,
  decodeErc20TransferLog,
  ERC20_TRANSFER_TOPIC,
  erc20TransferData,
  erc20TransferTransaction,
  parseAddress,
  UINT256_LIMIT,
} from '../src';

const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}` as const;
const TOKEN = parseAddress('0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed');
const ALICE = parseAddress('0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359');
const BOB = parseAddress('0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB');
const FEES = { chainId: 1, nonce: 0, maxFeePerGas: 30_000_000_000n, maxPriorityFeePerGas: 1_000_000_000n, gas: 65_000n };

describe('ERC-20 transfer calldata', () => {
  it('is the selector a9059cbb, the recipient word and the amount word', () => {
    const data = erc20TransferData(BOB, 1_500_000n);
    expect(hex(data)).toBe(`0xa9059cbb${'0'.repeat(24)}${BOB.slice(2).toLowerCase()}${(1_500_000n).toString(16).padStart(64, '0')}`);
    expect(decodeErc20TransferData(data)).toEqual({ recipient: BOB, amount: 1_500_000n });
  });

  it('round-trips 0 and 2^256-1', () => {
    for (const amount of [0n, UINT256_LIMIT - 1n]) expect(decodeErc20TransferData(erc20TransferData(ALICE, amount)).amount).toBe(amount);
  });

  it('builds the transaction to the token contract with value 0', () => {
    const tx = erc20TransferTransaction({ ...FEES, token: TOKEN, recipient: BOB, amount: 7n });
    expect(tx.to).toBe(TOKEN);
    expect(tx.value).toBe(0n);
    expect(decodeErc20TransferData(tx.data)).toEqual({ recipient: BOB, amount: 7n });
  });

  const good = erc20TransferData(BOB, 5n);
  const dirty = Uint8Array.from(good);
  dirty[4] = 1; // a non-zero byte in the address word's padding
  const approve = Uint8Array.from(good);
  approve.set([0x09, 0x5e, 0xa7, 0xb3], 0); // approve(address,uint256)
  const bad: Array<[string, Uint8Array]> = [
    ['empty data', new Uint8Array(0)],
    ['a trailing byte', Uint8Array.from([...good, 0])],
    ['a missing byte', good.subarray(0, 67)],
    ['a dirty address word', dirty],
    ['approve instead of transfer', approve],
    ['an unknown selector', Uint8Array.from([0xde, 0xad, 0xbe, 0xef, ...good.subarray(4)])],
  ];
  it.each(bad)('refuses %s', (_n, data) => {
    expect(() => decodeErc20TransferData(data, 'payload.data')).toThrow(/^invalid payload\.data: /);
  });

  it('refuses a negative or too large amount and a lower-case recipient', () => {
    expect(() => erc20TransferData(BOB, -1n)).toThrow(/invalid amount: must be ≥ 0/);
    expect(() => erc20TransferData(BOB, UINT256_LIMIT)).toThrow(/invalid amount: must be below 2\^256/);
    expect(() => erc20TransferData(BOB.toLowerCase() as typeof BOB, 1n)).toThrow(ChainInputError);
  });
});

describe('ERC-20 Transfer logs', () => {
  const topics = (from: string, to: string) => encodeEventTopics({ abi: erc20Abi, eventName: 'Transfer', args: { from: from as `0x${string}`, to: to as `0x${string}` } }) as string[];
  const amountWord = (v: bigint) => encodeAbiParameters([{ type: 'uint256' }], [v]);

  it('topic0 is keccak256("Transfer(address,address,uint256)")', () => {
    expect(ERC20_TRANSFER_TOPIC).toBe('0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef');
    expect(toEventSelector(parseAbiItem('event Transfer(address indexed from, address indexed to, uint256 value)'))).toBe(ERC20_TRANSFER_TOPIC);
  });

  it('decodes a log as a node returns it (lower-case hex)', () => {
    const log = { address: TOKEN.toLowerCase(), topics: topics(ALICE, BOB), data: amountWord(123n) };
    expect(decodeErc20TransferLog(log)).toEqual({ token: TOKEN, from: ALICE, to: BOB, amount: 123n });
  });

  it('returns undefined for other events and for ERC-721 Transfer (token id indexed)', () => {
    expect(decodeErc20TransferLog({ address: TOKEN, topics: [`0x${'11'.repeat(32)}`], data: '0x' })).toBeUndefined();
    expect(decodeErc20TransferLog({ address: TOKEN, topics: [], data: '0x' })).toBeUndefined();
    expect(decodeErc20TransferLog({ address: TOKEN, topics: [...topics(ALICE, BOB), amountWord(1n)], data: '0x' })).toBeUndefined();
  });

  const t = topics(ALICE, BOB);
  const bad: Array<[string, unknown]> = [
    ['a dirty from topic', { address: TOKEN, topics: [t[0], `0x01${t[1]!.slice(4)}`, t[2]], data: amountWord(1n) }],
    ['a short to topic', { address: TOKEN, topics: [t[0], t[1], t[2]!.slice(0, 64)], data: amountWord(1n) }],
    ['data of two words', { address: TOKEN, topics: t, data: `${amountWord(1n)}${'00'.repeat(32)}` }],
    ['empty data', { address: TOKEN, topics: t, data: '0x' }],
    ['data without 0x', { address: TOKEN, topics: t, data: amountWord(1n).slice(2) }],
    ['a short contract address', { address: '0x1234', topics: t, data: amountWord(1n) }],
    ['topics not an array', { address: TOKEN, topics: 'x', data: amountWord(1n) }],
    ['a huge data field', { address: TOKEN, topics: t, data: `0x${'00'.repeat(100_000)}` }],
  ];
  it.each(bad)('refuses %s, naming the field', (_n, log) => {
    expect(() => decodeErc20TransferLog(log as never, 'block.logs[3]')).toThrow(/^invalid block\.logs\[3\]/);
  });
});
