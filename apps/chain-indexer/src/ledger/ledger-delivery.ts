import { status } from '@grpc/grpc-js';
import type { IndexerRepository, LedgerCommand } from '../store/indexer.repository';
import { LedgerCallError, type LedgerClient } from './ledger.client';

/** The ledger's answers that another try cannot change (the withdrawal's state, or it is unknown). */
const REFUSED_FOR_GOOD: readonly status[] = [status.FAILED_PRECONDITION, status.NOT_FOUND, status.INVALID_ARGUMENT];

/** The deposit commands ApplyDepositEvents takes, and the oneof field of each. */
const DEPOSIT_EVENT_FIELD: Partial<Record<LedgerCommand['method'], 'seen' | 'confirmations' | 'reverse'>> = {
  RecordDeposit: 'seen',
  UpdateDepositConfirmations: 'confirmations',
  ReverseDeposit: 'reverse',
};

/** The idempotency key of a command: derived from its id, so a redelivery after a crash is the same write. */
export function commandIdempotencyKey(chain: string, command: Pick<LedgerCommand, 'id'>): string {
  return `chain-indexer:${chain}:${command.id}`;
}

export interface DeliveryOptions {
  /** Single calls in flight at once (each a different subject). Default 16. */
  readonly concurrency?: number;
  /**
   * ApplyDepositEvents calls in flight at once. Default 2: every deposit event of a chain's asset books
   * to the same system accounts, so the ledger runs batches one after the other anyway; a second lane
   * only overlaps the next batch's transfer with the current one's transaction, and more lanes only wait
   * on the ledger's locks (and, past its lock timeout, are answered ABORTED).
   */
  readonly lanes?: number;
  /** Commands read per round. Default 1000 (raised to batchEvents × concurrency when batching). */
  readonly batch?: number;
  /** Events per ApplyDepositEvents call (≤ 1000). Default 500 (one batch's transaction stays well within the ledger's lock timeout). */
  readonly batchEvents?: number;
  /** Serialized size (JSON, an upper bound of the protobuf) per ApplyDepositEvents call. Default 900 KiB (the ledger takes 1 MiB). */
  readonly batchBytes?: number;
  /**
   * true (the default): deposit events in ApplyDepositEvents batches (falls back by itself on UNIMPLEMENTED);
   * false: one call per command.
   */
  readonly batched?: boolean;
  readonly onRefused?: (command: LedgerCommand, refusal: string) => void;
}

interface DepositEventResult {
  readonly deposit?: unknown;
  readonly error?: { readonly code: number; readonly errorClass?: string; readonly message: string } | null;
}

/**
 * Delivers the stored ledger commands: those of one subject (a deposit, a withdrawal) in order,
 * different subjects concurrently. Deposit events go in ApplyDepositEvents batches (up to 1,000
 * events, applied in order in one ledger transaction and answered one by one) when the ledger has
 * that call, else one call each. A command is marked delivered only after the ledger answered it;
 * one delivered twice (a crash between the answer and the mark) is answered from the ledger's
 * idempotency record. The first failure stops the delivery of that subject's later commands and is
 * thrown once every other subject's commands of the round were tried. A withdrawal's transition the
 * ledger refuses for good (the withdrawal is not in the state it needs: never marked broadcast, or
 * settled by someone else) is recorded as refused and not retried, so one such withdrawal never
 * stops the indexer.
 */
export class LedgerDelivery {
  private readonly concurrency: number;
  private readonly lanes: number;
  private readonly batchEvents: number;
  private readonly batchBytes: number;
  private readonly onRefused: ((command: LedgerCommand, refusal: string) => void) | undefined;
  private batched: boolean;

  constructor(
    private readonly chain: string,
    private readonly repository: IndexerRepository,
    private readonly ledger: Pick<LedgerClient, 'call'>,
    options: DeliveryOptions = {},
  ) {
    this.concurrency = options.concurrency ?? 16;
    this.lanes = Math.max(1, options.lanes ?? 2);
    this.batchEvents = Math.min(1000, options.batchEvents ?? 500);
    this.batchBytes = options.batchBytes ?? 900 * 1024;
    this.batched = options.batched ?? true;
    this.onRefused = options.onRefused;
    this.roundSize = options.batch ?? 1000;
  }

  private readonly roundSize: number;

  /** Whether deposit events currently go in ApplyDepositEvents batches. */
  get batching(): boolean {
    return this.batched;
  }

  /** Delivers everything pending; returns how many commands were delivered. */
  async deliverAll(): Promise<number> {
    let total = 0;
    for (;;) {
      const commands = await this.repository.pendingCommands(this.batched ? Math.max(this.roundSize, this.batchEvents * this.lanes * 2) : this.roundSize);
      if (commands.length === 0) return total;
      total += await this.deliver(commands);
    }
  }

