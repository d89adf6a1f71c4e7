import type { Broker } from '../broker/broker.js';
import { CeleryClient } from '../client/celery-client.js';
import type { CeleryClientOptions } from '../client/celery-client.options.js';
import type { SendTaskOptions } from '../producer/send-task.options.js';

/**
 * A connected {@link CeleryClient} on `broker` (e.g. a test worker's memory broker). Closing the
 * client leaves the broker open.
 */
export async function createTestClient(broker: Broker, options: Omit<CeleryClientOptions, 'broker' | 'brokerUrl'> = {}): Promise<CeleryClient> {
  const client = new CeleryClient({ ...options, broker });
  await client.connect();
  return client;
}

/** Options of {@link callTask}: `sendTask`'s, plus how long to wait for the result. */
export interface CallTaskOptions extends SendTaskOptions {
  /** Milliseconds to wait for the result before `CeleryTimeoutError`. Default 5000. */
  timeoutMs?: number;
}

/**
 * Sends a task and waits for its result: resolves with the return value, or rejects with the
 * typed remote error (`CeleryRemoteError` and its subclasses) or `CeleryTimeoutError`.
 */
export async function callTask<T = unknown>(
  client: CeleryClient,
  name: string,
  args: unknown[] = [],
  kwargs: Record<string, unknown> = {},
  options: CallTaskOptions = {},
): Promise<T> {
  const { timeoutMs = 5000, ...sendOptions } = options;
  const result = await client.sendTask<T>(name, args, kwargs, sendOptions);
  return result.get({ timeout: timeoutMs });
}
