import { ConfigError } from '@custody/config';
import { parsePipelineConfig } from './pipeline.config';
import { stepFor } from './withdrawal-pipeline.service';

const anvil = { chain: 'anvil', chainId: 31337, rpcUrl: 'http://127.0.0.1:8545', maxFeePerGasCap: '100000000000' };
const chains = JSON.stringify([anvil]);
const upstreams = { LEDGER_GRPC_ADDRESS: '127.0.0.1:1', POLICY_ENGINE_GRPC_ADDRESS: '127.0.0.1:2', GATEWAY_SIGNER_ADDRESSES: '1=127.0.0.1:3' };

describe('pipeline config', () => {
  it('is off without PIPELINE_CHAINS, with defaults otherwise', () => {
    expect(parsePipelineConfig({})).toBeUndefined();
    const config = parsePipelineConfig({ PIPELINE_CHAINS: chains, ...upstreams })!;
    expect(config.chains.get('anvil')).toEqual({ chain: 'anvil', chainId: 31337, rpcUrl: 'http://127.0.0.1:8545/', maxFeePerGasCap: 100_000_000_000n, minPriorityFeePerGas: 1_000_000_000n, confirmations: 1, sweepMinWei: undefined });
    expect(config).toMatchObject({ workers: true, concurrency: 8, stuckAfterMs: 120_000, pollMs: 1000, approvalTimeoutMs: 3_600_000, withdrawalTtlMs: 86_400_000, sweepMs: 60_000 });
    const swept = parsePipelineConfig({ PIPELINE_CHAINS: JSON.stringify([{ ...anvil, sweepMinWei: '10000000000000000' }]), ...upstreams, PIPELINE_SWEEP_MS: '0' })!;
    expect(swept.chains.get('anvil')!.sweepMinWei).toBe(10n ** 16n);
    expect(swept.sweepMs).toBe(0);
  });

  it.each([
    [{ PIPELINE_CHAINS: chains }, 'LEDGER_GRPC_ADDRESS'],
    [{ PIPELINE_CHAINS: '[]', ...upstreams }, 'PIPELINE_CHAINS'],
    [{ PIPELINE_CHAINS: 'nope', ...upstreams }, 'PIPELINE_CHAINS'],
    [{ PIPELINE_CHAINS: JSON.stringify([{ chain: 'a b', chainId: 1, rpcUrl: 'http://x', maxFeePerGasCap: '1' }]), ...upstreams }, 'PIPELINE_CHAINS[0].chain'],
    [{ PIPELINE_CHAINS: JSON.stringify([{ chain: 'a', chainId: 0, rpcUrl: 'http://x', maxFeePerGasCap: '1' }]), ...upstreams }, 'PIPELINE_CHAINS[0].chainId'],
    [{ PIPELINE_CHAINS: JSON.stringify([{ chain: 'a', chainId: 1, rpcUrl: 'ftp://x', maxFeePerGasCap: '1' }]), ...upstreams }, 'PIPELINE_CHAINS[0].rpcUrl'],
    [{ PIPELINE_CHAINS: JSON.stringify([{ chain: 'a', chainId: 1, rpcUrl: 'http://x', maxFeePerGasCap: 1 }]), ...upstreams }, 'PIPELINE_CHAINS[0].maxFeePerGasCap'],
    [{ PIPELINE_CHAINS: JSON.stringify([{ chain: 'a', chainId: 1, rpcUrl: 'http://x', maxFeePerGasCap: '0' }]), ...upstreams }, 'PIPELINE_CHAINS[0].maxFeePerGasCap'],
    [{ PIPELINE_CHAINS: JSON.stringify([{ chain: 'a', chainId: 1, rpcUrl: 'http://x', maxFeePerGasCap: '1', extra: 1 }]), ...upstreams }, 'PIPELINE_CHAINS[0].extra'],
    [{ PIPELINE_CHAINS: JSON.stringify([{ chain: 'a', chainId: 1, rpcUrl: 'http://x', maxFeePerGasCap: '1', sweepMinWei: '-1' }]), ...upstreams }, 'PIPELINE_CHAINS[0].sweepMinWei'],
    [{ PIPELINE_CHAINS: chains, ...upstreams, PIPELINE_SWEEP_MS: '-5' }, 'PIPELINE_SWEEP_MS'],
    [{ PIPELINE_CHAINS: chains, ...upstreams, PIPELINE_WORKERS: 'maybe' }, 'PIPELINE_WORKERS'],
    [{ PIPELINE_CHAINS: chains, ...upstreams, PIPELINE_APPROVAL_TIMEOUT_MS: '90000000' }, 'PIPELINE_APPROVAL_TIMEOUT_MS'],
  ])('refuses %j naming %s', (env, variable) => {
    let error: unknown;
    try {
      parsePipelineConfig(env as Record<string, string>);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(variable);
  });
});

describe('the step of each state', () => {
  it('runs one step per open state, release for an unreleased final one, none when settled', () => {
    expect(stepFor({ state: 'requested', released: false })).toBe('hold');
    expect(stepFor({ state: 'held', released: false })).toBe('build');
    expect(stepFor({ state: 'built', released: false })).toBe('evaluate');
    expect(stepFor({ state: 'pending-approval', released: false })).toBe('await-approval');
    expect(stepFor({ state: 'approved', released: false })).toBe('sign');
    expect(stepFor({ state: 'signing', released: false })).toBe('sign');
    expect(stepFor({ state: 'signed', released: false })).toBe('broadcast');
    expect(stepFor({ state: 'broadcast', released: false })).toBe('confirm');
    expect(stepFor({ state: 'confirmed', released: false })).toBeUndefined();
    for (const state of ['failed', 'denied', 'rejected', 'expired', 'cancelled'] as const) {
      expect(stepFor({ state, released: false })).toBe('release');
      expect(stepFor({ state, released: true })).toBeUndefined();
    }
  });
});
