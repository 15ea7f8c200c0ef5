import { Inject, Injectable } from '@nestjs/common';
import { REDIS } from '@custody/platform';
import type Redis from 'ioredis';
import type { GatewayConfig } from '../config';
import { GATEWAY_CONFIG } from '../tokens';

/**
 * Signature nonces seen, per client, in Redis (SET NX PX). A nonce is kept for twice the freshness
 * window: a `created` up to one window in the future stays acceptable until one window after it.
 */
@Injectable()
export class NonceStore {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  /** True the first time this client presents this nonce within the window, false after. */
  async claim(clientId: string, nonce: string): Promise<boolean> {
    const ttlMs = 2 * this.config.signatureWindowSeconds * 1000;
    const result = await this.redis.set(`${this.config.redisPrefix}nonce:${clientId}:${nonce}`, '1', 'PX', ttlMs, 'NX');
    return result === 'OK';
  }
}
