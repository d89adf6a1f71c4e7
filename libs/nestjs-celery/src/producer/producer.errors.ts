/** The call was rejected before anything was sent (bad arguments or options). */
export class CeleryInvalidCallError extends Error {
  override readonly name = 'CeleryInvalidCallError';
}
