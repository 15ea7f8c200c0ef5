import type { IndexerRepository, LedgerCommand } from '../store/indexer.repository';
import { status } from '@grpc/grpc-js';
import { LedgerCallError, type LedgerClient } from './ledger.client';

/** The ledger's answers that another try cannot change (the withdrawal's state, or it is unknown). */
const REFUSED_FOR_GOOD: readonly status[] = [status.FAILED_PRECONDITION, status.NOT_FOUND, status.INVALID_ARGUMENT];

/** The idempotency key of a command: derived from its id, so a redelivery after a crash is the same write. */
export function commandIdempotencyKey(chain: string, command: Pick<LedgerCommand, 'id'>): string {
  return `chain-indexer:${chain}:${command.id}`;
}

/**
 * Delivers the stored ledger commands: those of one deposit in order, different deposits
 * concurrently. A command is marked delivered only after the ledger answered it; one delivered
 * twice (a crash between the answer and the mark) is answered from the ledger's idempotency record.
 * The first failure stops the delivery of that deposit's later commands and is thrown once every
 * other deposit's commands of the batch were tried. A withdrawal's transition the ledger refuses for
 * good (the withdrawal is not in the state it needs: never marked broadcast, or settled by someone
 * else) is recorded as refused and not retried, so one such withdrawal never stops the indexer.
 */
export class LedgerDelivery {
  constructor(
    private readonly chain: string,
    private readonly repository: IndexerRepository,
    private readonly ledger: Pick<LedgerClient, 'call'>,
    private readonly concurrency = 16,
    private readonly batch = 1000,
    private readonly onRefused?: (command: LedgerCommand, refusal: string) => void,
  ) {}

  /** Delivers everything pending; returns how many commands were delivered. */
  async deliverAll(): Promise<number> {
    let total = 0;
    for (;;) {
      const commands = await this.repository.pendingCommands(this.batch);
      if (commands.length === 0) return total;
      total += await this.deliver(commands);
    }
  }

  private async deliver(commands: readonly LedgerCommand[]): Promise<number> {
    const bySubject = new Map<string, LedgerCommand[]>();
    for (const c of commands) {
      const list = bySubject.get(c.subject);
      if (list) list.push(c);
      else bySubject.set(c.subject, [c]);
    }
    const queues = [...bySubject.values()];
    const delivered: string[] = [];
    let failure: Error | undefined;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < queues.length) {
        const queue = queues[next++]!;
        for (const c of queue) {
          try {
            await this.ledger.call(c.method, { ...c.request, idempotencyKey: commandIdempotencyKey(this.chain, c) });
            delivered.push(c.id);
          } catch (error) {
            if (c.method === 'TransitionWithdrawal' && error instanceof LedgerCallError && REFUSED_FOR_GOOD.includes(error.code)) {
              await this.repository.markRefused(c, error.message);
              this.onRefused?.(c, error.message);
              continue;
            }
            failure ??= error instanceof Error ? error : new Error(String(error));
            break;
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, queues.length) }, () => worker()));
    await this.repository.markDelivered(delivered);
    if (failure !== undefined) throw failure;
    return delivered.length;
  }
}
