import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

/** How long a node may take to boot on a loaded 2-core machine before {@link PrivateRabbitMq.start} gives up. */
const BOOT_TIMEOUT_MS = 120_000;

/** Nodes started by this process and not disposed yet: stopped on exit if a test forgot (or crashed before) `dispose()`. */
const running = new Set<PrivateRabbitMq>();
process.once('exit', () => {
  for (const node of running) node.disposeSync();
});

/** Options of {@link PrivateRabbitMq.start}. */
export interface PrivateRabbitMqOptions {
  /** AMQP port; default a free one. */
  port?: number;
  /** Boot timeout in ms; default 120 s. */
  bootTimeoutMs?: number;
  /** Files written into the node's directory before it boots (certificates, say), owned by the rabbitmq user. */
  files?: Record<string, string>;
  /** More `rabbitmq.conf` lines; `dir` is the node's directory (where {@link files} are). */
  extraConfig?: (dir: string) => string;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { env, timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed: ${(stderr || stdout || error.message).trim().split('\n').slice(0, 6).join(' | ')}`));
      else resolve(stdout);
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A RabbitMQ node of the test's own, which it may stop, start and cut connections on without
 * disturbing the shared broker on 5672 (other suites run on it at the same time).
 *
 * The node has its own name (`nestjs-celery-test-<port>@localhost`), AMQP and distribution ports,
 * config file, Mnesia, log and pid paths under a temp dir, and no plugins. It is started with
 * `rabbitmq-server -detached` and controlled with `rabbitmqctl -n <node>` (the Erlang cookie of
 * the `rabbitmq` user is shared, so this needs root or the `rabbitmq` user, like `rabbitmqctl`).
 *
 * ```ts
 * const rabbit = await PrivateRabbitMq.start();   // throws a clear error if the node cannot boot
 * try { ... rabbit.url ...; await rabbit.stopApp(); await rabbit.startApp(); } finally { await rabbit.dispose(); }
 * ```
 */
export class PrivateRabbitMq {
  private disposed = false;

  private constructor(
    /** Erlang node name, for `rabbitmqctl -n`. */
    readonly nodeName: string,
    /** AMQP port on 127.0.0.1. */
    readonly port: number,
    /** Where the node keeps its config, data and logs (deleted by {@link dispose}). */
    readonly dir: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly bootTimeoutMs: number,
  ) {}

  /** `amqp://guest:guest@127.0.0.1:<port>/<vhost>`; vhost `/` by default (Celery's `//`). */
  url(vhost = '/'): string {
    return `amqp://guest:guest@127.0.0.1:${this.port}/${vhost === '/' ? '/' : encodeURIComponent(vhost)}`;
  }

  /**
   * Starts a fresh node and waits until it accepts connections.
   * @throws Error saying why (with the node's log tail) when it cannot boot in time
   */
  static async start(options: PrivateRabbitMqOptions = {}): Promise<PrivateRabbitMq> {
    const port = options.port ?? (await freePort());
    const distPort = await freePort();
    const nodeName = `nestjs-celery-test-${port}@localhost`;
    const dir = mkdtempSync(join(tmpdir(), `nestjs-celery-rabbit-${port}-`));
    mkdirSync(join(dir, 'mnesia'));
    mkdirSync(join(dir, 'log'));
    writeFileSync(join(dir, 'rabbitmq.conf'), `listeners.tcp.local = 127.0.0.1:${port}\n${options.extraConfig?.(dir) ?? ''}\n`);
    writeFileSync(join(dir, 'enabled_plugins'), '[].\n');
    for (const [name, content] of Object.entries(options.files ?? {})) writeFileSync(join(dir, name), content);
    PrivateRabbitMq.giveToRabbitUser(dir, Object.keys(options.files ?? {}));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      RABBITMQ_NODENAME: nodeName,
      RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
      RABBITMQ_NODE_PORT: String(port),
      RABBITMQ_DIST_PORT: String(distPort),
      RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'),
      RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
      RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
      RABBITMQ_LOG_BASE: join(dir, 'log'),
      RABBITMQ_PID_FILE: join(dir, 'rabbit.pid'),
    };
    const node = new PrivateRabbitMq(nodeName, port, dir, env, options.bootTimeoutMs ?? BOOT_TIMEOUT_MS);
    running.add(node);
    try {
      await node.startNode();
    } catch (error) {
      await node.dispose();
      throw error;
    }
    return node;
  }

