import { InvalidInputError, type PartyId } from '@custody/mpc-core';
import type { Outbound } from '../sessions/protocol-driver';

/**
 * A round's messages to one recipient, in one payload: the sender's broadcast items (the same bytes
 * in every recipient's bundle, so the echo check can compare them) and the items for that recipient
 * alone. Encoding: per item, one byte (0 broadcast, 1 point-to-point), a big-endian u32 length, the
 * bytes. The whole bundle travels encrypted to its recipient.
 */
export interface BundleItem {
  readonly broadcast: boolean;
  readonly bytes: Uint8Array;
}

const MAX_ITEMS = 16;
const MAX_BUNDLE_BYTES = 16 * 1024 * 1024;

export function encodeBundle(items: readonly BundleItem[]): Uint8Array {
  const length = items.reduce((n, i) => n + 5 + i.bytes.length, 0);
  const out = new Uint8Array(length);
  const view = new DataView(out.buffer);
  let offset = 0;
  for (const item of items) {
    out[offset] = item.broadcast ? 0 : 1;
    view.setUint32(offset + 1, item.bytes.length);
    out.set(item.bytes, offset + 5);
    offset += 5 + item.bytes.length;
  }
  return out;
}

export function decodeBundle(payload: Uint8Array): BundleItem[] {
  if (!(payload instanceof Uint8Array) || payload.length > MAX_BUNDLE_BYTES) throw new InvalidInputError('bundle', 'not bytes or too large');
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const items: BundleItem[] = [];
  let offset = 0;
  while (offset < payload.length) {
    if (items.length >= MAX_ITEMS) throw new InvalidInputError('bundle', 'too many items');
    if (payload.length - offset < 5) throw new InvalidInputError('bundle', 'truncated item header');
    const kind = payload[offset]!;
    if (kind > 1) throw new InvalidInputError('bundle', 'unknown item kind');
    const length = view.getUint32(offset + 1);
    if (payload.length - offset - 5 < length) throw new InvalidInputError('bundle', 'truncated item');
    items.push({ broadcast: kind === 0, bytes: payload.subarray(offset + 5, offset + 5 + length) });
    offset += 5 + length;
  }
  return items;
}

/** One payload per other participant from a round's messages (each `to` a party or `'all'`). */
export function bundleFor<M>(
  self: PartyId,
  participants: readonly PartyId[],
  outgoing: readonly { readonly to: PartyId | 'all'; readonly message: M }[],
  encode: (m: M) => Uint8Array,
): Outbound[] {
  const encoded = outgoing.map((o) => ({ to: o.to, bytes: encode(o.message) }));
  return participants
    .filter((p) => p !== self)
    .map((to) => ({
      to,
      payload: encodeBundle(encoded.filter((o) => o.to === 'all' || o.to === to).map((o) => ({ broadcast: o.to === 'all', bytes: o.bytes }))),
    }));
}

/** The broadcast items of a bundle, concatenated (for the echo check); undefined when there are none. */
export function broadcastItems(payload: Uint8Array): Uint8Array | undefined {
  let items: BundleItem[];
  try {
    items = decodeBundle(payload).filter((i) => i.broadcast);
  } catch {
    return undefined; // the round itself rejects a malformed bundle, naming its sender
  }
  return items.length ? encodeBundle(items) : undefined;
}
