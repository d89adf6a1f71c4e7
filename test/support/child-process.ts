import { spawn, type ChildProcess } from 'node:child_process';

/** A long-running child process whose output is collected and can be waited on. */
export class ManagedProcess {
  private output = '';
  private exited?: Promise<number | null>;

  constructor(readonly child: ChildProcess, readonly label: string) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  /** Everything the process printed so far. */
  get log(): string {
    return this.output;
  }

  /** Resolves once the output contains `text`; rejects after `timeoutMs` or when the process exits. */
  waitFor(text: string | RegExp, timeoutMs = 30_000): Promise<void> {
    const matches = () => (typeof text === 'string' ? this.output.includes(text) : text.test(this.output));
    return new Promise((resolve, reject) => {
      if (matches()) return resolve();
      const timer = setTimeout(() => {
        clearInterval(poll);
        reject(new Error(`${this.label}: '${String(text)}' not seen within ${timeoutMs} ms. Output:\n${this.output.slice(-4000)}`));
      }, timeoutMs);
      const poll = setInterval(() => {
        if (matches()) {
          clearInterval(poll);
          clearTimeout(timer);
          resolve();
        } else if (this.child.exitCode !== null) {
          clearInterval(poll);
          clearTimeout(timer);
          reject(new Error(`${this.label} exited with ${this.child.exitCode}. Output:\n${this.output.slice(-4000)}`));
        }
      }, 50);
    });
  }

  /** Sends SIGTERM (then SIGKILL after `graceMs`) and waits for the exit. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Starts `command args` with extra environment variables. */
export function startProcess(label: string, command: string, args: string[], env: Record<string, string> = {}): ManagedProcess {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new ManagedProcess(child, label);
}
