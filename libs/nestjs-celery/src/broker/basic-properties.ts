import type { MessageProperties, Options } from 'amqplib';

/**
 * The AMQP basic properties a publish with `options` writes, as amqplib's `Args.publish` maps them:
 * every key present (absent ones `undefined`), `persistent` before `deliveryMode` (a truthy
 * non-number `deliveryMode` is 2), `expiration` as a string, `headers` as given; written into
 * `target` when given (amqplib takes method fields and properties in one object). Shared by the
 * amqplib publish path and the memory broker, so both read back the same properties.
 */
export function basicProperties<T extends object = object>(options: Options.Publish, headers: unknown, target?: T): T & MessageProperties {
  let deliveryMode: number | undefined;
  if (options.persistent !== undefined) deliveryMode = options.persistent ? 2 : 1;
  else if (typeof options.deliveryMode === 'number') deliveryMode = options.deliveryMode;
  else if (options.deliveryMode) deliveryMode = 2;
  // Written one by one into `target` (always in this order, so every result has one shape).
  const out = (target ?? {}) as Record<string, unknown>;
  out.contentType = options.contentType;
  out.contentEncoding = options.contentEncoding;
  out.headers = headers;
  out.deliveryMode = deliveryMode;
  out.priority = options.priority;
  out.correlationId = options.correlationId;
  out.replyTo = options.replyTo;
  out.expiration = options.expiration === undefined ? undefined : String(options.expiration);
  out.messageId = options.messageId;
  out.timestamp = options.timestamp;
  out.type = options.type;
  out.userId = options.userId;
  out.appId = options.appId;
  out.clusterId = undefined;
  return out as T & MessageProperties;
}
