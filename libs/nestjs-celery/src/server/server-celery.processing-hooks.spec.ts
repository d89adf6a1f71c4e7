import { describe, expect, it } from '@jest/globals';
import { Controller } from '@nestjs/common';
import { CeleryRemoteError } from '../protocol/celery-remote.error.js';
import { CeleryTask, TaskArg } from '../index.js';
import { callTask, createTestClient, startTestWorker } from '../testing/index.js';

class OrderRejectedError extends Error {
  override readonly name = 'OrderRejectedError';
}

@Controller()
class HookedTasks {
  @CeleryTask('hooks.double')
  double(@TaskArg(0) n: number): number {
    return n * 2;
  }

  @CeleryTask('hooks.reject')
  reject(): never {
    throw new OrderRejectedError('out of stock');
  }
}

describe('ServerCelery processing hooks', () => {
  it('without hooks, runs tasks and keeps the original error type', async () => {
    const worker = await startTestWorker({ controllers: [HookedTasks] });
    const client = await createTestClient(worker.broker);
    await expect(callTask(client, 'hooks.double', [21])).resolves.toBe(42);
    const failure = await callTask(client, 'hooks.reject', []).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CeleryRemoteError);
    expect(failure).toMatchObject({ excType: 'OrderRejectedError', message: expect.stringContaining('out of stock') });
    await client.close();
    await worker.close();
  });

  it('runs the start and end hooks around every task, successful or failed', async () => {
    const events: string[] = [];
    const worker = await startTestWorker({ controllers: [HookedTasks] });
    worker.server.setOnProcessingStartHook((_transport, context, done) => {
      events.push(`start ${(context as { task: string }).task}`);
      return done();
    });
    worker.server.setOnProcessingEndHook((_transport, context) => {
      events.push(`end ${(context as { task: string }).task}`);
    });
    const client = await createTestClient(worker.broker);
    await expect(callTask(client, 'hooks.double', [4])).resolves.toBe(8);
    await expect(callTask(client, 'hooks.reject', [])).rejects.toMatchObject({ excType: 'OrderRejectedError' });
    expect(events).toEqual(['start hooks.double', 'end hooks.double', 'start hooks.reject', 'end hooks.reject']);
    await client.close();
    await worker.close();
  });
});
