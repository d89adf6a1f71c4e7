import { randomUUID } from 'node:crypto';
import type { Options } from 'amqplib';
import { amqplib, encodeTaskMessage, type TaskMessageSpec } from 'nestjs-celery';

type Connection = Awaited<ReturnType<typeof amqplib.connect>>;
type ConfirmChannel = Awaited<ReturnType<Connection['createConfirmChannel']>>;

/** What a publisher sent and what the broker confirmed (by message id, the task id for tasks). */
export interface PublishAccount {
  sent: string[];
  /** Routed to a queue and confirmed. */
  confirmed: Set<string>;
  nacked: Set<string>;
  /** Returned by the broker: no queue was bound (published `mandatory`, so never counted as confirmed). */
  unroutable: Set<string>;
}

/**
 * A load generator and hostile producer on raw amqplib with publisher confirms, in the test
 * process (a producer the faults never target). Every message carries a `messageId`; the account
 * says which ones the broker confirmed.
 */
export class TaskPublisher {
  readonly account: PublishAccount = { sent: [], confirmed: new Set(), nacked: new Set(), unroutable: new Set() };
  private readonly pending = new Set<Promise<void>>();

  private constructor(
    private readonly connection: Connection,
    readonly channel: ConfirmChannel,
  ) {}

  static async open(url: string, connectionName = 'faults-load-generator'): Promise<TaskPublisher> {
    const connection = await amqplib.connect(url, { clientProperties: { connection_name: connectionName } });
    connection.on('error', () => undefined);
    const channel = await connection.createConfirmChannel();
    channel.on('error', () => undefined);
    const publisher = new TaskPublisher(connection, channel);
    // a returned message is confirmed after its basic.return: count it as unroutable, not confirmed
    channel.on('return', (message: { properties: { messageId?: string } }) => {
      if (message.properties.messageId) publisher.account.unroutable.add(String(message.properties.messageId));
    });
    return publisher;
  }

  /** Declares `queue` as a Celery worker does (durable, no arguments), so messages sent before the worker starts wait in it. */
  async declareQueue(queue: string): Promise<void> {
    await this.channel.assertQueue(queue, { durable: true, autoDelete: false, exclusive: false });
  }

  /** Publishes raw bytes to `exchange`/`routingKey`, counting the confirm under `messageId`. */
  publishRaw(exchange: string, routingKey: string, content: Buffer, properties: Options.Publish & { messageId: string }): Promise<void> {
    const id = properties.messageId;
    this.account.sent.push(id);
    const confirmed = new Promise<void>((resolve) => {
      this.channel.publish(exchange, routingKey, content, { mandatory: true, ...properties }, (error) => {
        if (error) this.account.nacked.add(id);
        else if (!this.account.unroutable.has(id)) this.account.confirmed.add(id);
        resolve();
      });
    });
    this.pending.add(confirmed);
    void confirmed.finally(() => this.pending.delete(confirmed));
    return confirmed;
  }

  /** Publishes a protocol v2 task `task(...args)` to `queue` (default exchange); returns its id. */
  publishTask(queue: string, task: string, args: unknown[], options: { id?: string; kwargs?: Record<string, unknown>; embed?: TaskMessageSpec['embed'] } = {}): string {
    const id = options.id ?? randomUUID();
    const { body, properties } = encodeTaskMessage({ id, task, args, kwargs: options.kwargs, embed: options.embed, origin: 'faults-load-generator' });
    void this.publishRaw('', queue, body, { ...properties, messageId: id });
    return id;
  }

  /** `count` tasks `faults.work(i, taskMs)` to `queue` at `ratePerSecond` (Infinity: as fast as the channel takes them). */
  async stream(queue: string, count: number, ratePerSecond: number, taskMs: number): Promise<string[]> {
    const ids: string[] = [];
    const start = Date.now();
    for (let i = 0; i < count; i++) {
      ids.push(this.publishTask(queue, 'faults.work', [i, taskMs]));
      const wait = Number.isFinite(ratePerSecond) ? start + ((i + 1) * 1000) / ratePerSecond - Date.now() : 0;
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    return ids;
  }

  /** Waits for the broker's answer to everything published so far. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  async close(): Promise<void> {
    await this.settled().catch(() => undefined);
    await this.connection.close().catch(() => undefined);
  }
}
