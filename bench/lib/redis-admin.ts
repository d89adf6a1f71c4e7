import { Redis } from 'ioredis';

/**
 * The bench's handle on the Redis broker of the Redis systems: Redis's own CPU time (`INFO cpu`)
 * for the broker column, the commands it ran (per message beside it), its pid (for /proc I/O counts when it runs here), and clean-up of a
 * run's keys.
 */
export class RedisAdmin {
  private constructor(
    private readonly redis: Redis,
    /** `process_id` from INFO server (meaningful when Redis runs on this machine). */
    readonly pid: number | undefined,
  ) {}

  static async open(url: string): Promise<RedisAdmin> {
    const redis = new Redis(url, { maxRetriesPerRequest: 2 });
    const server = await redis.info('server');
    const pid = Number(/process_id:(\d+)/.exec(server)?.[1]);
    return new RedisAdmin(redis, Number.isFinite(pid) ? pid : undefined);
  }

  /** Redis's CPU time so far (user + system, main and background threads), µs. */
  async cpuUs(): Promise<number> {
    const cpu = await this.redis.info('cpu');
    const read = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(cpu)?.[1] ?? NaN);
    return (read('used_cpu_user') + read('used_cpu_sys')) * 1e6;
  }

  /** Commands Redis ran so far (`total_commands_processed`: clients' commands and those their scripts called). */
  async commandsProcessed(): Promise<number> {
    const stats = await this.redis.info('stats');
    return Number(/^total_commands_processed:(\d+)/m.exec(stats)?.[1] ?? NaN);
  }

  /** Deletes every key whose name contains `text` (a run's queue lists, binding sets, BullMQ keys). */
  async deleteKeysNaming(text: string): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `*${text.replace(/[*?[\]\\]/g, '\\$&')}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await this.redis.del(...keys);
    } while (cursor !== '0');
  }

  async close(): Promise<void> {
    await this.redis.quit();
  }
}
