import type { ChannelModel } from 'amqplib';

/** The driver's own broker connection: server version, and deleting the run's queues and exchanges. */
export class RabbitAdmin {
  private constructor(private readonly connection: ChannelModel) {}

  static async connect(url: string): Promise<RabbitAdmin> {
    const amqplib = await import('amqplib');
    const connection = await amqplib.connect(url, { clientProperties: { connection_name: 'bench driver' } });
    connection.on('error', () => undefined);
    return new RabbitAdmin(connection);
  }

  get serverVersion(): string {
    return String(this.connection.connection.serverProperties.version ?? '?');
  }

  /** Ready messages in a queue, or undefined if it does not exist. */
  async depth(queue: string): Promise<number | undefined> {
    const channel = await this.connection.createChannel();
    channel.on('error', () => undefined);
    try {
      return (await channel.checkQueue(queue)).messageCount;
    } catch {
      return undefined;
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  /** Deletes queues and exchanges, ignoring ones that are not there. */
  async delete(entities: { queues: string[]; exchanges: string[] }): Promise<void> {
    for (const queue of entities.queues) await this.run((channel) => channel.deleteQueue(queue));
    for (const exchange of entities.exchanges) await this.run((channel) => channel.deleteExchange(exchange));
  }

  private async run(action: (channel: Awaited<ReturnType<ChannelModel['createChannel']>>) => Promise<unknown>): Promise<void> {
    const channel = await this.connection.createChannel();
    channel.on('error', () => undefined);
    try {
      await action(channel);
    } catch {
      // not there, or already gone
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.connection.close().catch(() => undefined);
  }
}
