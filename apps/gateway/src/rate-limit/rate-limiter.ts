import { Inject, Injectable } from '@nestjs/common';
import { REDIS } from '@custody/platform';
import type Redis from 'ioredis';
import { GATEWAY_CONFIG } from '../tokens';
import type { GatewayConfig } from '../config';

/**
 * A token bucket per key in one Lua script (atomic across gateway replicas): `capacity` tokens,
 * refilled continuously at capacity per window; each request takes one. The clock is Redis's own
 * (TIME), so replicas with skewed clocks share one bucket.
 */
const TOKEN_BUCKET = `
local capacity = tonumber(ARGV[1])
local window_ms = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil or ts == nil then tokens = capacity; ts = now end
local rate = capacity / window_ms
tokens = math.min(capacity, tokens + math.max(0, now - ts) * rate)
local allowed = 0
if tokens >= 1 then tokens = tokens - 1; allowed = 1 end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', now)
redis.call('PEXPIRE', KEYS[1], window_ms)
local wait_ms = 0
if tokens < 1 then wait_ms = math.ceil((1 - tokens) / rate) end
return { allowed, math.floor(tokens), wait_ms }
`;

export interface RateDecision {
  readonly allowed: boolean;
  /** Requests left now (RateLimit `r`). */
  readonly remaining: number;
  /** Seconds until one more request is allowed (RateLimit `t`), 0 if one is. */
  readonly resetSeconds: number;
  readonly policy: string;
  readonly limit: number;
  readonly windowSeconds: number;
}

@Injectable()
export class RateLimiter {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  perClient(clientId: string): Promise<RateDecision> {
    return this.take('client', `client:${clientId}`, this.config.rateLimitPerClient);
  }

  perIp(ip: string): Promise<RateDecision> {
    return this.take('ip', `ip:${ip}`, this.config.rateLimitPerIp);
  }

  private async take(policy: string, key: string, limit: number): Promise<RateDecision> {
    const windowMs = this.config.rateWindowSeconds * 1000;
    const [allowed, remaining, waitMs] = (await this.redis.eval(TOKEN_BUCKET, 1, `${this.config.redisPrefix}rate:${key}`, limit, windowMs)) as [number, number, number];
    return { allowed: allowed === 1, remaining, resetSeconds: Math.ceil(waitMs / 1000), policy, limit, windowSeconds: this.config.rateWindowSeconds };
  }
}

/** `RateLimit-Policy` and `RateLimit` (draft-ietf-httpapi-ratelimit-headers, structured fields). */
export function rateLimitHeaders(decision: RateDecision): Record<string, string> {
  return {
    'RateLimit-Policy': `"${decision.policy}";q=${decision.limit};w=${decision.windowSeconds}`,
    RateLimit: `"${decision.policy}";r=${decision.remaining};t=${decision.resetSeconds}`,
  };
}
