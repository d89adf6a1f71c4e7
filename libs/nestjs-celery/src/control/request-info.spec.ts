import { describe, expect, it } from '@jest/globals';
import type { TaskRequest } from '../protocol/task-message.js';
import { argsRepr, kwargsRepr, requestInfo } from './request-info.js';

function request(headers: Record<string, unknown>): TaskRequest {
  return { id: 'i', task: 't', args: [1, 'a'], kwargs: { k: [true, null] }, headers } as unknown as TaskRequest;
}

describe('Request.info() and the args reprs', () => {
  it('uses the argsrepr/kwargsrepr headers when the sender wrote them', () => {
    const req = request({ argsrepr: '(secret,)', kwargsrepr: '{}' });
    expect([argsRepr(req), kwargsRepr(req)]).toEqual(['(secret,)', '{}']);
  });

  it("falls back to Celery's saferepr of the args when compact headers left them out", () => {
    const req = request({});
    expect([argsRepr(req), kwargsRepr(req)]).toEqual(["(1, 'a')", "{'k': [True, None]}"]);
  });

  it('safe info gives reprs; a waiting request has no start time and no pid', () => {
    const info = requestInfo(request({}), { hostname: 'w@h', deliveryInfo: { exchange: '', routing_key: 'q', priority: null, redelivered: false }, acknowledged: false }, true);
    expect(info).toMatchObject({ args: "(1, 'a')", kwargs: "{'k': [True, None]}", time_start: null, worker_pid: null });
  });
});
