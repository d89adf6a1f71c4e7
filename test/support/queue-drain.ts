import { amqplib } from 'nestjs-celery';

/** A message taken off a queue, with what routing tests compare. */
export interface DrainedMessage {
  task: string;
  lang: string;
  origin: string;
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
          lang: String(headers.lang),
          origin: String(headers.origin),
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
