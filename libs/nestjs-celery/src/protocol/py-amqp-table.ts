import { toPyAmqpTable } from './field-table.codec.js';
import { writeFieldTable } from './field-table.encoder.js';

/** amqplib's own table encoder: `(buffer, table, offset) => bytes written`. */
export type AmqplibTableEncoder = (buffer: Buffer, table: object, offset: number) => number;

/**
 * A header table to be written the way py-amqp reads it. The broker hands it to amqplib in place
 * of a headers object, and amqplib's table encoder (patched by the broker's amqplib loader) calls
 * {@link writeTo}, which serializes the table in one pass straight into amqplib's frame buffer
 * instead of building a typed copy for amqplib to encode.
 */
export class PyAmqpTable {
  /**
   * @param table the headers, as a plain object (integers typed on the wire as `toPyAmqpTable` types them)
   */
  constructor(readonly table: Record<string, unknown>) {}

  /**
   * Writes the table at `offset` and returns the number of bytes written. Tables the one-pass
   * writer leaves alone (explicitly typed values, symbols, oversize) go through `fallback`,
   * amqplib's own encoder, as `toPyAmqpTable(table)`: the same bytes, or the same error.
   */
  writeTo(buffer: Buffer, offset: number, fallback: AmqplibTableEncoder): number {
    const written = writeFieldTable(this.table, buffer, offset);
    return written >= 0 ? written : fallback(buffer, toPyAmqpTable(this.table), offset);
  }
}
