/**
 * The key under which a broker marks a message's `headers` as undecodable (the AMQP broker's
 * `UndecodableFieldTable` carries the reason here): a symbol, so no header read off the wire can
 * look like it. The task decoder refuses such a message with reason `undecodable-headers`.
 */
export const UNDECODABLE_HEADERS: unique symbol = Symbol.for('nestjs-celery.undecodable-headers');

/** Why `headers` could not be decoded, when a broker marked them so; else undefined. */
export function undecodableHeadersReason(headers: object): string | undefined {
  const reason = (headers as { [UNDECODABLE_HEADERS]?: unknown })[UNDECODABLE_HEADERS];
  return typeof reason === 'string' ? reason : undefined;
}
