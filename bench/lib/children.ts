import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { LINE_PREFIX, type ChildEvent, type Reply } from './protocol.js';

const LOG_LINES_KEPT = 200;
const live = new Set<ChildProcess>();

/** Kills the children this driver started that are still running (on driver exit). */
export function killLiveChildren(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

/**
 * The driver's handle on a consumer or producer child: commands with replies, events
 * (`ready`, `done`), and the child's other output kept for error messages.
 */
export class BenchChild {
  readonly child: ChildProcess;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (reply: Reply) => void; reject: (error: Error) => void }>();
  private readonly events: ChildEvent[] = [];
  private readonly eventWaiters: Array<{ name: string; resolve: (event: ChildEvent) => void; reject: (error: Error) => void }> = [];
  private readonly log: string[] = [];
  private exitError?: Error;
  readonly exited: Promise<number | null>;

  constructor(
    readonly label: string,
    command: string,
    args: string[],
    env: Record<string, string> = {},
    private readonly verbose = false,
  ) {
    this.child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    live.add(this.child);
    createInterface({ input: this.child.stdout! }).on('line', (line) => this.onLine(line));
    createInterface({ input: this.child.stderr! }).on('line', (line) => this.keep(line));
    this.child.stdin!.on('error', () => undefined);
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        live.delete(this.child);
        this.exitError = new Error(`${label} exited (code ${code}, signal ${signal}).\n${this.tail()}`);
        for (const { reject } of this.pending.values()) reject(this.exitError);
        this.pending.clear();
        for (const waiter of this.eventWaiters.splice(0)) waiter.reject(this.exitError);
        resolve(code);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The child's last lines of output. */
  tail(lines = 40): string {
    return this.log.slice(-lines).join('\n');
  }

  private keep(line: string): void {
    if (this.verbose) process.stderr.write(`  [${this.label}] ${line}\n`);
    this.log.push(line);
    if (this.log.length > LOG_LINES_KEPT) this.log.splice(0, this.log.length - LOG_LINES_KEPT);
  }

  private onLine(line: string): void {
    const at = line.indexOf(LINE_PREFIX);
    if (at < 0) {
      this.keep(line);
      return;
    }
    let payload: Record<string, unknown>;
    try {
      payload = JSON.parse(line.slice(at + LINE_PREFIX.length)) as Record<string, unknown>;
    } catch {
      this.keep(line);
      return;
    }
    if (typeof payload.event === 'string') {
      const event = payload as ChildEvent;
      const index = this.eventWaiters.findIndex((w) => w.name === event.event);
      if (index >= 0) this.eventWaiters.splice(index, 1)[0]!.resolve(event);
      else this.events.push(event);
      return;
    }
    if (typeof payload.id === 'number') {
      const waiter = this.pending.get(payload.id);
      if (waiter) {
        this.pending.delete(payload.id);
        waiter.resolve(payload as Reply);
      }
    }
  }

  /** Drops buffered events of this name (stale ones from an earlier workload). */
  clearEvents(name: string): void {
    for (let i = this.events.length - 1; i >= 0; i--) if (this.events[i]!.event === name) this.events.splice(i, 1);
  }

  /** Waits for an event (or takes a buffered one). */
  waitEvent(name: string, timeoutMs: number): Promise<ChildEvent> {
    const index = this.events.findIndex((e) => e.event === name);
    if (index >= 0) return Promise.resolve(this.events.splice(index, 1)[0]!);
    if (this.exitError) return Promise.reject(this.exitError);
    return new Promise((resolve, reject) => {
      const waiter = {
        name,
        resolve: (event: ChildEvent) => {
          clearTimeout(timer);
          resolve(event);
        },
        reject: (error: Error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        const at = this.eventWaiters.indexOf(waiter);
        if (at >= 0) this.eventWaiters.splice(at, 1);
        reject(new Error(`${this.label}: no '${name}' event within ${timeoutMs} ms.\n${this.tail()}`));
      }, timeoutMs);
      this.eventWaiters.push(waiter);
    });
  }

  /** Sends a command; resolves with the reply, rejects on `ok: false`, timeout or exit. */
  request<T = Reply>(cmd: string, params: Record<string, unknown> = {}, timeoutMs = 30_000): Promise<T & Reply> {
    if (this.exitError) return Promise.reject(this.exitError);
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.label}: no reply to '${cmd}' within ${timeoutMs} ms.\n${this.tail()}`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (reply) => {
          clearTimeout(timer);
          if (reply.ok) resolve(reply as T & Reply);
          else reject(new Error(`${this.label}: '${cmd}' failed: ${reply.error ?? 'unknown error'}`));
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.child.stdin!.write(JSON.stringify({ ...params, id, cmd }) + '\n');
    });
  }

  /** Asks the child to exit; kills it if it does not within `graceMs`. */
  async stop(graceMs = 8000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.request('exit', {}, graceMs).catch(() => undefined);
    const timer = setTimeout(() => this.child.kill('SIGTERM'), graceMs);
    const hardTimer = setTimeout(() => this.child.kill('SIGKILL'), graceMs + 4000);
    await this.exited;
    clearTimeout(timer);
    clearTimeout(hardTimer);
  }
}
