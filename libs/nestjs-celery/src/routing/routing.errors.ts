/** A `taskRoutes` / `services` option that cannot be used; the message names the bad entry. */
export class InvalidTaskRoutesError extends Error {
  override readonly name = 'InvalidTaskRoutesError';
}
