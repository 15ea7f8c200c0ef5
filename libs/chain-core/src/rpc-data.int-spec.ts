import erc20Artifact from '@openzeppelin/contracts/build/contracts/ERC20PresetFixedSupply.json';
import { encodeDeployData, type Hex } from 'viem';
import { startAnvil, type Anvil } from '@custody/testing';
import { decodeErc20TransferLog, parseAddress, parseRpcBlock, parseRpcLogs, parseRpcReceipt, type Hash } from '../src';

/** The shape checks accept what a real node (anvil) sends, and the cross-references hold. */
describe('JSON-RPC data from a real anvil', () => {
  let anvil: Anvil;
  let dev: string;
  let recipient: string;
  beforeAll(async () => {
    anvil = await startAnvil();
    [dev, recipient] = await anvil.rpc<string[]>('eth_accounts');
  }, 60_000);
  afterAll(async () => {
    await anvil?.stop();
  });

  it('a block with full transactions, its receipt, and the ERC-20 Transfer logs of a token deployment', async () => {
    const hash = await anvil.rpc<Hash>('eth_sendTransaction', [{ from: dev, to: recipient, value: '0x1234' }]);
    const receipt = parseRpcReceipt(await anvil.receipt(hash));
    expect(receipt).toMatchObject({ transactionHash: hash, success: true, from: parseAddress(dev), to: parseAddress(recipient), gasUsed: 21_000n });
    const block = parseRpcBlock(await anvil.rpc('eth_getBlockByNumber', [`0x${receipt.blockNumber.toString(16)}`, true]), receipt.blockNumber);
    expect(block.hash).toBe(receipt.blockHash);
    expect(block.transactions).toEqual([{ hash, from: parseAddress(dev), to: parseAddress(recipient), value: 0x1234n, nonce: 0, transactionIndex: 0, inputLength: 0 }]);
    const parent = parseRpcBlock(await anvil.rpc('eth_getBlockByNumber', [`0x${(receipt.blockNumber - 1).toString(16)}`, true]), receipt.blockNumber - 1);
    expect(block.parentHash).toBe(parent.hash);

    const deploy = await anvil.rpc<Hash>('eth_sendTransaction', [
      { from: dev, data: encodeDeployData({ abi: erc20Artifact.abi, bytecode: erc20Artifact.bytecode as Hex, args: ['TEST-ONLY', 'TST', 77n, dev] }) },
    ]);
    const deployed = parseRpcReceipt(await anvil.receipt(deploy));
    const logs = parseRpcLogs(await anvil.rpc('eth_getLogs', [{ fromBlock: '0x0', toBlock: 'latest' }]), 0, deployed.blockNumber, new Map([[deployed.blockNumber, deployed.blockHash]]));
    const transfers = logs.map((l) => decodeErc20TransferLog(l)).filter((t) => t !== undefined);
    expect(transfers).toEqual([{ token: deployed.logs[0]!.address, from: parseAddress(`0x${'00'.repeat(20)}`), to: parseAddress(dev), amount: 77n }]);
    // A log of a block whose hash the indexer read differently: the node changed branch.
    expect(() => parseRpcLogs(logs.map((l) => ({ ...l, blockNumber: `0x${l.blockNumber.toString(16)}`, transactionIndex: '0x0', logIndex: `0x${l.logIndex.toString(16)}` })), 0, deployed.blockNumber, new Map<number, Hash>([[deployed.blockNumber, `0x${'11'.repeat(32)}`]]))).toThrow(/node changed branch/);
  }, 60_000);

  it('a block the node does not have yet is "missing", and a node answering another height is refused', async () => {
    const head = Number(BigInt(await anvil.rpc<string>('eth_blockNumber')));
    expect(() => parseRpcBlock(null, head + 1)).toThrow(/invalid block: missing/);
    const block = await anvil.rpc('eth_getBlockByNumber', [`0x${head.toString(16)}`, true]);
    expect(() => parseRpcBlock(block, head + 1)).toThrow(/invalid block\.number: is \d+, not the \d+ asked for/);
  });
});
