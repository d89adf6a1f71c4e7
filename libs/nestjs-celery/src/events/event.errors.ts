/** An event failed validation; nothing was sent. `violations` lists each failed constraint. */
export class InvalidEventError extends Error {
  override readonly name = 'InvalidEventError';

  constructor(
    /** Routing key of the event (`order.v1.submit`). */
    readonly event: string,
    /** One line per failed constraint, `path: message`. */
    readonly violations: string[],
  ) {
    super(`event '${event}' is invalid: ${violations.join('; ')}. Fix these fields before publishing it`);
  }
}

/** A class used as an event is not decorated with `@CeleryEvent`. */
export class EventNotDecoratedError extends Error {
  override readonly name = 'EventNotDecoratedError';
}

/** The `@OnEvent` handlers cannot be set up (e.g. `ServerCelery` has no `service`); the message says what to change. */
export class EventSubscriptionError extends Error {
  override readonly name = 'EventSubscriptionError';
}
