import { isUtf8 } from 'node:buffer';
import { parseCeleryJson } from './celery-json.js';
import { InvalidTypeMarkerError } from './celery-json.markers.js';
import { parseCeleryIsoDate } from './iso-time.js';
import { InvalidTaskMessageError } from './protocol.errors.js';
import type { SignatureDict } from './signature.js';
import type { TaskEmbed, TaskRequest, TimeLimit } from './task-message.js';
import { undecodableHeadersReason } from './undecodable-headers.js';

/** The parts of an incoming AMQP message the decoder reads. */
export interface IncomingMessage extends TaskMessageProperties {
  content: Buffer;
}

/** The AMQP properties the decoder reads, named as amqplib names them (its `properties` fit as they are). */
export interface TaskMessageProperties {
  contentType?: string;
  contentEncoding?: string;
  headers?: Record<string, unknown>;
  correlationId?: string;
  replyTo?: string;
  priority?: number;
}

const JSON_CONTENT_TYPES = new Set(['application/json', 'application/x-json', 'text/json']);
const TEXT_ENCODINGS = new Set(['utf-8', 'utf8', 'binary', '']);
const EMPTY_EMBED: Readonly<TaskEmbed> = Object.freeze({ callbacks: null, errbacks: null, chain: null, chord: null });

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(headers: Record<string, unknown>, key: string): string | null {
  const value = headers[key];
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') {
    throw new InvalidTaskMessageError('bad-header', `header '${key}' must be a string or null, got ${typeof value}`);
  }
  return value;
}

function optionalInteger(value: unknown, key: string): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new InvalidTaskMessageError('bad-header', `'${key}' must be an integer or null`);
  }
  return value;
}

function signatureList(value: unknown, key: string): SignatureDict[] | null {
  if (value === null || value === undefined) return null;
  if (!Array.isArray(value) || !value.every((s) => isPlainObject(s) && typeof s.task === 'string')) {
    throw new InvalidTaskMessageError('body-shape', `embed '${key}' must be a list of signatures`);
  }
  return value as SignatureDict[];
}

function readEmbed(value: unknown): TaskEmbed {
  if (value === null || value === undefined) return { ...EMPTY_EMBED };
  if (!isPlainObject(value)) throw new InvalidTaskMessageError('body-shape', 'body[2] (embed) must be an object');
  const chord = value.chord;
  if (chord !== null && chord !== undefined && !(isPlainObject(chord) && typeof chord.task === 'string')) {
    throw new InvalidTaskMessageError('body-shape', "embed 'chord' must be a signature");
  }
  return {
    callbacks: signatureList(value.callbacks, 'callbacks'),
    errbacks: signatureList(value.errbacks, 'errbacks'),
    chain: signatureList(value.chain, 'chain'),
    chord: (chord as SignatureDict | null | undefined) ?? null,
  };
}

function readTimeLimit(value: unknown): TimeLimit {
  if (!Array.isArray(value)) return [null, null];
  const [hard, soft] = value;
  return [typeof hard === 'number' ? hard : null, typeof soft === 'number' ? soft : null];
}

function parseBody(content: Buffer, message: TaskMessageProperties): unknown {
  const contentType = (message.contentType ?? 'application/json').toLowerCase();
  if (!JSON_CONTENT_TYPES.has(contentType)) {
    throw new InvalidTaskMessageError(
      'content-type',
      `refusing to deserialize content of type ${contentType} (only application/json is accepted)`,
    );
  }
  const encoding = (message.contentEncoding ?? 'utf-8').toLowerCase();
  if (!TEXT_ENCODINGS.has(encoding)) {
    throw new InvalidTaskMessageError('content-encoding', `unsupported content encoding ${encoding}`);
  }
  // Read leniently, invalid UTF-8 would turn into U+FFFD and run with altered arguments (kombu refuses it too).
  if (!isUtf8(content)) throw new InvalidTaskMessageError('not-json', 'body is not valid UTF-8 JSON');
  try {
    return parseCeleryJson(content.toString('utf8'));
  } catch (error) {
    // a kombu type marker that does not decode: kombu's loads raises ValueError for it too
    if (error instanceof InvalidTypeMarkerError) throw new InvalidTaskMessageError('not-json', `body has an ${error.message}`);
    throw new InvalidTaskMessageError('not-json', 'body is not valid JSON');
  }
}

function requireArgs(args: unknown, kwargs: unknown): { args: unknown[]; kwargs: Record<string, unknown> } {
  if (!Array.isArray(args)) throw new InvalidTaskMessageError('body-shape', 'args must be a JSON array');
  if (kwargs !== null && kwargs !== undefined && !isPlainObject(kwargs)) {
    throw new InvalidTaskMessageError('body-shape', 'kwargs must be a JSON object');
  }
  return { args, kwargs: (kwargs as Record<string, unknown> | null) ?? {} };
}

/**
 * Reads a Celery task message: protocol v2 (a `task` header), the hybrid form (v2 headers,
 * dict body) and protocol v1 (everything in a dict body). Throws {@link InvalidTaskMessageError}
 * for anything else: other content types, bodies that are not JSON, 2-element bodies, missing ids.
 */
