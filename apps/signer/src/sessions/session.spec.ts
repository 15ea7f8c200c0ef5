import { utf8ToBytes } from '@noble/hashes/utils.js';
import { ProtocolAbortError, systemRng, type PartyId } from '@custody/mpc-core';
import type { ProtocolDriver, StepResult } from './protocol-driver';
import { Session, type SessionHooks } from './session';
import { SessionFailed } from './session-errors';

/**
 * A toy two-round protocol: every party broadcasts its id, then sends each peer the sum it saw;
 * the output is the sum. Enough to exercise ordering, buffering, deadlines, aborts and the echo.
 */
class SumDriver implements ProtocolDriver<number> {
  readonly protocol = 'test-sum';
  readonly rounds = 2;
  private sum = 0;
  constructor(
    private readonly self: PartyId,
    private readonly lie?: { round: number; to: PartyId },
  ) {}
  start(): { to: 'all'; payload: Uint8Array }[] {
    return [{ to: 'all', payload: utf8ToBytes(String(this.self)) }];
  }
  step(round: number, inbox: ReadonlyMap<PartyId, Uint8Array>): StepResult<number> {
    const values = [...inbox.values()].map((b) => Number(new TextDecoder().decode(b)));
    if (round === 1) {
      this.sum = this.self + values.reduce((a, b) => a + b, 0);
      return { outgoing: [...inbox.keys()].map((to) => ({ to, payload: utf8ToBytes(String(this.lie?.to === to ? this.sum + 1 : this.sum)) })) };
    }
    const [from] = [...inbox].find(([, b]) => Number(new TextDecoder().decode(b)) !== this.sum) ?? [];
    if (from !== undefined) throw new ProtocolAbortError('test-sum/round-2', [from], 'sum');
    return { output: this.sum };
  }
  broadcastPart(round: number, payload: Uint8Array): Uint8Array | undefined {
    return round === 1 ? payload : undefined;
  }
}

interface Net {
  sessions: Map<PartyId, Session<number>>;
  committed: PartyId[];
  discarded: PartyId[];
}

function network(parties: PartyId[], opts: { silent?: PartyId[]; deadlineMs?: number; driver?: (p: PartyId) => ProtocolDriver<number>; tamper?: (from: PartyId, to: PartyId, label: string, payload: Uint8Array) => Uint8Array } = {}): Net {
  const net: Net = { sessions: new Map(), committed: [], discarded: [] };
  const sessionId = new Uint8Array(32).fill(1);
  for (const self of parties) {
    const hooks: SessionHooks<number> = {
      send: (to, label, payload) => {
        if (opts.silent?.includes(self)) return;
        for (const r of to === 'all' ? parties.filter((p) => p !== self) : [to]) {
          const delivered = opts.tamper ? opts.tamper(self, r, label, payload) : payload;
          setImmediate(() => net.sessions.get(r)?.receive(self, label, delivered));
        }
      },
      stage: (out) => Promise.resolve(utf8ToBytes(String(out)).length === 0 ? new Uint8Array(32) : new Uint8Array(32).fill(out % 256)),
      commit: () => Promise.resolve(void net.committed.push(self)),
      discard: () => Promise.resolve(void net.discarded.push(self)),
      now: () => Date.now(),
    };
    net.sessions.set(
      self,
      new Session({ sessionId, self, participants: parties, deadline: Date.now() + (opts.deadlineMs ?? 2000), driver: opts.driver?.(self) ?? new SumDriver(self), rng: systemRng, hooks }),
    );
  }
  for (const s of net.sessions.values()) if (!opts.silent?.includes([...net.sessions].find(([, v]) => v === s)![0])) s.start();
  return net;
}

async function failure(p: Promise<unknown>): Promise<SessionFailed> {
  try {
    await p;
  } catch (error) {
    if (error instanceof SessionFailed) return error;
    throw error;
  }
  throw new Error('expected the session to fail');
}

describe('Session', () => {
  it('runs every round, confirms and commits everywhere', async () => {
    const net = network([1, 2, 3]);
    await expect(Promise.all([...net.sessions.values()].map((s) => s.result))).resolves.toEqual([6, 6, 6]);
    expect(net.committed.sort()).toEqual([1, 2, 3]);
  });

  it('times out naming the silent party, and leaves nothing staged', async () => {
    const net = network([1, 2, 3], { silent: [3], deadlineMs: 200 });
    const error = await failure(net.sessions.get(1)!.result);
    expect(error.kind).toBe('timeout');
    expect(error.parties).toEqual([3]);
    expect(error.message).toContain('signer 3');
    expect(net.committed).toEqual([]);
  });

  it('names the cheater when a check fails, and the others learn of the abort', async () => {
    const net = network([1, 2, 3], { driver: (p) => new SumDriver(p, p === 2 ? { round: 2, to: 1 } : undefined) });
    const atOne = await failure(net.sessions.get(1)!.result);
    expect(atOne.kind).toBe('protocol-abort');
    expect(atOne.parties).toEqual([2]);
    const atThree = await failure(net.sessions.get(3)!.result);
    expect(atThree.parties).toContain(2);
    expect(net.committed).toEqual([]);
  });

  it('refuses an equivocating broadcast through the echo check, discarding staged results', async () => {
    // Party 1 tells party 3 a different round-1 value than it tells party 2; sums differ too, so
    // some party fails either on the sum check or on the confirmation; nobody commits.
    const net = network([1, 2, 3], {
      tamper: (from, to, label, payload) => (from === 1 && to === 3 && label === 'p1' ? utf8ToBytes('9') : payload),
    });
    const results = await Promise.allSettled([...net.sessions.values()].map((s) => s.result));
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(net.committed).toEqual([]);
  });

  it('drops messages from non-participants and fails on two different messages for one round', async () => {
    const net = network([1, 2], { deadlineMs: 500 });
    const s1 = net.sessions.get(1)!;
    s1.receive(7, 'p1', utf8ToBytes('100'));
    s1.receive(2, 'p1', utf8ToBytes('2'));
    s1.receive(2, 'p1', utf8ToBytes('3'));
    const error = await failure(s1.result);
    expect(['inconsistent', 'protocol-abort', 'aborted-by-peer']).toContain(error.kind);
  });
});
