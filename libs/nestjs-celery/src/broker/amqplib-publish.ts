import type { Channel, ConfirmChannel, Options } from 'amqplib';
import { HeaderFrameTooLargeError } from './broker.errors.js';
import { pyAmqpHeaders } from './py-amqp-table.js';

/** amqplib's error for a table larger than the 64 KB buffer its encoder writes into. */
const TABLE_OVERFLOW = /exceeds the (\d+) byte encoding buffer/;

/** The options amqplib is given for `options`: headers typed for py-amqp ({@link pyAmqpHeaders}), `options` itself when they need nothing. */
export function publishOptions(options: Options.Publish): Options.Publish {
  const headers = options.headers as Record<string, unknown> | undefined;
  if (!headers) return options;
  const typed = pyAmqpHeaders(headers);
  return typed === headers ? options : { ...options, headers: typed };
}

/**
 * `channel.publish(exchange, routingKey, content, options[, onConfirm])` through amqplib's public
 * API (`onConfirm` only on a confirm channel, where amqplib requires it). Throws synchronously as
 * amqplib does (closed channel, a value it cannot encode), with headers over amqplib's encoding
 * buffer reported as {@link HeaderFrameTooLargeError}.
 */
export function publishOnChannel(
  channel: Channel,
  exchange: string,
  routingKey: string,
  content: Buffer,
  options: Options.Publish,
  onConfirm?: (error: unknown) => void,
): boolean {
  try {
    return onConfirm
      ? (channel as ConfirmChannel).publish(exchange, routingKey, content, options, onConfirm)
      : channel.publish(exchange, routingKey, content, options);
  } catch (error) {
    const overflow = error instanceof RangeError ? TABLE_OVERFLOW.exec(error.message) : null;
    if (!overflow) throw error;
    throw new HeaderFrameTooLargeError(
      `the message properties take more than the ${overflow[1]} bytes amqplib encodes headers into; send smaller headers`,
      { cause: error },
    );
  }
}
