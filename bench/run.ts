/**
 * `npm run bench`: RabbitMQ messaging benchmark of nestjs-celery against raw amqplib and its peers.
 * Each system gets a consumer child process and a producer child process (bench/child.ts for Node
 * systems, bench/python/*.py for Python Celery); this driver only coordinates, measures and reports.
 *
 *   npm run bench                                   all systems, 3 rounds (~5 min on 2 cores)
 *   npm run bench -- --only=amqplib,nestjs-celery --rounds=2 --w1=20000
 *   npm run bench -- --memory                       nestjs-celery W1 of 200,000 messages, consumer heap before/after
 *   npm run bench -- --cpu-prof                     CPU profiles of the nestjs-celery consumer and producer on W1 and W3
 *   npm run bench -- --only=nestjs-celery-redis-broker,python-celery-redis-broker,celery-node-redis-broker,bullmq --redis-broker=redis://127.0.0.1:6390/0
 *                                                   the same workloads on a Redis broker (opt-in systems; broker column = Redis CPU from INFO cpu;
 *                                                   W4 for nestjs-celery-redis-broker)
 *   npm run bench -- --help
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchChild, killLiveChildren } from './lib/children.js';
import { fixed, int, markdownTable, plainTable, withRatio } from './lib/format.js';
import { findBrokerPid, gitState, machineBusy, machineInfo, packageVersion, processCpuUs, processIo, type MachineInfo } from './lib/machine.js';
import { summarizeProfile, type ProfileSummary } from './lib/profile.js';
import type { ProcessStats, W1Reply, W2Reply, W3Reply } from './lib/protocol.js';
import { RabbitAdmin } from './lib/rabbit.js';
import { median } from './lib/stats.js';
import { runW4 } from './events/w4.js';
import { ORDER_JSON_BYTES } from './payload.js';
import { RedisAdmin } from './lib/redis-admin.js';
import { BASELINE, isSystemName, loadSystem, OPT_IN_SYSTEM_NAMES, REDIS_BROKER_SYSTEM_NAMES, SYSTEM_NAMES } from './systems/index.js';
import type { RunContext, SystemAdapter } from './systems/types.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS = join(ROOT, 'bench', 'results');

// ---------------------------------------------------------------------------------------------
// options

interface Options {
  only: string[];
  rounds: number;
  w1: number;
  w2: number;
  w3: number;
  w4: number;
  inflight: number;
  window: number;
  prefetch: number;
  persistent: boolean;
  warmup: boolean;
  memory: boolean;
  memoryN: number;
  cpuProf: boolean;
  brokerUrl: string;
  redisUrl: string;
  redisBrokerUrl: string;
  python: string;
  out?: string;
  verbose: boolean;
}

const HELP = `npm run bench -- [flags]

  --only=a,b,...     systems to run (default: all): ${SYSTEM_NAMES.join(', ')}
                     opt-in (only with --only; need Redis at --redis): ${OPT_IN_SYSTEM_NAMES.join(', ')}
                     opt-in, on a Redis broker (--redis-broker): ${REDIS_BROKER_SYSTEM_NAMES.join(', ')}
  --rounds=N         rounds; every round runs each system once, in turn (default 3; figures are the best round)
  --w1=N             W1 fire-and-forget messages (default 20000)
  --w2=N             W2 sequential RPC calls (default 2000)
  --w3=N             W3 concurrent RPC calls (default 10000)
  --w4=N             W4 events fanned out to two subscribing services (default 20000; 0 skips W4; amqplib, nestjs-celery,
                     nestjs-celery-body and, on the Redis broker, nestjs-celery-redis-broker only)
  --inflight=N       W3 calls in flight (default 100)
  --window=N         W1 outstanding publishes for APIs that return a promise per publish (default 1000)
  --prefetch=N       consumer prefetch (default 100)
  --persistent       publish with delivery mode 2 where the system lets us choose (default: transient, 1)
  --no-warmup        skip the warm-up before each system's measured workloads
  --memory           nestjs-celery (or --only) W1 of --memory-n messages (default 200000); consumer heap
                     before/after with a forced GC (consumer runs with --expose-gc)
  --cpu-prof         CPU profiles (V8, via the inspector, workload window only) of the nestjs-celery (or --only)
                     consumer and producer on W1 and W3; .cpuprofile files and a top self-time summary
  --broker=URL       default $CELERY_BROKER_URL or amqp://guest:guest@127.0.0.1:5672//
  --redis=URL        result backend of celery-node and the *-redis systems (default $CELERY_REDIS_URL or redis://127.0.0.1:6379/0)
  --redis-broker=URL the Redis broker of the *-redis-broker systems and bullmq, a database they may empty (default
                     $BENCH_REDIS_BROKER_URL, else database 2 of $CELERY_REDIS_URL's server or redis://127.0.0.1:6379/2;
                     a private redis-server keeps its INFO cpu clean)
  --python=PATH      interpreter with Celery (default $CELERY_PYTHON or /usr/bin/python3)
  --out=FILE         results JSON (default bench/results/latest.json, memory-latest.json, cpu-prof-latest.json)
  --verbose          echo the children's own output
  --scale            instead of the above: 1, 2 and 4 worker processes on one queue (throughput and CPU per task,
                     workers' and broker's), --scale-n=N tasks (default 20000); bench/scale/scale.ts
  --scale-cluster    instead of the above: a 3-node cluster (scripts/rabbitmq-cluster.sh), W1 and W3 on classic
                     and quorum queues; may be given with --scale
`;

/** The Redis of the result-backend systems: the one the e2e tests use (`CELERY_REDIS_URL`). */
const DEFAULT_REDIS_URL = process.env.CELERY_REDIS_URL || 'redis://127.0.0.1:6379/0';

