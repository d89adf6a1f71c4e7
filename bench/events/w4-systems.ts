import { once } from 'node:events';
import type { ConsumeMessage } from 'amqplib';
import { ORDER, orderTotal, type Order } from '../payload.js';
import type { ConsumerHandle, ConsumerHooks, ProducerHandle } from '../systems/types.js';

/** What both sides of one W4 run get: the producer's topic exchange and the subscribing service. */
export interface W4Context {
  brokerUrl: string;
  amqpUrl: string;
  /** The producer's topic exchange (fresh per run). */
  exchange: string;
  /** Consumer side only: the subscribing service (names its queue). */
  service?: string;
  prefetch: number;
  persistent: boolean;
}

/** Routing key of the bench event, and the pattern the subscribers bind. */
export const W4_ROUTING_KEY = 'bench.v1.order';
export const W4_PATTERN = 'bench.*.order';

/** A W4 system: a subscriber service and a publisher of order events on a topic exchange. */
export interface W4System {
  name: string;
  /** The broker it runs on: RabbitMQ (default) or the `--redis-broker` Redis (its broker column is Redis's CPU). */
  broker?: 'rabbitmq' | 'redis';
  label: string;
  settings: string;
  startConsumer(ctx: W4Context, hooks: ConsumerHooks): Promise<ConsumerHandle>;
  startProducer(ctx: W4Context): Promise<ProducerHandle>;
  /** Queues and exchanges a run leaves behind, for the given services. */
  entities(exchange: string, services: string[]): { queues: string[]; exchanges: string[] };
}

/** The queue a service binds, named like nestjs-celery's event queues. */
function serviceQueue(service: string, exchange: string): string {
  return `${service}.${exchange}-events`;
}

/** raw amqplib, the ceiling: a topic exchange, one durable queue per service bound with the pattern, manual acks. */
const amqplibW4: W4System = {
  name: 'amqplib',
  label: 'raw amqplib',
  settings:
    'topic exchange, one durable queue per service bound with a wildcard, prefetch 100, manual ack, noDelay; ' +
    "publishes without confirms (waits for 'drain'); the payload is the bare order JSON",
  async startConsumer(ctx, hooks) {
    const amqplib = await import('amqplib');
    const connection = await amqplib.connect(ctx.amqpUrl, { noDelay: true });
    const channel = await connection.createChannel();
    const queue = serviceQueue(ctx.service!, ctx.exchange);
    await channel.assertExchange(ctx.exchange, 'topic', { durable: true });
    await channel.assertQueue(queue, { durable: true });
    await channel.bindQueue(queue, ctx.exchange, W4_PATTERN);
    await channel.prefetch(ctx.prefetch);
    await channel.consume(queue, (message: ConsumeMessage | null) => {
      if (!message) return;
      orderTotal(JSON.parse(message.content.toString()) as Order);
      hooks.handled();
      channel.ack(message);
    });
    return { stop: () => connection.close() };
  },
  async startProducer(ctx) {
    const amqplib = await import('amqplib');
    const connection = await amqplib.connect(ctx.amqpUrl, { noDelay: true });
    const channel = await connection.createChannel();
    await channel.assertExchange(ctx.exchange, 'topic', { durable: true });
    const options = { persistent: ctx.persistent, contentType: 'application/json' };
    return {
      publishMany: async (n: number) => {
        for (let i = 0; i < n; i++) {
          if (!channel.publish(ctx.exchange, W4_ROUTING_KEY, Buffer.from(JSON.stringify(ORDER)), options)) await once(channel, 'drain');
        }
      },
      close: () => connection.close(),
    };
  },
  entities: (exchange, services) => ({ queues: services.map((s) => serviceQueue(s, exchange)), exchanges: [exchange] }),
};

/** The bench event contract, bound to this run's exchange at start (contracts normally fix it in the decorator). */
export async function benchEventClass(exchange: string) {
  const { Type } = await import('class-transformer');
  const { IsArray, IsInt, IsNumber, IsString, ValidateNested } = await import('class-validator');
  const { CeleryEvent } = await import('nestjs-celery');
  class BenchLine {
    @IsString() sku!: string;
    @IsString() name!: string;
    @IsInt() qty!: number;
    @IsNumber() price!: number;
  }
  class BenchOrderPlaced {
    @IsString() id!: string;
    @IsString() customer!: string;
    @IsString() currency!: string;
    @IsArray() @ValidateNested({ each: true }) @Type(() => BenchLine) lines!: BenchLine[];
  }
  CeleryEvent({ exchange, routingKey: W4_ROUTING_KEY })(BenchOrderPlaced);
  return BenchOrderPlaced;
}

