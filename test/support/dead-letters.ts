import { amqplib } from 'nestjs-celery';

/** A message found in a dead-letter queue, with the reason headers the worker added. */
export interface DeadLetter {
  messageId: string;
  reason: string | undefined;
  /** Length of `x-celery-rejected-detail`, in characters (-1 when absent). */
  detailLength: number;
  headers: Record<string, unknown>;
  size: number;
}

/** Takes every message off `queue` (basic.get, acked) and returns them in order. */
export async function takeDeadLetters(url: string, queue: string): Promise<DeadLetter[]> {
  const connection = await amqplib.connect(url, { clientProperties: { connection_name: 'faults-dead-letter-reader' } });
  connection.on('error', () => undefined);
  const letters: DeadLetter[] = [];
  try {
    const channel = await connection.createChannel();
    channel.on('error', () => undefined);
    for (;;) {
      const message = await channel.get(queue, { noAck: true });
      if (!message) break;
      const headers = (message.properties.headers ?? {}) as Record<string, unknown>;
      const detail = headers['x-celery-rejected-detail'];
      letters.push({
        messageId: String(message.properties.messageId),
        reason: typeof headers['x-celery-rejected-reason'] === 'string' ? headers['x-celery-rejected-reason'] : undefined,
        detailLength: typeof detail === 'string' ? detail.length : Buffer.isBuffer(detail) ? detail.length : -1,
        headers,
        size: message.content.length,
      });
    }
  } finally {
    await connection.close().catch(() => undefined);
  }
  return letters;
}

/** A collector that keeps taking dead letters until every expected id has come (or time runs out). */
export class DeadLetterCollector {
  readonly letters = new Map<string, DeadLetter[]>();

  constructor(
    private readonly url: string,
    private readonly queue: string,
  ) {}

  /** Takes what is there now; returns how many distinct ids have been dead-lettered so far. */
  async poll(): Promise<number> {
    for (const letter of await takeDeadLetters(this.url, this.queue)) {
      this.letters.set(letter.messageId, [...(this.letters.get(letter.messageId) ?? []), letter]);
    }
    return this.letters.size;
  }

  /** Dead letters per reason, e.g. `{ 'not-json': 3 }`. */
  reasons(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const list of this.letters.values()) for (const letter of list) out[letter.reason ?? '?'] = (out[letter.reason ?? '?'] ?? 0) + 1;
    return out;
  }
}
