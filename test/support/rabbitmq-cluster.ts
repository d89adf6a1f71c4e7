import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.js';

const SCRIPT = fileURLToPath(new URL('../../scripts/rabbitmq-cluster.sh', import.meta.url));

/** Clusters started by this process and not stopped yet: stopped on exit if a test forgot. */
const running = new Set<RabbitMqCluster>();
process.once('exit', () => {
  for (const cluster of running) cluster.stopSync();
});

function script(env: NodeJS.ProcessEnv, args: string[], timeoutMs = 600_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('bash', [SCRIPT, ...args], { env, timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) reject(new Error(`rabbitmq-cluster.sh ${args.join(' ')} failed: ${(stderr || stdout || error.message).trim().slice(-2000)}`));
      else resolve(stdout);
    });
  });
}

/**
 * A real 3-node RabbitMQ cluster on free loopback ports, started and stopped by the project's own
 * `scripts/rabbitmq-cluster.sh` (`npm run cluster`), for failover tests and the cluster bench.
 * Node numbers are 1, 2, 3.
 */
export class RabbitMqCluster {
  private stopped = false;

  private constructor(
    readonly ports: number[],
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** Boots the three nodes and joins them (a few minutes on a loaded 2-core machine). */
  static async start(extraConfig = ''): Promise<RabbitMqCluster> {
    const ports = [await freePort(), await freePort(), await freePort()];
    const dist = [await freePort(), await freePort(), await freePort()];
    const env = {
      ...process.env,
      CLUSTER_DIR: mkdtempSync(join(tmpdir(), 'nestjs-celery-cluster-')),
      CLUSTER_PORTS: ports.join(' '),
      CLUSTER_DIST_PORTS: dist.join(' '),
      CLUSTER_EXTRA_CONFIG: extraConfig,
    };
    const cluster = new RabbitMqCluster(ports, env);
    running.add(cluster);
    try {
      await script(env, ['start']);
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  /** `amqp://guest:guest@127.0.0.1:<port of node n>//`. */
  url(node: 1 | 2 | 3): string {
    return `amqp://guest:guest@127.0.0.1:${this.ports[node - 1]}//`;
  }

  /** The three URLs starting with `first` (a client's failover list: connects to `first`, then the others in order). */
  urls(first: 1 | 2 | 3): string[] {
    return [first, ...([1, 2, 3] as const).filter((n) => n !== first)].map((n) => this.url(n as 1 | 2 | 3));
  }

  /** Erlang node name of node `n`. */
  nodeName(node: 1 | 2 | 3): string {
    return `nestjs-celery-cluster-${this.ports[node - 1]}@localhost`;
  }

  /** SIGKILLs node `n`'s Erlang VM: a crash, connections drop without a close. */
  async kill(node: 1 | 2 | 3): Promise<void> {
    await script(this.env, ['kill', String(node)], 30_000);
  }

  /** Boots node `n` again; it rejoins the cluster with its data. */
  async boot(node: 1 | 2 | 3): Promise<void> {
    await script(this.env, ['boot', String(node)], 300_000);
  }

  /** The node (1-3) leading quorum queue `queue`, asked of node `via`. */
  async leaderOf(queue: string, via: 1 | 2 | 3 = 1): Promise<1 | 2 | 3 | undefined> {
    const listed = await new Promise<string>((resolve, reject) =>
      execFile('rabbitmqctl', ['-n', this.nodeName(via), '-q', 'list_queues', 'name', 'leader'], { encoding: 'utf8', timeout: 60_000 }, (error, stdout) =>
        error ? reject(error) : resolve(stdout),
      ),
    );
    const line = listed.split('\n').find((l) => l.trim().split(/\s+/)[0] === queue);
    const leader = line?.trim().split(/\s+/)[1];
    const index = ([1, 2, 3] as const).find((n) => this.nodeName(n) === leader);
    return index;
  }

  /** Stops every node and deletes the cluster's directory. Idempotent; never throws. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    running.delete(this);
    await script(this.env, ['stop'], 120_000).catch(() => undefined);
  }

  /** {@link stop} for an exiting process. */
  stopSync(): void {
    if (this.stopped) return;
    this.stopped = true;
    try {
      execFileSync('bash', [SCRIPT, 'stop'], { env: this.env, stdio: 'ignore', timeout: 60_000 });
    } catch {
      /* best effort */
    }
  }
}
