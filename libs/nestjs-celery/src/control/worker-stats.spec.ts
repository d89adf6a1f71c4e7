import { describe, expect, it } from '@jest/globals';
import { brokerInfo, rusage, workerStats } from './worker-stats.js';

describe('inspect stats reply', () => {
  it('describes the broker like kombu connection.info() (captured from Python for vhost h7)', () => {
    expect(brokerInfo('amqp://guest:secret@127.0.0.1:5672/h7', 120)).toEqual({
      hostname: '127.0.0.1',
      userid: 'guest',
      virtual_host: 'h7',
      port: 5672,
      insist: false,
      ssl: false,
      transport: 'amqp',
      connect_timeout: 4,
      transport_options: {},
      login_method: 'PLAIN',
      uri_prefix: null,
      heartbeat: 120,
      failover_strategy: 'round-robin',
      alternates: [],
    });
  });

  it("reads Celery's `//` (and no path) as vhost '/', amqps as ssl on 5671", () => {
    expect(brokerInfo('amqp://guest@localhost//', 30).virtual_host).toBe('/');
    expect(brokerInfo('amqp://guest@localhost', 30).virtual_host).toBe('/');
    expect(brokerInfo('amqps://u%40x:p@rabbit/%2Fprod', 30)).toMatchObject({ ssl: true, port: 5671, userid: 'u@x', virtual_host: '/prod' });
  });

  it('shows the configured failover strategy of a URL list', () => {
    const stats = workerStats({
      total: {},
      clock: 1,
      startedAt: 0,
      concurrency: 1,
      prefetchCount: 1,
      brokerUrl: 'amqp://guest:a@n1//;amqp://guest:b@n2//',
      heartbeatSeconds: 30,
      failoverStrategy: 'shuffle',
    });
    expect(stats.broker).toMatchObject({ failover_strategy: 'shuffle', alternates: ['amqp://guest:********@n2//'] });
  });

  it('has the keys of a Python worker, the clock as a string and uptime in seconds', () => {
    const stats = workerStats({
      total: { 'a.b': 2 },
      clock: 19,
      startedAt: 1_000,
      now: 20_600,
      concurrency: 4,
      prefetchCount: 16,
      brokerUrl: 'amqp://guest:guest@127.0.0.1:5672/h7',
      heartbeatSeconds: 30,
    });
    expect(Object.keys(stats).sort()).toEqual(['broker', 'clock', 'pid', 'pool', 'prefetch_count', 'rusage', 'total', 'uptime']);
    expect(stats).toMatchObject({ total: { 'a.b': 2 }, pid: process.pid, clock: '19', uptime: 20, prefetch_count: 16 });
    expect(stats.pool).toEqual({
      implementation: 'nestjs-celery:ServerCelery',
      'max-concurrency': 4,
      processes: [process.pid],
      'max-tasks-per-child': null,
      'put-guarded-by-semaphore': false,
      timeouts: [],
    });
  });

  it('maps process.resourceUsage() to getrusage field names and units', () => {
    const usage = rusage({ ...process.resourceUsage(), userCPUTime: 1_500_000, systemCPUTime: 250_000, maxRSS: 41_768 });
    expect(Object.keys(usage)).toEqual([
      'utime', 'stime', 'maxrss', 'ixrss', 'idrss', 'isrss', 'minflt', 'majflt', 'nswap', 'inblock', 'oublock',
      'msgsnd', 'msgrcv', 'nsignals', 'nvcsw', 'nivcsw',
    ]);
    expect(usage).toMatchObject({ utime: 1.5, stime: 0.25, maxrss: 41_768 });
  });
});
