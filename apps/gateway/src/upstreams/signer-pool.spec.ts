import { status } from '@grpc/grpc-js';
import { SignerCallError } from '@custody/signer-client';
import { parseChainIndexers, parseSignerAddresses } from '../config';
import { isSignedBefore, quorums, triesAnotherQuorum } from './signer-pool';

describe('signer quorums and the gateway’s upstream addresses', () => {
  it('tries each quorum of `threshold` signers once, the lowest ids first', () => {
    expect(quorums([3, 1, 2], 2)).toEqual([
      [1, 2],
      [2, 3],
      [1, 3],
    ]);
    expect(quorums([1, 2, 3], 3)).toEqual([[1, 2, 3]]);
    expect(quorums([1, 2, 3, 4, 5], 3)).toHaveLength(5);
  });

  it('recognises a signer’s refusal of a request id it signed before, and only that', () => {
    expect(isSignedBefore(new SignerCallError(status.FAILED_PRECONDITION, 'invitation-refused [signers 2]: request m-1 was signed here before or is being signed'))).toBe(true);
    expect(isSignedBefore(new SignerCallError(status.FAILED_PRECONDITION, 'refused: bad-engine-signature'))).toBe(false);
    expect(isSignedBefore(new SignerCallError(status.UNAVAILABLE, 'signed before'))).toBe(false);
    expect(isSignedBefore(new Error('signed before'))).toBe(false);
  });

  it('tries another quorum when a signer is away, slow or halted by its witness, never when the request itself is refused', () => {
    expect(triesAnotherQuorum(new SignerCallError(status.UNAVAILABLE, 'unavailable [signers 3]: signer 3 unreachable'))).toBe(true);
    expect(triesAnotherQuorum(new SignerCallError(status.DEADLINE_EXCEEDED, 'timeout'))).toBe(true);
    expect(
      triesAnotherQuorum(new SignerCallError(status.FAILED_PRECONDITION, 'invitation-refused [signers 2]: invitation not accepted (signer 2: witness alarm 7: this signer is halted until an operator clears it (custody witness clear))')),
    ).toBe(true);
    expect(triesAnotherQuorum(new SignerCallError(status.FAILED_PRECONDITION, 'refused: witness alarm 7: this signer is halted until an operator clears it (custody witness clear)'))).toBe(true);
    expect(triesAnotherQuorum(new SignerCallError(status.FAILED_PRECONDITION, 'invitation-refused [signers 2]: request m-1 was signed here before or is being signed'))).toBe(false);
    expect(triesAnotherQuorum(new SignerCallError(status.FAILED_PRECONDITION, 'refused: bad-engine-signature'))).toBe(false);
    expect(triesAnotherQuorum(new SignerCallError(status.INVALID_ARGUMENT, 'this signer is halted'))).toBe(false);
    expect(triesAnotherQuorum(new Error('this signer is halted'))).toBe(false);
  });

  it('parses GATEWAY_SIGNER_ADDRESSES and refuses a bad entry naming the variable', () => {
    expect([...parseSignerAddresses('1=127.0.0.1:9001, 2=signer-2:50051,3=[::1]:9003')!]).toEqual([
      [1, '127.0.0.1:9001'],
      [2, 'signer-2:50051'],
      [3, '[::1]:9003'],
    ]);
    expect(parseSignerAddresses(undefined)).toBeUndefined();
    for (const bad of ['1=a:1,1=b:2', '0=a:1', '1=a', '1=a:99999', 'x=a:1', '1=a b:1']) expect(() => parseSignerAddresses(bad)).toThrow(/GATEWAY_SIGNER_ADDRESSES/);
  });

  it('parses GATEWAY_CHAIN_INDEXERS', () => {
    expect([...parseChainIndexers('anvil=127.0.0.1:9100,sepolia=idx:50051')]).toEqual([
      ['anvil', '127.0.0.1:9100'],
      ['sepolia', 'idx:50051'],
    ]);
    expect(parseChainIndexers(undefined).size).toBe(0);
    for (const bad of ['anvil', 'Anvil=a:1', 'anvil=a:1,anvil=b:2']) expect(() => parseChainIndexers(bad)).toThrow(/GATEWAY_CHAIN_INDEXERS/);
  });
});
