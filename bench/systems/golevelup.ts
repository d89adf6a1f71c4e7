import { ORDER, orderReply, type Order } from '../payload.js';
import type { ConsumerHandle, ConsumerHooks, ProducerHandle, RunContext, SystemAdapter } from './types.js';

/**
 * @golevelup/nestjs-rabbitmq: `AmqpConnection.publish` + `@RabbitSubscribe` for W1,
 * `AmqpConnection.request` + `@RabbitRPC` for RPC (direct reply-to). One direct exchange per run,
 * a queue per handler (a subscriber and an RPC handler cannot share a queue).
 */
const ORDER_KEY = 'bench.order';
const RPC_KEY = 'bench.rpc';

function moduleConfig(ctx: RunContext) {
  return {
    uri: ctx.amqpUrl,
    exchanges: [{ name: ctx.queue, type: 'direct' }],
    prefetchCount: ctx.prefetch,
    connectionManagerOptions: { connectionOptions: { noDelay: true } },
    connectionInitOptions: { wait: true, timeout: 30_000 },
    defaultPublishOptions: { persistent: ctx.persistent },
  };
}

async function startConsumer(ctx: RunContext, hooks: ConsumerHooks): Promise<ConsumerHandle> {
  const { Injectable, Module } = await import('@nestjs/common');
  const { NestFactory } = await import('@nestjs/core');
  const { RabbitMQModule, RabbitRPC, RabbitSubscribe } = await import('@golevelup/nestjs-rabbitmq');

  @Injectable()
  class BenchHandlers {
    @RabbitSubscribe({ exchange: ctx.queue, routingKey: ORDER_KEY, queue: `${ctx.queue}.events`, queueOptions: { durable: true } })
    async order(_order: Order): Promise<void> {
      hooks.handled();
    }

    @RabbitRPC({ exchange: ctx.queue, routingKey: RPC_KEY, queue: `${ctx.queue}.rpc`, queueOptions: { durable: true } })
    async rpc(order: Order) {
      hooks.handled();
      return orderReply(order);
    }
  }

  @Module({ imports: [RabbitMQModule.forRoot(moduleConfig(ctx))], providers: [BenchHandlers] })
  class BenchGolevelupModule {}

  const app = await NestFactory.createApplicationContext(BenchGolevelupModule, { logger: ['error', 'warn'] });
  await app.init();
  return { stop: () => app.close() };
}

async function startProducer(ctx: RunContext): Promise<ProducerHandle> {
  const { Module } = await import('@nestjs/common');
  const { NestFactory } = await import('@nestjs/core');
  const { AmqpConnection, RabbitMQModule } = await import('@golevelup/nestjs-rabbitmq');

  @Module({ imports: [RabbitMQModule.forRoot(moduleConfig(ctx))] })
  class BenchGolevelupClientModule {}

  const app = await NestFactory.createApplicationContext(BenchGolevelupClientModule, { logger: ['error', 'warn'] });
  const amqp = app.get(AmqpConnection);
  return {
    publishOne: () => amqp.publish(ctx.queue, ORDER_KEY, ORDER),
    call: () => amqp.request({ exchange: ctx.queue, routingKey: RPC_KEY, payload: ORDER, timeout: 30_000 }),
    close: () => app.close(),
  };
}

export const golevelupSystem: SystemAdapter = {
  name: 'golevelup',
  label: '@golevelup/nestjs-rabbitmq',
  packages: ['@golevelup/nestjs-rabbitmq'],
  w1Confirms: true,
  deliveryMode: (persistent) => (persistent ? 2 : 1),
  rpc: true,
  settings:
    'RabbitMQModule with prefetchCount 100 and connectionOptions.noDelay: true; @RabbitSubscribe acks after the handler; ' +
    'AmqpConnection.publish resolves on the publisher confirm (amqp-connection-manager); request() + @RabbitRPC over direct reply-to ' +
    '(the RPC handler publishes the reply with a confirm before acking)',
  entities: (queue) => ({ queues: [`${queue}.events`, `${queue}.rpc`], exchanges: [queue] }),
  startConsumer,
  startProducer,
};
