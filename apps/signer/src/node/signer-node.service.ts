import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { ServiceMetrics } from '@custody/observability';
import { SERVICE_METRICS } from '@custody/platform';
import { Counter, Histogram } from 'prom-client';
import { bytesToHex } from '@noble/hashes/utils.js';
import { InvalidInputError, ProtocolAbortError, systemRng, type PartyId } from '@custody/mpc-core';
import { EnvelopeRejected, openEnvelope, sealEnvelope, type PeerEnvelope } from '@custody/peer-auth';
import type { SignerConfig } from '../config';
import { PeerClient, PeerUnreachable } from '../peer/peer-client';
import { ABORT_LABEL, Session } from '../sessions/session';
import { SessionFailed } from '../sessions/session-errors';
import { SignerRepository } from '../storage/signer.repository';
import { SIGNER_CONFIG } from '../storage/signer.tokens';
import { InvitationRefused, type ProtocolHandler } from './protocol-handler';
import { decodeInvite, encodeInvite, INVITE_LABEL, START_LABEL, type SessionInvite, type SessionProtocol } from './session-invite';

export const PROTOCOL_HANDLERS = Symbol('PROTOCOL_HANDLERS');

interface LiveSession {
  readonly invite: SessionInvite;
  /** The session's row in the session log (written off the critical path; its end waits for it). */
  readonly logged: Promise<void>;
  readonly session: Session<unknown>;
  readonly sessionId: Uint8Array;
  started: boolean;
  /** Fails a session whose coordinator never says "start". */
  readonly startTimer: NodeJS.Timeout;
  /** performance.now() when the session was opened here. */
  readonly openedAt: number;
}

/**
 * How long one delivery attempt may take. A peer busy with a long computation (key generation's
 * proofs) may not answer at once; deliveries are retried until the session's deadline, and the
 * receiving session ignores a message it already has.
 */
const DELIVERY_ATTEMPT_MS = 15_000;
/**
 * How long the coordinator waits for a peer to take an invitation (a down peer is named after this):
 * at least this, or a quarter of the session's time if longer (a busy peer answers late).
 */
const INVITE_WAIT_MS = 5000;
/** The latest deadline an invitation may set, past now. */
const MAX_SESSION_MS = 10 * 60_000;
/**
 * How a participant's reply says it could not check an invitation (its own failure, not a refusal):
 * the coordinator reports such a participant as unavailable (a retry can succeed), not as refusing.
 */
const UNAVAILABLE_REASON = 'unavailable: ';
/** Replies the coordinator makes up for a participant that never answered. */
const UNREACHABLE = 'unreachable';
const NO_ANSWER = 'no answer';

/**
 * The signer's network side: it runs sessions with its peers. As coordinator it invites the
 * participants, starts the session when all accepted, and reports the outcome; as participant it
 * checks each invitation with the protocol's handler before accepting. Every message goes out
 * sealed (signed by this node's identity, point-to-point payloads encrypted to the recipient) and
 * comes in only if it opens under a pinned peer's key, for a session this node takes part in.
 */
