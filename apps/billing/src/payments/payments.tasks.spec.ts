import { describe, expect, it } from '@jest/globals';
import { CeleryRemoteError } from 'nestjs-celery';
import { callTask, createTestClient, startTestWorker } from 'nestjs-celery/testing';
import { PaymentGateway } from './payment-gateway.js';
import { CHARGE_TASK_OPTIONS, PaymentsTasks } from './payments.tasks.js';

/** A gateway whose calls fail while `failing` returns true. */
function gatewayFailing(failing: (call: number) => boolean): PaymentGateway {
  let call = 0;
  return new PaymentGateway({ failureRate: 0.5, random: () => (failing(++call) ? 0 : 0.99) });
}

async function withWorker<T>(gateway: PaymentGateway, run: (call: (...args: unknown[]) => Promise<unknown>) => Promise<T>): Promise<T> {
  const worker = await startTestWorker({ controllers: [PaymentsTasks], providers: [{ provide: PaymentGateway, useValue: gateway }] }, { serverOptions: { queues: ['billing.sync'] } });
  const client = await createTestClient(worker.broker, { defaultQueue: 'billing.sync' });
  try {
    return await run((...args) => callTask(client, 'billing.sync.charge', args));
  } finally {
    await client.close();
    await worker.close();
  }
}

describe('billing.sync.charge against the flaky payment gateway', () => {
  it('is rate limited and retries gateway outages with backoff, never declines', () => {
    expect(CHARGE_TASK_OPTIONS).toMatchObject({ rateLimit: '20/s', retryBackoff: true, retryBackoffMax: 30, maxRetries: 5 });
  });

  it('charges once although the gateway failed twice first (retried with backoff)', async () => {
    const receipt = await withWorker(gatewayFailing((call) => call <= 2), (charge) => charge('o-1', 12.5));
    expect(receipt).toMatchObject({ orderId: 'o-1', amount: 12.5, attempts: 3 });
  }, 20_000);

  it('a declined charge fails at once with PaymentDeclined', async () => {
    const error = await withWorker(gatewayFailing(() => false), (charge) => charge('o-2', -1).catch((e: unknown) => e));
    expect(error).toBeInstanceOf(CeleryRemoteError);
    expect(error).toMatchObject({ excType: 'PaymentDeclined' });
  });

  it('the simulated gateway is idempotent per order and checks its failure rate', () => {
    const gateway = new PaymentGateway({ failureRate: 0 });
    const first = gateway.charge('o-3', 5);
    expect(gateway.charge('o-3', 5)).toBe(first);
    expect(() => new PaymentGateway({ failureRate: 1 })).toThrow(RangeError);
    expect(() => new PaymentGateway({}, { BILLING_GATEWAY_FAILURE_RATE: 'x' })).toThrow('BILLING_GATEWAY_FAILURE_RATE');
  });
});
