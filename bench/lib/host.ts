import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { createInterface } from 'node:readline';
import { epochMs, LINE_PREFIX, type ChildEvent, type Command, type ProcessStats } from './protocol.js';

type CommandHandler = (command: Command) => unknown | Promise<unknown>;

/**
 * The child side of the control protocol for Node children: reads commands from stdin, answers
 * on stdout, counts handled messages and reports `done` when the expected count is reached.
 * Also: `stats`, `heap` (forced GC, needs --expose-gc), `profile-start` / `profile-stop`
 * (V8 CPU profile of just the workload window, through the inspector), `exit`.
 */
export class ChildHost {
  private readonly handlers = new Map<string, CommandHandler>();
  private count = 0;
  private target = -1;
  private session?: Session;
  private onExit: () => Promise<void> = async () => undefined;

  /** Counts one handled message; the hot path of every consumer. */
  readonly handled = (): void => {
    if (++this.count === this.target) this.emit({ event: 'done', count: this.count, t: epochMs() });
  };

  constructor() {
    this.register('expect', (command) => {
      this.count = 0;
      this.target = Number(command.n);
      return {};
    });
    this.register('stats', () => this.stats());
    this.register('heap', () => {
      const gc = (globalThis as { gc?: () => void }).gc;
      if (!gc) throw new Error('heap: run the child with --expose-gc');
      gc();
      gc();
      return this.stats();
    });
    this.register('profile-start', async (command) => {
      this.session ??= new Session();
      this.session.connect();
      await this.session.post('Profiler.enable');
      await this.session.post('Profiler.setSamplingInterval', { interval: Number(command.intervalUs ?? 200) });
      await this.session.post('Profiler.start');
      return {};
    });
    this.register('profile-stop', async (command) => {
      if (!this.session) throw new Error('profile-stop: no profile running');
      const { profile } = await this.session.post('Profiler.stop');
      await this.session.post('Profiler.disable');
      this.session.disconnect();
      this.session = undefined;
      writeFileSync(String(command.file), JSON.stringify(profile));
      return { file: command.file };
    });
    this.register('exit', async () => {
      setImmediate(() => void this.shutdown(0));
      return {};
    });
    const lines = createInterface({ input: process.stdin });
    lines.on('line', (line) => void this.dispatch(line));
    // The driver went away: do not linger.
    lines.on('close', () => void this.shutdown(0));
  }

  register(cmd: string, handler: CommandHandler): void {
    this.handlers.set(cmd, handler);
  }

  /** What to run before the process exits (close connections). */
  setExitHook(hook: () => Promise<void>): void {
    this.onExit = hook;
  }

  emit(payload: ChildEvent | Record<string, unknown>): void {
    process.stdout.write(LINE_PREFIX + JSON.stringify(payload) + '\n');
  }

  stats(): ProcessStats {
    const cpu = process.cpuUsage();
    const memory = process.memoryUsage();
    return { count: this.count, cpuUs: cpu.user + cpu.system, heapUsed: memory.heapUsed, rss: memory.rss };
  }

  private async dispatch(line: string): Promise<void> {
    if (!line.trim()) return;
    let command: Command;
    try {
      command = JSON.parse(line) as Command;
    } catch {
      return;
    }
    const handler = this.handlers.get(command.cmd);
    if (!handler) {
      this.emit({ id: command.id, ok: false, error: `unknown command ${command.cmd}` });
      return;
    }
    try {
      const result = await handler(command);
      this.emit({ ...(result as object), id: command.id, ok: true });
    } catch (error) {
      this.emit({ id: command.id, ok: false, error: error instanceof Error ? error.stack ?? error.message : String(error) });
    }
  }

  private exiting = false;

  async shutdown(code: number): Promise<void> {
    if (this.exiting) return;
    this.exiting = true;
    const force = setTimeout(() => process.exit(code), 5000);
    force.unref();
    try {
      await this.onExit();
    } catch {
      // closing is best effort
    }
    process.exit(code);
  }
}
