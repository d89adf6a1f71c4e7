/**
 * W4 events: topic-exchange fan-out of `n` events to two subscribing services (one consumer
 * process each, one queue each bound with a wildcard), measured as deliveries per second from the
 * first publish to the last delivery handled by both services. Raw amqplib doing the same fan-out
 * is the ceiling. Called by bench/run.ts after the W1-W3 table.
 */
import { BenchChild } from '../lib/children.js';
import { fixed, int, markdownTable, plainTable, withRatio } from '../lib/format.js';
import { findBrokerPid, processCpuUs } from '../lib/machine.js';
import type { RabbitAdmin } from '../lib/rabbit.js';
import type { RedisAdmin } from '../lib/redis-admin.js';
import type { ProcessStats, W1Reply } from '../lib/protocol.js';
import { W4_SYSTEMS, type W4Context, type W4System } from './w4-systems.js';

/** How W4 runs. */
export interface W4Options {
  brokerUrl: string;
  /** The Redis broker of the Redis systems (`--redis-broker`). */
  redisBrokerUrl: string;
  amqpUrl: string;
  n: number;
  rounds: number;
  prefetch: number;
  persistent: boolean;
  window: number;
  runId: string;
  /** Systems to run (those W4 knows among the run's systems). */
  systems: string[];
  warmup: boolean;
  verbose: boolean;
}

/** One W4 measurement. */
export interface W4Result {
  n: number;
  /** Deliveries (2 × n), per second, first publish to last delivery handled. */
  deliveriesPerSec: number;
  elapsedMs: number;
  publishMs: number;
  /** CPU µs (user + system) of the producer and the broker per event, and of each consumer per delivery. */
  cpuUs: { producer: number; consumer: number; broker: number };
}

/** Best W4 round of a system, its ratio to raw amqplib and every round. */
export interface W4Report {
  system: string;
  label: string;
  settings: string;
  best?: W4Result;
  ratio?: number;
  rounds: Array<{ round: number; result?: W4Result; error?: string }>;
}

const SERVICES = ['w4billing', 'w4logistic'];

function spawn(system: W4System, role: 'consumer' | 'producer', ctx: W4Context, verbose: boolean): BenchChild {
  return new BenchChild(
    `W4 ${system.name} ${role}${ctx.service ? ` ${ctx.service}` : ''}`,
    process.execPath,
    ['--import', '@swc-node/register/esm-register', 'bench/events/w4-child.ts', role, system.name, JSON.stringify(ctx)],
    {},
    verbose,
  );
}

/** The broker's CPU time so far, µs: RabbitMQ's process from /proc, or Redis's `INFO cpu`. */
type BrokerCpu = () => Promise<number>;

async function fanOut(consumers: BenchChild[], producer: BenchChild, n: number, window: number, brokerCpu: BrokerCpu): Promise<W4Result> {
  await Promise.all(consumers.map((c) => c.request('expect', { n })));
  for (const c of consumers) c.clearEvents('done');
  const timeout = 60_000 + n * 3;
  const done = consumers.map((c) => c.waitEvent('done', timeout));
  for (const d of done) d.catch(() => undefined);
  const cpu = () => Promise.all([producer, ...consumers].map((c) => c.request<ProcessStats>('stats').then((s) => s.cpuUs)));
  const brokerBefore = await brokerCpu();
  const cpuBefore = await cpu();
  const reply = await producer.request<W1Reply>('w1', { n, window }, timeout);
  const events = await Promise.all(done);
  const brokerUsed = (await brokerCpu()) - brokerBefore;
  const cpuUsed = (await cpu()).map((after, i) => after - cpuBefore[i]!);
  const lastDone = Math.max(...events.map((e) => Number(e.t)));
  const elapsedMs = lastDone - reply.tFirst;
  return {
    n,
    deliveriesPerSec: ((consumers.length * n) / elapsedMs) * 1000,
    elapsedMs,
    publishMs: reply.tLast - reply.tFirst,
    cpuUs: { producer: cpuUsed[0]! / n, consumer: cpuUsed.slice(1).reduce((a, b) => a + b, 0) / (consumers.length * n), broker: brokerUsed / n },
  };
}

/** The brokers W4 runs on: RabbitMQ's admin, and the Redis broker's when a Redis system runs. */
export interface W4Brokers {
  rabbit: RabbitAdmin;
  redis?: RedisAdmin;
}

