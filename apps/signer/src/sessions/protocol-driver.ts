import type { PartyId, Rng } from '@custody/mpc-core';

/** A message a driver wants sent: to one participant, or the same bytes to every other one. */
export interface Outbound {
  readonly to: PartyId | 'all';
  readonly payload: Uint8Array;
}

export type StepResult<Out> = { readonly outgoing: readonly Outbound[] } | { readonly output: Out };

/**
 * One party's run of one threshold protocol, as the session layer sees it: numbered message rounds
 * over opaque payloads. Drivers adapt the round functions of libs/mpc-core (which own every check);
 * the session layer owns transport, ordering, deadlines and blame for silence.
 *
 * Round r's inbox holds the payloads the other participants sent in round r (r = 1 for what
 * `start` sends). `step(r, inbox)` consumes it and returns round r+1's messages, or the output.
 */
export interface ProtocolDriver<Out> {
  /** Protocol name, e.g. `ecdsa-keygen`; also the domain of the session's messages. */
  readonly protocol: string;
  /** The number of message rounds (the last `step` returns the output). */
  readonly rounds: number;
  start(rng: Rng): readonly Outbound[];
  step(round: number, inbox: ReadonlyMap<PartyId, Uint8Array>, rng: Rng): StepResult<Out>;
  /**
   * The part of a received round-`round` payload that its sender broadcast to everyone (the same
   * for every recipient), for the echo check; `undefined` when the round has no broadcast part.
   */
  broadcastPart(round: number, payload: Uint8Array): Uint8Array | undefined;
  /**
   * Whether the session ends with the confirmation round (every party states the digest of the
   * result and of the broadcasts it saw). Protocols whose output carries its own proof of
   * consistency (a signature every party verifies before returning it) may skip it: one round trip
   * less on the online path. Default: true.
   */
  readonly confirm?: boolean;
}
