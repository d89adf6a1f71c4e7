/** A journal entry whose debits and credits differ, or with a malformed posting; nothing was posted. */
export class UnbalancedEntryError extends Error {
  override readonly name = 'UnbalancedEntryError';
}
