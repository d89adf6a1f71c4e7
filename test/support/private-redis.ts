import { startProcess, type ManagedProcess } from './child-process.js';
import { freePort } from './free-port.js';

/**
 * A redis-server of the test's own (`--save '' --appendonly no`, no persistence), on a free port,
 * which it may stop and start again on the same port to play an outage, without touching the
 * shared Redis on 6379.
 */
export class PrivateRedis {
  private process?: ManagedProcess;

  private constructor(readonly port: number) {}

  /** Starts a server on a free port and waits until it accepts connections. */
  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
    await redis.restart();
    return redis;
  }

  /** `redis://127.0.0.1:<port>/<db>`. */
  url(db = 0): `redis://${string}` {
    return `redis://127.0.0.1:${this.port}/${db}`;
  }

  /** Stops the server (SIGTERM, then SIGKILL): every connection to it drops. */
  async stop(): Promise<void> {
    await this.process?.stop(5_000);
    this.process = undefined;
  }

  /** Starts the server again on the same port (empty: nothing was persisted). */
  async restart(): Promise<void> {
    if (this.process) return;
    this.process = startProcess('private redis', 'redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
    await this.process.waitFor('Ready to accept connections', 20_000);
  }
}
