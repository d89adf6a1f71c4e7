import { describe, expect, it } from '@jest/globals';
import { MonitorState } from './monitor-state.js';

describe('MonitorState', () => {
  it('tracks workers from heartbeats and inspect replies, and calls a silent one offline', () => {
    const state = new MonitorState();
    state.onEvent({ type: 'worker-heartbeat', hostname: 'py@h', sw_ident: 'py-celery', sw_ver: '5.2.6', active: 1, processed: 7, freq: 2 }, 1000);
    state.onInspect({ 'nest@h': { queues: ['billing.sync'] } }, 1000);
    expect(state.snapshot('amqp://', 2000).workers).toEqual([
      { hostname: 'nest@h', status: 'online', queues: ['billing.sync'], lastSeen: 1000, software: undefined, active: undefined, processed: undefined },
      { hostname: 'py@h', status: 'online', software: 'py-celery 5.2.6', active: 1, processed: 7, queues: [], lastSeen: 1000 },
    ]);
    expect(state.snapshot('amqp://', 20_000).workers.map((w) => w.status)).toEqual(['offline', 'offline']);
    expect(state.consumedQueues()).toEqual(['billing.sync']);
    expect([state.consumersOf('billing.sync', 2000), state.consumersOf('billing.sync', 20_000), state.consumersOf('other', 2000)]).toEqual([1, 0, 0]);
  });

  it('counts task rates in the window and keeps failures with their traceback', () => {
    const state = new MonitorState({ rateWindowSeconds: 60 });
    state.onEvent({ type: 'task-received', uuid: '1', name: 'billing.charge', hostname: 'w' }, 0);
    state.onEvent({ type: 'task-succeeded', uuid: '1', hostname: 'w', runtime: 0.5 }, 10);
    state.onEvent({ type: 'task-received', uuid: '2', name: 'billing.charge', hostname: 'w' }, 20);
    state.onEvent({ type: 'task-failed', uuid: '2', hostname: 'w', exception: "ValueError('declined')", traceback: 'Traceback ...' }, 30);
    const snapshot = state.snapshot('amqp://', 1000);
    expect(snapshot.rates).toEqual([{ task: 'billing.charge', received: 2, succeeded: 1, failed: 1, retried: 0, perMinute: 2 }]);
    expect(snapshot.failures).toMatchObject([{ id: '2', task: 'billing.charge', exception: "ValueError('declined')", traceback: 'Traceback ...' }]);
    expect(snapshot.recent.map((t) => [t.id, t.state, t.runtime])).toEqual([
      ['2', 'FAILED', undefined],
      ['1', 'SUCCEEDED', 0.5],
    ]);
    expect(state.snapshot('amqp://', 120_000).rates).toEqual([]);
  });
});
