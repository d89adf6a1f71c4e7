/** No order has this id (HTTP 404). */
export class OrderNotFoundError extends Error {
  override readonly name = 'OrderNotFoundError';
}

/** The order exists but its state refuses the request (HTTP 409); the message says why. */
export class OrderConflictError extends Error {
  override readonly name = 'OrderConflictError';
}

/** A service the order service depends on did not answer or the message bus is down (HTTP 503). */
export class OrderDependencyUnavailableError extends Error {
  override readonly name = 'OrderDependencyUnavailableError';
}
