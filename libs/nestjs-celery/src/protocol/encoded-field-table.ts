/**
 * An AMQP field table already serialized to its wire bytes: the 4-byte size followed by the
 * entries. The broker hands it to amqplib in place of a headers object, and amqplib's table
 * encoder (patched by the broker's amqplib loader) copies the bytes instead of encoding them
 * again. Build one with `encodeFieldTable`.
 */
export class EncodedFieldTable {
  /**
   * @param bytes the whole table as it goes on the wire, size prefix included
   */
  constructor(readonly bytes: Buffer) {}

  /**
   * Copies the table into `buffer` at `offset` and returns the number of bytes written, with
   * the signature and the overflow error of amqplib's own `encodeTable`.
   */
  writeTo(buffer: Buffer, offset: number): number {
    const size = this.bytes.length;
    if (offset + size > buffer.length) {
      throw new RangeError(`Encoded field table (headers or arguments) exceeds the ${buffer.length} byte encoding buffer`);
    }
    this.bytes.copy(buffer, offset);
    return size;
  }
}
