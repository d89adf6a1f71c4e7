import { amqplib } from 'nestjs-celery';

/** Deletes queues (ignoring ones that do not exist), for a clean start. */
export async function deleteQueues(url: string, ...queues: string[]): Promise<void> {
  const connection = await amqplib.connect(url);
  try {
    for (const queue of queues) {
      const channel = await connection.createChannel();
      await channel.deleteQueue(queue).catch(() => undefined);
      await channel.close().catch(() => undefined);
    }
  } finally {
    await connection.close();
  }
}

/** Number of ready messages in a queue (0 if it does not exist). */
export async function queueDepth(url: string, queue: string): Promise<number> {
  const connection = await amqplib.connect(url);
  try {
    const channel = await connection.createChannel();
    channel.on('error', () => undefined);
    const info = await channel.checkQueue(queue).catch(() => ({ messageCount: 0 }));
    return info.messageCount;
  } finally {
    await connection.close().catch(() => undefined);
  }
}

/** Deletes exchanges (ignoring ones that do not exist), e.g. those Celery-style queue declarations leave. */
export async function deleteExchanges(url: string, ...names: string[]): Promise<void> {
  const connection = await amqplib.connect(url);
  try {
    for (const name of names) {
      const channel = await connection.createChannel();
      channel.on('error', () => undefined);
      await channel.deleteExchange(name).catch(() => undefined);
      await channel.close().catch(() => undefined);
    }
  } finally {
    await connection.close().catch(() => undefined);
  }
}

/** True if the queue exists on the broker (passive declare). */
export async function queueExists(url: string, name: string): Promise<boolean> {
  const connection = await amqplib.connect(url);
  try {
    const channel = await connection.createChannel();
    channel.on('error', () => undefined);
    return await channel.checkQueue(name).then(
      () => true,
      () => false,
    );
  } finally {
    await connection.close().catch(() => undefined);
  }
}
