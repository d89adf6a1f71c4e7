import type { MessageProperties, Options } from 'amqplib';
import { basicProperties } from '../basic-properties.js';

/** Typed field values that amqplib decodes to plain numbers (`{'!': 'int32', value: 5}` → `5`). */
const NUMERIC_TAGS = new Set(['int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'long', 'float', 'double', 'byte', 'short', 'int', 'unsignedbyte', 'unsignedshort', 'unsignedint']);

function plainValue(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return typeof value === 'bigint' ? Number(value) : value;
  if (Buffer.isBuffer(value)) return Buffer.from(value);
  if (Array.isArray(value)) return value.map(plainValue);
  if (value instanceof Date) return value.toISOString();
  const typed = value as { '!'?: unknown; value?: unknown };
  if (typeof typed['!'] === 'string' && 'value' in typed) {
    return NUMERIC_TAGS.has(typed['!']) ? Number(typed.value) : { '!': typed['!'], value: typed.value };
  }
  return plainFieldTable(value as Record<string, unknown>);
}

/**
 * A deep copy of a header or arguments table as a consumer reads it back from RabbitMQ through
 * amqplib: explicitly typed numbers (`toPyAmqpTable`) become plain numbers, `undefined` entries
 * are left out, nested tables and arrays are copied.
 */
export function plainFieldTable(table: Record<string, unknown> | undefined | null): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!table) return out;
  for (const key of Object.keys(table)) {
    const value = table[key];
    if (value !== undefined) out[key] = plainValue(value);
  }
  return out;
}

function listOf(value: string | string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.map(String) : [String(value)];
}

/** The message properties and the extra routing keys of a publish, mapped the way amqplib does it. */
export interface MappedPublish {
  properties: MessageProperties;
  /** Routing keys from `CC` and `BCC` (sender-selected distribution). */
  extraRoutingKeys: string[];
}

/**
 * Maps `Options.Publish` to the `properties` a consumer receives, as amqplib and RabbitMQ do:
 * every property key present (absent ones `undefined`), `headers` always a table (with `CC`,
 * never `BCC`), `persistent` → `deliveryMode` 2, `expiration` as a string.
 */
export function toMessageProperties(options: Options.Publish): MappedPublish {
  const headers = plainFieldTable(options.headers as Record<string, unknown> | undefined);
  const cc = listOf(options.CC);
  const bcc = listOf(options.BCC);
  if (cc) headers.CC = cc;
  return {
    properties: basicProperties(options, headers),
    extraRoutingKeys: [...(cc ?? []), ...(bcc ?? [])],
  };
}
