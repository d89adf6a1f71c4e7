/**
 * An exchange or queue the operation names does not exist in the memory vhost (AMQP 404
 * NOT_FOUND). Declare it first, as on RabbitMQ.
 */
export class EntityNotFoundError extends Error {
  override readonly name = 'EntityNotFoundError';
}

/**
 * The queue is exclusive to another connection, or has an exclusive consumer (AMQP 405
 * RESOURCE_LOCKED / 403 ACCESS_REFUSED). Use another queue, or the connection that owns it.
 */
export class ResourceLockedError extends Error {
  override readonly name = 'ResourceLockedError';
}

/** A declaration conflicts with the existing entity (AMQP 406 PRECONDITION_FAILED); mapped to `TopologyMismatchError`. */
export class PreconditionFailedError extends Error {
  override readonly name = 'PreconditionFailedError';
}
