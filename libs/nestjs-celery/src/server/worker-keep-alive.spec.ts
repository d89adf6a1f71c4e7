import { WorkerKeepAlive } from './worker-keep-alive.js';

/** Ref'd timers among the active handles: what keeps the event loop (and so the process) alive. */
function refTimers(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
}

describe('WorkerKeepAlive', () => {
  it('holds one ref-counted timer from hold() to release(), idempotently', () => {
    const keepAlive = new WorkerKeepAlive();
    const before = refTimers();
    keepAlive.hold();
    keepAlive.hold();
    expect(keepAlive.held).toBe(true);
    expect(refTimers()).toBe(before + 1);
    keepAlive.release();
    keepAlive.release();
    expect(keepAlive.held).toBe(false);
    expect(refTimers()).toBe(before);
  });
});