async function runRound(system: W4System, round: number, options: W4Options, brokers: W4Brokers): Promise<W4Result> {
  const exchange = `bench-w4.${system.name}.${options.runId}.r${round}`;
  const redis = system.broker === 'redis' ? brokers.redis : undefined;
  if (system.broker === 'redis' && !redis) throw new Error(`${system.name} needs the Redis broker (--redis-broker)`);
  const brokerPid = findBrokerPid();
  const brokerCpu: BrokerCpu = redis ? () => redis.cpuUs() : () => Promise.resolve(processCpuUs(brokerPid));
  const base = { brokerUrl: redis ? options.redisBrokerUrl : options.brokerUrl, amqpUrl: options.amqpUrl, exchange, prefetch: options.prefetch, persistent: options.persistent };
  const children: BenchChild[] = [];
  try {
    const consumers = SERVICES.map((service) => spawn(system, 'consumer', { ...base, service }, options.verbose));
    children.push(...consumers);
    await Promise.all(consumers.map((c) => c.waitEvent('ready', 120_000)));
    const producer = spawn(system, 'producer', base, options.verbose);
    children.push(producer);
    await producer.waitEvent('ready', 120_000);
    if (options.warmup) await fanOut(consumers, producer, Math.min(2_000, options.n), options.window, brokerCpu);
    return await fanOut(consumers, producer, options.n, options.window, brokerCpu);
  } finally {
    await Promise.all(children.reverse().map((c) => c.stop()));
    const { queues, exchanges } = system.entities(exchange, SERVICES);
    if (redis) for (const name of [...queues, ...exchanges]) await redis.deleteKeysNaming(name);
    else await brokers.rabbit.delete({ queues, exchanges });
  }
}

/** Runs W4 for the systems it knows, prints a table and returns the reports (with markdown). */
export async function runW4(options: W4Options, brokers: W4Brokers): Promise<{ reports: W4Report[]; markdown: string }> {
  const systems = options.systems.filter((name) => name in W4_SYSTEMS).map((name) => W4_SYSTEMS[name]!);
  const reports: W4Report[] = systems.map((s) => ({ system: s.name, label: s.label, settings: s.settings, rounds: [] }));
  if (systems.length === 0) return { reports, markdown: '' };
  console.log(`\nW4 events: fan-out of ${int(options.n)} events on a topic exchange to ${SERVICES.length} subscribing services`);
  for (let round = 1; round <= options.rounds; round++) {
    for (const [i, system] of systems.entries()) {
      const report = reports[i]!;
      try {
        const result = await runRound(system, round, options, brokers);
        report.rounds.push({ round, result });
        if (!report.best || result.deliveriesPerSec > report.best.deliveriesPerSec) report.best = result;
        console.log(`  round ${round} ${system.label}: ${int(result.deliveriesPerSec)} deliveries/s (${fixed(result.elapsedMs / 1000, 2)} s)`);
      } catch (error) {
        report.rounds.push({ round, error: error instanceof Error ? error.message : String(error) });
        console.log(`  round ${round} ${system.label}: FAILED ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
      }
    }
  }
  const ceiling = reports.find((r) => r.system === 'amqplib')?.best?.deliveriesPerSec;
  for (const report of reports) {
    if (report.best && ceiling) report.ratio = report.best.deliveriesPerSec / ceiling;
  }
  const header = ['W4 events (best round)', 'deliveries/s', 'elapsed s', 'publish s', 'CPU µs/event producer / broker', 'CPU µs/delivery consumer'];
  const rows = reports.map((r) => [
    r.label,
    r.best ? withRatio(int(r.best.deliveriesPerSec), r.ratio) : 'failed',
    r.best ? fixed(r.best.elapsedMs / 1000, 2) : '',
    r.best ? fixed(r.best.publishMs / 1000, 2) : '',
    r.best ? `${int(r.best.cpuUs.producer)} / ${int(r.best.cpuUs.broker)}` : '',
    r.best ? int(r.best.cpuUs.consumer) : '',
  ]);
  console.log('\n' + plainTable(header, rows));
  for (const r of reports) console.log(`  ${r.label}: ${r.settings}`);
  return { reports, markdown: markdownTable(header, rows) };
}
