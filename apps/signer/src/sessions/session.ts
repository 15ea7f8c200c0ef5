import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { ProtocolAbortError, type PartyId, type Rng } from '@custody/mpc-core';
import type { Outbound, ProtocolDriver } from './protocol-driver';
import { SessionFailed } from './session-errors';

/** Labels of the session layer's own messages; protocol rounds are `p1`, `p2`, … */
export const DONE_LABEL = 'done';
export const ABORT_LABEL = 'abort';
const MAX_LABEL_ROUND = 64;

export function roundLabel(round: number): string {
  return `p${round}`;
}

function parseRoundLabel(label: string): number | undefined {
  const m = /^p([1-9][0-9]?)$/.exec(label);
  if (!m) return undefined;
  const n = Number(m[1]);
  return n <= MAX_LABEL_ROUND ? n : undefined;
}

export interface SessionHooks<Out> {
  /** Seals and sends a message; delivery failures surface as silence (and so as a timeout naming the peer). */
  send(to: PartyId | 'all', label: string, payload: Uint8Array): void;
  /**
   * Keeps the output (e.g. stores the new share, pending) and returns a digest of its public part,
   * which every participant must agree on before the session completes.
   */
  stage(output: Out): Promise<Uint8Array>;
  /** Every participant confirmed the same result: make it usable. */
  commit(output: Out): Promise<void>;
  /** The session failed after `stage`: undo it, leaving no half-state behind. */
  discard(output: Out): Promise<void>;
  /** Wall clock in ms (injected so tests can drive deadlines). */
  now(): number;
}

export interface SessionParams<Out> {
  readonly sessionId: Uint8Array;
  readonly self: PartyId;
  /** Every participant, including `self`. */
  readonly participants: readonly PartyId[];
  /** Absolute deadline, ms since the epoch. */
  readonly deadline: number;
  readonly driver: ProtocolDriver<Out>;
  readonly rng: Rng;
  readonly hooks: SessionHooks<Out>;
}

interface DoneMessage {
  readonly result: string;
  readonly echo: string;
}

/**
 * One party's side of one protocol session: collects each round's messages from every other
 * participant (buffering early ones), runs the driver's round when the inbox is complete, and ends
 * with a confirmation round in which every participant states the digest of the result and of
 * every broadcast it received (the echo check). It fails — never half-succeeds — at the deadline
 * (naming the silent parties), on a protocol abort (naming the culprits, and telling the others),
 * or when the confirmations disagree.
 */
