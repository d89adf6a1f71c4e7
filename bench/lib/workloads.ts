import { isExpectedReply } from '../payload.js';
import type { ProducerHandle } from '../systems/types.js';
import { epochMs, type W1Reply, type W2Reply, type W3Reply } from './protocol.js';

function cpuUs(): number {
  const cpu = process.cpuUsage();
  return cpu.user + cpu.system;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * W1, producer side: publishes `n` messages as fast as the system lets it. With `publishOne`
 * (a promise per message, resolved on the publisher confirm where there is one) it keeps up to
 * `window` publishes outstanding; `publishMany` is for systems with their own flow control.
 */
export async function runW1(producer: ProducerHandle, n: number, window: number): Promise<W1Reply> {
  const cpu0 = cpuUs();
  const tFirst = epochMs();
  if (producer.publishMany) {
    await producer.publishMany(n);
  } else if (producer.publishOne) {
    const publishOne = producer.publishOne.bind(producer);
    let started = 0;
    let failure: unknown;
    const lane = async () => {
      while (started < n && failure === undefined) {
        started++;
        try {
          await publishOne();
        } catch (error) {
          failure ??= error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(window, n) }, lane));
    if (failure !== undefined) throw failure;
  } else {
    throw new Error('producer has neither publishOne nor publishMany');
  }
  return { tFirst, tLast: epochMs(), published: n, cpuUs: cpuUs() - cpu0 };
}

/** Counts RPC outcomes: a reply that checks out, or the first error seen. */
class CallTally {
  succeeded = 0;
  errors = 0;
  firstError: string | undefined;

  /** Makes one call and records how it went. */
  async record(call: () => Promise<unknown>): Promise<void> {
    try {
      const reply = await call();
      if (isExpectedReply(reply)) this.succeeded++;
      else {
        this.errors++;
        this.firstError ??= `unexpected reply ${JSON.stringify(reply)}`;
      }
    } catch (error) {
      this.errors++;
      this.firstError ??= describeError(error);
    }
  }
}

/** W2: `n` RPC calls one after another; latency of each. */
export async function runW2(producer: ProducerHandle, n: number): Promise<W2Reply> {
  if (!producer.call) throw new Error('producer has no call()');
  const call = producer.call.bind(producer);
  const latencies = new Float64Array(n);
  const tally = new CallTally();
  const cpu0 = cpuUs();
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await tally.record(call);
    latencies[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  const elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
  const cpu = cpuUs() - cpu0;
  const sorted = latencies.slice().sort();
  let sum = 0;
  for (const value of sorted) sum += value;
  return {
    calls: n,
    succeeded: tally.succeeded,
    errors: tally.errors,
    firstError: tally.firstError,
    elapsedMs,
    p50Us: percentile(sorted, 50),
    p90Us: percentile(sorted, 90),
    p99Us: percentile(sorted, 99),
    maxUs: sorted[sorted.length - 1] ?? NaN,
    meanUs: sum / n,
    cpuUs: cpu,
  };
}

/** W3: `n` RPC calls with `inflight` outstanding at any time. */
export async function runW3(producer: ProducerHandle, n: number, inflight: number): Promise<W3Reply> {
  if (!producer.call) throw new Error('producer has no call()');
  const call = producer.call.bind(producer);
  let started = 0;
  const tally = new CallTally();
  const lane = async () => {
    while (started < n) {
      started++;
      await tally.record(call);
    }
  };
  const cpu0 = cpuUs();
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: Math.min(inflight, n) }, lane));
  const elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
  return { calls: n, succeeded: tally.succeeded, errors: tally.errors, firstError: tally.firstError, elapsedMs, cpuUs: cpuUs() - cpu0 };
}
