import { describe, expect, it } from '@jest/globals';
import { Controller } from '@nestjs/common';
import { Ctx } from '@nestjs/microservices';
import { CeleryTask } from '../index.js';
import { createTestClient, startTestWorker } from '../testing/index.js';
import { CeleryContext } from '../runtime/celery-context.js';

let started: () => void = () => undefined;
let abortedWith: unknown;

@Controller()
class SlowTasks {
  @CeleryTask('slow.cooperative')
  async cooperative(@Ctx() ctx: CeleryContext): Promise<string> {
    started();
    await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
    abortedWith = ctx.signal.reason;
    return 'stopped';
  }
}

describe('ServerCelery shutdown', () => {
  it('waits shutdownTimeoutMs for running tasks, then aborts their signal and closes', async () => {
    const worker = await startTestWorker({ controllers: [SlowTasks] }, { serverOptions: { queues: ['slow'], shutdownTimeoutMs: 200 } });
    const client = await createTestClient(worker.broker, { defaultQueue: 'slow' });
    const running = new Promise<void>((resolve) => (started = resolve));
    await client.sendTask('slow.cooperative', [], {}, { replyTo: null });
    await running;
    const closing = Date.now();
    await worker.server.close();
    expect(Date.now() - closing).toBeGreaterThanOrEqual(190);
    expect(abortedWith).toEqual(new Error('worker shutting down'));
    await client.close();
    await worker.close();
  });
});
