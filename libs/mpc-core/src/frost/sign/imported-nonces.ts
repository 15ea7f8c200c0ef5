/**
 * INTERNAL (not exported from the module index): the ids of the nonce records this process has turned
 * back into usable nonces with `takeNonce` (encoding.ts). A record is imported at most once per
 * process, and an imported record cannot be put into another `InMemoryNonceStore` (state.ts).
 *
 * Grows by one 32-character id per imported record (about 100 bytes) for the life of the process: the
 * price of refusing a second import without a clock or a bound that would forget. Across processes
 * and restarts, only the node's durable store can refuse (README, "How to use this securely").
 */
const imported = new Set<string>();

export function wasImported(commitmentId: string): boolean {
  return imported.has(commitmentId);
}

export function markImported(commitmentId: string): void {
  imported.add(commitmentId);
}
