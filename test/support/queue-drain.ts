import { amqplib } from 'nestjs-celery';

/** A message taken off a queue, with what routing tests compare. */
export interface DrainedMessage {
  task: string;
  /** Absent (undefined) in compact headers. */
  lang: string | undefined;
  /** Absent (undefined) in compact headers. */
  origin: string | undefined;
  exchange: string;
  routingKey: string;
  deliveryMode: number | undefined;
  replyTo: string | undefined;
  ignoreResult: unknown;
}

/** Takes every ready message off each queue (basic.get + ack) and returns them per queue. */
export async function drainQueues(url: string, queues: string[]): Promise<Record<string, DrainedMessage[]>> {
  const connection = await amqplib.connect(url);
  const out: Record<string, DrainedMessage[]> = {};
  try {
    const channel = await connection.createChannel();
    for (const queue of queues) {
      out[queue] = [];
      for (;;) {
        const message = await channel.get(queue, { noAck: true });
        if (!message) break;
        const headers = message.properties.headers ?? {};
        out[queue].push({
          task: String(headers.task),
          lang: typeof headers.lang === 'string' ? headers.lang : undefined,
          origin: typeof headers.origin === 'string' ? headers.origin : undefined,
          exchange: message.fields.exchange,
          routingKey: message.fields.routingKey,
          deliveryMode: message.properties.deliveryMode,
          replyTo: message.properties.replyTo,
          ignoreResult: headers.ignore_result,
        });
      }
    }
  } finally {
    await connection.close().catch(() => undefined);
  }
  return out;
}