/** `url`'s Redis server, database `db`. */
function redisDb(url: string, db: number): string {
  const parsed = new URL(url);
  parsed.pathname = `/${db}`;
  return parsed.toString();
}

/** A bad flag: reported without a stack trace. */
class UsageError extends Error {}

function parseOptions(argv: string[]): Options {
  const options: Options = {
    only: [],
    rounds: 3,
    w1: 20_000,
    w2: 2_000,
    w3: 10_000,
    w4: 20_000,
    inflight: 100,
    window: 1_000,
    prefetch: 100,
    persistent: false,
    warmup: true,
    memory: false,
    memoryN: 200_000,
    cpuProf: false,
    brokerUrl: process.env.CELERY_BROKER_URL || 'amqp://guest:guest@127.0.0.1:5672//',
    redisUrl: DEFAULT_REDIS_URL,
    redisBrokerUrl: process.env.BENCH_REDIS_BROKER_URL || redisDb(DEFAULT_REDIS_URL, 2),
    python: process.env.CELERY_PYTHON || '/usr/bin/python3',
    verbose: false,
  };
  const positive = (name: string, value: string | undefined): number => {
    const n = Number(value?.replace(/[_,]/g, ''));
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} needs a positive integer, got '${value}'`);
    return n;
  };
  for (const arg of argv) {
    const [flag, value] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    switch (flag) {
      case '--help':
      case '-h':
        process.stdout.write(HELP);
        process.exit(0);
        break;
      case '--only':
        options.only = (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
        for (const name of options.only) {
          if (!isSystemName(name)) throw new UsageError(`--only: unknown system '${name}'; known: ${[...SYSTEM_NAMES, ...OPT_IN_SYSTEM_NAMES, ...REDIS_BROKER_SYSTEM_NAMES].join(', ')}`);
        }
        break;
      case '--rounds':
        options.rounds = positive('rounds', value);
        break;
      case '--w1':
        options.w1 = positive('w1', value);
        break;
      case '--w2':
        options.w2 = positive('w2', value);
        break;
      case '--w3':
        options.w3 = positive('w3', value);
        break;
      case '--w4':
        options.w4 = value === '0' ? 0 : positive('w4', value);
        break;
      case '--inflight':
        options.inflight = positive('inflight', value);
        break;
      case '--window':
        options.window = positive('window', value);
        break;
      case '--prefetch':
        options.prefetch = positive('prefetch', value);
        break;
      case '--persistent':
        options.persistent = true;
        break;
      case '--no-warmup':
        options.warmup = false;
        break;
      case '--memory':
        options.memory = true;
        break;
      case '--memory-n':
        options.memoryN = positive('memory-n', value);
        break;
      case '--cpu-prof':
        options.cpuProf = true;
        break;
      case '--broker':
        options.brokerUrl = value ?? options.brokerUrl;
        break;
      case '--redis':
        options.redisUrl = value ?? options.redisUrl;
        break;
      case '--redis-broker':
        options.redisBrokerUrl = value ?? options.redisBrokerUrl;
        break;
      case '--python':
        options.python = value ?? options.python;
        break;
      case '--out':
        options.out = value;
        break;
      case '--verbose':
        options.verbose = true;
        break;
      default:
        throw new UsageError(`unknown flag '${arg}' (see --help)`);
    }
  }
  if (options.memory && options.cpuProf) throw new UsageError('--memory and --cpu-prof are separate modes; pick one');
  return options;
}

/** Celery's `amqp://host//` (vhost '/') as a URL amqplib reads the same way. */
function toAmqplibUrl(url: string): string {
  return url.replace(/\/\/$/, '');
}

// ---------------------------------------------------------------------------------------------
// one system session: a consumer child and a producer child on a fresh queue

interface Session {
  system: SystemAdapter;
  ctx: RunContext;
  consumer: BenchChild;
  producer: BenchChild;
}

let runId = '';
let admin: RabbitAdmin;
let brokerPid: number | undefined;
/** The Redis broker of the Redis systems (opened when one runs). */
let redisAdmin: RedisAdmin | undefined;
let options: Options;

function spawnChild(system: SystemAdapter, role: 'consumer' | 'producer', ctx: RunContext, execArgv: string[]): BenchChild {
  const label = `${system.name} ${role}`;
  const spec = role === 'consumer' ? system.spawnConsumer?.(ctx) : system.spawnProducer?.(ctx);
  if (spec) return new BenchChild(label, spec.command, spec.args, spec.env, options.verbose);
  return new BenchChild(
    label,
    process.execPath,
    [...execArgv, '--import', '@swc-node/register/esm-register', 'bench/child.ts', role, system.name, JSON.stringify(ctx)],
    {},
    options.verbose,
  );
}

async function openSession(system: SystemAdapter, tag: string, execArgv: string[] = []): Promise<Session> {
  const onRedis = system.broker === 'redis';
  const ctx: RunContext = {
    brokerUrl: onRedis ? options.redisBrokerUrl : options.brokerUrl,
    amqpUrl: toAmqplibUrl(options.brokerUrl),
    redisUrl: onRedis ? options.redisBrokerUrl : options.redisUrl,
    queue: `bench.${system.name}.${runId}.${tag}`,
    persistent: options.persistent,
    prefetch: options.prefetch,
    python: options.python,
  };
  const consumer = spawnChild(system, 'consumer', ctx, execArgv);
  let producer: BenchChild | undefined;
  try {
    await consumer.waitEvent('ready', 120_000);
    producer = spawnChild(system, 'producer', ctx, execArgv);
    await producer.waitEvent('ready', 120_000);
    return { system, ctx, consumer, producer };
  } catch (error) {
    await Promise.all([consumer.stop(2000), producer?.stop(2000)]);
    await deleteEntities(system, ctx);
    throw error;
  }
}

async function closeSession(session: Session): Promise<void> {
  // Producer first (it may hold a reply queue), then the consumer, then the run's queues.
  await session.producer.stop();
  await session.consumer.stop();
  await deleteEntities(session.system, session.ctx);
}

/** Removes a run's queues and exchanges: on RabbitMQ, or every Redis key naming the run's queue. */
async function deleteEntities(system: SystemAdapter, ctx: RunContext): Promise<void> {
  if (system.broker === 'redis') await redisAdmin?.deleteKeysNaming(ctx.queue);
  else await admin.delete(system.entities(ctx.queue));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Role = 'producer' | 'consumer' | 'broker';

/**
 * Per message (W1) or per call (W2/W3), over the workload's window, from /proc: CPU time
 * (user + system, all threads) and read/write system calls (read/readv/write/writev: Node's
 * socket I/O and the broker's; Python's send/recv are not counted there, so Python shows ~0).
 */
type Cost = Record<Role, { cpuUs: number; writes: number; reads: number }> & {
  /** Redis systems: commands Redis ran (INFO stats, scripts' commands included). */
  redisCommands?: number;
};

async function snapshot(session: Session): Promise<Record<Role, { cpuUs: number; writes: number; reads: number }> & { redisCommands?: number }> {
  const take = (pid: number | undefined) => ({ cpuUs: processCpuUs(pid), ...processIo(pid) });
  // Redis systems: the broker is Redis, its CPU from INFO cpu (used_cpu_user + used_cpu_sys)
  if (session.system.broker === 'redis' && redisAdmin) {
    const broker = { ...take(redisAdmin.pid), cpuUs: await redisAdmin.cpuUs() };
    return { producer: take(session.producer.pid), consumer: take(session.consumer.pid), broker, redisCommands: await redisAdmin.commandsProcessed() };
  }
  return { producer: take(session.producer.pid), consumer: take(session.consumer.pid), broker: take(brokerPid) };
}

function costPer(before: Awaited<ReturnType<typeof snapshot>>, after: Awaited<ReturnType<typeof snapshot>>, n: number): Cost {
  const per = (role: Role) => ({
    cpuUs: (after[role].cpuUs - before[role].cpuUs) / n,
    writes: (after[role].writes - before[role].writes) / n,
    reads: (after[role].reads - before[role].reads) / n,
  });
  const cost: Cost = { producer: per('producer'), consumer: per('consumer'), broker: per('broker') };
  // minus the two INFO calls of the snapshots
  if (before.redisCommands !== undefined && after.redisCommands !== undefined) cost.redisCommands = (after.redisCommands - before.redisCommands - 2) / n;
  return cost;
}

interface W1Result {
  n: number;
  msgsPerSec: number;
  /** First publish to last handled. */
  elapsedMs: number;
  /** First publish to last publish returned. */
  publishMs: number;
  cost: Cost;
}

interface W2Result {
  n: number;
  callsPerSec: number;
  p50Us: number;
  p90Us: number;
  p99Us: number;
  maxUs: number;
  meanUs: number;
  cost: Cost;
}

interface W3Result {
  n: number;
  inflight: number;
  callsPerSec: number;
  elapsedMs: number;
  cost: Cost;
}

/**
 * Arms the consumer's counter for `n` messages, runs `start` on the producer, waits until the
 * consumer handled exactly `n` (then a short grace to catch duplicates). Throws if any went missing.
 */
const STALL_MS = 10_000;

async function counted<R>(
  session: Session,
  n: number,
  timeoutMs: number,
  start: () => Promise<R>,
): Promise<{ reply: R; doneAt: number; cost: Cost }> {
  const { consumer } = session;
  await consumer.request('expect', { n });
  consumer.clearEvents('done');
  const before = await snapshot(session);
  const done = consumer.waitEvent('done', timeoutMs);
  done.catch(() => undefined);
  const reply = await start();
  // The producer is done: the consumer must reach n. No progress for STALL_MS means messages were lost.
  let finished = false;
  let lastCount = -1;
  let lastProgress = Date.now();
  const stalled = (async () => {
    while (!finished) {
      await sleep(1000);
      if (finished) return;
      const stats = await consumer.request<ProcessStats>('stats').catch(() => undefined);
      if (stats && stats.count !== lastCount) {
        lastCount = stats.count;
        lastProgress = Date.now();
      } else if (Date.now() - lastProgress > STALL_MS) {
        throw new Error(`consumer handled ${lastCount} of ${n} messages, none more in ${STALL_MS / 1000} s: messages were lost`);
      }
    }
  })();
  let event;
  try {
    event = await Promise.race([done, stalled.then(() => done)]);
  } catch (error) {
    const stats = await consumer.request<ProcessStats>('stats').catch(() => undefined);
    throw new Error(
      /messages were lost/.test(String(error)) ? (error as Error).message : `consumer handled ${stats?.count ?? '?'} of ${n} messages within ${timeoutMs} ms: messages were lost`,
    );
  } finally {
    finished = true;
  }
  stalled.catch(() => undefined);
  const after = await snapshot(session);
  await sleep(250);
  const settled = await consumer.request<ProcessStats>('stats');
  if (settled.count !== n) throw new Error(`consumer handled ${settled.count} messages, expected exactly ${n} (duplicates?)`);
  return { reply, doneAt: Number(event.t), cost: costPer(before, after, n) };
}

async function runW1(session: Session, n: number): Promise<W1Result> {
  const timeout = 60_000 + n * 2;
  const { reply, doneAt, cost } = await counted(session, n, timeout, () =>
    session.producer.request<W1Reply>('w1', { n, window: options.window }, timeout),
  );
  const elapsedMs = doneAt - reply.tFirst;
  return {
    n,
    msgsPerSec: (n / elapsedMs) * 1000,
    elapsedMs,
    publishMs: reply.tLast - reply.tFirst,
    cost,
  };
}

function checkCalls(reply: W2Reply | W3Reply, n: number): void {
  if (reply.succeeded !== n) {
    throw new Error(`${reply.succeeded} of ${n} RPC calls returned the right reply (${reply.errors} failed; first: ${reply.firstError ?? '?'})`);
  }
}

async function runW2(session: Session, n: number): Promise<W2Result> {
  const timeout = 60_000 + n * 20;
  const { reply, cost } = await counted(session, n, timeout, () =>
    session.producer.request<W2Reply>('w2', { n }, timeout),
  );
  checkCalls(reply, n);
  return {
    n,
    callsPerSec: (n / reply.elapsedMs) * 1000,
    p50Us: reply.p50Us,
    p90Us: reply.p90Us,
    p99Us: reply.p99Us,
    maxUs: reply.maxUs,
    meanUs: reply.meanUs,
    cost,
  };
}

async function runW3(session: Session, n: number, inflight: number): Promise<W3Result> {
  const timeout = 60_000 + n * 5;
  const { reply, cost } = await counted(session, n, timeout, () =>
    session.producer.request<W3Reply>('w3', { n, inflight }, timeout),
  );
  checkCalls(reply, n);
  return {
    n,
    inflight,
    callsPerSec: (n / reply.elapsedMs) * 1000,
    elapsedMs: reply.elapsedMs,
    cost,
  };
}

/** Counts for a system: the requested ones, capped for systems that cannot do more in reasonable time. */
function countsFor(system: SystemAdapter, w1: number): { w1: number; w2: number; w3: number } {
  return {
    w1: Math.min(w1, system.caps?.w1 ?? Infinity),
    w2: Math.min(options.w2, system.caps?.w2 ?? Infinity),
    w3: Math.min(options.w3, system.caps?.w3 ?? Infinity),
  };
}

async function warmUp(session: Session, counts: { w1: number; w3: number }): Promise<void> {
  if (!options.warmup) return;
  await runW1(session, Math.max(100, Math.min(2_000, Math.floor(counts.w1 / 10))));
  if (session.system.rpc) await runW3(session, Math.max(10, Math.min(1_000, Math.floor(counts.w3 / 10))), Math.min(50, options.inflight));
}

// ---------------------------------------------------------------------------------------------
// default mode: the table

interface RoundResult {
  round: number;
  w1?: W1Result;
  w2?: W2Result;
  w3?: W3Result;
  error?: string;
  seconds: number;
}

interface SystemReport {
  name: string;
  label: string;
  version: string;
  settings: string;
  w1Confirms: boolean;
  deliveryMode: 1 | 2;
  /** Producer and consumer are Node processes (their socket syscalls show in /proc). */
  nodeClients: boolean;
  counts: { w1: number; w2?: number; w3?: number };
  caps?: string;
  best: { w1?: W1Result; w2?: W2Result; w3?: W3Result };
  ratios: { w1?: number; w2p50?: number; w2p99?: number; w2?: number; w3?: number };
  rounds: RoundResult[];
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function runRound(system: SystemAdapter, round: number): Promise<RoundResult> {
  const started = Date.now();
  const counts = countsFor(system, options.w1);
  const result: RoundResult = { round, seconds: 0 };
  let session: Session | undefined;
  try {
    session = await openSession(system, `r${round}`);
    await warmUp(session, counts);
    result.w1 = await runW1(session, counts.w1);
    if (system.rpc) {
      result.w2 = await runW2(session, counts.w2);
      result.w3 = await runW3(session, counts.w3, options.inflight);
    }
  } catch (error) {
    result.error = errorText(error);
  } finally {
    if (session) await closeSession(session).catch(() => undefined);
  }
  result.seconds = (Date.now() - started) / 1000;
  return result;
}

function progressLine(system: SystemAdapter, r: RoundResult): string {
  const parts = [`[round ${r.round}] ${system.label.padEnd(24)}`];
  if (r.w1) parts.push(`W1 ${int(r.w1.msgsPerSec)} msg/s (${int(r.w1.n)} handled)`);
  if (r.w2) parts.push(`W2 p50 ${int(r.w2.p50Us)} µs p99 ${int(r.w2.p99Us)} µs ${int(r.w2.callsPerSec)} calls/s`);
  if (r.w3) parts.push(`W3 ${int(r.w3.callsPerSec)} calls/s`);
  if (r.error) parts.push(`FAILED: ${r.error.split('\n')[0]}`);
  parts.push(`(${r.seconds.toFixed(1)} s)`);
  return parts.join('  ');
}

function best<T>(values: Array<T | undefined>, score: (value: T) => number): T | undefined {
  let chosen: T | undefined;
  for (const value of values) if (value !== undefined && (chosen === undefined || score(value) > score(chosen))) chosen = value;
  return chosen;
}

function buildReport(system: SystemAdapter, rounds: RoundResult[], version: string): SystemReport {
  const counts = countsFor(system, options.w1);
  return {
    name: system.name,
    label: system.label,
    version,
    settings: system.settings,
    w1Confirms: system.w1Confirms,
    deliveryMode: system.deliveryMode(options.persistent),
    nodeClients: !system.spawnConsumer && !system.spawnProducer,
    counts: system.rpc ? counts : { w1: counts.w1 },
    caps: system.caps?.reason,
    best: {
      w1: best(rounds.map((r) => r.w1), (w) => w.msgsPerSec),
      w2: best(rounds.map((r) => r.w2), (w) => w.callsPerSec),
      w3: best(rounds.map((r) => r.w3), (w) => w.callsPerSec),
    },
    ratios: {},
    rounds,
  };
}

function addRatios(reports: SystemReport[]): void {
  const base = reports.find((r) => r.name === BASELINE)?.best;
  if (!base) return;
  for (const report of reports) {
    const { w1, w2, w3 } = report.best;
    report.ratios = {
      w1: w1 && base.w1 ? w1.msgsPerSec / base.w1.msgsPerSec : undefined,
      w2p50: w2 && base.w2 ? w2.p50Us / base.w2.p50Us : undefined,
      w2p99: w2 && base.w2 ? w2.p99Us / base.w2.p99Us : undefined,
      w2: w2 && base.w2 ? w2.callsPerSec / base.w2.callsPerSec : undefined,
      w3: w3 && base.w3 ? w3.callsPerSec / base.w3.callsPerSec : undefined,
    };
  }
}

const TABLE_HEADER = [
  'System',
  'W1 msg/s',
  'W1 confirms',
  'W2 p50 µs',
  'W2 p99 µs',
  'W2 calls/s',
  'W3 calls/s',
];

const COST_HEADER = [
  'System',
  'W1 CPU µs/msg prod / cons / broker',
  'W1 writes/msg prod / cons / broker',
  'W3 CPU µs/call prod / cons / broker',
  'W3 writes/call prod / cons / broker',
];

/** `ioCounted`: false for Python children, whose socket send/recv /proc does not count. */
function costCells(cost: Cost | undefined, what: 'cpuUs' | 'writes', ioCounted = true): string {
  if (!cost) return '–';
  const digits = what === 'cpuUs' ? 0 : 1;
  const value = (role: Role) => (what === 'writes' && !ioCounted && role !== 'broker' ? '–' : fixed(cost[role][what], digits));
  return `${value('producer')} / ${value('consumer')} / ${value('broker')}`;
}

function costRows(reports: SystemReport[]): string[][] {
  return reports.map((r) => [
    `${r.label} ${r.version}`.trim(),
    costCells(r.best.w1?.cost, 'cpuUs'),
    costCells(r.best.w1?.cost, 'writes', r.nodeClients),
    costCells(r.best.w3?.cost, 'cpuUs'),
    costCells(r.best.w3?.cost, 'writes', r.nodeClients),
  ]);
}

const REDIS_COMMANDS_HEADER = ['System', 'W1 commands/msg', 'W2 commands/call', 'W3 commands/call'];

/** Redis systems: commands Redis ran per message / call (a figure the machine's load does not move). */
function redisCommandRows(reports: SystemReport[]): string[][] {
  const cell = (cost: Cost | undefined) => (cost?.redisCommands === undefined ? '–' : fixed(cost.redisCommands, 1));
  return reports
    .filter((r) => [r.best.w1, r.best.w2, r.best.w3].some((w) => w?.cost.redisCommands !== undefined))
    .map((r) => [`${r.label} ${r.version}`.trim(), cell(r.best.w1?.cost), cell(r.best.w2?.cost), cell(r.best.w3?.cost)]);
}

function tableRows(reports: SystemReport[]): string[][] {
  return reports.map((r) => {
    const { w1, w2, w3 } = r.best;
    const failed = r.rounds.every((round) => round.error) ? 'FAILED' : '–';
    const count = (n: number | undefined, full: number) => (n !== undefined && n < full ? ` [n=${int(n)}]` : '');
    return [
      `${r.label} ${r.version}`.trim(),
      w1 ? withRatio(int(w1.msgsPerSec), r.ratios.w1) + count(w1.n, options.w1) : failed,
      `${r.w1Confirms ? 'yes' : 'no'}, dm ${r.deliveryMode}`,
      w2 ? withRatio(int(w2.p50Us), r.ratios.w2p50) : r.counts.w2 === undefined ? 'n/a' : failed,
      w2 ? withRatio(int(w2.p99Us), r.ratios.w2p99) : r.counts.w2 === undefined ? 'n/a' : failed,
      w2 ? withRatio(int(w2.callsPerSec), r.ratios.w2) + count(w2.n, options.w2) : r.counts.w2 === undefined ? 'n/a' : failed,
      w3 ? withRatio(int(w3.callsPerSec), r.ratios.w3) + count(w3.n, options.w3) : r.counts.w3 === undefined ? 'n/a' : failed,
    ];
  });
}

const MEDIAN_HEADER = ['System', 'W1 msg/s median', 'W2 p50 µs median', 'W3 calls/s median', 'W1 msg/s per round'];

/**
 * Medians over the rounds, each with its ratio to raw amqplib's median: on a shared machine one
 * lucky or unlucky round moves the best figure by up to ~20%, the median much less.
 */
function medianRows(reports: SystemReport[]): string[][] {
  const medians = (r: SystemReport) => ({
    w1: median(r.rounds.flatMap((round) => (round.w1 ? [round.w1.msgsPerSec] : []))),
    w2p50: median(r.rounds.flatMap((round) => (round.w2 ? [round.w2.p50Us] : []))),
    w3: median(r.rounds.flatMap((round) => (round.w3 ? [round.w3.callsPerSec] : []))),
  });
  const baseReport = reports.find((r) => r.name === BASELINE);
  const base = baseReport ? medians(baseReport) : undefined;
  const cell = (value: number | undefined, baseValue: number | undefined) =>
    value === undefined ? '–' : withRatio(int(value), baseValue ? value / baseValue : undefined);
  return reports.map((r) => {
    const m = medians(r);
    return [
      `${r.label} ${r.version}`.trim(),
      cell(m.w1, base?.w1),
      cell(m.w2p50, base?.w2p50),
      cell(m.w3, base?.w3),
      r.rounds.map((round) => (round.w1 ? int(round.w1.msgsPerSec) : '–')).join(', '),
    ];
  });
}

async function tableMode(systems: SystemAdapter[], versions: Record<string, string>): Promise<Record<string, unknown>> {
  const rounds = new Map<string, RoundResult[]>(systems.map((s) => [s.name, []]));
  for (let round = 1; round <= options.rounds; round++) {
    for (const system of systems) {
      const result = await runRound(system, round);
      rounds.get(system.name)!.push(result);
      console.log(progressLine(system, result));
    }
  }
  const reports = systems.map((s) => buildReport(s, rounds.get(s.name)!, versions[s.name] ?? ''));
  addRatios(reports);

  const rows = tableRows(reports);
  console.log('');
  console.log(
    `Best of ${options.rounds} round(s). W1 ${int(options.w1)} messages, W2 ${int(options.w2)} sequential calls, ` +
      `W3 ${int(options.w3)} calls with ${options.inflight} in flight; payload ${ORDER_JSON_BYTES} bytes of JSON. ` +
      `(x) = ratio to raw amqplib: above 1 is faster for msg/s and calls/s, slower for latency.`,
  );
  console.log('');
  console.log(plainTable(TABLE_HEADER, rows));
  console.log('');
  console.log('Cost per message / call over the workload window, from /proc: CPU time of all threads; write/writev syscalls (Python\'s send() is not counted: –):');
  console.log('');
  const costs = costRows(reports);
  console.log(plainTable(COST_HEADER, costs));
  console.log('');
  const commands = redisCommandRows(reports);
  if (commands.length > 0) {
    console.log('Redis commands per message / call (INFO stats total_commands_processed; commands run by scripts included):');
    console.log('');
    console.log(plainTable(REDIS_COMMANDS_HEADER, commands));
    console.log('');
  }
  const middles = medianRows(reports);
  if (options.rounds > 1) {
    console.log(`Median of ${options.rounds} rounds (ratio of medians):`);
    console.log('');
    console.log(plainTable(MEDIAN_HEADER, middles));
    console.log('');
  }
  for (const r of reports) {
    console.log(`- ${r.label}: ${r.settings}${r.caps ? `. Counts capped: ${r.caps}` : ''}`);
    for (const round of r.rounds) if (round.error) console.log(`    round ${round.round} FAILED: ${round.error}`);
  }
  const markdown = [
    markdownTable(TABLE_HEADER, rows),
    markdownTable(COST_HEADER, costs),
    ...(commands.length > 0 ? [markdownTable(REDIS_COMMANDS_HEADER, commands)] : []),
    ...(options.rounds > 1 ? [markdownTable(MEDIAN_HEADER, middles)] : []),
  ].join('\n\n');
  return { mode: 'table', systems: reports, markdown };
}

// ---------------------------------------------------------------------------------------------
// --memory

async function memoryMode(systems: SystemAdapter[]): Promise<Record<string, unknown>> {
  const reports = [];
  for (const system of systems) {
    if (!system.startConsumer) {
      console.log(`${system.label}: no Node consumer, no heap figures; skipped`);
      continue;
    }
    const n = options.memoryN;
    const session = await openSession(system, 'mem', ['--expose-gc']);
    try {
      await warmUp(session, { w1: 20_000, w3: 1_000 });
      const heapBefore = await session.consumer.request<ProcessStats>('heap');
      const producerBefore = await session.producer.request<ProcessStats>('heap');
      let peakHeap = heapBefore.heapUsed ?? 0;
      let peakRss = heapBefore.rss ?? 0;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          await sleep(500);
          const stats = await session.consumer.request<ProcessStats>('stats').catch(() => undefined);
          if (stats) {
            peakHeap = Math.max(peakHeap, stats.heapUsed ?? 0);
            peakRss = Math.max(peakRss, stats.rss ?? 0);
          }
        }
      })();
      const w1 = await runW1(session, n).finally(() => (sampling = false));
      await sampler;
      const heapAfter = await session.consumer.request<ProcessStats>('heap');
      const producerAfter = await session.producer.request<ProcessStats>('heap');
      const mb = (bytes: number | undefined) => Math.round(((bytes ?? 0) / 2 ** 20) * 10) / 10;
      const report = {
        system: system.name,
        label: system.label,
        n,
        msgsPerSec: w1.msgsPerSec,
        consumer: {
          heapUsedBeforeMB: mb(heapBefore.heapUsed),
          heapUsedAfterMB: mb(heapAfter.heapUsed),
          heapGrowthMB: mb((heapAfter.heapUsed ?? 0) - (heapBefore.heapUsed ?? 0)),
          peakHeapUsedMB: mb(peakHeap),
          rssBeforeMB: mb(heapBefore.rss),
          rssAfterMB: mb(heapAfter.rss),
          peakRssMB: mb(peakRss),
        },
        producer: {
          heapUsedBeforeMB: mb(producerBefore.heapUsed),
          heapUsedAfterMB: mb(producerAfter.heapUsed),
          heapGrowthMB: mb((producerAfter.heapUsed ?? 0) - (producerBefore.heapUsed ?? 0)),
          rssAfterMB: mb(producerAfter.rss),
        },
      };
      reports.push(report);
      console.log(
        `${system.label}: W1 ${int(n)} messages, ${int(w1.msgsPerSec)} msg/s, all handled.\n` +
          `  consumer heap used after forced GC: ${report.consumer.heapUsedBeforeMB} MB before -> ${report.consumer.heapUsedAfterMB} MB after ` +
          `(${report.consumer.heapGrowthMB >= 0 ? '+' : ''}${report.consumer.heapGrowthMB} MB); peak heap used during the run ${report.consumer.peakHeapUsedMB} MB (sampled every 0.5 s, no forced GC); ` +
          `RSS ${report.consumer.rssBeforeMB} -> ${report.consumer.rssAfterMB} MB (peak ${report.consumer.peakRssMB} MB)\n` +
          `  producer heap used after forced GC: ${report.producer.heapUsedBeforeMB} MB -> ${report.producer.heapUsedAfterMB} MB`,
      );
    } finally {
      await closeSession(session);
    }
  }
  return { mode: 'memory', reports };
}

