/**
 * Loads the Celery 5.2.6 wire vectors captured in this directory (see README.md) for unit specs.
 * Pure file reads: no broker involved.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** AMQP basic properties as py-amqp reported them; `null` means the flag was not set. */
export interface VectorProperties {
  content_type: string;
  content_encoding: string;
  delivery_mode: 1 | 2;
  priority: number | null;
  correlation_id: string;
  reply_to: string | null;
  expiration: string | null;
}

/** One captured message. */
export interface WireVector {
  name: string;
  description: string;
  properties: VectorProperties;
  headers: Record<string, unknown>;
  /** Field-table tag of each header, e.g. `{ retries: 'I' }`. */
  header_types: Record<string, string>;
  /** Same, with arrays walked: `{ timelimit: ['A', ['I', 'I']] }`. */
  header_types_deep: Record<string, unknown>;
  /** The `application_headers` table as received, with its 4-byte length prefix. */
  headers_table_base64: string;
  body_base64: string;
  body: unknown;
}

const VECTOR_DIR = new URL('./', import.meta.url);

/** Names (file names without `.json`) of every vector, sorted. */
export const vectorNames: readonly string[] = readdirSync(VECTOR_DIR)
  .filter((file) => file.endsWith('.json'))
  .map((file) => file.slice(0, -'.json'.length))
  .sort();

export const taskVectorNames = vectorNames.filter((name) => name.startsWith('task-'));
export const resultVectorNames = vectorNames.filter((name) => name.startsWith('result-'));

const cache = new Map<string, WireVector>();

/** Reads one vector; each call returns a fresh deep copy, so specs may mutate it. */
export function loadVector(name: string): WireVector {
  let vector = cache.get(name);
  if (!vector) {
    vector = JSON.parse(readFileSync(new URL(`${name}.json`, VECTOR_DIR), 'utf8')) as WireVector;
    cache.set(name, vector);
  }
  return structuredClone(vector);
}

/** The raw body bytes. */
export function bodyBytes(vector: WireVector): Buffer {
  return Buffer.from(vector.body_base64, 'base64');
}

/** The raw field table without its 4-byte length prefix (what an AMQP decoder is handed). */
export function headersTableBytes(vector: WireVector): Buffer {
  const table = Buffer.from(vector.headers_table_base64, 'base64');
  const length = table.readUInt32BE(0);
  if (length !== table.length - 4) throw new Error(`${vector.name}: table length ${length} != ${table.length - 4}`);
  return table.subarray(4);
}

/** The message as amqplib hands it to a consumer (`content` + `properties`), in the decoder's shape. */
export function toIncomingMessage(vector: WireVector): {
  content: Buffer;
  contentType?: string;
  contentEncoding?: string;
  headers?: Record<string, unknown>;
  correlationId?: string;
  replyTo?: string;
  priority?: number;
} {
  const p = vector.properties;
  return {
    content: bodyBytes(vector),
    contentType: p.content_type,
    contentEncoding: p.content_encoding,
    headers: vector.headers,
    correlationId: p.correlation_id ?? undefined,
    replyTo: p.reply_to ?? undefined,
    priority: p.priority ?? undefined,
  };
}