export class Session<Out> {
  readonly id: string;
  readonly result: Promise<Out>;
  private resolve!: (out: Out) => void;
  private reject!: (error: SessionFailed) => void;
  private readonly others: PartyId[];
  private readonly inboxes = new Map<number, Map<PartyId, Uint8Array>>();
  private readonly confirmations = new Map<PartyId, DoneMessage>();
  private readonly echo: Array<{ round: number; from: PartyId; digest: string }> = [];
  /** SHA-256 of every message accepted, by round and sender: a second, different one is equivocation. */
  private readonly seen = new Map<string, string>();
  private round = 1;
  private started = false;
  private output: { value: Out; staged: boolean; confirmation?: DoneMessage } | undefined;
  private ended = false;
  private queue: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly params: SessionParams<Out>) {
    this.id = bytesToHex(params.sessionId);
    this.others = params.participants.filter((p) => p !== params.self);
    this.result = new Promise<Out>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // The session's owner awaits `result`; keep an unawaited rejection from being reported as unhandled.
    this.result.catch(() => undefined);
  }

  get protocol(): string {
    return this.params.driver.protocol;
  }

  get participants(): readonly PartyId[] {
    return this.params.participants;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Sends round 1 and arms the deadline. */
  start(): void {
    const wait = Math.max(0, this.params.deadline - this.params.hooks.now());
    this.timer = setTimeout(() => this.enqueue(() => this.onDeadline()), wait);
    this.enqueue(() => {
      this.started = true;
      this.dispatch(1, this.params.driver.start(this.params.rng));
      return this.advance();
    });
  }

  /** An authenticated message from `from` (the transport checked who sent it). */
  receive(from: PartyId, label: string, payload: Uint8Array): void {
    this.enqueue(() => this.accept(from, label, payload));
  }

  /** Ends the session from outside (shutdown, or a refused invitation). */
  fail(error: SessionFailed): void {
    this.enqueue(() => this.finish(error));
  }

  private enqueue(work: () => void | Promise<void>): void {
    this.queue = this.queue
      .then(async () => {
        if (!this.ended) await work();
      })
      .catch(async (error: unknown) => {
        await this.finish(this.asFailure(error));
      });
  }

  private asFailure(error: unknown): SessionFailed {
    if (error instanceof SessionFailed) return error;
    if (error instanceof ProtocolAbortError) {
      return new SessionFailed('protocol-abort', error.culprits, error.message);
    }
    // Our own fault: say so without detail that could carry secrets.
    const name = error instanceof Error ? error.name : 'error';
    return new SessionFailed('local-error', [this.params.self], `signer ${this.params.self} failed locally (${name})`);
  }

  private dispatch(round: number, outgoing: readonly Outbound[]): void {
    // Our own broadcast part counts in the echo like everyone else's: every party hashes the same set.
    const own = outgoing.map((m) => this.params.driver.broadcastPart(round, m.payload)).find((part) => part !== undefined);
    if (own) this.echo.push({ round, from: this.params.self, digest: bytesToHex(sha256(own)) });
    for (const message of outgoing) this.params.hooks.send(message.to, roundLabel(round), message.payload);
  }

  private async accept(from: PartyId, label: string, payload: Uint8Array): Promise<void> {
    if (!this.others.includes(from)) return; // not a participant: the transport logs and drops it
    if (label === ABORT_LABEL) {
      const reason = parseAbort(payload);
      throw new SessionFailed('aborted-by-peer', reason.culprits.length ? reason.culprits : [from], `signer ${from} aborted the session: ${reason.text}`);
    }
    if (label === DONE_LABEL) {
      if (this.confirmations.has(from)) return;
      this.confirmations.set(from, parseDone(from, payload));
      return this.advance();
    }
    const round = parseRoundLabel(label);
    if (round === undefined || round > this.params.driver.rounds) {
      throw new SessionFailed('protocol-abort', [from], `signer ${from} sent a message for unknown round "${label.slice(0, 16)}"`);
    }
    const key = `${round}:${from}`;
    const digest = bytesToHex(sha256(payload));
    const previous = this.seen.get(key);
    if (previous !== undefined) {
      if (previous !== digest) throw new SessionFailed('inconsistent', [from], `signer ${from} sent two different messages for round ${round}`);
      return; // a retransmission
    }
    this.seen.set(key, digest);
    let inbox = this.inboxes.get(round);
    if (!inbox) this.inboxes.set(round, (inbox = new Map<PartyId, Uint8Array>()));
    inbox.set(from, payload);
    return this.advance();
  }

  /** Runs every round whose inbox is complete, then the confirmation. */
  private async advance(): Promise<void> {
    // Messages may arrive before this party starts (the coordinator's "start" can be overtaken);
    // they wait in their inbox until our own round-1 messages are out.
    if (!this.started) return;
    const driver = this.params.driver;
    while (!this.output) {
      const inbox = this.inboxes.get(this.round);
      if (!inbox || inbox.size < this.others.length) return;
      this.recordEcho(this.round, inbox);
      const result = driver.step(this.round, inbox, this.params.rng);
      this.inboxes.delete(this.round);
      if ('output' in result) {
        this.output = { value: result.output, staged: false };
        break;
      }
      this.round += 1;
      this.dispatch(this.round, result.outgoing);
    }
    const output = this.output;
    if (driver.confirm === false) {
      // The output verified itself (a signature checked against the public key): no confirmation round.
      await this.params.hooks.stage(output.value);
      output.staged = true;
      await this.params.hooks.commit(output.value);
      this.ended = true;
      clearTimeout(this.timer);
      this.resolve(output.value);
      return;
    }
    if (!output.staged) {
      const digest = await this.params.hooks.stage(output.value);
      output.staged = true;
      output.confirmation = { result: bytesToHex(digest), echo: this.echoDigest() };
      this.params.hooks.send('all', DONE_LABEL, utf8ToBytes(JSON.stringify(output.confirmation)));
    }
    if (this.confirmations.size < this.others.length) return;
    const mine = output.confirmation!;
    const differing = [...this.confirmations].filter(([, c]) => c.result !== mine.result || c.echo !== mine.echo).map(([p]) => p);
    if (differing.length > 0) {
      throw new SessionFailed('inconsistent', differing, `signers ${differing.join(', ')} confirmed a different result or saw different broadcasts`);
    }
    await this.params.hooks.commit(output.value);
    this.ended = true;
    clearTimeout(this.timer);
    this.resolve(output.value);
  }

  private recordEcho(round: number, inbox: ReadonlyMap<PartyId, Uint8Array>): void {
    for (const [from, payload] of inbox) {
      const part = this.params.driver.broadcastPart(round, payload);
      if (part) this.echo.push({ round, from, digest: bytesToHex(sha256(part)) });
    }
  }

  /** SHA-256 over every broadcast part received, in (round, sender) order. */
  private echoDigest(): string {
    const lines = [...this.echo].sort((a, b) => a.round - b.round || a.from - b.from).map((e) => `${e.round}:${e.from}:${e.digest}`);
    return bytesToHex(sha256(utf8ToBytes(lines.join('\n'))));
  }

  private onDeadline(): Promise<void> {
    const waitingFor = this.output
      ? this.others.filter((p) => !this.confirmations.has(p))
      : this.others.filter((p) => !this.inboxes.get(this.round)?.has(p));
    const stage = this.output ? 'the confirmation' : `round ${this.round} of ${this.protocol}`;
    return this.finish(new SessionFailed('timeout', waitingFor, `deadline passed waiting for signer${waitingFor.length === 1 ? '' : 's'} ${waitingFor.join(', ')} in ${stage}`));
  }

  private async finish(error: SessionFailed): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.timer);
    if (error.kind !== 'aborted-by-peer' && error.kind !== 'timeout') {
      this.params.hooks.send('all', ABORT_LABEL, utf8ToBytes(JSON.stringify({ culprits: error.parties, text: error.message.slice(0, 500) })));
    }
    if (this.output?.staged) {
      try {
        await this.params.hooks.discard(this.output.value);
      } catch {
        // The error we report is the session's; a failed clean-up is logged by the owner's hooks.
      }
    }
    this.reject(error);
  }
}

function parseDone(from: PartyId, payload: Uint8Array): DoneMessage {
  try {
    const value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload)) as Partial<DoneMessage>;
    if (typeof value.result === 'string' && /^[0-9a-f]{64}$/.test(value.result) && typeof value.echo === 'string' && /^[0-9a-f]{64}$/.test(value.echo)) {
      hexToBytes(value.result);
      return { result: value.result, echo: value.echo };
    }
  } catch {
    // fall through
  }
  throw new SessionFailed('protocol-abort', [from], `signer ${from} sent a malformed confirmation`);
}

function parseAbort(payload: Uint8Array): { culprits: PartyId[]; text: string } {
  try {
    const value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload)) as { culprits?: unknown; text?: unknown };
    const culprits = Array.isArray(value.culprits) ? value.culprits.filter((c): c is number => Number.isInteger(c) && c > 0 && c < 256) : [];
    const text = typeof value.text === 'string' ? value.text.slice(0, 500).replace(/[^\x20-\x7e]/g, '?') : 'no reason given';
    return { culprits, text };
  } catch {
    return { culprits: [], text: 'malformed abort message' };
  }
}
