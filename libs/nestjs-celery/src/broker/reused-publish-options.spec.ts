import { describe, expect, it } from '@jest/globals';
import type { Options } from 'amqplib';
import { ReusedPublishOptions } from './reused-publish-options.js';

const message = (id: string, extra: Record<string, unknown> = {}): Options.Publish => ({
  contentType: 'application/json',
  deliveryMode: 1,
  correlationId: id,
  headers: { task: 't', id, root_id: id, ...extra },
});

describe('ReusedPublishOptions', () => {
  it('hands out the same objects, refilled, for messages of the same keys', () => {
    const reused = new ReusedPublishOptions();
    const first = reused.fill(message('a'));
    expect(first).toEqual(message('a'));
    reused.release();
    const second = reused.fill(message('b'));
    expect(second).toBe(first);
    expect(second.headers).toBe(first.headers);
    expect(second).toEqual(message('b'));
  });

  it('makes new objects when the keys differ, so no value of an earlier message stays behind', () => {
    const reused = new ReusedPublishOptions();
    const firstHeaders = reused.fill(message('a', { eta: 'soon' })).headers;
    reused.release();
    const second = reused.fill(message('b'));
    expect(second.headers).not.toBe(firstHeaders);
    expect(second).toEqual(message('b'));
    reused.release();
    const third = reused.fill({ ...message('c'), priority: 3 });
    expect(third).not.toBe(second);
    expect(third).toEqual({ ...message('c'), priority: 3 });
  });

  it('leaves objects someone added to (OpenTelemetry injecting traceparent) to them and fills fresh ones next', () => {
    const reused = new ReusedPublishOptions();
    const first = reused.fill(message('a'));
    const firstHeaders = first.headers as Record<string, unknown>;
    firstHeaders.traceparent = '00-aaaa-bbbb-01';
    reused.release();
    const second = reused.fill(message('b'));
    expect(second).not.toBe(first);
    expect(second.headers).not.toBe(firstHeaders);
    expect(second.headers).not.toHaveProperty('traceparent');
    expect(first.headers).toBe(firstHeaders);
    expect(firstHeaders).toEqual({ task: 't', id: 'a', root_id: 'a', traceparent: '00-aaaa-bbbb-01' });
  });

  it('never changes the caller\'s options or headers', () => {
    const reused = new ReusedPublishOptions();
    const source = message('a');
    const filled = reused.fill(source);
    expect(filled).not.toBe(source);
    expect(filled.headers).not.toBe(source.headers);
    reused.release();
    reused.fill(message('b'));
    expect(source).toEqual(message('a'));
  });
});
