import { pythonRepr } from '../protocol/python-repr.js';
import { MalformedControlMessageError } from './control.errors.js';
import { isPrototypeKey, nullPrototypeRecord, parseRemoteJson } from './reply-map.js';
import type { ControlReply, ControlReplyTo, ControlRequest, ControlRequestSpec } from './control-message.js';

const JSON_TYPES = new Set(['application/json', undefined, '']);

/** Python's type name of a decoded JSON value, for error texts shaped like Python's. */
export function pythonTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (Array.isArray(value)) return 'list';
  switch (typeof value) {
    case 'string':
      return 'str';
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(value) ? 'int' : 'float';
    default:
      return 'dict';
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses a JSON object; anything else is a {@link MalformedControlMessageError} naming `what`. */
function parseJsonObject(content: Buffer, what: string): Record<string, unknown> {
  let body: unknown;
  try {
    body = parseRemoteJson(content.toString('utf8'));
  } catch (error) {
    throw new MalformedControlMessageError(`${what} is not JSON: ${(error as Error).message}`);
  }
  if (!isRecord(body)) throw new MalformedControlMessageError(`${what} is a ${pythonTypeName(body)}, not an object`);
  return body;
}

function optionalString(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function readReplyTo(value: unknown): ControlReplyTo | null {
  if (!isRecord(value)) return null;
  const { exchange, routing_key: routingKey } = value;
  if (typeof exchange !== 'string' || typeof routingKey !== 'string' || routingKey === '') return null;
  return { exchange, routingKey };
}

function readDestination(value: unknown): string[] | null {
  if (typeof value === 'string') return value === '' ? null : [value];
  if (!Array.isArray(value) || value.length === 0) return null;
  return value.filter((name): name is string => typeof name === 'string');
}

/**
 * Decodes a control request body (kombu `Mailbox._publish` writes JSON). A message that is not
 * a JSON object throws {@link MalformedControlMessageError}; one with an unusable `method` or
 * `arguments` comes back with `invalid` set to the error a Python worker would reply with.
 */
export function decodeControlRequest(content: Buffer, contentType?: string): ControlRequest {
  if (!JSON_TYPES.has(contentType)) {
    throw new MalformedControlMessageError(`content type '${contentType}' is not accepted (only application/json)`);
  }
  const body = parseJsonObject(content, 'body');
  const { method, arguments: args } = body;
  let invalid: string | null = null;
  if (typeof method !== 'string') {
    invalid = method === undefined ? "TypeError(\"dispatch() missing 1 required positional argument: 'method'\")" : `KeyError(${pythonRepr(method)})`;
  } else if (args !== undefined && args !== null && !isRecord(args)) {
    invalid = `TypeError('${method}() argument after ** must be a mapping, not ${pythonTypeName(args)}')`;
  }
  return {
    method: typeof method === 'string' ? method : String(method),
    arguments: isRecord(args) ? args : {},
    destination: readDestination(body.destination),
    pattern: optionalString(body.pattern),
    matcher: optionalString(body.matcher),
    ticket: optionalString(body.ticket),
    replyTo: readReplyTo(body.reply_to),
    invalid,
  };
}

/** Encodes a control request the way kombu's `Mailbox._publish` writes it. */
export function encodeControlRequest(spec: ControlRequestSpec): Buffer {
  const message: Record<string, unknown> = {
    method: spec.method,
    arguments: spec.arguments ?? {},
    destination: spec.destination ?? null,
    pattern: spec.pattern ?? null,
    matcher: spec.matcher ?? null,
  };
  if (spec.ticket && spec.replyTo) {
    message.ticket = spec.ticket;
    message.reply_to = { exchange: spec.replyTo.exchange, routing_key: spec.replyTo.routingKey };
  }
  return Buffer.from(JSON.stringify(message));
}

/** Encodes a worker's reply body, `{ "<nodename>": <reply> }`. */
export function encodeControlReply(hostname: string, reply: unknown): Buffer {
  return Buffer.from(JSON.stringify({ [hostname]: reply === undefined ? null : reply }));
}

/**
 * Decodes a reply body into a null-prototype `{ node: reply }` map (prototype keys dropped at
 * any depth); throws {@link MalformedControlMessageError} unless it is a JSON object.
 */
export function decodeControlReply(content: Buffer): ControlReply {
  const body = parseJsonObject(content, 'reply');
  const reply = nullPrototypeRecord<unknown>();
  for (const node of Object.keys(body)) if (!isPrototypeKey(node)) reply[node] = body[node];
  return reply;
}
