/**
 * A decision as JSON text, amounts (bigint) as decimal strings: the form the engine answers and
 * stores. `JSON.stringify` with a replacer function calls back into JavaScript for every key of the
 * ~200-rule trace (about five times slower); this copies the few bigint-bearing parts into plain
 * values and lets the native serializer do the rest. The output is byte-identical to
 * `JSON.stringify(decision, bigintsAsStrings)`.
 */
import type { Decision, RuleTrace, VelocityReservation, VelocityWindowTrace } from './types';

function reservation(r: VelocityReservation): Record<string, unknown> {
  return { ...r, amount: r.amount.toString() };
}

function velocityWindow(w: VelocityWindowTrace): Record<string, unknown> {
  return { ...w, limit: w.limit.toString(), used: w.used.toString(), requested: w.requested.toString(), left: w.left.toString() };
}

function ruleTrace(t: RuleTrace): RuleTrace | Record<string, unknown> {
  return t.velocity.length === 0 ? t : { ...t, velocity: t.velocity.map(velocityWindow) };
}

/** The decision as JSON with bigints as decimal strings (see the module comment). */
export function decisionJson(decision: Decision): string {
  return JSON.stringify({
    ...decision,
    reservations: decision.reservations.map(reservation),
    trace: { ...decision.trace, rules: decision.trace.rules.map(ruleTrace) },
  });
}
