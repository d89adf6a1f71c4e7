/**
 * The scale bench (opt-in: `npm run bench -- --scale`, or `--scale-cluster`), issue 16 point 6:
 *
 * - `--scale`: one queue on the local RabbitMQ, consumed by 1, 2 and 4 worker processes; a client
 *   sends N fire-and-forget tasks; throughput (tasks/s from the first send to the last execution)
 *   and CPU per task of the workers together and of the broker, measured in the same run.
 * - `--scale-cluster`: a 3-node cluster started by scripts/rabbitmq-cluster.sh; W1 (fire-and-forget,
 *   N tasks, 1 worker) and W3 (RPC, 100 in flight) on a classic queue and on a quorum queue, with the
 *   client on one node, the worker on another and the queue led by a third (as in production,
 *   where most traffic crosses nodes).
 *
 * Results go to bench/results/scale-latest.json and are printed as a table.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { amqplib, CeleryClient } from 'nestjs-celery';
import { processCpuUs } from '../lib/machine.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const WORKER = join(HERE, 'scale-worker.ts');
/** The pid file of the machine's own RabbitMQ (Debian's package); SCALE_BROKER_PID_FILE overrides it. */
const LOCAL_BROKER_PID_FILE = process.env.SCALE_BROKER_PID_FILE ?? '/var/lib/rabbitmq/mnesia/rabbit@localhost.pid';

interface Row {
  setup: string;
  workers: number;
  queueType: 'classic' | 'quorum';
  workload: 'W1' | 'W3';
  tasks: number;
  seconds: number;
  perSecond: number;
  workerCpuUsPerTask: number;
  brokerCpuUsPerTask: number;
}

function flag(name: string, fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg ? Number(arg.split('=')[1]) : fallback;
}

/** The brokers' Erlang VMs (their CPU is the broker's), from their pid files. */
function beamPids(pidFiles: string[]): number[] {
  return pidFiles.flatMap((file) => {
    try {
      const pid = Number(readFileSync(file, 'utf8').trim());
      return Number.isInteger(pid) && pid > 0 ? [pid] : [];
    } catch {
      return [];
    }
  });
}

const cpuOf = (pids: number[]) => pids.reduce((sum, pid) => sum + processCpuUs(pid), 0);

interface Worker {
  child: ChildProcess;
  count: number;
}

function startWorker(url: string, queue: string, queueType: string): Promise<Worker> {
  const child = spawn(process.execPath, ['--import', '@swc-node/register/esm-register', WORKER], {
    cwd: ROOT,
    env: { ...process.env, SCALE_URL: url, SCALE_QUEUE: queue, SCALE_QUEUE_TYPE: queueType, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const worker: Worker = { child, count: 0 };
  return new Promise((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) {
        if (line === 'ready') resolve(worker);
        else if (line.startsWith('count ')) worker.count = Number(line.slice(6));
      }
    });
    child.once('exit', (code) => reject(new Error(`scale worker exited with ${code}`)));
  });
}

async function stopWorkers(workers: Worker[]): Promise<void> {
  await Promise.all(
    workers.map(
      (w) =>
        new Promise<void>((resolve) => {
          w.child.once('exit', () => resolve());
          w.child.kill('SIGTERM');
          setTimeout(() => w.child.kill('SIGKILL'), 10_000).unref();
        }),
    ),
  );
}

async function deleteQueue(url: string, queue: string): Promise<void> {
  const connection = await amqplib.connect(url);
  try {
    const channel = await connection.createChannel();
    await channel.deleteQueue(queue).catch(() => undefined);
  } finally {
    await connection.close().catch(() => undefined);
  }
}

/** Declares the queue through `url` (its node then holds it, or leads it for a quorum queue), as the workers will. */
async function declareQueue(url: string, queue: string, queueType: 'classic' | 'quorum'): Promise<void> {
  const connection = await amqplib.connect(url);
  try {
    const channel = await connection.createChannel();
    await channel.assertQueue(queue, { durable: true, arguments: queueType === 'quorum' ? { 'x-queue-type': 'quorum' } : undefined });
  } finally {
    await connection.close().catch(() => undefined);
  }
}

