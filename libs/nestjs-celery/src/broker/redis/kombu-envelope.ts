import type { MessageProperties, Options } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { plainFieldTable } from '../memory/message-properties.mapper.js';

/**
 * A message as kombu's virtual transports store it in a Redis list (kombu/transport/virtual/base.py
 * `prepare_message` + `_inplace_augment_message`): the body base64-encoded, the AMQP properties
 * in snake case, and `delivery_info` / `delivery_tag` kept in `properties`.
 */
export interface KombuEnvelope {
  body: string;
  'content-encoding'?: string | null;
  'content-type'?: string | null;
  headers: Record<string, unknown>;
  properties: KombuProperties;
}

/** The `properties` of a {@link KombuEnvelope}. */
export interface KombuProperties {
  correlation_id?: string;
  reply_to?: string;
  delivery_mode?: number;
  expiration?: string;
  priority?: number;
  message_id?: string;
  timestamp?: number;
  type?: string;
  user_id?: string;
  app_id?: string;
  delivery_info: { exchange: string; routing_key: string };
  body_encoding?: string;
  delivery_tag: string;
  [other: string]: unknown;
}

/** A list entry that is not a kombu envelope this library can read; the broker dead-letters it. */
export class InvalidEnvelopeError extends Error {
  override readonly name = 'InvalidEnvelopeError';
  constructor(
    /** `invalid-envelope` (not JSON, fields missing) or `invalid-body-encoding`. */
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** A decoded envelope: what the worker needs to build a delivery. */
export interface DecodedEnvelope {
  envelope: KombuEnvelope;
  content: Buffer;
  properties: MessageProperties;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Encodes a publish as kombu does, with a fresh `delivery_tag` (a UUID, as kombu's `_next_delivery_tag`). */
export function encodeEnvelope(exchange: string, routingKey: string, content: Buffer, options: Options.Publish): KombuEnvelope {
  const properties: KombuProperties = { delivery_info: { exchange, routing_key: routingKey }, delivery_tag: randomUUID() };
  if (options.correlationId !== undefined) properties.correlation_id = options.correlationId;
  if (options.replyTo !== undefined) properties.reply_to = options.replyTo;
  const deliveryMode = options.deliveryMode !== undefined ? Number(options.deliveryMode) : options.persistent !== undefined ? (options.persistent ? 2 : 1) : undefined;
  if (deliveryMode !== undefined) properties.delivery_mode = deliveryMode;
  if (options.expiration !== undefined) properties.expiration = String(options.expiration);
  if (options.messageId !== undefined) properties.message_id = options.messageId;
  if (options.timestamp !== undefined) properties.timestamp = options.timestamp;
  if (options.type !== undefined) properties.type = options.type;
  if (options.userId !== undefined) properties.user_id = options.userId;
  if (options.appId !== undefined) properties.app_id = options.appId;
  if (options.priority !== undefined) properties.priority = options.priority;
  properties.body_encoding = 'base64';
  return {
    body: content.toString('base64'),
    'content-encoding': options.contentEncoding ?? null,
    'content-type': options.contentType ?? null,
    headers: plainFieldTable(options.headers as Record<string, unknown> | undefined),
    properties,
  };
}

/** Kombu's priority of an envelope, clamped to 0-9 (`_get_message_priority`, not reversed on Redis). */
export function envelopePriority(envelope: KombuEnvelope): number {
  const value = Number(envelope.properties.priority);
  return Number.isFinite(value) ? Math.max(0, Math.min(9, Math.trunc(value))) : 0;
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * Parses a list entry written by kombu (Python Celery) or {@link encodeEnvelope}.
 * @throws InvalidEnvelopeError when it is not JSON, lacks `properties.delivery_tag`, or its body does not decode
 */
export function decodeEnvelope(raw: string): DecodedEnvelope {
  let envelope: KombuEnvelope;
  try {
    envelope = JSON.parse(raw) as KombuEnvelope;
  } catch (error) {
    throw new InvalidEnvelopeError('invalid-envelope', `not JSON: ${(error as Error).message}`);
  }
  if (envelope === null || typeof envelope !== 'object' || Array.isArray(envelope)) {
    throw new InvalidEnvelopeError('invalid-envelope', 'not a JSON object');
  }
  const props = envelope.properties;
  if (props === null || typeof props !== 'object' || typeof props.delivery_tag !== 'string') {
    throw new InvalidEnvelopeError('invalid-envelope', "no 'properties.delivery_tag'");
  }
  if (envelope.headers !== undefined && (envelope.headers === null || typeof envelope.headers !== 'object' || Array.isArray(envelope.headers))) {
    throw new InvalidEnvelopeError('invalid-envelope', "'headers' is not an object");
  }
  const body = envelope.body ?? '';
  if (typeof body !== 'string') throw new InvalidEnvelopeError('invalid-envelope', "'body' is not a string");
  let content: Buffer;
  if (props.body_encoding === 'base64') {
    if (body.length % 4 !== 0 || !BASE64.test(body)) throw new InvalidEnvelopeError('invalid-body-encoding', "'body' is not base64 although body_encoding is base64");
    content = Buffer.from(body, 'base64');
  } else if (props.body_encoding === undefined || props.body_encoding === null) {
    content = Buffer.from(body, 'utf8');
  } else {
    throw new InvalidEnvelopeError('invalid-body-encoding', `unknown body_encoding '${String(props.body_encoding)}'`);
  }
  const info = props.delivery_info && typeof props.delivery_info === 'object' ? props.delivery_info : { exchange: '', routing_key: '' };
  envelope.properties.delivery_info = info;
  const properties: MessageProperties = {
    contentType: asString(envelope['content-type']),
    contentEncoding: asString(envelope['content-encoding']),
    headers: envelope.headers ?? {},
    deliveryMode: props.delivery_mode,
    priority: props.priority,
    correlationId: asString(props.correlation_id),
    replyTo: asString(props.reply_to),
    expiration: props.expiration === undefined || props.expiration === null ? undefined : String(props.expiration),
    messageId: asString(props.message_id),
    timestamp: props.timestamp,
    type: asString(props.type),
    userId: asString(props.user_id),
    appId: asString(props.app_id),
    clusterId: undefined,
  };
  return { envelope, content, properties };
}
