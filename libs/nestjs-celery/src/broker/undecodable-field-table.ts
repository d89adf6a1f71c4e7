import { UNDECODABLE_HEADERS } from '../protocol/undecodable-headers.js';

/**
 * What the worker's amqplib hands over as a message's `headers` when the table's bytes cannot be
 * decoded (nested too deep, an unknown type tag, a length past the table's end). Decoding must not
 * throw inside amqplib's frame parser: that closes the connection, the message comes back after
 * every reconnect and the worker stops serving. The task decoder refuses a message carrying one
 * of these, so it is dead-lettered once with {@link reason}.
 *
 * To code that does not know it, it looks like an empty table (no own enumerable properties).
 */
export class UndecodableFieldTable {
  readonly #reason: string;
  readonly #bytes: Buffer;

  /**
   * @param reason why the table cannot be decoded (bounded, one line)
   * @param bytes the table's bytes as received (without the 4-byte length)
   */
  constructor(reason: string, bytes: Buffer) {
    this.#reason = reason;
    this.#bytes = bytes;
  }

  /** Why the table cannot be decoded. */
  get reason(): string {
    return this.#reason;
  }

  /** The mark the task decoder looks for (see {@link UNDECODABLE_HEADERS}). */
  get [UNDECODABLE_HEADERS](): string {
    return this.#reason;
  }

  /** The table's bytes as received, e.g. to keep them (as a byte array) on a dead-lettered copy. */
  get bytes(): Buffer {
    return this.#bytes;
  }
}
