import { once } from 'node:events';
import type { Channel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import { ORDER, orderReply, type Order } from '../payload.js';
import type { ConsumerHandle, ProducerHandle, RunContext, SystemAdapter } from './types.js';

/**
 * raw amqplib, the ceiling: the thinnest correct code. Manual ack after the handler, prefetch,
 * TCP_NODELAY, replies through direct reply-to with a correlation map. No publisher confirms
 * (`amqplib`), or W1 with confirms (`amqplib-confirm`) to show what confirms alone cost.
 */
const REPLY_TO = 'amq.rabbitmq.reply-to';

async function connect(ctx: RunContext) {
  const amqplib = await import('amqplib');
  return amqplib.connect(ctx.amqpUrl, { noDelay: true, clientProperties: { connection_name: 'bench raw amqplib' } });
}

async function startConsumer(ctx: RunContext, hooks: { handled(): void }): Promise<ConsumerHandle> {
  const connection = await connect(ctx);
  const channel = await connection.createChannel();
  await channel.assertQueue(ctx.queue, { durable: true });
  await channel.prefetch(ctx.prefetch);
  await channel.consume(
    ctx.queue,
    (message: ConsumeMessage | null) => {
      if (!message) return;
      const order = JSON.parse(message.content.toString()) as Order;
      const reply = orderReply(order);
      hooks.handled();
      const { replyTo, correlationId } = message.properties;
      if (replyTo) channel.sendToQueue(replyTo, Buffer.from(JSON.stringify(reply)), { correlationId, contentType: 'application/json' });
      channel.ack(message);
    },
    { noAck: false },
  );
  return { stop: () => connection.close() };
}

async function startProducer(ctx: RunContext, confirms: boolean): Promise<ProducerHandle> {
  const connection = await connect(ctx);
  const channel: Channel | ConfirmChannel = confirms ? await connection.createConfirmChannel() : await connection.createChannel();
  await channel.assertQueue(ctx.queue, { durable: true });
  const publishOptions = { persistent: ctx.persistent, contentType: 'application/json' };

  const pending = new Map<string, (reply: unknown) => void>();
  let nextId = 0;
  await channel.consume(
    REPLY_TO,
    (message: ConsumeMessage | null) => {
      if (!message) return;
      const resolve = pending.get(message.properties.correlationId as string);
      if (!resolve) return;
      pending.delete(message.properties.correlationId as string);
      resolve(JSON.parse(message.content.toString()));
    },
    { noAck: true },
  );

  const handle: ProducerHandle = {
    call: () =>
      new Promise((resolve) => {
        const correlationId = String(++nextId);
        pending.set(correlationId, resolve);
        channel.sendToQueue(ctx.queue, Buffer.from(JSON.stringify(ORDER)), { ...publishOptions, replyTo: REPLY_TO, correlationId });
      }),
    close: () => connection.close(),
  };
  if (confirms) {
    const confirmChannel = channel as ConfirmChannel;
    handle.publishOne = () =>
      new Promise<void>((resolve, reject) => {
        confirmChannel.sendToQueue(ctx.queue, Buffer.from(JSON.stringify(ORDER)), publishOptions, (error: unknown) =>
          error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(),
        );
      });
  } else {
    handle.publishMany = async (n: number) => {
      for (let i = 0; i < n; i++) {
        if (!channel.sendToQueue(ctx.queue, Buffer.from(JSON.stringify(ORDER)), publishOptions)) await once(channel, 'drain');
      }
    };
  }
  return handle;
}

const base = {
  packages: ['amqplib'],
  deliveryMode: (persistent: boolean) => (persistent ? 2 : 1) as 1 | 2,
  entities: (queue: string) => ({ queues: [queue], exchanges: [] }),
  startConsumer,
};

export const amqplibSystem: SystemAdapter = {
  ...base,
  name: 'amqplib',
  label: 'raw amqplib',
  w1Confirms: false,
  rpc: true,
  settings:
    'manual ack after the handler, prefetch 100, noDelay: true, durable queue; W1 publishes without confirms ' +
    "(waits for 'drain' when the socket buffer is full); RPC via direct reply-to + correlation map",
  startProducer: (ctx) => startProducer(ctx, false),
};

export const amqplibConfirmSystem: SystemAdapter = {
  ...base,
  name: 'amqplib-confirm',
  label: 'raw amqplib + confirms',
  w1Confirms: true,
  rpc: false,
  settings: 'as raw amqplib, but W1 publishes on a confirm channel and waits for each confirm (window of outstanding publishes); W1 only',
  startProducer: (ctx) => startProducer(ctx, true),
};