// ---------------------------------------------------------------------------------------------
// --cpu-prof

function printProfile(title: string, summary: ProfileSummary): void {
  console.log(`\n${title}: ${summary.busyMs} ms busy of ${summary.wallMs} ms wall (GC ${summary.gcMs} ms) — ${relative(ROOT, summary.file)}`);
  console.log(
    plainTable(
      ['self %', 'self ms', 'function', 'where'],
      summary.topFunctions.map((f) => [`${fixed(f.busyPct)}%`, fixed(f.selfMs), f.name, f.where]),
      0,
    ).replace(/^/gm, '  '),
  );
  console.log('  by module: ' + summary.topModules.slice(0, 8).map((m) => `${m.module} ${fixed(m.busyPct)}%`).join(', '));
}

async function cpuProfMode(systems: SystemAdapter[]): Promise<Record<string, unknown>> {
  const dir = join(RESULTS, 'prof');
  mkdirSync(dir, { recursive: true });
  const reports = [];
  for (const system of systems) {
    if (!system.startConsumer || !system.startProducer) {
      console.log(`${system.label}: not a Node system, no V8 profile; skipped`);
      continue;
    }
    const counts = countsFor(system, options.w1);
    const session = await openSession(system, 'prof');
    try {
      // A longer warm-up so the profile shows optimized steady state, not JIT.
      await runW1(session, Math.min(5_000, counts.w1));
      if (system.rpc) await runW3(session, Math.min(2_000, counts.w3), options.inflight);
      const workloads: Array<['w1' | 'w3', () => Promise<W1Result | W3Result>]> = [['w1', () => runW1(session, counts.w1)]];
      if (system.rpc) workloads.push(['w3', () => runW3(session, counts.w3, options.inflight)]);
      for (const [workload, run] of workloads) {
        const files = {
          consumer: join(dir, `${runId}-${system.name}-${workload}-consumer.cpuprofile`),
          producer: join(dir, `${runId}-${system.name}-${workload}-producer.cpuprofile`),
        };
        await Promise.all([session.consumer.request('profile-start'), session.producer.request('profile-start')]);
        const result = await run();
        await Promise.all([
          session.consumer.request('profile-stop', { file: files.consumer }, 60_000),
          session.producer.request('profile-stop', { file: files.producer }, 60_000),
        ]);
        const rate = 'msgsPerSec' in result ? `${int(result.msgsPerSec)} msg/s` : `${int(result.callsPerSec)} calls/s`;
        console.log(
          `\n=== ${system.label} ${workload.toUpperCase()} (${int(result.n)}) under the profiler: ${rate}; per message: ` +
            `CPU µs ${costCells(result.cost, 'cpuUs')}, socket writes ${costCells(result.cost, 'writes')} (producer / consumer / broker)`,
        );
        const consumer = summarizeProfile(files.consumer);
        const producer = summarizeProfile(files.producer);
        printProfile(`${system.label} consumer, ${workload.toUpperCase()}`, consumer);
        printProfile(`${system.label} producer, ${workload.toUpperCase()}`, producer);
        reports.push({ system: system.name, workload, result, consumer, producer });
      }
    } finally {
      await closeSession(session);
    }
  }
  return { mode: 'cpu-prof', reports };
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  if (process.argv.includes('--scale') || process.argv.includes('--scale-cluster')) {
    // opt-in scale workloads (bench/scale/scale.ts): worker processes 1/2/4, and a 3-node cluster
    const { runScaleBench } = await import('./scale/scale.js');
    await runScaleBench();
    return;
  }
  options = parseOptions(process.argv.slice(2));
  process.chdir(ROOT);
  mkdirSync(RESULTS, { recursive: true });
  runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  admin = await RabbitAdmin.connect(toAmqplibUrl(options.brokerUrl));
  brokerPid = findBrokerPid();

  const defaultSystems = options.memory || options.cpuProf ? ['nestjs-celery'] : [...SYSTEM_NAMES];
  const names = options.only.length ? options.only : defaultSystems;
  const systems = await Promise.all(names.map((name) => loadSystem(name)));
  if (systems.some((system) => system.broker === 'redis')) redisAdmin = await RedisAdmin.open(options.redisBrokerUrl);

  const machine: MachineInfo = machineInfo(admin.serverVersion, options.python);
  const versions: Record<string, string> = {};
  for (const system of systems) {
    versions[system.name] =
      system.name.startsWith('python-celery')
        ? (/celery (\S+)/.exec(machine.python ?? '')?.[1] ?? '?')
        : system.name.startsWith('nestjs-celery')
          ? packageVersion(ROOT, 'nestjs-celery')
          : packageVersion(ROOT, system.packages[0] ?? '');
    for (const extra of system.packages.slice(1)) versions[extra] = packageVersion(ROOT, extra);
  }
  console.log(
    `nestjs-celery bench ${runId}: ${machine.cpus} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, ` +
      `RabbitMQ ${machine.rabbitmq}${machine.erlang ? ` (OTP ${machine.erlang})` : ''}, Node ${machine.node}` +
      `${brokerPid ? '' : '; broker process not found, no broker CPU figures'}`,
  );
  const git = gitState(ROOT);
  const busyBefore = await machineBusy();
  console.log(`systems: ${systems.map((s) => `${s.label} ${versions[s.name]}`).join(', ')}`);
  console.log(
    `library at ${git ? `${git.commit}${git.libsDirty ? ' + uncommitted changes in libs/' : ''}` : 'unknown commit'}; ` +
      `machine ${Math.round(busyBefore * 100)}% busy before the run` +
      (busyBefore > 0.1 ? ' — WARNING: something else is using the CPU, figures will be skewed' : ''),
  );
  console.log('');

  const started = Date.now();
  const body = options.memory
    ? await memoryMode(systems)
    : options.cpuProf
      ? await cpuProfMode(systems)
      : await tableMode(systems, versions);
  if (!options.memory && !options.cpuProf && options.w4 > 0) {
    const w4 = await runW4(
      { ...options, amqpUrl: toAmqplibUrl(options.brokerUrl), n: options.w4, runId, systems: names },
      { rabbit: admin, redis: redisAdmin },
    );
    if (w4.markdown) Object.assign(body, { w4: w4.reports, markdown: `${String(body.markdown)}\n\n${w4.markdown}` });
  }

  const out =
    options.out ?? join(RESULTS, options.memory ? 'memory-latest.json' : options.cpuProf ? 'cpu-prof-latest.json' : 'latest.json');
  const document = {
    generatedAt: new Date().toISOString(),
    runId,
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    durationSeconds: Math.round((Date.now() - started) / 1000),
    machine,
    git,
    machineBusyBefore: Math.round(busyBefore * 1000) / 1000,
    versions,
    config: {
      rounds: options.rounds,
      w1: options.w1,
      w2: options.w2,
      w3: options.w3,
      w4: options.w4,
      inflight: options.inflight,
      window: options.window,
      prefetch: options.prefetch,
      persistent: options.persistent,
      warmup: options.warmup,
      payloadBytes: ORDER_JSON_BYTES,
      memoryN: options.memory ? options.memoryN : undefined,
    },
    ...body,
  };
  writeFileSync(out, JSON.stringify(document, null, 2) + '\n');
  const written = [relative(ROOT, out)];
  if (typeof body.markdown === 'string') {
    const markdownFile = out.replace(/(\.json)?$/, '.md');
    writeFileSync(markdownFile, body.markdown + '\n');
    written.push(relative(ROOT, markdownFile));
  }
  console.log(`\nwritten ${written.join(', ')} (${Math.round((Date.now() - started) / 1000)} s)`);
  await admin.close();
  await redisAdmin?.close();
}

process.on('exit', killLiveChildren);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killLiveChildren();
    process.exit(130);
  });
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) console.error(`bench: ${error.message}`);
  else console.error(`bench failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
  killLiveChildren();
  process.exit(1);
});

