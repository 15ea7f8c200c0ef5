/** The vault record id of a FROST nonce pair (binds the sealed record to its commitment id). */
export function nonceRecordId(commitmentId: string): string {
  return `nonce.${commitmentId}`;
}