  private async deliver(commands: readonly LedgerCommand[]): Promise<number> {
    const delivered: string[] = [];
    let failure: Error | undefined;
    const fail = (error: unknown): void => {
      failure ??= error instanceof Error ? error : new Error(String(error));
    };
    const deposits = this.batched ? commands.filter((c) => DEPOSIT_EVENT_FIELD[c.method] !== undefined) : [];
    const singles = this.batched ? commands.filter((c) => DEPOSIT_EVENT_FIELD[c.method] === undefined) : commands;
    await Promise.all([deposits.length > 0 ? this.deliverBatched(deposits, delivered, fail) : undefined, this.deliverSingly(singles, delivered, fail)]);
    await this.repository.markDelivered(delivered);
    if (failure !== undefined) throw failure;
    return delivered.length;
  }

  private async deliverSingly(commands: readonly LedgerCommand[], delivered: string[], fail: (error: unknown) => void): Promise<void> {
    const queues = [...bySubject(commands).values()];
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
            fail(error);
            break;
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, queues.length) }, () => worker()));
  }

  /**
   * Deposit events in ApplyDepositEvents calls. Subjects are spread over lanes (a subject's events
   * all in one lane, in id order); each lane sends its batches one after the other, the lanes
   * concurrently. An event answered with an error stops its subject: its later events in the round
   * are not marked delivered (they are sent again, answered from the idempotency record if applied).
   */
  private async deliverBatched(commands: readonly LedgerCommand[], delivered: string[], fail: (error: unknown) => void): Promise<void> {
    const lanes = this.lanes;
    const laneOf = new Map<string, number>();
    const laneCommands: LedgerCommand[][] = Array.from({ length: lanes }, () => []);
    for (const c of commands) {
      let lane = laneOf.get(c.subject);
      if (lane === undefined) {
        lane = laneOf.size % lanes;
        laneOf.set(c.subject, lane);
      }
      laneCommands[lane]!.push(c);
    }
    let unimplemented = false;
    const runLane = async (list: readonly LedgerCommand[]): Promise<void> => {
      const stopped = new Set<string>();
      for (const chunk of this.chunks(list)) {
        if (unimplemented) return;
        let results: DepositEventResult[];
        try {
          const response = await this.ledger.call<{ results: DepositEventResult[] }>('ApplyDepositEvents', {
            events: chunk.map((c) => ({ [DEPOSIT_EVENT_FIELD[c.method]!]: { ...c.request, idempotencyKey: commandIdempotencyKey(this.chain, c) } })),
          });
          results = response.results;
        } catch (error) {
          if (error instanceof LedgerCallError && error.code === status.UNIMPLEMENTED) {
            unimplemented = true;
            return;
          }
          fail(error);
          return;
        }
        if (results.length !== chunk.length) {
          fail(new Error(`ledger ApplyDepositEvents answered ${results.length} results for ${chunk.length} events`));
          return;
        }
        chunk.forEach((c, i) => {
          const r = results[i]!;
          if (stopped.has(c.subject)) return;
          if (r.error) {
            stopped.add(c.subject);
            fail(new LedgerCallError(c.method, r.error.code as status, r.error.message));
          } else delivered.push(c.id);
        });
      }
    };
    await Promise.all(laneCommands.filter((l) => l.length > 0).map((l) => runLane(l)));
    if (unimplemented) {
      // The ledger has no ApplyDepositEvents (an older ledger): one call per event from now on.
      this.batched = false;
      const done = new Set(delivered);
      await this.deliverSingly(
        commands.filter((c) => !done.has(c.id)),
        delivered,
        fail,
      );
    }
  }

  private *chunks(list: readonly LedgerCommand[]): Generator<LedgerCommand[]> {
    let chunk: LedgerCommand[] = [];
    let bytes = 0;
    for (const c of list) {
      const size = JSON.stringify(c.request).length + 96;
      if (chunk.length > 0 && (chunk.length >= this.batchEvents || bytes + size > this.batchBytes)) {
        yield chunk;
        chunk = [];
        bytes = 0;
      }
      chunk.push(c);
      bytes += size;
    }
    if (chunk.length > 0) yield chunk;
  }
}

function bySubject(commands: readonly LedgerCommand[]): Map<string, LedgerCommand[]> {
  const map = new Map<string, LedgerCommand[]>();
  for (const c of commands) {
    const list = map.get(c.subject);
    if (list) list.push(c);
    else map.set(c.subject, [c]);
  }
  return map;
}