/** nestjs-celery events: EventPublisher (validated, confirmed) and @OnEvent on ServerCelery({ service }). */
const nestjsCeleryW4: W4System = {
  name: 'nestjs-celery',
  label: 'nestjs-celery events',
  settings:
    'EventPublisher.publish (class-validator validation, Celery v2 message, waits for the publisher confirm; 1000 outstanding; ' +
    'persistent as the run says, transient by default like raw amqplib); ' +
    "ServerCelery({ service }) with @OnEvent('bench.*.order') receiving the payload, prefetch 100, concurrency 100, ack after the handler",
  async startConsumer(ctx, hooks) {
    const { OnEvent, ServerCelery } = await import('nestjs-celery');
    const { Controller, Module } = await import('@nestjs/common');
    const { NestFactory } = await import('@nestjs/core');
    const exchange = ctx.exchange;

    @Controller()
    class BenchSubscriber {
      @OnEvent(W4_PATTERN, { exchange })
      onOrder(order: Order): void {
        orderTotal(order);
        hooks.handled();
      }
    }

    @Module({ controllers: [BenchSubscriber] })
    class BenchSubscriberModule {}

    const app = await NestFactory.createMicroservice(BenchSubscriberModule, {
      strategy: new ServerCelery({
        brokerUrl: ctx.brokerUrl,
        service: ctx.service,
        queues: [`${ctx.service}.w4-tasks`],
        prefetchCount: ctx.prefetch,
        concurrency: ctx.prefetch,
      }),
      logger: ['error', 'warn'],
    });
    await app.listen();
    return { stop: () => app.close() };
  },
  startProducer: (ctx) => startEventProducer(ctx, 'compact'),
  entities: (exchange, services) => ({
    queues: services.flatMap((s) => [serviceQueue(s, exchange), `${s}.w4-tasks`, `${s}.dead-letter`]),
    exchanges: [exchange, ...services.flatMap((s) => [`${s}.w4-tasks`, `${s}.dead-letter`])],
  }),
};

/** The same subscribers; the publisher writes events with `wireHeaders: 'body'` (protocol v1's layout). */
const nestjsCeleryBodyW4: W4System = {
  ...nestjsCeleryW4,
  name: 'nestjs-celery-body',
  label: "nestjs-celery events, 'body'",
  settings: "as nestjs-celery events, the EventPublisher with wireHeaders: 'body' (the event's task fields in a dict body)",
  startProducer: (ctx) => startEventProducer(ctx, 'body'),
};

/** The same subscribers and publisher on a Redis broker (topic exchange emulated by kombu's binding sets), chosen by the URL. */
const nestjsCeleryRedisBrokerW4: W4System = {
  ...nestjsCeleryW4,
  name: 'nestjs-celery-redis-broker',
  broker: 'redis',
  label: 'nestjs-celery events (Redis broker)',
  settings:
    'as nestjs-celery events, on --redis-broker (RedisBroker: the topic exchange is the set _kombu.binding.<exchange>, ' +
    'each service queue a list; a publish resolves when Redis answered the LPUSH, there are no confirms)',
};

/** An EventPublisher on its own connection (the broker its URL names), publishing the bench event. */
async function startEventProducer(ctx: W4Context, wireHeaders: 'compact' | 'body'): Promise<ProducerHandle> {
  const { createBroker, EventPublisher } = await import('nestjs-celery');
  const broker = createBroker({ url: ctx.brokerUrl, connectionName: 'bench nestjs-celery events' });
  await broker.connect();
  const publisher = new EventPublisher(broker, undefined, wireHeaders);
  const BenchOrderPlaced = await benchEventClass(ctx.exchange);
  const event = Object.assign(new BenchOrderPlaced(), JSON.parse(JSON.stringify(ORDER)) as Order);
  const options = { persistent: ctx.persistent };
  return {
    publishOne: () => publisher.publish(event, options),
    close: () => broker.close(),
  };
}

/** W4 systems by name. */
export const W4_SYSTEMS: Record<string, W4System> = {
  amqplib: amqplibW4,
  'nestjs-celery': nestjsCeleryW4,
  'nestjs-celery-body': nestjsCeleryBodyW4,
  'nestjs-celery-redis-broker': nestjsCeleryRedisBrokerW4,
};
