/**
 * Rate limits through a whole worker on the in-memory broker: messages beyond the rate wait on
 * the worker unacknowledged (not requeued), run one token at a time, and go back to their queue
 * when the worker stops while they wait.
 */
import { describe, expect, it } from '@jest/globals';
import { Controller } from '@nestjs/common';
import { CeleryTask, TaskArg } from 'nestjs-celery';
import { createTestClient, MemoryBroker, MemoryVhost, startTestWorker } from 'nestjs-celery/testing';

const QUEUE = 'ratelimited';
const runs: number[] = [];

@Controller()
class LimitedTasks {
  @CeleryTask('rl.tick', { params: ['n'], rateLimit: '20/s' })
  tick(@TaskArg(0) n: number): number {
    runs.push(performance.now());
    return n;
  }
}

async function until(predicate: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('rateLimit on a worker (memory broker)', () => {
  it('runs one task per token, the rest waiting unacknowledged; stopping hands the waiting ones back', async () => {
    const vhost = new MemoryVhost();
    const worker = await startTestWorker({ controllers: [LimitedTasks] }, { broker: new MemoryBroker({ vhost }), serverOptions: { queues: [QUEUE], concurrency: 4 } });
    const client = await createTestClient(new MemoryBroker({ vhost }), { defaultQueue: QUEUE });
    try {
      runs.length = 0;
      for (let i = 0; i < 30; i++) await client.sendTask('rl.tick', [i], {}, { replyTo: null });
      await until(() => runs.length >= 7);
      // 50 ms a token; the first run is left out (its handler call is the slowest, a cold start)
      expect((runs[6]! - runs[1]!) / 5).toBeGreaterThan(45);
      const waiting = vhost.inspectQueue(QUEUE)!;
      expect(waiting.unacked).toBeGreaterThan(10);
      await worker.close();
      const after = vhost.inspectQueue(QUEUE)!;
      expect(after.unacked).toBe(0);
      expect(after.ready + runs.length).toBe(30);
    } finally {
      await client.close();
      await worker.close();
    }
  });
});