export function decodeTaskMessage(message: IncomingMessage): TaskRequest {
  return decodeDelivery(message.content, message);
}

/**
 * {@link decodeTaskMessage} for a message as amqplib delivers it: `decodeDelivery(msg.content,
 * msg.properties)`. Publish options (`Options.Publish`) fit as well.
 */
export function decodeDelivery(content: Buffer, message: TaskMessageProperties): TaskRequest {
  const headers = message.headers ?? {};
  const undecodable = undecodableHeadersReason(headers);
  if (undecodable !== undefined) {
    throw new InvalidTaskMessageError('undecodable-headers', `the header table cannot be decoded: ${undecodable}`);
  }
  const body = parseBody(content, message);
  if (typeof headers.task === 'string') return decodeV2(headers, body, message);
  if (isPlainObject(body) && typeof body.task === 'string') return decodeV1(body, message);
  throw new InvalidTaskMessageError(
    'unknown-message',
    "not a Celery task: no 'task' header and the body is not a protocol v1 task dict",
  );
}

function decodeV2(headers: Record<string, unknown>, body: unknown, message: TaskMessageProperties): TaskRequest {
  const id = headers.id;
  if (typeof id !== 'string' || id.length === 0) {
    throw new InvalidTaskMessageError('missing-header', "protocol v2 message without a string 'id' header");
  }
  let args: unknown;
  let kwargs: unknown;
  let embed: unknown;
  if (Array.isArray(body)) {
    if (body.length !== 3) {
      throw new InvalidTaskMessageError(
        'body-shape',
        `protocol v2 body must be [args, kwargs, embed], got ${body.length} element(s)`,
      );
    }
    [args, kwargs, embed] = body;
  } else if (isPlainObject(body)) {
    // hybrid form: v2 headers with a v1-style body
    args = body.args ?? [];
    kwargs = body.kwargs ?? {};
    embed = { callbacks: body.callbacks, errbacks: body.errbacks, chain: body.chain, chord: body.chord };
  } else {
    throw new InvalidTaskMessageError('body-shape', 'protocol v2 body must be a JSON array');
  }
  const checked = requireArgs(args, kwargs);
  const retries = optionalInteger(headers.retries, 'retries') ?? 0;
  return {
    protocol: 2,
    id,
    task: headers.task as string,
    args: checked.args,
    kwargs: checked.kwargs,
    embed: readEmbed(embed),
    retries,
    eta: parseCeleryIsoDate(headers.eta, 'eta'),
    expires: parseCeleryIsoDate(headers.expires, 'expires'),
    rootId: optionalString(headers, 'root_id'),
    parentId: optionalString(headers, 'parent_id'),
    group: optionalString(headers, 'group'),
    groupIndex: optionalInteger(headers.group_index, 'group_index'),
    shadow: optionalString(headers, 'shadow'),
    timeLimit: readTimeLimit(headers.timelimit),
    ignoreResult: headers.ignore_result === true,
    origin: typeof headers.origin === 'string' ? headers.origin : null,
    replyTo: message.replyTo || null,
    correlationId: message.correlationId || id,
    priority: typeof message.priority === 'number' ? message.priority : null,
    headers,
  };
}

/**
 * Protocol v1 (also what `wireHeaders: 'body'` writes): the fields come from the dict body, and headers win
 * over them, as in Celery's `hybrid_to_proto2` (`headers.update(message.headers)`); `ignore_result`
 * and `group_index` can only come from headers.
 */
function decodeV1(body: Record<string, unknown>, message: TaskMessageProperties): TaskRequest {
  const id = body.id;
  if (typeof id !== 'string' || id.length === 0) {
    throw new InvalidTaskMessageError('missing-header', "protocol v1 body without a string 'id'");
  }
  const headers = message.headers ?? {};
  const checked = requireArgs(body.args ?? [], body.kwargs ?? {});
  const str = (key: string): string | null =>
    typeof headers[key] === 'string' ? (headers[key] as string) : typeof body[key] === 'string' ? (body[key] as string) : null;
  return {
    protocol: 1,
    id,
    task: body.task as string,
    args: checked.args,
    kwargs: checked.kwargs,
    embed: readEmbed({ callbacks: body.callbacks, errbacks: body.errbacks, chain: body.chain, chord: body.chord }),
    retries: optionalInteger(body.retries, 'retries') ?? 0,
    eta: parseCeleryIsoDate(body.eta, 'eta'),
    expires: parseCeleryIsoDate(body.expires, 'expires'),
    rootId: str('root_id'),
    parentId: str('parent_id'),
    group: str('taskset') ?? str('group'),
    groupIndex: optionalInteger(headers.group_index ?? body.group_index, 'group_index'),
    shadow: str('shadow'),
    timeLimit: readTimeLimit(body.timelimit),
    ignoreResult: headers.ignore_result === true,
    origin: str('origin'),
    replyTo: message.replyTo || null,
    correlationId: message.correlationId || id,
    priority: typeof message.priority === 'number' ? message.priority : null,
    headers,
  };
}
