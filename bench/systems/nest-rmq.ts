import { ORDER, orderReply, type Order } from '../payload.js';
import type { ConsumerHandle, ConsumerHooks, ProducerHandle, RunContext, SystemAdapter } from './types.js';

/**
 * @nestjs/microservices' RMQ transport (amqp-connection-manager + amqplib): a Transport.RMQ
 * microservice with @EventPattern / @MessagePattern handlers acking manually, and a ClientRMQ
 * (`emit` for W1, `send` for RPC over direct reply-to).
 */
const ORDER_PATTERN = 'bench.order';
const RPC_PATTERN = 'bench.rpc';

interface RmqContextLike {
  getChannelRef(): { ack(message: unknown): void };
  getMessage(): unknown;
}

function rmqOptions(ctx: RunContext) {
  return {
    urls: [ctx.amqpUrl],
    queue: ctx.queue,
    queueOptions: { durable: true },
    persistent: ctx.persistent,
    // ServerRMQ reads socketOptions.connectionOptions; ClientRMQ passes socketOptions to
    // amqp-connection-manager, which reads connectionOptions too: TCP_NODELAY on both sides.
    socketOptions: { connectionOptions: { noDelay: true } },
  };
}

async function startConsumer(ctx: RunContext, hooks: ConsumerHooks): Promise<ConsumerHandle> {
  const { Controller, Module } = await import('@nestjs/common');
  const { NestFactory } = await import('@nestjs/core');
  const { Ctx, EventPattern, MessagePattern, Payload, Transport } = await import('@nestjs/microservices');

  @Controller()
  class BenchHandlers {
    @EventPattern(ORDER_PATTERN)
    order(@Payload() _order: Order, @Ctx() context: unknown): void {
      hooks.handled();
      const rmq = context as RmqContextLike;
      rmq.getChannelRef().ack(rmq.getMessage());
    }

    @MessagePattern(RPC_PATTERN)
    rpc(@Payload() order: Order, @Ctx() context: unknown) {
      hooks.handled();
      const rmq = context as RmqContextLike;
      rmq.getChannelRef().ack(rmq.getMessage());
      return orderReply(order);
    }
  }

  @Module({ controllers: [BenchHandlers] })
  class BenchRmqModule {}

  const app = await NestFactory.createMicroservice(BenchRmqModule, {
    transport: Transport.RMQ,
    options: { ...rmqOptions(ctx), noAck: false, prefetchCount: ctx.prefetch },
    logger: ['error', 'warn'],
  });
  await app.listen();
  return { stop: () => app.close() };
}

async function startProducer(ctx: RunContext): Promise<ProducerHandle> {
  const { Logger } = await import('@nestjs/common');
  const { ClientProxyFactory, Transport } = await import('@nestjs/microservices');
  const { firstValueFrom, lastValueFrom } = await import('rxjs');
  Logger.overrideLogger(['error', 'warn']);
  const client = ClientProxyFactory.create({ transport: Transport.RMQ, options: rmqOptions(ctx) });
  await client.connect();
  return {
    publishOne: () => lastValueFrom(client.emit(ORDER_PATTERN, ORDER), { defaultValue: undefined }),
    call: () => firstValueFrom(client.send(RPC_PATTERN, ORDER)),
    close: () => client.close(),
  };
}

export const nestRmqSystem: SystemAdapter = {
  name: 'nest-rmq',
  label: 'Nest RMQ transport',
  packages: ['@nestjs/microservices', 'amqp-connection-manager'],
  w1Confirms: true,
  deliveryMode: (persistent) => (persistent ? 2 : 1),
  rpc: true,
  settings:
    'Transport.RMQ server with noAck: false (handlers ack via RmqContext), prefetchCount 100, durable queue; ClientRMQ emit() for W1 ' +
    '(amqp-connection-manager confirm channel: resolves on the confirm) and send() for RPC (direct reply-to); ' +
    'socketOptions.connectionOptions.noDelay: true on both sides',
  entities: (queue) => ({ queues: [queue], exchanges: [] }),
  startConsumer,
  startProducer,
};
