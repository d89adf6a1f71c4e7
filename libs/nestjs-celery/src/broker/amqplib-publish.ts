import type { Channel, Options } from 'amqplib';
import { basicProperties } from './basic-properties.js';
import type { PublishFields } from './publish-frames.js';

/** The parts of an amqplib 2.3.1 channel that `channel.publish` itself uses (kept in step by the spec). */
interface ChannelInternals {
  sendMessage(fields: PublishFields, properties: PublishFields, content: Buffer): boolean;
  pushConfirmCallback(callback: (error: unknown) => void): void;
}

/** The header table amqplib writes when a message has none (its `Object.create(null)`), shared. */
const NO_HEADERS: Record<string, never> = Object.freeze(Object.create(null) as Record<string, never>);

/**
 * The method fields and properties amqplib's `Args.publish` builds from publish options, with
 * `headers` (the table to write, in place of `options.headers`) used as it is instead of as the
 * prototype of a copy. Making each message's headers a prototype costs V8 ~1 µs per publish;
 * `Args.publish` does it only to add `CC`/`BCC`, so options with those are left to amqplib.
 */
export function publishFields(exchange: string, routingKey: string, options: Options.Publish, headers: object | undefined): PublishFields {
  return basicProperties(options, headers ?? NO_HEADERS, { exchange, routingKey, mandatory: !!options.mandatory, immediate: false, ticket: undefined });
}

/**
 * `channel.publish(exchange, routingKey, content, { ...options, headers }, onConfirm)`
 * (`onConfirm` only on a confirm channel, where it is required): the same frames, written with the
 * fields of {@link publishFields}. Options with `CC` or `BCC` go through amqplib's own `publish`.
 * A closed channel throws as `channel.publish` does.
 */
export function publishOnChannel(
  channel: Channel,
  exchange: string,
  routingKey: string,
  content: Buffer,
  options: Options.Publish,
  headers: object | undefined,
  onConfirm?: (error: unknown) => void,
): boolean {
  if (options.CC !== undefined || options.BCC !== undefined) {
    const withHeaders = headers === undefined ? options : { ...options, headers };
    return onConfirm
      ? (channel as unknown as { publish(...args: unknown[]): boolean }).publish(exchange, routingKey, content, withHeaders, onConfirm)
      : channel.publish(exchange, routingKey, content, withHeaders);
  }
  const internals = channel as unknown as ChannelInternals;
  const fields = publishFields(exchange, routingKey, options, headers);
  const written = internals.sendMessage(fields, fields, content);
  if (onConfirm) internals.pushConfirmCallback(onConfirm);
  return written;
}