@Injectable()
export class SignerNode implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(SignerNode.name);
  private readonly sessions = new Map<string, LiveSession>();
  /** Ended sessions until their deadline: a replayed invitation must not open one again. */
  private readonly ended = new Map<string, number>();
  /** Sessions whose invitation is being checked (so a concurrent replay of it is refused too). */
  private readonly opening = new Set<string>();
  private readonly clients = new Map<PartyId, PeerClient>();
  private readonly handlers: ReadonlyMap<SessionProtocol, ProtocolHandler>;
  private readonly sessionsTotal: Counter<'protocol' | 'role' | 'outcome'>;
  private readonly sessionSeconds: Histogram<'protocol' | 'role'>;
  private readonly droppedMessages: Counter<'reason'>;

  constructor(
    @Inject(SIGNER_CONFIG) private readonly config: SignerConfig,
    private readonly repository: SignerRepository,
    @Inject(PROTOCOL_HANDLERS) handlers: readonly ProtocolHandler[],
    @Inject(SERVICE_METRICS) metrics: ServiceMetrics,
  ) {
    this.handlers = new Map(handlers.map((h) => [h.protocol, h]));
    const registers = [metrics.registry];
    this.sessionsTotal = new Counter({ name: 'custody_signer_sessions_total', help: 'Threshold sessions by protocol, role and outcome (completed, or the failure kind).', labelNames: ['protocol', 'role', 'outcome'], registers });
    this.sessionSeconds = new Histogram({
      name: 'custody_signer_session_seconds',
      help: 'Duration of completed threshold sessions.',
      labelNames: ['protocol', 'role'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.droppedMessages = new Counter({ name: 'custody_signer_dropped_peer_messages_total', help: 'Peer messages refused, by reason.', labelNames: ['reason'], registers });
  }

  async onModuleInit(): Promise<void> {
    const interrupted = await this.repository.failInterruptedSessions();
    if (interrupted > 0) this.logger.warn({ interrupted }, 'sessions interrupted by the last stop were marked failed');
  }

  onApplicationShutdown(): void {
    for (const live of this.sessions.values()) {
      clearTimeout(live.startTimer);
      live.session.fail(new SessionFailed('unavailable', [this.config.signerId], `signer ${this.config.signerId} is shutting down`));
    }
    for (const client of this.clients.values()) client.close();
  }

  get self(): PartyId {
    return this.config.signerId;
  }

  /** Runs a session as its coordinator; resolves with this node's output, or fails naming parties. */
  async coordinate<Out>(invite: Omit<SessionInvite, 'coordinator' | 'deadline'>, timeoutMs?: number): Promise<Out> {
    const deadline = Date.now() + Math.min(timeoutMs || this.config.sessionTimeoutMs, MAX_SESSION_MS);
    const full: SessionInvite = { ...invite, coordinator: this.self, deadline };
    const sessionId = systemRng(32);
    const others = full.participants.filter((p) => p !== this.self);
    const envelopePayload = encodeInvite(full);
    // The participants check the invitation while this node prepares its own side (every one of them
    // makes the same checks, grant included, before it consumes anything).
    const invited = Promise.all(
      others.map(async (peer) => {
        try {
          const left = deadline - Date.now();
          const wait = Math.max(100, Math.min(Math.max(INVITE_WAIT_MS, left / 4), left));
          const reply = await this.client(peer).invite(this.seal(sessionId, peer, INVITE_LABEL, envelopePayload), wait);
          return { peer, ...reply };
        } catch (error) {
          return { peer, accepted: false, reason: error instanceof PeerUnreachable ? UNREACHABLE : NO_ANSWER };
        }
      }),
    );
    let live: LiveSession;
    try {
      live = await this.open(full, sessionId);
    } catch (error) {
      // Release whoever accepted: the session will not start.
      const text = error instanceof Error ? error.message.slice(0, 300) : 'refused';
      void invited.then((replies) => {
        const abort = new TextEncoder().encode(JSON.stringify({ culprits: [], text: `coordinator ${this.self} refused: ${text}` }));
        for (const r of replies) if (r.accepted) this.sendEnvelope(r.peer, this.seal(sessionId, 'broadcast', ABORT_LABEL, abort), deadline);
      });
      throw error;
    }
    const replies = await invited;
    const refused = replies.filter((r) => !r.accepted);
    if (refused.length > 0) {
      const detail = refused.map((r) => `signer ${r.peer}: ${r.reason}`).join('; ');
      const parties = refused.map((r) => r.peer);
      // A participant that checked and said no decides the kind (retrying cannot help); past the
      // deadline it is a timeout whatever they said; otherwise someone was out of reach.
      const checked = refused.some((r) => r.reason !== UNREACHABLE && r.reason !== NO_ANSWER && !r.reason.startsWith(UNAVAILABLE_REASON));
      const failure =
        Date.now() >= deadline
          ? new SessionFailed('timeout', parties, `the deadline passed before the invitation was accepted (${detail})`)
          : new SessionFailed(checked ? 'invitation-refused' : 'unavailable', parties, `invitation not accepted (${detail})`);
      live.session.fail(failure);
    } else {
      for (const peer of others) this.sendEnvelope(peer, this.seal(sessionId, 'broadcast', START_LABEL, new Uint8Array(0)), deadline);
      this.begin(live);
    }
    return (await live.session.result) as Out;
  }

  /** An invitation from a peer: accepted only after this node's own checks. */
  async handleInvite(envelope: PeerEnvelope): Promise<{ accepted: boolean; reason: string }> {
    let opened;
    try {
      opened = openEnvelope(envelope, {
        self: { id: this.self, identity: this.config.identity },
        directory: this.config.peers,
        // An invitation may only open a session this node does not know (running, being opened or
        // recently ended): a replayed invitation is rejected here as not-for-me.
        expectedSessionIds: (id) => this.isNewSession(bytesToHex(id)),
      });
    } catch (error) {
      this.logDropped(envelope, error);
      return { accepted: false, reason: 'envelope rejected' };
    }
    if (opened.round !== INVITE_LABEL) return { accepted: false, reason: 'not an invitation' };
    try {
      const invite = decodeInvite(opened.payload);
      if (invite.coordinator !== opened.senderId) throw new InvitationRefused('the sender is not the coordinator');
      if (!invite.participants.includes(this.self)) throw new InvitationRefused(`signer ${this.self} is not a participant`);
      if (invite.deadline <= Date.now() || invite.deadline > Date.now() + MAX_SESSION_MS) throw new InvitationRefused('deadline out of range');
      const id = bytesToHex(opened.sessionId);
      if (!this.isNewSession(id)) throw new InvitationRefused('session already exists');
      this.opening.add(id);
      try {
        await this.open(invite, opened.sessionId);
      } finally {
        this.opening.delete(id);
      }
      return { accepted: true, reason: '' };
    } catch (error) {
      if (!(error instanceof InvitationRefused || error instanceof InvalidInputError || error instanceof ProtocolAbortError)) {
        // Not a verdict on the invitation but this node's own failure (a database error, a bug): the
        // coordinator learns that this signer is unavailable, the detail stays in this log.
        this.logger.error({ from: opened.senderId, session: bytesToHex(opened.sessionId), err: error instanceof Error ? { name: error.name, message: error.message.slice(0, 300) } : 'unknown' }, 'could not check an invitation');
        return { accepted: false, reason: `${UNAVAILABLE_REASON}signer ${this.self} could not check the invitation` };
      }
      const reason = error.message.slice(0, 300);
      this.logger.warn({ from: opened.senderId, session: bytesToHex(opened.sessionId), reason }, 'invitation refused');
      return { accepted: false, reason };
    }
  }

  /** Whether no session with this hex id is running, being opened or recently ended here. */
  private isNewSession(id: string): boolean {
    const now = Date.now();
    for (const [ended, deadline] of this.ended) if (deadline < now) this.ended.delete(ended);
    return !this.sessions.has(id) && !this.ended.has(id) && !this.opening.has(id);
  }

  /** A round message (or "start") from a peer. Anything that does not open is dropped and logged. */
  handleDeliver(envelope: PeerEnvelope): void {
    let opened;
    try {
      opened = openEnvelope(envelope, {
        self: { id: this.self, identity: this.config.identity },
        directory: this.config.peers,
        expectedSessionIds: (id) => this.sessions.has(bytesToHex(id)),
      });
    } catch (error) {
      this.logDropped(envelope, error);
      return;
    }
    const live = this.sessions.get(bytesToHex(opened.sessionId));
    if (!live || !live.invite.participants.includes(opened.senderId)) {
      this.droppedMessages.inc({ reason: 'not-a-participant' });
      this.logger.warn({ from: opened.senderId, reason: 'not a participant' }, 'peer message dropped');
      return;
    }
    if (opened.round === START_LABEL) {
      if (opened.senderId === live.invite.coordinator) this.begin(live);
      return;
    }
    live.session.receive(opened.senderId, opened.round, opened.payload);
  }

  private async open(invite: SessionInvite, sessionId: Uint8Array): Promise<LiveSession> {
    const handler = this.handlers.get(invite.protocol);
    if (!handler) throw new InvitationRefused(`protocol ${invite.protocol} is not served here`);
    for (const p of invite.participants) if (!this.config.peers.has(p)) throw new InvitationRefused(`signer ${p} is not in the pinned cluster`);
    const prepared = await handler.prepare(invite, sessionId, this.self);
    const id = bytesToHex(sessionId);
    const session = new Session<unknown>({
      sessionId,
      self: this.self,
      participants: invite.participants,
      deadline: invite.deadline,
      driver: prepared.driver,
      rng: systemRng,
      hooks: {
        send: (to, label, payload) => {
          for (const peer of to === 'all' ? invite.participants.filter((p) => p !== this.self) : [to]) {
            this.sendEnvelope(peer, this.seal(sessionId, to === 'all' ? 'broadcast' : peer, label, payload), invite.deadline);
          }
        },
        stage: (out) => prepared.stage(out),
        commit: (out) => prepared.commit(out),
        discard: (out) => prepared.discard(out),
        now: () => Date.now(),
      },
    });
    const logged = this.repository
      .logSessionStart({ sessionId, protocol: invite.protocol, keyId: invite.keyId, participants: invite.participants, coordinator: invite.coordinator, deadline: invite.deadline })
      .catch((e: unknown) => this.logger.error({ err: e instanceof Error ? e.message : String(e) }, 'could not record the start of a session'));
    const live: LiveSession = {
      invite,
      logged,
      openedAt: performance.now(),
      session,
      sessionId,
      started: false,
      startTimer: setTimeout(() => {
        if (live.started) return;
        // The coordinator's own copy starts once every participant accepted: if the deadline passes
        // first, it was waiting for them, not for itself.
        const waitingFor = invite.coordinator === this.self ? invite.participants.filter((p) => p !== this.self) : [invite.coordinator];
        const detail =
          invite.coordinator === this.self
            ? `the deadline passed before signers ${waitingFor.join(', ')} accepted the invitation`
            : `signer ${invite.coordinator} never started the session`;
        session.fail(new SessionFailed('timeout', waitingFor, detail));
      }, Math.max(0, invite.deadline - Date.now())),
    };
    this.sessions.set(id, live);
    const failed = prepared.failed ? () => prepared.failed!() : undefined;
    session.result.then(
      () => this.close(live, failed, undefined),
      (error: unknown) => this.close(live, failed, error),
    );
    return live;
  }

  private begin(live: LiveSession): void {
    if (live.started) return;
    live.started = true;
    clearTimeout(live.startTimer);
    live.session.start();
  }

  private close(live: LiveSession, failed: (() => Promise<void>) | undefined, error: unknown): void {
    clearTimeout(live.startTimer);
    const role = live.invite.coordinator === this.self ? 'coordinator' : 'participant';
    this.sessionsTotal.inc({ protocol: live.invite.protocol, role, outcome: error === undefined ? 'completed' : error instanceof SessionFailed ? error.kind : 'error' });
    if (error === undefined) this.sessionSeconds.observe({ protocol: live.invite.protocol, role }, (performance.now() - live.openedAt) / 1000);
    this.sessions.delete(bytesToHex(live.sessionId));
    this.ended.set(bytesToHex(live.sessionId), live.invite.deadline);
    const message = error instanceof Error ? error.message : undefined;
    const cleanup = error !== undefined && failed ? failed() : Promise.resolve();
    Promise.all([cleanup, live.logged])
      .then(() => this.repository.logSessionEnd(live.sessionId, error === undefined ? 'completed' : 'failed', message))
      .catch((e: unknown) => this.logger.error({ err: e instanceof Error ? e.message : String(e) }, 'could not record the end of a session'));
    if (error === undefined) this.logger.log({ session: bytesToHex(live.sessionId), protocol: live.invite.protocol, keyId: live.invite.keyId }, 'session completed');
    else this.logger.warn({ session: bytesToHex(live.sessionId), protocol: live.invite.protocol, reason: message }, 'session failed');
  }

  private seal(sessionId: Uint8Array, to: PartyId | 'broadcast', round: string, payload: Uint8Array): PeerEnvelope {
    const recipient = to === 'broadcast' ? 'broadcast' : { id: to, identityPublicKey: this.config.peers.require(to).identityPublicKey };
    return sealEnvelope({ from: { id: this.self, identity: this.config.identity }, to: recipient, sessionId, round, payload }, systemRng);
  }

  /** Delivers with retries until `deadline`; a peer that stays unreachable shows up as silence (and is named at the deadline). */
  private sendEnvelope(peer: PartyId, envelope: PeerEnvelope, deadline: number): void {
    const attempt = async (n: number): Promise<void> => {
      try {
        await this.client(peer).deliver(envelope, Math.max(100, Math.min(DELIVERY_ATTEMPT_MS, deadline - Date.now())));
      } catch (error) {
        const wait = Math.min(2000, 100 * 2 ** n);
        if (Date.now() + wait >= deadline) {
          this.logger.warn({ peer, round: envelope.round, attempts: n + 1, reason: error instanceof Error ? error.message : String(error) }, 'delivery failed');
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, wait));
        return attempt(n + 1);
      }
    };
    void attempt(0);
  }

  private client(peer: PartyId): PeerClient {
    let client = this.clients.get(peer);
    if (!client) this.clients.set(peer, (client = new PeerClient(this.config.peers.require(peer).address)));
    return client;
  }

  private logDropped(envelope: PeerEnvelope, error: unknown): void {
    const reason = error instanceof EnvelopeRejected ? error.reason : error instanceof ProtocolAbortError ? error.check : 'malformed';
    this.droppedMessages.inc({ reason });
    this.logger.warn({ claimedSender: envelope.senderId, round: String(envelope.round).slice(0, 32), reason }, 'peer message dropped');
  }
}
