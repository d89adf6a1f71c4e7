import { describe, expect, it } from '@jest/globals';
import { Controller } from '@nestjs/common';
import { Subject } from 'rxjs';
import { BrokerAuthenticationError, BrokerUnavailableError } from '../broker/broker.errors.js';
import { MemoryBroker } from '../broker/memory/memory-broker.js';
import { CeleryTask } from '../index.js';
import { startTestWorker } from '../testing/index.js';

@Controller()
class NoopTasks {
  @CeleryTask('lifecycle.noop')
  noop(): null {
    return null;
  }
}

/** Ref'd timers among the active handles: what keeps the process alive. */
function refTimers(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
}

/** A memory broker that can fail like an AmqpBroker does: fatally (`failure$`), or by being away for a while at start-up. */
class FailingBroker extends MemoryBroker {
  readonly failures = new Subject<Error>();
  readonly failure$ = this.failures.asObservable();
  unavailableConnects = 0;
  connectCalls = 0;

  override async connect(): Promise<void> {
    this.connectCalls++;
    if (this.unavailableConnects-- > 0) throw new BrokerUnavailableError('RabbitMQ at test not reachable within 1 ms');
    await super.connect();
  }
}

describe('ServerCelery lifecycle', () => {
  it('holds the process alive from listen() to close()', async () => {
    const before = refTimers();
    const worker = await startTestWorker({ controllers: [NoopTasks] }, { serverOptions: { queues: ['lifecycle'] } });
    expect(refTimers()).toBeGreaterThanOrEqual(before + 1);
    await worker.close();
    expect(refTimers()).toBe(before);
  });

  it('waits through connect timeouts at start-up instead of failing', async () => {
    const broker = new FailingBroker();
    broker.unavailableConnects = 3;
    const worker = await startTestWorker({ controllers: [NoopTasks] }, { broker, serverOptions: { queues: ['lifecycle'] } });
    expect(broker.connectCalls).toBe(4);
    await worker.close();
    await broker.close();
  });

  it('a fatal broker error after start closes the worker and reaches the error listeners', async () => {
    const broker = new FailingBroker();
    const worker = await startTestWorker({ controllers: [NoopTasks] }, { broker, serverOptions: { queues: ['lifecycle'] } });
    const errors: Error[] = [];
    worker.server.on('error', (error) => errors.push(error));
    const before = refTimers();
    const fatal = new BrokerAuthenticationError('refused the login');
    broker.failures.next(fatal);
    await worker.server.close();
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors).toEqual([fatal]);
    expect(refTimers()).toBeLessThanOrEqual(before - 1); // the keep-alive is gone (closing may end other timers too)
    await worker.close();
    await broker.close();
  });
});
