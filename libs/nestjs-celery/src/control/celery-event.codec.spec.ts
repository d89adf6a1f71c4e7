import { describe, expect, it } from '@jest/globals';
import { CELERY_EVENT_PROPERTIES, celeryEventRoutingKey, encodeCeleryEvent, utcOffsetHours } from './celery-event.codec.js';

describe('Celery event encoding (celeryev)', () => {
  it("routes by type with dashes as dots, as EventDispatcher.publish does", () => {
    expect(celeryEventRoutingKey('worker-heartbeat')).toBe('worker.heartbeat');
    expect(celeryEventRoutingKey('task-succeeded')).toBe('task.succeeded');
    expect(celeryEventRoutingKey('custom-my-event')).toBe('custom.my.event');
  });

  it("gives utcoffset as Python's time.timezone // 3600 (hours west, rounded down)", () => {
    const at = (minutesWest: number) => ({ getTimezoneOffset: () => minutesWest }) as Date;
    expect(utcOffsetHours(at(0))).toBe(0);
    expect(utcOffsetHours(at(-60))).toBe(-1); // CET
    expect(utcOffsetHours(at(300))).toBe(5); // EST
    expect(utcOffsetHours(at(-330))).toBe(-6); // IST: -19800 // 3600
    expect(utcOffsetHours(at(210))).toBe(3); // NST: 12600 // 3600
  });

  it('writes the event as one JSON object with transient JSON properties', () => {
    const event = { type: 'worker-online', hostname: 'n@h', utcoffset: 0, pid: 7, clock: 1, timestamp: 1795313309.83293, freq: 2 };
    expect(JSON.parse(encodeCeleryEvent(event).toString())).toEqual(event);
    expect(CELERY_EVENT_PROPERTIES).toEqual({ contentType: 'application/json', contentEncoding: 'utf-8', deliveryMode: 1 });
  });
});
