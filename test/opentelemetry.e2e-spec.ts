/**
 * OpenTelemetry sees nestjs-celery's messages: with `@opentelemetry/instrumentation-amqplib`
 * registered (before nestjs-celery loads amqplib) and an in-memory span exporter, a worker in its
 * own process (test/fixtures/opentelemetry) gets a span for every task publish and consume of
 * ours, and the trace context the caller put in the message (`traceparent`) is the parent of the
 * worker's consume span, whether the caller is our client or Python Celery.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes, randomUUID } from 'node:crypto';
import { BROKER_URL } from './support/broker-url.js';
import { startProcess, type ManagedProcess } from './support/child-process.js';
import { runPython } from './support/python.js';
import { deleteQueues } from './support/rabbitmq-admin.js';

interface Handled {
  id: string;
  traceparent: string | null;
  traceId: string;
  spanId: string;
}

interface Called {
  id: string;
  value: number;
  traceId: string;
  spanId: string;
}

interface EndedSpan {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  attributes: Record<string, unknown>;
}

const SPAN_KIND_PRODUCER = 3;
const SPAN_KIND_CONSUMER = 4;
const queue = `otel.${randomUUID().slice(0, 8)}`;

function lines<T>(log: string, prefix: string): T[] {
  return log
    .split('\n')
    .filter((line) => line.startsWith(`${prefix} `))
    .map((line) => JSON.parse(line.slice(prefix.length + 1)) as T);
}

describe('OpenTelemetry amqplib instrumentation with a worker and a client', () => {
  let child: ManagedProcess;

  beforeAll(async () => {
    child = startProcess('otel fixture', process.execPath, ['--import', '@swc-node/register/esm-register', 'test/fixtures/opentelemetry/main.ts'], {
      CELERY_BROKER_URL: BROKER_URL,
      OTEL_QUEUE: queue,
    });
    await child.waitFor('otel fixture ready', 60_000);
  });

  afterAll(async () => {
    await child?.stop();
    await deleteQueues(BROKER_URL, queue);
  });

  /** The spans the fixture has ended so far. */
  async function endedSpans(): Promise<EndedSpan[]> {
    const before = child.log.length;
    child.child.kill('SIGUSR2');
    const deadline = Date.now() + 10_000;
    while (!child.log.slice(before).includes('spans end\n')) {
      if (Date.now() > deadline) throw new Error(`otel fixture printed no spans:\n${child.log.slice(-2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return lines<EndedSpan>(child.log.slice(before), 'span');
  }

  /** The spans of trace `traceId` once `ready` holds for them (a consume span ends when its message is acked, after the handler). */
  async function spansOf(traceId: string, ready: (spans: EndedSpan[]) => boolean): Promise<EndedSpan[]> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const spans = (await endedSpans()).filter((s) => s.traceId === traceId);
      if (ready(spans) || Date.now() > deadline) return spans;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  it("our client's publish and the worker's consume have spans; the consume span's parent is the publish span, in the caller's trace", async () => {
    const [called] = lines<Called>(child.log, 'called');
    expect(called).toMatchObject({ value: 5 });
    const handled = lines<Handled>(child.log, 'handled').find((h) => h.id === called!.id)!;
    // the client's publish put a traceparent in the task message, in the caller's trace
    expect(handled.traceparent).toMatch(new RegExp(`^00-${called!.traceId}-[0-9a-f]{16}-01$`));
    const inTrace = await spansOf(called!.traceId, (spans) => spans.filter((s) => s.kind === SPAN_KIND_CONSUMER).length >= 2);
    const publishSpanId = handled.traceparent!.split('-')[2];
    const publish = inTrace.find((s) => s.spanId === publishSpanId)!;
    expect(publish).toMatchObject({ kind: SPAN_KIND_PRODUCER, parentSpanId: called!.spanId });
    expect(JSON.stringify(publish.attributes)).toContain(queue);
    const consume = inTrace.find((s) => s.kind === SPAN_KIND_CONSUMER && s.parentSpanId === publishSpanId)!;
    expect(consume).toBeDefined();
    expect(JSON.stringify(consume.attributes)).toContain(queue);
    // the handler runs inside the consume span: a span it starts is the consume span's child
    const handler = inTrace.find((s) => s.spanId === handled.spanId)!;
    expect(handler).toMatchObject({ name: 'otel.add handler', parentSpanId: consume.spanId });
    // the result goes back with spans too: the worker's reply publish and the client's reply consume
    const replyPublish = inTrace.find((s) => s.kind === SPAN_KIND_PRODUCER && s.parentSpanId === consume.spanId);
    expect(replyPublish).toBeDefined();
    expect(inTrace.some((s) => s.kind === SPAN_KIND_CONSUMER && s.parentSpanId === replyPublish!.spanId)).toBe(true);
  });

  it("a traceparent a Python Celery caller put in the task's headers is the parent of the worker's consume span", async () => {
    const traceId = randomBytes(16).toString('hex');
    const parentId = randomBytes(8).toString('hex');
    const traceparent = `00-${traceId}-${parentId}-01`;
    const sent = await runPython<{ ok: boolean; id: string }>('send_with_headers.py', { queue, task: 'otel.add', args: [20, 22], headers: { traceparent } });
    await child.waitFor(new RegExp(`handled \\{"id":"${sent.id}"`), 30_000);
    const handled = lines<Handled>(child.log, 'handled').find((h) => h.id === sent.id)!;
    // the handler reads it as any header
    expect(handled).toMatchObject({ traceparent, traceId });
    const spans = await spansOf(traceId, (found) => found.some((s) => s.kind === SPAN_KIND_CONSUMER));
    const consume = spans.find((s) => s.kind === SPAN_KIND_CONSUMER)!;
    expect(consume).toMatchObject({ parentSpanId: parentId });
    expect(spans.find((s) => s.spanId === handled.spanId)).toMatchObject({ parentSpanId: consume.spanId });
  });
});