  /** Runs `rabbitmqctl -n <node> -q ...args` and returns its output. */
  ctl(...args: string[]): Promise<string> {
    return run('rabbitmqctl', ['-n', this.nodeName, '-q', ...args], this.env, 120_000);
  }

  /** Stops the RabbitMQ application (the Erlang VM stays up): every connection drops, the port closes. */
  async stopApp(): Promise<void> {
    await this.ctl('stop_app');
  }

  /** Starts the application again and waits until it accepts connections. */
  async startApp(): Promise<void> {
    await this.ctl('start_app');
    await this.ctl('await_startup');
  }

  /** Stops the whole node (Erlang VM included); {@link startNode} boots it again with the same data. */
  async stopNode(): Promise<void> {
    await this.ctl('stop');
    await this.waitForPidFileGone(30_000);
  }

  /**
   * Boots the node (`rabbitmq-server -detached`) and waits until it accepts connections.
   * @throws Error with the node's log tail when it is not up within the boot timeout
   */
  async startNode(): Promise<void> {
    await run('rabbitmq-server', ['-detached'], this.env, 60_000).catch((error: Error) => {
      throw this.bootError(`rabbitmq-server -detached failed: ${error.message}`);
    });
    const deadline = Date.now() + this.bootTimeoutMs;
    let last = '';
    // The detached VM registers with epmd a few seconds after the command returns; poll until it answers.
    while (Date.now() < deadline) {
      try {
        await run('rabbitmqctl', ['-n', this.nodeName, '-q', 'await_startup', '--timeout', '30'], this.env, 40_000);
        return;
      } catch (error) {
        last = (error as Error).message;
        await sleep(1000);
      }
    }
    throw this.bootError(`not up within ${this.bootTimeoutMs} ms (last rabbitmqctl answer: ${last})`);
  }

  /** Closes the client connections whose name (`connection_name` client property) contains `namePart`; returns how many. */
  async closeConnections(namePart: string, reason = 'closed by test'): Promise<number> {
    const listed = await this.ctl('list_connections', 'pid', 'client_properties');
    let closed = 0;
    for (const line of listed.split('\n')) {
      const pid = /^(<[^>]+>)/.exec(line.trim())?.[1];
      if (!pid || !line.includes(namePart)) continue;
      await this.ctl('close_connection', pid, reason).catch(() => undefined);
      closed++;
    }
    return closed;
  }

  /** Stops the node and deletes its directory. Idempotent; never throws. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    running.delete(this);
    await this.ctl('stop').catch(() => undefined);
    await this.waitForPidFileGone(15_000);
    this.killLeftover();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** {@link dispose} for a process that is exiting (no event loop left). */
  disposeSync(): void {
    if (this.disposed) return;
    this.disposed = true;
    try {
      execFileSync('rabbitmqctl', ['-n', this.nodeName, '-q', 'stop'], { env: this.env, stdio: 'ignore', timeout: 30_000 });
    } catch {
      this.killLeftover();
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async waitForPidFileGone(timeoutMs: number): Promise<void> {
    const pidFile = join(this.dir, 'rabbit.pid');
    const deadline = Date.now() + timeoutMs;
    while (existsSync(pidFile) && Date.now() < deadline) await sleep(200);
  }

  private killLeftover(): void {
    const pidFile = join(this.dir, 'rabbit.pid');
    if (!existsSync(pidFile)) return;
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }

  private bootError(why: string): Error {
    let tail = '';
    try {
      const log = join(this.dir, 'log', `${this.nodeName}.log`);
      if (existsSync(log)) tail = readFileSync(log, 'utf8').split('\n').slice(-25).join('\n');
    } catch {
      /* no log */
    }
    return new Error(`private RabbitMQ node ${this.nodeName} (port ${this.port}) cannot start: ${why}\n--- node log tail ---\n${tail}`);
  }

  /** RabbitMQ runs as the `rabbitmq` user (the rabbitmq-server wrapper switches to it when run as root): it must own the node's directory. */
  private static giveToRabbitUser(dir: string, files: string[] = []): void {
    if (process.getuid?.() !== 0) return;
    const uid = Number(execFileSync('id', ['-u', 'rabbitmq'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'rabbitmq'], { encoding: 'utf8' }).trim());
    for (const path of ['', 'mnesia', 'log', 'rabbitmq.conf', 'enabled_plugins', ...files]) chownSync(join(dir, path), uid, gid);
  }
}
