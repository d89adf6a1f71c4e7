import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { CeleryEventPublisher } from './celery-event.publisher.js';
import { loadAverage, WorkerHeartbeat } from './worker-heartbeat.js';

function recordingPublisher() {
  const sent: Array<Record<string, unknown>> = [];
  const publisher = { send: (type: string, fields: Record<string, unknown>) => sent.push({ type, ...fields }) };
  return { publisher: publisher as unknown as CeleryEventPublisher, sent };
}

describe("WorkerHeartbeat (Celery's Heart)", () => {
  beforeEach(() => void jest.useFakeTimers());
  afterEach(() => void jest.useRealTimers());

  it('sends worker-online, a worker-heartbeat every 2 s and worker-offline, with the counts and software info', () => {
    const { publisher, sent } = recordingPublisher();
    const source = { activeCount: 1, processedCount: () => 5 };
    const heart = new WorkerHeartbeat(publisher, source);
    heart.beat();
    heart.start();
    heart.start();
    jest.advanceTimersByTime(4_100);
    heart.beat();
    heart.stop();
    heart.stop();
    jest.advanceTimersByTime(4_000);
    heart.beat();
    expect(sent.map((event) => event.type)).toEqual(['worker-online', 'worker-heartbeat', 'worker-heartbeat', 'worker-heartbeat', 'worker-offline']);
    expect(sent[1]).toEqual({
      type: 'worker-heartbeat',
      freq: 2,
      active: 1,
      processed: 5,
      loadavg: [expect.any(Number), expect.any(Number), expect.any(Number)],
      sw_ident: 'nestjs-celery',
      sw_ver: expect.stringMatching(/^\d+\.\d+\.\d+/),
      sw_sys: expect.any(String),
    });
  });

  it("rounds the load average up to two decimals like Celery's load_average()", () => {
    for (const load of loadAverage()) expect(Math.round(load * 100)).toBeCloseTo(load * 100, 6);
  });
});
