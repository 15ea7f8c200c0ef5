import { systemRng, type PartyId } from '@custody/mpc-core';
import type { ProtocolDriver } from '../sessions/protocol-driver';
import { Session } from '../sessions/session';

/**
 * Test support: runs one session per party in this process, delivering messages through the
 * same Session engine the node uses (no network, no database). Returns each party's output.
 */
export async function runSessions<Out>(
  parties: readonly PartyId[],
  driver: (self: PartyId, sessionId: Uint8Array) => ProtocolDriver<Out>,
  opts: { deadlineMs?: number; tamper?: (from: PartyId, to: PartyId, label: string, payload: Uint8Array) => Uint8Array } = {},
): Promise<Map<PartyId, Out>> {
  const sessions = new Map<PartyId, Session<Out>>();
  const sessionId = systemRng(32);
  for (const self of parties) {
    sessions.set(
      self,
      new Session<Out>({
        sessionId,
        self,
        participants: parties,
        deadline: Date.now() + (opts.deadlineMs ?? 30_000),
        driver: driver(self, sessionId),
        rng: systemRng,
        hooks: {
          send: (to, label, payload) => {
            for (const r of to === 'all' ? parties.filter((p) => p !== self) : [to]) {
              const delivered = opts.tamper ? opts.tamper(self, r, label, payload) : payload;
              setImmediate(() => sessions.get(r)?.receive(self, label, delivered));
            }
          },
          stage: () => Promise.resolve(new Uint8Array(32)),
          commit: () => Promise.resolve(),
          discard: () => Promise.resolve(),
          now: () => Date.now(),
        },
      }),
    );
  }
  for (const s of sessions.values()) s.start();
  const out = new Map<PartyId, Out>();
  for (const [p, s] of sessions) out.set(p, await s.result);
  return out;
}
