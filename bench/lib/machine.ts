import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

/** Version of an installed npm package, read from its package.json (no import). */
export function packageVersion(root: string, name: string): string {
  try {
    return (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

/** The local RabbitMQ's Erlang VM process, to read its CPU time (undefined if not on this machine). */
export function findBrokerPid(): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'beam.smp') return Number(entry);
    } catch {
      // gone
    }
  }
  return undefined;
}

let ticksPerSecond: number | undefined;

/** CPU time (user + system, microseconds) of a process from /proc, or NaN. */
export function processCpuUs(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); utime and stime are fields 14 and 15
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks / ticksPerSecond) * 1e6;
  } catch {
    return NaN;
  }
}

/** Read and write system calls so far (read/readv/write/writev; not send/recv), from /proc/<pid>/io. */
export function processIo(pid: number | undefined): { reads: number; writes: number } {
  if (pid === undefined) return { reads: NaN, writes: NaN };
  try {
    const text = readFileSync(`/proc/${pid}/io`, 'utf8');
    return { reads: Number(/syscr: (\d+)/.exec(text)?.[1]), writes: Number(/syscw: (\d+)/.exec(text)?.[1]) };
  } catch {
    return { reads: NaN, writes: NaN };
  }
}

function cpuTicks(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  const total = fields.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** Share of all cores busy over `ms` (before a run: anything else on the machine skews the figures). */
export async function machineBusy(ms = 1000): Promise<number> {
  try {
    const a = cpuTicks();
    await new Promise((resolve) => setTimeout(resolve, ms));
    const b = cpuTicks();
    return (b.busy - a.busy) / Math.max(1, b.total - a.total);
  } catch {
    return NaN;
  }
}

/** The commit the library was measured at, and whether libs/ had uncommitted changes. */
export function gitState(root: string): { commit: string; libsDirty: boolean } | undefined {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'libs'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return { commit, libsDirty: dirty.length > 0 };
  } catch {
    return undefined;
  }
}

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  rabbitmq: string;
  erlang?: string;
  python?: string;
  os: string;
}

function tryExec(command: string, args: string[]): string | undefined {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 15_000 }).trim();
  } catch {
    return undefined;
  }
}

export function machineInfo(rabbitmqVersion: string, python: string): MachineInfo {
  const osRelease = (() => {
    try {
      const text = readFileSync('/etc/os-release', 'utf8');
      return /PRETTY_NAME="([^"]+)"/.exec(text)?.[1] ?? 'linux';
    } catch {
      return process.platform;
    }
  })();
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? '?',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    rabbitmq: rabbitmqVersion,
    erlang: tryExec('erl', ['-noshell', '-eval', 'io:format("~s", [erlang:system_info(otp_release)]), halt().']),
    python: tryExec(python, ['-c', 'import sys, celery, kombu, amqp; print(sys.version.split()[0], "celery", celery.__version__, "kombu", kombu.__version__, "py-amqp", amqp.__version__)']),
    os: osRelease,
  };
}