async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** One measured run: `workers` worker processes, the client in this process. */
async function run(
  setup: string,
  clientUrl: string,
  workerUrls: string[],
  adminUrl: string,
  brokerPidFiles: string[],
  queueType: 'classic' | 'quorum',
  workload: 'W1' | 'W3',
  tasks: number,
): Promise<Row> {
  const queue = `bench.scale.${queueType}`;
  await deleteQueue(adminUrl, queue);
  await declareQueue(adminUrl, queue, queueType);
  const workers = await Promise.all(workerUrls.map((url) => startWorker(url, queue, queueType)));
  const client = new CeleryClient({ brokerUrl: clientUrl, queueType, defaultQueue: queue, resultBackend: workload === 'W3' ? 'rpc' : 'disabled' });
  await client.connect();
  await client.sendTask('scale.echo', [0], {}, { ignoreResult: true }); // warm-up
  await waitFor(() => workers.reduce((s, w) => s + w.count, 0) >= 1, 30_000, 'the warm-up task');
  const pids = workers.map((w) => w.child.pid!);
  const brokerPids = beamPids(brokerPidFiles);
  const baseCount = workers.reduce((s, w) => s + w.count, 0);
  const workerCpu0 = cpuOf(pids);
  const brokerCpu0 = cpuOf(brokerPids);
  const started = process.hrtime.bigint();
  if (workload === 'W1') {
    const window: Promise<unknown>[] = [];
    for (let i = 0; i < tasks; i++) {
      window.push(client.sendTask('scale.echo', [i], {}, { ignoreResult: true }));
      if (window.length >= 1000) await Promise.all(window.splice(0));
    }
    await Promise.all(window);
    await waitFor(() => workers.reduce((s, w) => s + w.count, 0) - baseCount >= tasks, 300_000, 'every task executed');
  } else {
    let next = 0;
    const lane = async () => {
      while (next < tasks) {
        const n = next++;
        await (await client.sendTask<number>('scale.echo', [n])).get({ timeout: 60_000 });
      }
    };
    await Promise.all(Array.from({ length: 100 }, lane));
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  // the workers report counts every 100 ms: wait for the last report before reading CPU
  await new Promise((resolve) => setTimeout(resolve, 250));
  const row: Row = {
    setup,
    workers: workers.length,
    queueType,
    workload,
    tasks,
    seconds: Number(seconds.toFixed(2)),
    perSecond: Math.round(tasks / seconds),
    workerCpuUsPerTask: Math.round((cpuOf(pids) - workerCpu0) / tasks),
    brokerCpuUsPerTask: Math.round((cpuOf(brokerPids) - brokerCpu0) / tasks),
  };
  await client.close();
  await stopWorkers(workers);
  await deleteQueue(adminUrl, queue);
  console.log(JSON.stringify(row));
  return row;
}

function cluster(command: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile('bash', [join(ROOT, 'scripts', 'rabbitmq-cluster.sh'), command], { env, timeout: 900_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(stderr || error.message)) : resolve(stdout),
    ),
  );
}

export async function runScaleBench(): Promise<void> {
  const rows: Row[] = [];
  const tasks = flag('scale-n', 20_000);
  if (process.argv.includes('--scale')) {
    const url = process.env.CELERY_BROKER_URL || 'amqp://guest:guest@127.0.0.1:5672//';
    for (const workers of [1, 2, 4]) {
      rows.push(await run('local', url, Array(workers).fill(url), url, [LOCAL_BROKER_PID_FILE], 'classic', 'W1', tasks));
    }
  }
  if (process.argv.includes('--scale-cluster')) {
    const ports = ['5781', '5782', '5783'];
    const env = { ...process.env, CLUSTER_DIR: '/tmp/nestjs-celery-bench-cluster', CLUSTER_PORTS: ports.join(' '), CLUSTER_DIST_PORTS: '25781 25782 25783' };
    const urls = ports.map((port) => `amqp://guest:guest@127.0.0.1:${port}//`);
    const nodes = [0, 1, 2].map((i) => join(env.CLUSTER_DIR, `n${i}`, 'rabbit.pid'));
    await cluster('start', env);
    try {
      for (const queueType of ['classic', 'quorum'] as const) {
        for (const workload of ['W1', 'W3'] as const) {
          // queue declared (and led) by node 1 through the deleteQueue/declare order; client on node 2, worker on node 3
          rows.push(await run('cluster', urls[1]!, [urls[2]!], urls[0]!, nodes, queueType, workload, workload === 'W1' ? tasks : Math.round(tasks / 2)));
        }
      }
    } finally {
      await cluster('stop', env);
    }
  }
  console.log('\n| setup | queue | workload | worker processes | tasks | tasks/s | worker CPU µs/task | broker CPU µs/task |');
  console.log('| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    console.log(`| ${r.setup} | ${r.queueType} | ${r.workload} | ${r.workers} | ${r.tasks} | ${r.perSecond} | ${r.workerCpuUsPerTask} | ${r.brokerCpuUsPerTask} |`);
  }
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', 'scale-latest.json'), JSON.stringify({ date: new Date().toISOString(), rows }, null, 2));
}
