import { Injectable } from '@nestjs/common';
import { compilePolicy, type CompiledPolicy } from '@custody/policy-core';
import type { Sql } from '../storage/transaction';
import { GovernanceRepository } from './governance.repository';

/**
 * Compiled policy versions, compiled once each (CEL planned once) and kept: versions are immutable,
 * so a cached compilation never goes stale. The active pointer itself is read from Postgres on every
 * evaluation, so an activation takes effect for the very next one, on every engine instance.
 */
@Injectable()
export class CompiledPolicies {
  private readonly cache = new Map<number, Promise<CompiledPolicy>>();

  constructor(private readonly repository: GovernanceRepository) {}

  version(n: number, sql?: Sql): Promise<CompiledPolicy> {
    let compiled = this.cache.get(n);
    if (compiled === undefined) {
      compiled = this.load(n, sql);
      this.cache.set(n, compiled);
      compiled.catch(() => this.cache.delete(n));
    }
    return compiled;
  }

  /** The version active in the caller's transaction (its snapshot of the pointer). */
  async active(sql?: Sql): Promise<CompiledPolicy> {
    return this.version(await this.repository.activeVersionNumber(sql), sql);
  }

  private async load(n: number, sql?: Sql): Promise<CompiledPolicy> {
    const record = await this.repository.version(n, sql);
    if (record === undefined) throw new Error(`policy version ${n} is missing`);
    const compiled = compilePolicy(record.document, n);
    // The stored hash is what evaluations and grants name; a mismatch means the row was tampered with.
    if (compiled.hash !== record.contentHash) throw new Error(`policy version ${n}: stored content hash does not match its document`);
    return compiled;
  }
}
