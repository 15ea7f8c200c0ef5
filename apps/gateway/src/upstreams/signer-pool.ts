import { status } from '@grpc/grpc-js';
import { SignerCallError, SignerClient, type KeyInfo, type SchemeName, type SignResult } from '@custody/signer-client';
import { ApiError } from '../errors/api-error';
import type { CustodyUpstreams } from '../config';

/** Signer errors after which another quorum may succeed: a peer away or slow, or a culprit named. */
const TRY_ANOTHER_QUORUM = new Set<status>([status.UNAVAILABLE, status.DEADLINE_EXCEEDED, status.ABORTED]);
/**
 * A refusal by one node's own state, not by the request: its witness found the audit log hiding a
 * grant it signed and halted it until an operator clears it (apps/signer witness). The other nodes
 * judge the request for themselves, so a quorum without it may sign. (A refusal of the request
 * itself, such as a bad grant or a request signed before, is never tried elsewhere.)
 */
const NODE_HALTED = /this signer is halted/;

/** Whether a failed signing session may succeed with another quorum (pure). */
export function triesAnotherQuorum(error: unknown): boolean {
  if (!(error instanceof SignerCallError)) return false;
  return TRY_ANOTHER_QUORUM.has(error.code) || (error.code === status.FAILED_PRECONDITION && NODE_HALTED.test(error.details));
}

/** The quorums to try in turn: the signer ids rotated by 0, 1, …, each cut to `threshold` (pure). */
export function quorums(ids: readonly number[], threshold: number): number[][] {
  const sorted = [...ids].sort((a, b) => a - b);
  const out: number[][] = [];
  const seen = new Set<string>();
  for (let k = 0; k < sorted.length; k++) {
    const quorum = [...sorted.slice(k), ...sorted.slice(0, k)].slice(0, threshold).sort((a, b) => a - b);
    const key = quorum.join(',');
    if (!seen.has(key)) {
      seen.add(key);
      out.push(quorum);
    }
  }
  return out;
}

/** A signer refused a request id it signed before (its error names it). */
export function isSignedBefore(error: unknown): boolean {
  return error instanceof SignerCallError && error.code === status.FAILED_PRECONDITION && /was signed here before or is being signed|signed before/i.test(error.details);
}

/**
 * The signer nodes of GATEWAY_SIGNER_ADDRESSES: keygens with every signer taking part, signatures
 * by a quorum of GATEWAY_SIGNER_THRESHOLD (another quorum is tried when one is away, slow or halted).
 */
export class SignerPool {
  private readonly clients = new Map<number, SignerClient>();

  constructor(private readonly upstreams: CustodyUpstreams) {}

  private ids(): number[] {
    if (!this.upstreams.signers) throw new ApiError('unavailable', 'the gateway has no signers configured (GATEWAY_SIGNER_ADDRESSES)');
    return [...this.upstreams.signers.keys()].sort((a, b) => a - b);
  }

  private client(id: number): SignerClient {
    let client = this.clients.get(id);
    if (!client) this.clients.set(id, (client = new SignerClient(this.upstreams.signers!.get(id)!)));
    return client;
  }

  get threshold(): number {
    return this.upstreams.signerThreshold;
  }

  /**
   * One distributed keygen (never retried here: a keygen that may have run is not run again; the
   * idempotency key of the request guards a retry by the client).
   */
  async createKey(scheme: SchemeName): Promise<KeyInfo> {
    const ids = this.ids();
    try {
      return await this.client(ids[0]!).createKey(scheme, this.threshold, ids, this.upstreams.keygenTimeoutMs);
    } catch (error) {
      if (error instanceof SignerCallError) throw new ApiError('unavailable', `the signers could not generate the key (${error.message.slice(0, 200)}); retry later`);
      throw error;
    }
  }

  /** Signs with the first quorum that can; the coordinator is the quorum's first signer. */
  async sign(grant: Uint8Array, signingInput: Uint8Array): Promise<SignResult & { signers: number[] }> {
    let last: unknown;
    for (const quorum of quorums(this.ids(), this.threshold)) {
      try {
        return { ...(await this.client(quorum[0]!).sign(grant, quorum, signingInput)), signers: quorum };
      } catch (error) {
        last = error;
        if (!triesAnotherQuorum(error)) break;
      }
    }
    throw last;
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
  }
}
