/**
 * A follow-up that cannot be sent after the task ran (issue 12, item 3), on the in-memory broker:
 * the body runs once, the caller gets FAILURE with the error, and the message is acked, never
 * requeued. (A retry that cannot be republished needs an exchange deleted under the worker:
 * test/follow-up-failures.e2e-spec.ts covers it on RabbitMQ.)
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller } from '@nestjs/common';
import { Ctx } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { CeleryContext, CeleryTask, TaskArg, celeryQueueTopology } from '../index.js';
import { createSignature, type SignatureDict } from '../protocol/signature.js';
import { encodeTaskMessage } from '../protocol/task-message.encoder.js';
import { awaitIdle, createMemoryBroker, MemoryBroker, startTestWorker, type TestWorker } from '../testing/index.js';

const QUEUE = 'followups';
const REPLIES = 'followups.replies';
const DLX = 'followups.dlx';
const runs = new Map<string, number>();

@Controller()
class FollowUpTasks {
  @CeleryTask('fu.tally', { params: ['x'] })
  tally(@TaskArg(0) x: number, @Ctx() ctx: CeleryContext): number {
    runs.set(ctx.id, (runs.get(ctx.id) ?? 0) + 1);
    return x;
  }
}

describe('ServerCelery: follow-ups that cannot be sent', () => {
  let broker: MemoryBroker;
  let worker: TestWorker;

  beforeAll(async () => {
    broker = createMemoryBroker();
    await broker.connect();
    await broker.declare({ queues: [{ name: REPLIES, durable: false }] });
    await broker.declare(celeryQueueTopology(QUEUE));
    worker = await startTestWorker(
      { controllers: [FollowUpTasks] },
      { broker, serverOptions: { queues: [QUEUE], defaultQueue: QUEUE, deadLetter: { exchange: DLX }, concurrency: 2 } },
    );
  });

  afterAll(async () => {
    await worker?.close();
    await broker?.close();
  });

  async function publish(id: string, embed: { callbacks?: SignatureDict[]; chain?: SignatureDict[] }): Promise<void> {
    const { body, properties } = encodeTaskMessage({
      id,
      task: 'fu.tally',
      args: [3],
      embed: { callbacks: embed.callbacks ?? null, errbacks: null, chain: embed.chain ?? null, chord: null },
      origin: 'spec',
      replyTo: REPLIES,
    });
    await broker.publish('', QUEUE, body, properties);
  }

  function replies(): Map<string, Array<{ status: string; result: unknown }>> {
    const out = new Map<string, Array<{ status: string; result: unknown }>>();
    for (let message = broker.vhost.get(REPLIES); message; message = broker.vhost.get(REPLIES)) {
      const id = String(message.properties.correlationId);
      out.set(id, [...(out.get(id) ?? []), JSON.parse(message.content.toString()) as { status: string; result: unknown }]);
    }
    return out;
  }

  it('runs each body once, reports FAILURE with the error and acks the message', async () => {
    const cases: Array<[string, { callbacks?: SignatureDict[]; chain?: SignatureDict[] }, string]> = [
      ['priority 999', { callbacks: [createSignature('fu.tally', [0], {}, { priority: 999 })] }, "option 'priority'"],
      ['empty chain step name', { chain: [createSignature('', [])] }, 'task name must be a non-empty string'],
      ['task_id 42', { callbacks: [createSignature('fu.tally', [0], {}, { task_id: 42 as unknown as string })] }, "option 'taskId'"],
      ['missing exchange', { callbacks: [createSignature('fu.tally', [0], {}, { exchange: 'fu.missing', routing_key: 'x' })] }, "no exchange 'fu.missing'"],
    ];
    const ids = cases.map(() => randomUUID());
    for (const [i, [, embed]] of cases.entries()) await publish(ids[i]!, embed);
    await awaitIdle(broker, { queues: [QUEUE], timeoutMs: 4_000 });
    await new Promise((resolve) => setTimeout(resolve, 200)); // a requeue loop would have run them again by now
    const got = replies();
    for (const [i, [label, , error]] of cases.entries()) {
      const id = ids[i]!;
      expect({ label, runs: runs.get(id), states: got.get(id)?.map((r) => r.status) }).toEqual({ label, runs: 1, states: ['FAILURE'] });
      expect(JSON.stringify(got.get(id)![0]!.result)).toContain(error);
    }
    expect(broker.vhost.inspectQueue(QUEUE)).toMatchObject({ ready: 0, unacked: 0 });
  });
});
