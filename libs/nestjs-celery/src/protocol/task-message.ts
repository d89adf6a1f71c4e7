import type { SignatureDict } from './signature.js';

/** The third element of a protocol v2 body: canvas instructions the worker follows. */
export interface TaskEmbed {
  callbacks: SignatureDict[] | null;
  errbacks: SignatureDict[] | null;
  /** Remaining chain steps in reverse order: the next step is the last element. */
  chain: SignatureDict[] | null;
  chord: SignatureDict | null;
}

/** `[hard, soft]` time limits in seconds, in that order (Celery's docs say otherwise; the code does this). */
export type TimeLimit = [hard: number | null, soft: number | null];

/** The AMQP properties of a task or result message, named as amqplib names them. */
export interface CeleryMessageProperties {
  contentType: string;
  /** `utf-8`; left out in the `'body'` form (readers assume it). */
  contentEncoding?: string;
  deliveryMode: 1 | 2;
  /** The task id; in the `'body'` form only with a `replyTo` (readers fall back to the task id). */
  correlationId?: string;
  replyTo?: string;
  priority?: number;
  expiration?: string;
  headers?: Record<string, unknown>;
}

/**
 * A task request after decoding, whatever protocol version it arrived in.
 * Everything the worker needs to run it, route its result and follow its canvas.
 */
export interface TaskRequest {
  /** Wire protocol the message used: 2 (headers) or 1 (everything in the body). */
  protocol: 1 | 2;
  id: string;
  task: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  embed: TaskEmbed;
  retries: number;
  eta: Date | null;
  expires: Date | null;
  rootId: string | null;
  parentId: string | null;
  group: string | null;
  groupIndex: number | null;
  shadow: string | null;
  timeLimit: TimeLimit;
  ignoreResult: boolean;
  origin: string | null;
  /** Reply queue of the caller (rpc backend), from the `reply_to` property. */
  replyTo: string | null;
  /** Correlation id for the reply: the property when present, else the task id. */
  correlationId: string;
  priority: number | null;
  /** Every header of the message, Celery's and custom ones. */
  headers: Record<string, unknown>;
}

/** An encoded task message ready to publish. */
export interface EncodedTaskMessage {
  body: Buffer;
  properties: CeleryMessageProperties & { headers: Record<string, unknown> };
}

/**
 * How a task message carries Celery's fields:
 * - `'full'`: Celery 5.2's 16 headers exactly as Python writes them;
 * - `'compact'`: `task`, `id` and only the headers that differ from a worker's defaults (a
 *   Celery 5.2 worker reads all others with `.get()`), which RabbitMQ routes for about a third
 *   less CPU;
 * - `'body'`: protocol v1's layout, the fields in a JSON dict body (`{task, id, args, kwargs,
 *   root_id, ...}`), and a header table only for what Celery reads from headers alone
 *   (`ignore_result`, `group_index`). Celery 5 workers take a message without a `task` header
 *   as v1 and convert a body with `args` through `hybrid_to_proto2`. The AMQP properties then fit
 *   in 64 bytes when there is no `reply_to`, which RabbitMQ handles for ~9 µs less CPU per
 *   message (Erlang keeps binaries of up to 64 bytes on the process heap). A message with a chain
 *   is written as `'compact'` (the v1 layout has no chain). Not for brokers that route on the
 *   `task` header (a headers exchange) or tools that read it.
 */
export type WireHeaders = 'compact' | 'full' | 'body';

const WIRE_HEADERS: readonly WireHeaders[] = ['compact', 'full', 'body'];

/** The {@link WireHeaders} values as option errors name them: `'compact', 'full' or 'body'`. */
export const WIRE_HEADERS_CHOICES = `${WIRE_HEADERS.slice(0, -1).map((v) => `'${v}'`).join(', ')} or '${WIRE_HEADERS.at(-1)}'`;

/** True for a {@link WireHeaders} value. */
export function isWireHeaders(value: unknown): value is WireHeaders {
  return (WIRE_HEADERS as readonly unknown[]).includes(value);
}

/** Everything needed to write a protocol v2 task message. Omitted fields take Celery's defaults. */
export interface TaskMessageSpec {
  id: string;
  task: string;
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  embed?: Partial<TaskEmbed>;
  retries?: number;
  eta?: Date | string | null;
  expires?: Date | string | null;
  rootId?: string | null;
  parentId?: string | null;
  group?: string | null;
  groupIndex?: number | null;
  shadow?: string | null;
  timeLimit?: TimeLimit;
  ignoreResult?: boolean;
  origin: string;
  replyTo?: string | null;
  priority?: number;
  /** 2 (persistent, Celery's default) or 1 (transient). */
  deliveryMode?: 1 | 2;
  /** Extra headers merged into the table, like `apply_async(headers=...)`. */
  headers?: Record<string, unknown>;
  /** Header table to write; default `'full'` (the library's producers default to `'compact'`). */
  wireHeaders?: WireHeaders;
  /** Sets the AMQP `expiration` property from `expires` (Celery does); default true. */
  expirationProperty?: boolean;
  /** Writes arguments with kombu ≥ 5.3's JSON type markers (see `CeleryJsonOptions.typeMarkers`); default false. */
  jsonTypeMarkers?: boolean;
}
