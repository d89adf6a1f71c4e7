/** Where a control reply goes: kombu's `reply_to` dict. */
export interface ControlReplyTo {
  exchange: string;
  routingKey: string;
}

/** How a broadcast picks its nodes when no `destination` is given. */
export type NodeMatcher = 'glob' | 'pcre';

/**
 * A remote control request as published to `celery.pidbox` (kombu `Mailbox._publish`), after
 * decoding. Casts (no reply expected, e.g. `revoke`) have neither `ticket` nor `replyTo`.
 */
export interface ControlRequest {
  method: string;
  arguments: Record<string, unknown>;
  /** Node names to handle it; null or empty for every node. */
  destination: string[] | null;
  pattern: string | null;
  matcher: string | null;
  ticket: string | null;
  replyTo: ControlReplyTo | null;
  /**
   * Set when the message is readable but not runnable (e.g. `method` is not a string or
   * `arguments` not a mapping): `repr()` of the error a Python worker raises, sent as the reply.
   */
  invalid: string | null;
}

/** What the client publishes; the codec fills in the rest. */
export interface ControlRequestSpec {
  method: string;
  arguments?: Record<string, unknown>;
  destination?: string[] | null;
  pattern?: string | null;
  matcher?: NodeMatcher | null;
  /** With a ticket and a reply queue routing key, workers reply; without, it is a cast. */
  ticket?: string;
  replyTo?: ControlReplyTo;
}

/** A reply as the client receives it: `{ "<nodename>": <reply> }`, matched on its `ticket` header. */
export type ControlReply<T = unknown> = Record<string, T>;

/** Celery's success reply shape, e.g. `{ ok: 'pong' }`. */
export interface ControlOk {
  ok: string;
}

/** Celery's error reply shape, e.g. `{ error: "KeyError('nosuch')" }`. */
export interface ControlError {
  error: string;
}
